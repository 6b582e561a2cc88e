"""Message templates: every zh_CN template has an en twin, every branch renders in both
languages with the values the handlers pass, and the English text stays English (apart from
the Chinese command words and examples the bot needs people to type)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any, NamedTuple

import pytest

import templates
from core.permissions import ROLES
from core.reading import Kind as ReadKind
from core.reading import read
from core.reading.meeting import MeetingParts
from core.render import Renderer
from core.timeparse import ParsedTime
from handlers import all_commands, command_table
from handlers.answers import is_answer
from handlers.help import group_lines
from kit.router import Command, parse_args
from services.class_groups import BindResult, BindStatus
from services.guardians import RELATIONS, Family, Guardian, RegisterResult, RegisterStatus
from services.health import Health
from services.meetings import (
    KINDS,
    Answer,
    Attendance,
    CheckinStatus,
    FamilyAnswer,
    Meant,
    RsvpResult,
    RsvpStatus,
    Tally,
)
from services.membership import AssignStatus
from services.notices import AckStatus, ReadStatus
from services.weekly import Digest
from tests.class_template_cases import CLASS_CJK, class_cases, register_results
from tests.mailbox_template_cases import MAILBOX_CJK, MAILBOX_SKIP, mailbox_cases
from tests.polls_template_cases import POLLS_CJK, poll_cases, survey_cases
from tests.record_template_cases import RECORD_CJK, RECORD_SKIP, record_cases
from tests.signup_template_cases import (
    SIGNUP_CJK,
    signup_cases,
    slot_cases,
    weekly_signups,
    weekly_slots,
)

ROOT = Path(templates.__file__).parent
LANGUAGES = ("zh_CN", "en")
SUFFIX = ".txt.j2"
TZ = "Asia/Shanghai"
# 2026-12-01 23:00 UTC is 2026-12-02 07:00 in Shanghai: the end of the default quiet hours.
PUBLISH_AT = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
MEETING_AT = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # 2026-12-04 19:00 in Shanghai

GLOBALS = {
    "zh_CN": {"bot_name": "班级助手", "school_name": "阳光小学"},
    "en": {"bot_name": "ClassHelper", "school_name": "Sunshine Primary"},
}

# The values a class would really have; en uses ASCII only, so any Chinese in en output
# must come from the template itself.
WORDS = {
    "zh_CN": {
        "class": "三年级二班", "other_class": "三年级一班", "unknown_class": "三年级九班",
        "group": "三年级二班家长群", "students": ["李明", "张华", "赵雪", "陈静"],
        "guardians": ["李明妈妈", "李明爸爸", "张华爸爸", "陈静妈妈"], "teacher": "张老师",
        "subject": "数学", "author": "王老师", "title": "周五春游",
        "body": "请带好水和帽子，早上7:50到校。", "ack_label": "收到",
        "urgent_title": "明天停课", "bad_relation": "干妈", "chatter": "大家好",
        "topic": "期中总结", "place": "三楼会议室", "reason": "加班",
        "minutes": "一、期中成绩总体良好。\n二、寒假从1月20日开始。",
        "item": "本周完成了第三单元测验", "unreadable": "下下周八", "no_hour": "12月5日",
    },
    "en": {
        "class": "Grade 3 Class 2", "other_class": "Grade 3 Class 1",
        "unknown_class": "Grade 3 Class 9", "group": "Grade 3-2 Parents",
        "students": ["Tom", "Amy", "Ben", "Dan"],
        "guardians": ["Tom's mum", "Tom's dad", "Amy's dad", "Dan's mum"],
        "teacher": "MrsLee", "subject": "Science", "author": "Ms Wang",
        "title": "Sports day on Friday", "body": "Please wear trainers and bring water.",
        "ack_label": "Got it", "urgent_title": "No school tomorrow", "bad_relation": "auntie",
        "chatter": "hello everyone", "topic": "Reading at home", "place": "Library",
        "reason": "working late",
        "minutes": "1. Mid-term results are good overall.\n2. The holiday starts on 20 January.",
        "item": "We finished the Unit 3 test", "unreadable": "next Friday 7pm", "no_hour": "12-05",
    },
}

# Chinese that en output may contain: command words, the console's private-chat keyword,
# and the examples (a child's name, relation words, a class, a teacher) people copy.
# Meetings: the kinds (command words), the commands, the answers typed in the group (参加 2人),
# and the 截止 / 限 parts of #家长会.
MEETING_CJK = {
    *KINDS, "报名", "报名情况", "改期", "取消", "签到", "考勤", "纪要", "动态", "本周动态",
    "参加", "不参加", "待定", "人", "截止", "限",
}
ALLOWED_CJK = {
    "帮助", "登记", "绑定", "任课", "家委", "通知", "紧急通知", "收到", "未读", "私聊",
    "李明", "李明妈妈", "张老师", "王老师", "三年级二班", *RELATIONS, *MAILBOX_CJK,
    *MEETING_CJK, *CLASS_CJK, *RECORD_CJK, *SIGNUP_CJK, *POLLS_CJK,
}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


class Case(NamedTuple):
    template: str
    label: str
    values: dict[str, Any]


def template_names(language: str) -> set[str]:
    """Relative paths of every template file of a language (including _commands.j2)."""
    folder = ROOT / language
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.j2")}


def message_templates() -> set[str]:
    return {n.removesuffix(SUFFIX) for n in template_names("zh_CN") if n.endswith(SUFFIX)}


def renderer(language: str) -> Renderer:
    return Renderer(language, **GLOBALS[language])


TABLE = command_table()


def one_line(w: dict[str, str]) -> dict[str, MeetingParts]:
    """One-line meetings split as the refusals show them: found, missing, unclear, unreadable."""
    at = ParsedTime(datetime(2026, 12, 4, 11, 30, tzinfo=UTC), True, w["no_hour"])
    parts = MeetingParts(when=at,
                         when_text=w["no_hour"], place=w["place"], topic="",
                         deadline_text=None, capacity=None, missing=("topic",), unclear=())
    return {
        "missing": parts,
        "unclear": dataclasses.replace(parts, place="", missing=("place", "topic"),
                                       unclear=(w["place"], w["topic"])),
        "unreadable": dataclasses.replace(parts, when=None, when_text=w["unreadable"],
                                          missing=("time",)),
        "no_time": dataclasses.replace(parts, when=None, when_text="", missing=("time",)),
        "no_deadline": dataclasses.replace(parts, topic=w["topic"], missing=(),
                                           deadline_text=""),
    }


def declared(name: str) -> Command:
    return TABLE.by_name(name)


def commands_data(language: str) -> tuple[dict[str, Any], dict[str, str]]:
    module = renderer(language).env.get_template("_commands.j2").module
    return module.COMMANDS, module.ROLE_NAMES  # type: ignore[attr-defined]


def notice(w: dict[str, Any], *, urgent: bool = False, body: bool = True) -> NS:
    return NS(number=3, title=w["urgent_title"] if urgent else w["title"],
              body=w["body"] if body else "", urgent=urgent, publish_at=PUBLISH_AT)


def read_status(w: dict[str, Any], *, missing: bool) -> ReadStatus:
    families = [
        Family(1, w["students"][0], [Guardian(11, w["guardians"][0]),
                                     Guardian(12, w["guardians"][1])]),
        Family(2, w["students"][1], [Guardian(13, w["guardians"][2])]),
        Family(3, w["students"][2], []),  # nobody registered for this child yet
    ]
    return ReadStatus(notice(w), 30, 27 if missing else 30, families if missing else [])


def config_problems(w: dict[str, Any]) -> list[dict[str, Any]]:
    """Shaped like core.config.load_config's validation problems, one of each branch."""
    return [
        {"key": "colour", "field": "colour", "value": "blue", "kind": "extra_forbidden",
         "detail": "Extra inputs are not permitted"},
        {"key": "classes.0.head_teacher", "field": "head_teacher", "value": {"name": w["class"]},
         "kind": "missing", "detail": "Field required"},
        {"key": "classes.0.name", "field": "name", "value": {}, "kind": "missing",
         "detail": "Field required"},
        {"key": "timezone", "field": "timezone", "value": "Mars/Base", "kind": "value_error",
         "detail": "Value error, unknown time zone"},
        {"key": "bot_name", "field": "bot_name", "value": "", "kind": "string_too_short",
         "detail": "String should have at least 1 character"},
        {"key": "wechat.endpoint", "field": "endpoint", "value": None, "kind": "missing",
         "detail": "required for channel wechat"},
    ]


