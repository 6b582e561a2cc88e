"""The command menu platforms show next to the input box, generated from the declarations.

Which commands, their slash form and where they show (groups, private chats) come from each
command's declaration; the description is the one 帮助 shows (templates/<lang>/_commands.j2),
or the usage line for a command that has no words there.
"""

from __future__ import annotations

from core.channel import MenuItem
from core.render import Renderer
from kit.router import CommandTable, Scope

MAX_DESCRIPTION = 256  # Telegram's limit; shorter everywhere else we know


def command_menu(table: CommandTable, renderer: Renderer) -> list[MenuItem]:
    module = renderer.env.get_template("_commands.j2").module
    described = module.COMMANDS  # type: ignore[attr-defined]
    items: list[MenuItem] = []
    for command in table.commands:
        if not command.slash:
            continue
        words = described.get(command.name)
        description = words["desc"] if words else str(module.usage(command))  # type: ignore[attr-defined]
        items.append(MenuItem(command.slash[0].lower(), description[:MAX_DESCRIPTION],
                              in_groups=command.scope is not Scope.PRIVATE,
                              in_private=command.scope is not Scope.GROUP))
    return items
