"""Render cases for the sign-up (接龙) and slot (预约) templates, issue 12 parts 1 and 2;
collected by tests/test_templates.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace as NS
from typing import Any

from services.signups import JoinResult, JoinStatus, Line, Standing
from services.slots import BookResult, BookStatus, Schedule, SlotLine

TZ = "Asia/Shanghai"
DEADLINE = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
# Chinese that en output may contain: the words people type.
SIGNUP_CJK = {"接龙", "接龙情况", "结束接龙", "取消报名", "报名", "限", "截止", "周四", "每户1人",
              "预约", "预约情况", "取消预约", "面谈", "每15分钟", "地点", "每段2户", "月", "日",
              "周五开放日志愿者", "登记", "每户", "改约", "三楼办公室", "每段", "开始", "结束",
              "分钟", "户", "个", "每", "号"}

WORDS = {
    "zh_CN": {"title": "周五开放日志愿者", "names": ["李明妈妈", "张华爸爸", "赵雪奶奶"],
              "note": "周五上午有空", "line": "4. 王小虎奶奶", "place": "三楼办公室",
              "board": "面谈"},
    "en": {"title": "Open day helpers", "names": ["Tom's mum", "Amy's dad", "Ben's gran"],
           "note": "Friday morning", "line": "4. Max's gran", "place": "Room 301",
           "board": "Talks"},
}


def _signup(w: dict[str, Any], *, capacity: int | None = 2, status: str = "open",
            deadline: datetime | None = DEADLINE, per_family: int | None = None) -> Any:
    return NS(id=1, class_id=1, number=3, title=w["title"], capacity=capacity,
              per_family=per_family, deadline=deadline, status=status, author_id=1)


def _standing(w: dict[str, Any], signup: Any, count: int) -> Standing:
    lines = tuple(Line(i + 1, i + 1, i + 1, w["names"][i], 2 if i == 1 else 1,
                       w["note"] if i == 0 else "", signup.capacity is not None
                       and i >= signup.capacity)
                  for i in range(count))
    return Standing(signup, lines)


def signup_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    full = _signup(w)
    open_ended = _signup(w, capacity=None, deadline=None, per_family=1)
    closed = _signup(w, status="closed")
    three = _standing(w, full, 3)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for label, standing in (("waiting", three), ("open_ended", _standing(w, open_ended, 2)),
                            ("closed", _standing(w, closed, 1)),
                            ("empty", _standing(w, full, 0))):
        out.append(("signups/card", label, {"standing": standing, "tz": TZ}))
        out.append(("signups/status", label, {"standing": standing, "tz": TZ}))
        out.append(("signups/final", label, {"standing": standing, "tz": TZ}))
    for label, groups, signup in (("posted", 1, full), ("posted_no_deadline", 2, open_ended),
                                  ("no_group", 0, full)):
        out.append(("signups/created", label, {"signup": signup, "groups": groups, "tz": TZ}))
    results = {
        "new": JoinResult(JoinStatus.NEW, three, three.lines[0]),
        "already": JoinResult(JoinStatus.ALREADY, three, three.lines[1]),
        "new-waiting": JoinResult(JoinStatus.NEW, three, three.lines[2]),
        "already-waiting": JoinResult(JoinStatus.ALREADY, three, three.lines[2]),
        "closed": JoinResult(JoinStatus.CLOSED),
        "not_guardian": JoinResult(JoinStatus.NOT_GUARDIAN),
    }
    for label, result in results.items():
        out.append(("signups/joined", label, {"signup": full, "result": result, "tz": TZ}))
    for label, left, is_closed in (("left", True, False), ("closed", False, True),
                                   ("not_on", False, False)):
        out.append(("signups/left", label, {"signup": full, "left": left, "closed": is_closed,
                                            "tz": TZ}))
    out.append(("signups/moved_up", "plain", {"signup": full, "line": three.lines[0]}))
    for label, added, unmatched, is_closed in (
            ("added", w["names"][:2], [], False), ("nothing_new", [], [], False),
            ("unmatched", w["names"][:1], [w["line"]], False),
            ("closed", [], [w["line"]], True)):
        out.append(("signups/pasted", label, {"signup": full, "added": added,
                                              "unmatched": unmatched, "closed": is_closed}))
    for label, title in (("titled", w["title"]), ("untitled", "")):
        out.append(("signups/paste_no_list", label, {"title": title}))
    for label, number in (("number", 7), ("none", None)):
        out.append(("signups/not_found", label, {"number": number}))
    for label, already in (("closed", False), ("already", True)):
        out.append(("signups/closed", label, {"signup": full, "already": already}))
    out.append(("signups/button", "plain", {}))
    return out


def weekly_signups(chinese: bool) -> list[Standing]:
    """An open list with a waiting family, as the weekly update shows it."""
    w = WORDS["zh_CN" if chinese else "en"]
    return [_standing(w, _signup(w), 3)]


def weekly_slots(chinese: bool) -> list[Schedule]:
    """An open slot board with one booking, as the weekly update shows it."""
    w = WORDS["zh_CN" if chinese else "en"]
    return [_schedule(w, _board(w), 1)]


def _board(w: dict[str, Any], *, place: bool = True, per_family: int = 1) -> Any:
    return NS(id=2, class_id=1, number=2, title=w["board"], place=w["place"] if place else "",
              per_family=per_family, status="open", author_id=1)


def _slot(minutes: int, capacity: int = 1) -> Any:
    start = datetime(2026, 12, 10, 6, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return NS(id=minutes + 1, board_id=2, starts_at=start, ends_at=start + timedelta(minutes=15),
              capacity=capacity)


def _schedule(w: dict[str, Any], board: Any, booked: int) -> Schedule:
    lines = tuple(SlotLine(_slot(15 * i), tuple(w["names"][i:i + 1]) if i < booked else ())
                  for i in range(3))
    return Schedule(board, lines)


def slot_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    board, bare = _board(w), _board(w, place=False, per_family=2)
    some, none_free = _schedule(w, board, 1), _schedule(w, board, 3)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for label, schedule in (("some", some), ("bare", _schedule(w, bare, 0)),
                            ("full", none_free)):
        out.append(("slots/card", label, {"schedule": schedule, "tz": TZ}))
        out.append(("slots/schedule", label, {"schedule": schedule, "tz": TZ}))
        out.append(("slots/free", label, {"schedule": schedule, "tz": TZ}))
    for label, groups in (("posted", 1), ("no_group", 0)):
        out.append(("slots/created", label, {"schedule": some, "groups": groups, "tz": TZ}))
    for problem in ("day", "times"):
        out.append(("slots/bad_offer", problem, {"text": w["board"], "problem": problem}))
    out.append(("slots/default_title", "plain", {}))
    for label, number in (("number", 5), ("none", None)):
        out.append(("slots/not_found", label, {"number": number}))
    out.append(("slots/which_board", "plain", {"boards": [board, _board(w, place=False)],
                                                "text": "14:30"}))
    for label, freed in (("freed", [_slot(0)]), ("nothing", [])):
        out.append(("slots/cancelled", label, {"board": board, "freed": freed, "tz": TZ}))
    for label, several in (("none", False), ("several", True)):
        out.append(("slots/no_such_slot", label, {"schedule": some, "several": several,
                                                  "text": "16:00", "tz": TZ}))
    results = {
        "new": BookResult(BookStatus.NEW, _slot(15)),
        "changed": BookResult(BookStatus.CHANGED, _slot(15), old=_slot(30)),
        "same": BookResult(BookStatus.SAME, _slot(15)),
        "full": BookResult(BookStatus.FULL, _slot(0)),
        "full-moving": BookResult(BookStatus.FULL, _slot(0), old=_slot(30)),
        "limit": BookResult(BookStatus.LIMIT, _slot(0)),
        "past": BookResult(BookStatus.PAST, _slot(0)),
        "closed": BookResult(BookStatus.CLOSED, _slot(0)),
        "not_guardian": BookResult(BookStatus.NOT_GUARDIAN, _slot(0)),
    }
    for label, result in results.items():
        values: dict[str, Any] = {"board": board, "result": result, "tz": TZ}
        if result.status is BookStatus.FULL:
            values["schedule"] = none_free if label == "full" else some
        out.append(("slots/booked", label, values))
    out.append(("slots/reminder", "place", {"board": board, "slot": _slot(0), "tz": TZ}))
    out.append(("slots/reminder", "bare", {"board": bare, "slot": _slot(0), "tz": TZ}))
    return out