def families(w: dict[str, Any]) -> list[Family]:
    """Four families: two guardians, one, none registered yet, one."""
    students, guardians = w["students"], w["guardians"]
    return [
        Family(1, students[0], [Guardian(11, guardians[0]), Guardian(12, guardians[1])]),
        Family(2, students[1], [Guardian(13, guardians[2])]),
        Family(3, students[2], []),
        Family(4, students[3], [Guardian(14, guardians[3])]),
    ]


def meeting(w: dict[str, Any], *, kind: str = KINDS[0], details: bool = True,
            capacity: int | None = None, status: str = "open", minutes: bool = False) -> NS:
    """Shaped like models.Meeting; `details` off: no topic, place or deadline."""
    return NS(number=3, kind=kind, topic=w["topic"] if details else "",
              place=w["place"] if details else "", starts_at=MEETING_AT,
              ends_at=MEETING_AT + timedelta(hours=2),
              rsvp_deadline=MEETING_AT - timedelta(days=2) if details else None,
              capacity=capacity, status=status, minutes=w["minutes"] if minutes else None)


def tally(w: dict[str, Any], m: NS, *, everyone: bool = True) -> Tally:
    """everyone: one family of each answer (a reason, a missing family without guardians);
    otherwise only a "no" without a reason, and the rest missing (with guardians)."""
    f = families(w)
    if everyone:
        return Tally(m, yes=[FamilyAnswer(f[0], Answer.YES, 2, "", 11)],
                     no=[FamilyAnswer(f[1], Answer.NO, 0, w["reason"], 13)],
                     maybe=[FamilyAnswer(f[3], Answer.MAYBE, 0, "", 14)], missing=[f[2]])
    return Tally(m, no=[FamilyAnswer(f[1], Answer.NO, 0, "", 13)],
                 missing=[f[0], f[2], f[3]])


