"""Who may run what: the one table (role → commands). Tests walk every cell of it."""

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

PERMISSIONS: dict[str, frozenset[str]] = {
    "help": EVERYONE,
    "register": EVERYONE,
    "bind": frozenset({HEAD_TEACHER}),
    "assign_teacher": frozenset({HEAD_TEACHER}),
    "assign_committee": frozenset({HEAD_TEACHER}),
    "notice": STAFF,
    "urgent": STAFF,
    "unread": STAFF,
    "ack": FAMILIES,
    "mailbox": FAMILIES | STAFF | {PRINCIPAL},  # parents write; recipients list and view
    "complaint": FAMILIES,
    "suggest": FAMILIES,
    "ask": FAMILIES,
    "anonymous": FAMILIES,
    "principal_mailbox": FAMILIES,
    "add": FAMILIES,
    "my_tickets": FAMILIES,
    "rate": FAMILIES,
    "reply": STAFF | {PRINCIPAL},
    "transfer": STAFF | {PRINCIPAL},
    "close": STAFF | {PRINCIPAL},
    "dm": FAMILIES | STAFF,
    "dm_urgent": FAMILIES | STAFF,
    "meeting": STAFF,
    "rsvp": FAMILIES,
    "rsvps": STAFF | {COMMITTEE},
    "reschedule": STAFF,
    "cancel_meeting": STAFF,
    "checkin": FAMILIES,
    "attendance": STAFF,
    "minutes": STAFF,
    "update": STAFF,
    "weekly_preview": STAFF,
}


def allowed(command: str, roles: frozenset[str]) -> bool:
    return bool(PERMISSIONS.get(command, frozenset()) & roles)
