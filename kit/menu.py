"""The command menu platforms show next to the input box, derived from the routing table.

Descriptions come from templates/<lang>/_commands.j2, so the menu says what 帮助 says.
"""

from __future__ import annotations

from core.channel import MenuItem
from core.render import Renderer
from kit.router import CommandTable, Scope

MAX_DESCRIPTION = 256  # Telegram's limit; shorter everywhere else we know




def command_menu(table: CommandTable, renderer: Renderer) -> list[MenuItem]:
    described = renderer.env.get_template("_commands.j2").module.COMMANDS  # type: ignore[attr-defined]
    items: list[MenuItem] = []
    for command in table.commands:
        if not command.slash:
            continue
        description = described[command.name]["desc"][:MAX_DESCRIPTION]
        items.append(MenuItem(command.slash[0].lower(), description,
                              in_groups=command.scope is not Scope.PRIVATE,
                              in_private=command.scope is not Scope.GROUP))
    return items