def meeting_cases(language: str) -> list[Case]:
    w = WORDS[language]
    m, bare = meeting(w), meeting(w, kind=KINDS[4], details=False)
    f, guardians = families(w), w["guardians"]
    out = [
        *(Case("meetings/one_line_unclear", name, {
            "parts": parts, "no_deadline": name == "no_deadline",
            "command": declared("meeting"), "tz": TZ}) for name, parts in one_line(w).items()),
        Case("meetings/bad_time", "unreadable", {
            "what": "start", "text": w["unreadable"], "problem": "unreadable",
            "command": declared("meeting"),
            "understood": None, "tz": TZ}),
        Case("meetings/bad_time", "no_hour", {
            "what": "deadline", "text": w["no_hour"], "problem": "no_hour",
            "command": declared("meeting"),
            "understood": datetime(2026, 12, 4, 16, 0, tzinfo=UTC), "tz": TZ}),
        Case("meetings/bad_time", "past", {
            "what": "start", "text": "2026-11-01 19:00", "problem": "past",
            "command": declared("reschedule"),
            "understood": datetime(2026, 11, 1, 11, 0, tzinfo=UTC), "tz": TZ}),
        Case("meetings/card", "details", {
            "meeting": meeting(w, capacity=40), "tz": TZ, "author": w["author"]}),
        Case("meetings/card", "bare", {"meeting": bare, "tz": TZ, "author": w["author"]}),
        Case("meetings/card", "tally", {"meeting": m, "tz": TZ, "author": w["author"],
                                        "tally": tally(w, m, everyone=False)}),
        Case("meetings/created", "posted", {"meeting": m, "groups": 1, "tz": TZ}),
        Case("meetings/created", "no_group", {"meeting": bare, "groups": 0, "tz": TZ}),
        Case("meetings/deadline_after_start", "plain", {
            "deadline": MEETING_AT + timedelta(days=1), "starts_at": MEETING_AT, "tz": TZ}),
        Case("meetings/not_found", "number", {"number": 7, "meant": Meant.LATEST}),
        Case("meetings/not_found", "latest", {"number": None, "meant": Meant.LATEST,
                                              "private": True}),
        Case("meetings/not_found", "held", {"number": None, "meant": Meant.HELD}),
        Case("meetings/tally", "full", {
            "tally": tally(w, meeting(w, capacity=40)), "full": True, "tz": TZ,
            "private": True}),
        Case("meetings/tally", "full-few_answers", {
            "tally": tally(w, bare, everyone=False), "full": True, "tz": TZ, "private": True}),
        Case("meetings/tally", "counts_only", {
            "tally": tally(w, m), "full": False, "tz": TZ, "private": True}),
        Case("meetings/reminder", "missing", {"meeting": m, "tally": tally(w, m), "tz": TZ}),
        Case("meetings/reminder", "all_answered", {
            "meeting": bare, "tally": Tally(bare, yes=[FamilyAnswer(f[0], Answer.YES, 1, "", 11)],
                                            no=[FamilyAnswer(f[1], Answer.NO, 0, "", 13)]),
            "tz": TZ}),
        Case("meetings/reminder_private", "yes", {
            "meeting": m, "answer": FamilyAnswer(f[0], Answer.YES, 2, "", 11), "tz": TZ}),
        Case("meetings/reminder_private", "maybe", {
            "meeting": bare, "answer": FamilyAnswer(f[3], Answer.MAYBE, 0, "", 14), "tz": TZ}),
        Case("meetings/rsvp_nudge_private", "plain", {
            "meeting": m, "name": guardians[0], "tz": TZ}),
        Case("meetings/is_cancelled", "plain", {"meeting": meeting(w, status="cancelled")}),
        Case("meetings/changed_ok", "moved", {"meeting": m, "groups": 2}),
        Case("meetings/changed_ok", "cancelled", {
            "meeting": meeting(w, status="cancelled"), "groups": 1}),
        Case("meetings/changed_ok", "no_group", {"meeting": m, "groups": 0}),
        Case("meetings/checked_in", "plain", {"meeting": m, "tz": TZ}),
        Case("meetings/checkin_closed", "no_meeting", {"meeting": None, "tz": TZ,
                                                        "opens_minutes": 30}),
        Case("meetings/attendance", "mixed", {"record": Attendance(
            m, present=[f[0]], absent=[FamilyAnswer(f[1], Answer.NO, 0, w["reason"], 13),
                                       FamilyAnswer(f[3], Answer.MAYBE, 0, "", 14)],
            no_answer=[f[2]]), "tz": TZ, "private": True}),
        Case("meetings/attendance", "nobody_came", {"record": Attendance(
            bare, present=[], absent=[], no_answer=f), "tz": TZ, "private": True}),
        Case("meetings/minutes_posted", "unreached", {
            "meeting": meeting(w, minutes=True), "present": 1, "absent": 3,
            "unreached": 2, "tz": TZ}),
        Case("meetings/minutes_posted", "all_came", {
            "meeting": meeting(w, details=False, minutes=True), "present": 4, "absent": 0,
            "unreached": 0, "tz": TZ}),
        Case("meetings/minutes_private", "plain", {
            "meeting": meeting(w, minutes=True), "name": guardians[2], "tz": TZ}),
        Case("meetings/minutes_saved", "held", {
            "meeting": m, "held_until": PUBLISH_AT, "sent": 1,
            "unreached": [Guardian(11, guardians[0])], "tz": TZ}),
        Case("meetings/minutes_saved", "sent", {
            "meeting": m, "held_until": None, "sent": 3, "unreached": [], "tz": TZ}),
        Case("meetings/minutes_saved", "sent-unreached", {
            "meeting": m, "held_until": None, "sent": 1,
            "unreached": [Guardian(11, guardians[0])], "tz": TZ}),
        Case("meetings/minutes_updated", "plain", {"meeting": m}),
    ]
    for answer in Answer:
        out.append(Case("meetings/button", answer.value, {"answer": answer}))
    for private in (False, True):
        out.append(Case("meetings/moved", f"private={private}", {
            "meeting": m if private else bare, "tz": TZ, "private": private,
            "old_start": MEETING_AT - timedelta(days=3)}))
        out.append(Case("meetings/cancelled", f"private={private}", {
            "meeting": meeting(w, status="cancelled", details=private), "tz": TZ,
            "private": private}))
    recorded = {
        RsvpStatus.NEW: [RsvpResult(RsvpStatus.NEW, Answer.YES, 2, "", 37)],
        RsvpStatus.CHANGED: [RsvpResult(RsvpStatus.CHANGED, Answer.NO, 0, w["reason"]),
                             RsvpResult(RsvpStatus.CHANGED, Answer.YES, 1, "")],
        RsvpStatus.SAME: [RsvpResult(RsvpStatus.SAME, Answer.MAYBE, 0, "")],
    }
    for status in RsvpStatus:  # a new status gets a refused case; its template must handle it
        refused = RsvpResult(status, Answer.YES, 3, "", 1 if status is RsvpStatus.FULL else None)
        no_seat = dataclasses.replace(refused, seats_left=0)
        cases_of = recorded.get(status, [refused, no_seat] if status is RsvpStatus.FULL
                                else [refused])
        for i, result in enumerate(cases_of):
            template = "meetings/rsvp_recorded" if result.recorded else "meetings/rsvp_refused"
            out.append(Case(template, f"{status.value}-{i}", {
                "meeting": meeting(w, capacity=40, details=i == 0), "result": result,
                "tz": TZ}))
    for checkin in CheckinStatus:
        if checkin in (CheckinStatus.NEW, CheckinStatus.ALREADY):
            continue  # those get meetings/checked_in
        out.append(Case("meetings/checkin_closed", checkin.value, {
            "meeting": m, "status": checkin, "tz": TZ, "opens_minutes": 30,
            "opens": MEETING_AT - timedelta(minutes=30)}))
    return out


