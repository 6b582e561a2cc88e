"""The role vocabulary: role names and the sets commands are declared with.

Who may run a command is declared on the command itself (`roles=` in handlers/*.py); this
module only names the roles, so every declaration and every role-dependent view speaks the
same words. tests/test_permissions.py walks every command × role against its own table.
"""

from __future__ import annotations

HEAD_TEACHER = "head_teacher"
TEACHER = "teacher"
PRINCIPAL = "principal"  # school level (校长): receives #校长信箱, seeded from config
COMMITTEE = "committee"
PARENT = "parent"
GUEST = "guest"  # wrote in the group but has not registered (#登记) yet

ROLES = (HEAD_TEACHER, TEACHER, PRINCIPAL, COMMITTEE, PARENT, GUEST)
EVERYONE = frozenset(ROLES)
STAFF = frozenset({HEAD_TEACHER, TEACHER})
FAMILIES = frozenset({PARENT, COMMITTEE})
MAILBOX_STAFF = STAFF | {PRINCIPAL}  # who receives and answers letters
