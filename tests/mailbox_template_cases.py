"""Render cases for the mailbox templates (collected by tests/test_templates.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from types import SimpleNamespace as NS
from typing import Any

from handlers.mailbox_staff import Row
from services.mailbox import Category, Rating, Status, ThreadLine

CREATED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DUE = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"

# Chinese that en output may contain: the words people type to the bot.
MAILBOX_CJK = {"信箱", "投诉", "建议", "咨询", "匿名", "匿名投诉", "校长信箱", "补充", "我的信箱",
               "评价", "回复", "转交", "结案", "私信", "急", "班主任"}
# Keys that select a branch, not text shown to anyone.
MAILBOX_SKIP = {"event", "action", "recipient"}


class Level(StrEnum):
    CLASS = "class"
    SCHOOL = "school"


WORDS = {
    "zh_CN": {"body": "食堂的饭菜太咸了", "text": "已反馈给食堂", "sender": "李明妈妈",
              "staff": "王老师", "class": "三年级二班", "other": "三年级一班"},
    "en": {"body": "The lunches are too salty", "text": "I told the canteen",
           "sender": "Tom's mum", "staff": "Ms Wang", "class": "Grade 3 Class 2",
           "other": "Grade 3 Class 1"},
}


def ticket(w: dict[str, str], *, anonymous: bool = False, school: bool = False,
           status: Status = Status.RECEIVED, rating: Rating | None = None,
           attachments: bool = False) -> NS:
    return NS(code="XZ-0003" if school else "X-0012", category=Category.COMPLAINT,
              anonymous=anonymous, level=Level.SCHOOL if school else Level.CLASS,
              status=status, rating=rating, body=w["body"], created_at=CREATED,
              attachments=["photo:AgAD12"] if attachments else [])


def thread(w: dict[str, str], rating: Rating) -> list[ThreadLine]:
    """A thread with one entry of every kind, as staff and the parent see it."""
    return [ThreadLine("addition", "", w["body"], CREATED),
            ThreadLine("reply", w["staff"], w["text"], CREATED),
            ThreadLine("transfer", w["staff"], "X", CREATED),
            ThreadLine("result", w["staff"], w["text"], CREATED),
            ThreadLine("rating", "", w["text"], CREATED, rating),
            ThreadLine("reopen", "", "", CREATED)]


def mailbox_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    t = ticket(w)
    anon = ticket(w, anonymous=True, attachments=True)
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("mailbox/unavailable", "plain", {}),
        ("mailbox/which_class", "two", {"classes": [w["class"], w["other"]]}),
        ("mailbox/not_found", "code", {"code": "X-0099"}),
        ("mailbox/not_found", "none", {"code": None}),
        ("mailbox/added", "named", {"ticket": t}),
        ("mailbox/added", "anonymous", {"ticket": anon}),
        ("mailbox/mine", "some", {"tickets": [anon, ticket(w, rating=Rating.BASIC)], "tz": TZ}),
        ("mailbox/mine", "none", {"tickets": [], "tz": TZ}),
        ("mailbox/rated", "not_closed", {"ticket": t, "rating": None}),
        ("mailbox/offer", "one", {"parts": 1, "minutes": 30}),
        ("mailbox/offer", "three", {"parts": 3, "minutes": 30}),
        ("mailbox/offer_declined", "plain", {}),
        ("common/question_replaced", "offer", {"question": "mailbox_offer",
                                                "payload": {"parts": 1}}),
        ("common/question_replaced", "rating", {"question": "mailbox_rating",
                                                 "payload": {"code": "X-0001"}}),
        ("common/question_replaced", "other", {"question": "meeting_which", "payload": {}}),
        ("mailbox/inbox", "rows", {"rows": [Row(anon, w["class"], None),
                                            Row(t, w["class"], w["sender"])],
                                   "now": NOW, "tz": TZ}),
        ("mailbox/inbox", "old", {"rows": [Row(t, w["class"], w["sender"])],
                                  "now": datetime(2026, 12, 9, tzinfo=UTC), "tz": TZ}),
        ("mailbox/inbox", "empty", {"rows": [], "now": NOW, "tz": TZ}),
        ("mailbox/ticket", "thread", {
            "row": Row(ticket(w, anonymous=True, status=Status.PROCESSING,
                              rating=Rating.UNSATISFIED, attachments=True), w["class"], None),
            "tz": TZ, "thread": thread(w, Rating.UNSATISFIED)}),
        ("mailbox/ticket", "named", {"row": Row(t, w["class"], w["sender"]), "tz": TZ,
                                     "thread": []}),
        ("mailbox/own_letter", "thread", {
            "ticket": ticket(w, anonymous=True, status=Status.RESOLVED, rating=Rating.BASIC),
            "tz": TZ, "thread": thread(w, Rating.BASIC)}),
        ("mailbox/own_letter", "open", {"ticket": t, "tz": TZ, "thread": []}),
        ("relay/absence_offer", "one", {"parts": 1, "teacher": w["staff"], "minutes": 30,
                                        "office_start": "07:30", "office_end": "18:00"}),
        ("relay/absence_offer", "two", {"parts": 2, "teacher": w["staff"], "minutes": 30,
                                        "office_start": "07:30", "office_end": "18:00"}),
        ("relay/absence_declined", "plain", {}),
        ("relay/unknown", "dm", {"name": "X", "names": [w["staff"]], "urgent": False}),
        ("relay/unknown", "urgent", {"name": "X", "names": [w["staff"]], "urgent": True}),
        ("relay/unknown", "no_staff", {"name": "X", "names": [], "urgent": False}),
        ("relay/message", "plain", {"sender": w["sender"], "class_name": w["class"],
                                    "text": w["text"], "urgent": False}),
        ("relay/message", "urgent", {"sender": w["sender"], "class_name": w["class"],
                                     "text": w["text"], "urgent": True}),
    ]
    for rating in Rating:
        out.append(("mailbox/rated", rating.value, {"ticket": t, "rating": rating}))
        out.append(("mailbox/rating_label", rating.value, {"rating": rating}))
    out.append(("mailbox/rating_skipped", "plain", {"ticket": t}))
    for recipient, item in (("head_teacher", t), ("principal", ticket(w, school=True)),
                            ("anonymous", anon)):
        out.append(("mailbox/submitted", recipient, {
            "ticket": item, "tz": TZ, "due": DUE,
            "recipient": "principal" if recipient == "principal" else "head_teacher"}))
    staff_events = {"new": anon, "transferred": ticket(w, school=True), "addition": t,
                    "rating": ticket(w, rating=Rating.SATISFIED), "reminder": t,
                    "overdue": anon}
    for event, item in staff_events.items():
        out.append(("mailbox/to_staff", event, {
            "event": event, "row": Row(item, w["class"], None if item.anonymous else w["sender"]),
            "text": w["text"], "by": w["staff"], "tz": TZ, "due": DUE, "hours": 48}))
    out.append(("mailbox/to_staff", "reopened", {
        "event": "rating", "row": Row(ticket(w, rating=Rating.UNSATISFIED), w["class"], None),
        "text": w["text"], "by": "", "tz": TZ, "due": DUE, "hours": 48}))
    for event in ("reply", "result", "transferred"):
        out.append(("mailbox/to_parent", event, {"event": event, "ticket": t,
                                                 "text": w["text"], "by": w["staff"]}))
    for action in ("replied", "closed", "transferred", "unknown_target"):
        out.append(("mailbox/staff_done", action, {
            "action": action, "ticket": anon, "target": w["staff"],
            "targets": [w["staff"], w["other"]], "reached": "queued"}))
    for action in ("replied", "closed", "transferred"):
        out.append(("mailbox/staff_done", f"{action}-held", {
            "action": action, "ticket": anon, "target": w["staff"], "targets": [],
            "reached": "held"}))
    sent = {"office_start": "07:30", "office_end": "18:00", "school_days": True, "tz": TZ,
            "name": w["staff"]}
    for label, held, urgent, delivered in (("now", None, False, True), ("held", DUE, False, True),
                                           ("urgent", None, True, True),
                                           ("unreachable", None, False, False)):
        out.append(("relay/sent", label, {**sent, "held": held, "urgent": urgent,
                                          "delivered": delivered}))
    return out