def digest(w: dict[str, Any], *, items: bool = True, everything: bool = True) -> Digest:
    """items: one added item; everything: also a notice of this week, an upcoming meeting and
    an older notice still not confirmed by everyone."""
    status = read_status(w, missing=True)
    out = Digest(NS(name=w["class"], timezone=TZ), date(2026, 11, 30),
                 items=[NS(text=w["item"]), NS(text=w["body"])] if items else [])
    if everything:
        out.notices = [status]
        out.meetings = [tally(w, meeting(w))]
        out.open_notices = [ReadStatus(notice(w, urgent=True), 30, 28, families(w)[:2])]
        out.signups = weekly_signups(w["class"] == "三年级二班")
        out.slots = weekly_slots(w["class"] == "三年级二班")
    return out


def weekly_cases(language: str) -> list[Case]:
    w = WORDS[language]
    empty = digest(w, items=False, everything=False)
    return [
        Case("weekly/item_added", "slot", {"waiting": 1, "slot": PUBLISH_AT, "tz": TZ}),
        Case("weekly/item_added", "no_slot", {"waiting": 3, "slot": None, "tz": TZ}),
        Case("weekly/preview", "empty", {"digest": empty, "slot": PUBLISH_AT, "tz": TZ,
                                         "private": True}),
        Case("weekly/preview", "full", {"digest": digest(w), "slot": PUBLISH_AT, "tz": TZ,
                                        "private": True}),
        Case("weekly/preview", "items-no_slot", {
            "digest": digest(w, everything=False), "slot": None, "tz": TZ, "private": True}),
        Case("weekly/update", "empty", {"digest": empty, "tz": TZ}),
        Case("weekly/update", "full", {"digest": digest(w), "tz": TZ}),
        Case("weekly/update", "no_items", {"digest": digest(w, items=False), "tz": TZ}),
    ]


