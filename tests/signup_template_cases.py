"""Render cases for the sign-up (接龙) and slot (预约) templates, issue 12 parts 1 and 2;
collected by tests/test_templates.py."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as NS
from typing import Any

from services.signups import JoinResult, JoinStatus, Line, Standing

TZ = "Asia/Shanghai"
DEADLINE = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
# Chinese that en output may contain: the words people type.
SIGNUP_CJK = {"接龙", "接龙情况", "结束接龙", "取消报名", "报名", "限", "截止", "周四", "每户1人",
              "预约", "预约情况", "取消预约", "面谈", "每15分钟", "地点", "每段2户", "月", "日",
              "周五开放日志愿者", "登记", "每户"}

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
