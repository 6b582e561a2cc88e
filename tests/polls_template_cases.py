"""Render cases for the polls' and surveys' templates (collected by tests/test_templates.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as NS
from typing import Any

from services.polls import PollTally, VoteResult, VoteStatus

AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
TZ = "Asia/Shanghai"

# Chinese that en output may contain: the words people type to vote or answer.
POLLS_CJK = {"投票", "投票情况", "结束投票", "选A", "选B", "选", "截止", "匿名", "公布结果",
             "每人一票", "问卷", "填问卷", "问卷情况", "结束问卷", "不答了", "跳过", "满意度"}

WORDS = {
    "zh_CN": {"question": "春游去哪里", "options": ["科技馆", "植物园", "18:30"],
              "author": "王老师", "names": ["李明妈妈", "张华爸爸"], "class": "三年级二班",
              "text": "选D"},
    "en": {"question": "Where should the trip go", "options": ["Science museum", "Garden",
                                                               "18:30"],
           "author": "Ms Wang", "names": ["Tom's mum", "Amy's dad"], "class": "Grade 3 Class 2",
           "text": "选D"},
}


def poll(w: dict[str, Any], *, anonymous: bool = False, closed: bool = False,
         deadline: bool = True, publish: bool = False, per_person: bool = False) -> NS:
    return NS(number=2, question=w["question"], options=w["options"], anonymous=anonymous,
              per_person=per_person, publish_results=publish,
              status="closed" if closed else "open", closes_at=AT if deadline else None)


def tally(w: dict[str, Any], **kwargs: Any) -> PollTally:
    p = poll(w, **kwargs)
    names = [] if p.anonymous else [[w["names"][0]], [w["names"][1]], []]
    return PollTally(p, [1, 1, 0], 2, 3, names)  # type: ignore[arg-type]


def poll_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    items = [{"kind": "poll", "id": 1, "class_id": 1, "number": 1, "title": w["question"],
              "class_name": ""},
             {"kind": "poll", "id": 2, "class_id": 1, "number": 2, "title": "Lunch",
              "class_name": w["class"]}]
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("polls/card", "new", {"poll": poll(w), "tz": TZ, "author": w["author"], "tally": None}),
        ("polls/card", "counted", {"poll": poll(w, anonymous=True, deadline=False), "tz": TZ,
                                   "author": w["author"], "tally": tally(w)}),
        ("polls/card", "per_person", {"poll": poll(w, per_person=True), "tz": TZ,
                                      "author": w["author"], "tally": tally(w)}),
        ("polls/card", "closed", {"poll": poll(w, closed=True), "tz": TZ,
                                  "author": w["author"], "tally": tally(w, closed=True)}),
        ("polls/button", "a", {"index": 0, "option": w["options"][0]}),
        ("polls/created", "groups", {"poll": poll(w), "groups": 1, "tz": TZ}),
        ("polls/created", "no_deadline", {"poll": poll(w, deadline=False), "groups": 2, "tz": TZ}),
        ("polls/created", "no_group", {"poll": poll(w), "groups": 0, "tz": TZ}),
        ("polls/bad_time", "unreadable", {"text": "whenever", "problem": "unreadable",
                                          "understood": None, "tz": TZ}),
        ("polls/bad_time", "no_hour", {"text": "12-05", "problem": "no_hour",
                                       "understood": AT, "tz": TZ}),
        ("polls/bad_time", "past", {"text": "12-01 08:00", "problem": "past",
                                    "understood": AT, "tz": TZ}),
        ("polls/nothing_open", "number", {"number": 7, "text": w["text"]}),
        ("polls/nothing_open", "none", {"number": None, "text": w["text"]}),
        ("polls/no_option", "plain", {"poll": poll(w), "text": w["text"]}),
        ("polls/which", "two", {"items": items, "text": w["text"]}),
        ("polls/results", "named", {"tally": tally(w), "tz": TZ}),
        ("polls/results", "anonymous_closed", {"tally": tally(w, anonymous=True, closed=True),
                                               "tz": TZ}),
        ("polls/closed_group", "published", {"tally": tally(w, closed=True, publish=True),
                                             "tz": TZ}),
        ("polls/closed_group", "private", {"tally": tally(w, closed=True), "tz": TZ}),
        ("polls/not_found", "number", {"number": 9}),
        ("polls/not_found", "none", {"number": None}),
        ("polls/not_author", "plain", {"poll": poll(w), "author": w["author"]}),
    ]
    for status in VoteStatus:
        out.append(("polls/voted", status.value, {
            "poll": poll(w), "tz": TZ,
            "result": VoteResult(status, 1, 0 if status is VoteStatus.CHANGED else None)}))
    return out