def cases(language: str) -> list[Case]:
    """Every template with the values its caller passes; one case per branch."""
    w = WORDS[language]
    out = [
        Case("common/button_hint", "one", {"labels": [w["ack_label"]]}),
        Case("common/button_hint", "two", {"labels": [w["ack_label"], "OK"]}),
        Case("common/cannot_dm", "plain", {}),
        Case("common/config_error", "missing_file",
             {"path": "/etc/classbot.yaml", "problems": [
                 {"key": "", "value": "/etc/classbot.yaml", "kind": "missing_file"}]}),
        Case("common/config_error", "yaml", {"path": "config.yaml", "problems": [
            {"key": "", "value": "line 7", "kind": "yaml"}]}),
        Case("common/config_error", "not_mapping", {"path": "config.yaml", "problems": [
            {"key": "", "value": "list", "kind": "not_mapping"}]}),
        Case("common/config_error", "validation",
             {"path": "config.yaml", "problems": config_problems(w)}),
        Case("common/group_not_bound", "plain", {}),
        Case("common/internal_error", "plain", {}),
        Case("common/not_registered", "plain", {}),
        Case("common/register_first", "plain", {}),
        Case("common/awaiting_approval", "one class", {"classes": ["三年级二班"]}),
        Case("common/private_hello", "registered", {"registered": True}),
        Case("common/private_hello", "unregistered", {"registered": False}),
        Case("common/group_only", "register", {"command": declared("register")}),
        Case("common/group_only", "bind", {"command": declared("bind")}),
        Case("common/private_only", "unread", {"command": declared("unread")}),
        Case("common/usage", "notice", {"command": declared("notice")}),
        Case("common/did_you_mean", "word", {"word": "#未读"}),
        Case("common/usage", "register", {"command": declared("register")}),
        Case("common/which_class", "two", {"classes": [w["class"], w["other_class"]]}),
        Case("console/replay_continues", "sqlite", {"driver": "sqlite+aiosqlite"}),
        Case("console/bad_line", "numbered",
             {"line": w["chatter"], "line_no": 4, "reason": "expected 'SPEAKER @ CHAT: TEXT'"}),
        Case("console/bad_line", "interactive",
             {"line": w["chatter"], "line_no": None, "reason": "expected 'SPEAKER @ CHAT: TEXT'"}),
        Case("console/bad_attach", "numbered",
             {"line": ":attach scores.xlsx", "line_no": 4, "path": "demo/scores.xlsx",
              "reason": "No such file or directory"}),
        Case("console/bad_attach", "interactive",
             {"line": ":attach scores.xlsx", "line_no": None, "path": "scores.xlsx",
              "reason": "No such file or directory"}),
        Case("console/unsupported_channel", "telegram",
             {"channel": "telegram", "available": ["console", "wechat"]}),
        Case("console/extra_missing", "wechat",
             {"channel": "wechat", "detail": "No module named 'wechaty'"}),
        Case("console/db_upgraded", "upgraded", {"before": "0001_first_release",
             "after": "0002_mailbox_meetings", "backup": "data/classbot.db.before-0002.bak",
             "changed": True}),
        Case("console/db_upgraded", "created", {"before": None, "after": "0002_mailbox_meetings",
             "backup": None, "changed": True}),
        Case("console/db_upgraded", "current", {"before": "0002_mailbox_meetings",
             "after": "0002_mailbox_meetings", "backup": None, "changed": False}),
        *[Case("console/db_current", label, {"revision": revision, "has_tables": tables,
               "head": "0002_mailbox_meetings"})
          for label, revision, tables in (("head", "0002_mailbox_meetings", True),
                                          ("first_release", None, True), ("empty", None, False),
                                          ("behind", "0001_first_release", True))],
        *[Case("console/check", label, {
            "ok": ok, "driver": "postgresql+asyncpg", "channels": channels, "problems": problems,
            "waiting_minutes": waiting, "state": Health(
                reachable, error=None if reachable else "ConnectionRefusedError: refused",
                revision=revision, head="0002_mailbox_meetings", due=due, held=3,
                oldest_due=datetime(2026, 12, 1, 1, tzinfo=UTC) if due else None)})
          for label, ok, reachable, revision, channels, problems, due, waiting in (
              ("healthy", True, True, "0002_mailbox_meetings", ["telegram"], [], 0, 0),
              ("stuck", False, True, "0002_mailbox_meetings", ["telegram"], [], 4, 25),
              ("behind", False, True, "0001_first_release", ["wechat"], [], 0, 0),
              ("down", False, False, None, [], ["telegram: no_token"], 0, 0))],
        Case("console/extra_broken", "wechat",
             {"channel": "wechat", "detail": "No module named 'telnetlib'"}),
        Case("membership/welcome", "plain", {"class_name": w["class"]}),
        Case("console/serving", "telegram", {"channels": ["telegram"]}),
        Case("common/button_done", "plain", {}),
        Case("common/button_failed", "plain", {}),
        Case("common/joined_group", "bound", {"bound": w["class"]}),
        Case("common/joined_group", "unbound", {"bound": None}),
        Case("common/private_linked", "registered", {"name": w["guardians"][0]}),
        Case("common/private_linked", "unregistered", {"name": None}),
        Case("common/unreachable_fallback", "nudge", {}),
        Case("common/ask_to_write", "plain", {}),
        *[Case("channels/start_problem", problem, {
            "problem": problem, "channel": "telegram",
            "detail": "CLASSBOT_TELEGRAM_TOKEN" if problem != "unreachable" else "timed out"})
          for problem in ("no_token", "rejected", "unreachable", "no_webhook_url")],
        Case("channels/start_problem", "wechat-no_token", {
            "problem": "no_token", "channel": "wechat", "detail": "CLASSBOT_WECHAT_TOKEN"}),
        Case("console/connecting", "plain", {"channels": ["wechat"]}),
        Case("console/welcome", "plain", {}),
        Case("notices/ack_button", "plain", {}),
        Case("notices/held", "plain", {"notice": notice(w), "tz": TZ}),
        Case("notices/not_found", "number", {"number": 7}),
        Case("notices/not_found", "latest", {"number": None}),
        Case("notices/posted", "groups", {"notice": notice(w), "groups": [w["group"]]}),
        Case("notices/posted", "no_group", {"notice": notice(w), "groups": []}),
        Case("notices/unread", "missing", {"status": read_status(w, missing=True), "tz": TZ}),
        Case("notices/unread", "all_read", {"status": read_status(w, missing=False), "tz": TZ}),
        Case("notices/still_missing", "missing",
             {"status": read_status(w, missing=True), "tz": TZ, "class_name": w["class"]}),
    ]
    for roles in ({"head_teacher"}, {"committee", "parent"}, {"guest"}):
        out.append(Case("help", "+".join(sorted(roles)), {
            "commands": TABLE.visible_to(frozenset(roles)), "roles": sorted(roles)}))
        out.append(Case("help_group", "+".join(sorted(roles)), {
            "lines": group_lines(TABLE.visible_to(frozenset(roles))), "roles": sorted(roles)}))
    for roles, command in (({"guest"}, "ack"), ({"parent"}, "notice"), ({"teacher"}, "bind")):
        out.append(Case("common/not_allowed", f"{'+'.join(sorted(roles))}-{command}", {
            "command": declared(command), "roles": sorted(roles),
            "allowed": declared(command).allowed_roles}))
    for urgent in (False, True):
        for body in (True, False):
            out.append(Case("notices/card", f"urgent={urgent}-body={body}", {
                "notice": notice(w, urgent=urgent, body=body), "author": w["author"]}))
        out.append(Case("notices/card", f"urgent={urgent}-tally", {
            "notice": notice(w, urgent=urgent), "author": w["author"],
            "tally": read_status(w, missing=True)}))
        out.append(Case("notices/nudge_private", f"urgent={urgent}", {
            "notice": notice(w, urgent=urgent, body=urgent), "name": w["guardians"][0],
            "class_name": w["class"], "tz": TZ}))
    for ack in AckStatus:
        out.append(Case("notices/acked", ack.value, {"notice": notice(w), "status": ack,
                                                     "class_name": "", "asked": False}))
    out.append(Case("notices/acked", "class+asked", {
        "notice": notice(w), "status": AckStatus.NEW, "class_name": w["class"], "asked": True}))
    for asked in (False, True):
        out.append(Case("notices/acked_many", f"asked={asked}", {
            "notices": [notice(w), notice(w, urgent=True)], "new": [3],
            "class_name": w["class"] if asked else "", "asked": asked}))
    out.append(Case("notices/question_passed", "plain", {
        "notice": notice(w), "question": w["body"], "name": w["guardians"][0],
        "class_name": w["class"]}))
    out.append(Case("answers/unclear", "plain", {"text": w["body"]}))
    out.append(Case("common/class_label", "plain", {"name": w["class"]}))
    burst = [notice(w), notice(w, urgent=True)]
    out.append(Case("notices/nudge_burst_private", "plain", {
        "notices": burst, "name": w["guardians"][0], "class_name": w["class"], "tz": TZ}))
    out.append(Case("answers/not_guardian", "plain", {}))
    for kind in ("notice", "meeting", "signup"):
        for number in (None, 4):
            out.append(Case("answers/nothing_open", f"{kind}-{number}", {
                "kind": kind, "number": number, "text": w["body"]}))
        for class_name in ("", w["class"]):
            out.append(Case("answers/which", f"{kind}-{bool(class_name)}", {
                "kind": kind, "text": w["body"], "items": [
                    {"kind": kind, "number": 3, "title": w["title"], "class_name": class_name},
                    {"kind": kind, "number": 4, "title": w["urgent_title"],
                     "class_name": class_name}]}))
    out.append(Case("answers/nothing_open", "signup-withdraw", {
        "kind": "signup", "number": None, "text": "-1"}))
    out.append(Case("answers/which", "mixed", {
        "kind": "mixed", "text": "+1", "items": [
            {"kind": "meeting", "number": 3, "title": w["topic"], "class_name": ""},
            {"kind": "signup", "number": 1, "title": w["title"], "class_name": ""}]}))
    for assign in AssignStatus:
        out.append(Case("membership/assign_teacher", assign.value, {
            "status": assign, "name": w["teacher"], "subject": w["subject"], "candidates": 2}))
        out.append(Case("membership/assign_committee", assign.value, {
            "status": assign, "name": w["guardians"][0], "candidates": 2}))
    binds = {
        BindStatus.BOUND: [BindResult(BindStatus.BOUND, w["class"])],
        BindStatus.ALREADY: [BindResult(BindStatus.ALREADY, w["class"], bound_class=w["class"])],
        BindStatus.OTHER_CLASS: [BindResult(BindStatus.OTHER_CLASS, w["class"],
                                            bound_class=w["other_class"])],
        BindStatus.NO_SUCH_CLASS: [
            BindResult(BindStatus.NO_SUCH_CLASS, w["unknown_class"],
                       [w["other_class"], w["class"]]),
            BindResult(BindStatus.NO_SUCH_CLASS, w["unknown_class"], []),
        ],
        BindStatus.NOT_HEAD_TEACHER: [BindResult(BindStatus.NOT_HEAD_TEACHER, w["class"])],
        BindStatus.OWNED: [BindResult(BindStatus.OWNED, w["class"], bound_class=w["class"],
                                      head_teacher=w["author"])],
    }
    for status in BindStatus:  # a status added later without a case fails here
        for i, result in enumerate(binds[status]):
            out.append(Case("membership/bind", f"{status.value}-{i}", {"result": result}))
    student, guardians = w["students"][0], w["guardians"]
    registers = {
        RegisterStatus.REGISTERED: RegisterResult(RegisterStatus.REGISTERED, student,
                                                  RELATIONS[1], guardians[0]),
        RegisterStatus.ALREADY: RegisterResult(RegisterStatus.ALREADY, student, RELATIONS[1],
                                               guardians[0]),
        RegisterStatus.NOT_ON_ROSTER: RegisterResult(RegisterStatus.NOT_ON_ROSTER, "Tim"
                                                     if language == "en" else "李敏",
                                                     RELATIONS[1]),
        RegisterStatus.FULL: RegisterResult(RegisterStatus.FULL, student, RELATIONS[4],
                                            guardians=guardians[:2]),
        RegisterStatus.BAD_RELATION: RegisterResult(RegisterStatus.BAD_RELATION, student,
                                                    w["bad_relation"]),
        **register_results(language),
    }
    for status in RegisterStatus:
        out.append(Case("membership/register", status.value, {
            "result": registers[status], "relations": RELATIONS, "class_name": w["class"]}))
    out.append(Case("membership/register", "registered-link", {
        "result": registers[RegisterStatus.REGISTERED], "relations": RELATIONS,
        "class_name": w["class"], "link": "https://t.me/class_test_bot?start=remind"}))
    out += [Case(*case) for case in mailbox_cases(language)]
    out += [Case(*case) for case in class_cases(language)]
    out += [Case(*case) for case in record_cases(language)]
    out += [Case(*case) for case in signup_cases(language)]
    out += [Case(*case) for case in slot_cases(language)]
    out += [Case(*case) for case in poll_cases(language) + survey_cases(language)]
    out += meeting_cases(language) + weekly_cases(language)
    return out


