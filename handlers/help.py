"""#帮助: the commands the asker's role may use, one example each."""

from __future__ import annotations

from bot.context import Context
from bot.permissions import allowed
from bot.router import Args, Command, Router


def visible_commands(roles: frozenset[str]) -> list[str]:
    from handlers import all_commands  # the full list is assembled in handlers/__init__

    return [c.name for c in all_commands() if allowed(c.name, roles)]


async def show_help(ctx: Context, _args: Args) -> None:
    await ctx.reply("help", commands=visible_commands(ctx.roles), roles=sorted(ctx.roles))


async def private_hello(ctx: Context, _args: object) -> None:
    """A private message that is no command: point to #帮助 instead of staying silent."""
    await ctx.reply("common/private_hello", registered=ctx.person is not None)


router = Router(
    commands=(Command("help", ("帮助", "菜单"), ("help", "start"), show_help, needs_class=False),),
    private_fallback=private_hello,
)
