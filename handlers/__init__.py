"""Every feature's router, listed in one place (no registration by import side effect)."""

from __future__ import annotations

from handlers import (
    answers,
    corrections,
    exports,
    forget,
    grades,
    help,
    mailbox,
    mailbox_staff,
    meetings,
    membership,
    notices,
    ownership,
    polls,
    privacy,
    private,
    record,
    relay,
    reports,
    roster,
    signups,
    slots,
    surveys,
    weekly,
)
from kit.router import Command, CommandTable, Router


def routers() -> list[Router]:
    return [membership.router, roster.router, ownership.router, corrections.router,
            forget.router, notices.router, meetings.router, signups.router, answers.router,
            polls.router, slots.router, weekly.router, help.router, mailbox.router,
            mailbox_staff.router, relay.router, privacy.router, record.router, grades.router,
            exports.router, reports.router, private.router, surveys.router,
            # last: its phrase takes any short group message that might be a poll option
            polls.option_router]


def all_commands() -> list[Command]:
    return [command for router in routers() for command in router.commands]


def command_table() -> CommandTable:
    return CommandTable(routers())