def render_case(language: str, case: Case) -> str:
    return renderer(language).render(case.template, **case.values)


ALL_CASES = [(language, case) for language in LANGUAGES for case in cases(language)]


# --- the two languages have the same files ---------------------------------------------------

def test_every_zh_template_has_an_en_twin_and_vice_versa() -> None:
    zh, en = template_names("zh_CN"), template_names("en")
    assert "_commands.j2" in zh and "help.txt.j2" in zh
    assert zh - en == set(), "zh_CN templates without an en twin"
    assert en - zh == set(), "en templates without a zh_CN original"


def test_every_template_has_a_render_case() -> None:
    for language in LANGUAGES:
        assert {c.template for c in cases(language)} == message_templates()


# --- rendering every branch -------------------------------------------------------------------

@pytest.mark.parametrize(("language", "case"), ALL_CASES,
                         ids=[f"{lang}-{c.template}-{c.label}" for lang, c in ALL_CASES])
def test_template_renders(language: str, case: Case) -> None:
    loaded = renderer(language).env.get_template(case.template + SUFFIX)
    assert loaded.filename is not None
    assert Path(loaded.filename).is_relative_to(ROOT / language), "fell back to another language"
    text = render_case(language, case)
    assert text.strip()
    for leftover in ("{{", "}}", "{%", "%}", "{#"):
        assert leftover not in text, f"unrendered template syntax in: {text!r}"
    if language == "en":
        stray = set(CJK.findall(text)) - ALLOWED_CJK
        assert not stray, f"Chinese text left in the en template: {sorted(stray)}\n{text}"
    elif case.template not in ("notices/ack_button", "common/button_hint"):
        assert CJK.search(text), f"zh_CN output without Chinese: {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_branches_of_a_template_say_different_things(language: str) -> None:
    """A misspelt status in an {% if %} would silently fall through to another branch."""
    by_template: dict[str, dict[str, str]] = {}
    for case in cases(language):
        by_template.setdefault(case.template, {})[case.label] = render_case(language, case)
    for template, outputs in by_template.items():
        seen: dict[str, str] = {}
        for label, text in outputs.items():
            assert text not in seen, f"{template}: {label} renders the same as {seen.get(text)}"
            seen[text] = label


