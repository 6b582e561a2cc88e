"""Who may run what: the one table (role → commands). Tests walk every cell of it."""

from __future__ import annotations

HEAD_TEACHER = "head_teacher"
TEACHER = "teacher"
COMMITTEE = "committee"
PARENT = "parent"
GUEST = "guest"  # wrote in the group but has not registered (#登记) yet

ROLES = (HEAD_TEACHER, TEACHER, COMMITTEE, PARENT, GUEST)
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
