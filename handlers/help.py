"""#帮助: the commands the asker's role may use, one example each, from their declarations."""

from __future__ import annotations

import re

from core.events import ChatKind
from core.permissions import EVERYONE
from kit.context import Context
from kit.router import Args, Command, Fallback, Router, UsageError

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class HelpArgs(Args):
    """`/start <payload>` arrives when a parent opens the bot's private link (deep link)."""

    payload: str | None = None

    @classmethod
    def from_text(cls, rest: str) -> HelpArgs:
        rest = rest.strip()
        if rest and not _PAYLOAD.match(rest):
            raise UsageError("help takes no arguments")
        return cls(payload=rest or None)


async def show_help(ctx: Context, args: HelpArgs) -> None:
    if args.payload and ctx.event.chat.kind is ChatKind.PRIVATE:
        # Writing privately has just made this account reachable (services.identities.touch).
        await ctx.reply("common/private_linked",
                        name=ctx.person.display_name if ctx.person else None)
        return
    # The same roles always get the same list: rendered once per set of roles.
    commands = ctx.table.visible_to(ctx.roles)
    if ctx.event.chat.kind is ChatKind.GROUP:
        await ctx.reply("help_group", kept=ctx.roles, lines=group_lines(commands),
                        roles=sorted(ctx.roles))
        return
    await ctx.reply("help", kept=ctx.roles, commands=commands, roles=sorted(ctx.roles))


GROUP_HELP_LINES = 6  # + the title and the pointer to the private chat: 8 lines in a group


def group_lines(commands: list[Command]) -> list[list[Command]]:
    """The command words in at most GROUP_HELP_LINES lines (8 a line, more if there are many):
    the whole group reads #帮助's answer, so it stays short."""
    per_line = max(8, -(-len(commands) // GROUP_HELP_LINES))
    return [commands[i:i + per_line] for i in range(0, len(commands), per_line)]


async def private_hello(ctx: Context) -> None:
    """A private message that is no command: point to #帮助 instead of staying silent."""
    await ctx.reply("common/private_hello", registered=ctx.person is not None)


router = Router(
    commands=(Command("help", ("帮助", "菜单"), ("help", "start"), show_help, HelpArgs,
                      roles=EVERYONE, needs_class=False),),
    fallbacks=(Fallback("hello", private_hello, roles=EVERYONE),),
)