SKIP_KEYS = {"command", "commands", "roles", "allowed", "tz", "kind", "field", "status",
             "what", "problem", "lines", "missing", *MAILBOX_SKIP, *RECORD_SKIP}


def shown_values(value: Any) -> set[str]:
    """The strings a case passes that a message could show (not lookup keys or enums)."""
    if value is None or isinstance(value, Enum | bool | int | float | date):
        return set()
    if isinstance(value, str):
        return {value} if value.strip() else set()
    if isinstance(value, dict):
        return {s for k, v in value.items() if k not in SKIP_KEYS for s in shown_values(v)}
    if isinstance(value, list | tuple):
        return {s for item in value for s in shown_values(item)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return shown_values({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, NS):
        return shown_values(vars(value))
    raise TypeError(f"unexpected value in a case: {value!r}")


@pytest.mark.parametrize("case", cases("en"), ids=lambda c: f"{c.template}-{c.label}")
def test_en_shows_the_same_values_as_zh(case: Case) -> None:
    """Same variables, same branches: given identical values, both show the same ones.

    Only ASCII values are compared: a Chinese one (a relation word) also occurs in zh prose."""
    zh, en = render_case("zh_CN", case), render_case("en", case)
    for value in sorted(v for v in shown_values(case.values) if not CJK.search(v)):
        assert (value in zh) == (value in en), f"{value!r}: zh_CN={value in zh}, en={value in en}"


def test_dates_use_local_time() -> None:
    w_zh, w_en = WORDS["zh_CN"], WORDS["en"]
    for template in ("notices/held", "notices/nudge_private", "notices/unread"):
        values_zh = {"notice": notice(w_zh), "status": read_status(w_zh, missing=True),
                     "tz": TZ, "name": "李明妈妈", "class_name": w_zh["class"]}
        values_en = {"notice": notice(w_en), "status": read_status(w_en, missing=True),
                     "tz": TZ, "name": "Tom's mum", "class_name": w_en["class"]}
        assert "12月2日 07:00" in renderer("zh_CN").render(template, **values_zh)
        assert "2026-12-02 07:00" in renderer("en").render(template, **values_en)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ack_button_label_counts_as_ack_when_typed(language: str) -> None:
    """Without buttons the label becomes "reply: <label>", so typing it must count as 收到."""
    label = renderer(language).render("notices/ack_button")
    assert is_answer(label) and read(label).kind is ReadKind.ACK


@pytest.mark.parametrize("language", LANGUAGES)
def test_rsvp_button_labels_are_answers_when_typed(language: str) -> None:
    """Typed in the group, a button label must be understood as that very answer."""
    for answer in Answer:
        label = renderer(language).render("meetings/button", answer=answer)
        reading = read(label)
        assert is_answer(label) and reading.rsvp is not None, label
        assert reading.rsvp.value == answer.value, label


@pytest.mark.parametrize("kind", KINDS)
def test_en_names_every_meeting_kind_in_english(kind: str) -> None:
    """The kinds are allowed in en as command words, but a message names them in English."""
    values = {"meeting": meeting(WORDS["en"], kind=kind, details=False), "tz": TZ,
              "author": WORDS["en"]["author"]}
    for template in ("meetings/card", "meetings/checked_in", "meetings/minutes_updated"):
        text = renderer("en").render(template, **values)
        assert kind not in text, text


def test_meeting_times_use_local_time() -> None:
    for language, expected in (("zh_CN", "12月4日（周五）19:00"), ("en", "2026-12-04 19:00")):
        w = WORDS[language]
        for template in ("meetings/card", "meetings/reminder", "meetings/rsvp_nudge_private"):
            m = meeting(w)
            text = renderer(language).render(template, meeting=m, tally=tally(w, m),
                                             name=w["guardians"][0], author=w["author"], tz=TZ)
            assert expected in text, text


# --- the command data both languages share ---------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_commands_data_matches_the_code(language: str) -> None:
    commands, role_names = commands_data(language)
    names = {c.name for c in all_commands()}
    assert set(commands) == names
    assert set(role_names) == set(ROLES)
    for command in all_commands():
        entry = commands[command.name]
        assert set(entry) == {"desc", "args", "example"}, command.name
        # The command word and the slash form come from the declaration, never the words.
        assert not entry["args"].startswith(("#", "(")), entry["args"]
        assert f"/{command.slash[0]}" not in entry["args"], entry["args"]


def usage_line(language: str, name: str) -> str:
    """What a usage line must say: the declared word (and, in en, the slash), then the args."""
    command, args = declared(name), commands_data(language)[0][name]["args"]
    spelled = f"#{command.words[0]}" + (f" (or /{command.slash[0]})" if language == "en" else "")
    return f"{spelled} {args}" if args else spelled


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_example_is_understood_by_the_bot(language: str) -> None:
    table = command_table()
    for name, entry in commands_data(language)[0].items():
        match = table.match(entry["example"])
        assert match is not None and match.command is not None, entry["example"]
        assert match.command.name == name
        parse_args(match.command, match.rest)  # raises UsageError if the example is wrong


@pytest.mark.parametrize("command", sorted(commands_data("zh_CN")[0]))
def test_zh_usage_shows_the_example(command: str) -> None:
    entry = commands_data("zh_CN")[0][command]
    text = renderer("zh_CN").render("common/usage", command=declared(command))
    assert f"用法：{usage_line('zh_CN', command)}\n" in text
    assert entry["example"].replace("\n", "↵（换行）") in text
    assert "\n" not in text.split("\n", 1)[1]  # the example stays on one line


@pytest.mark.parametrize("command", sorted(commands_data("en")[0]))
def test_en_usage_shows_the_example(command: str) -> None:
    entry = commands_data("en")[0][command]
    text = renderer("en").render("common/usage", command=declared(command))
    assert f"Usage: {usage_line('en', command)}\n" in text
    assert entry["example"].replace("\n", " ↵ (new line) ") in text
