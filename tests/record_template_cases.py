"""Render cases for the class record's templates: privacy guard, contact log, grades, reports,
exports (collected by tests/test_templates.py)."""

from __future__ import annotations

from typing import Any

# Chinese that en output may contain: the words people type to the bot.
RECORD_CJK = {"私发", "不用", "确认", "取消"}
# Keys that select a branch or name a lookup, not text shown to anyone.
RECORD_SKIP = {"kinds"}

WORDS = {
    "zh_CN": {"author": "王老师", "class": "三年级二班", "text": "期中数学成绩\n李明 95分",
              "title": "期中成绩", "students": ["李明", "张华"], "name": "李明妈妈"},
    "en": {"author": "Ms Wang", "class": "Grade 3 Class 2", "text": "Maths test\nTom 95",
           "title": "Mid-term results", "students": ["Tom", "Amy"], "name": "Tom's mum"},
}


def record_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    return [
        ("privacy/warning", "parent", {"kinds": ["phone", "singled_out"],
                                       "students": w["students"][:1], "offer": False}),
        ("privacy/warning", "teacher", {"kinds": ["ranking"], "students": w["students"],
                                        "offer": True}),
        ("privacy/left_alone", "plain", {}),
        ("privacy/private_copy", "plain", {"author": w["author"], "text": w["text"],
                                           "name": w["name"], "class_name": w["class"]}),
        ("privacy/sent_privately", "all", {"reached": 3, "unreached": []}),
        ("privacy/sent_privately", "some", {"reached": 1, "unreached": w["students"]}),
        ("privacy/notice_held", "ranking", {"title": w["title"], "kinds": ["ranking"],
                                            "students": w["students"]}),
        ("privacy/notice_held", "phone", {"title": w["title"], "kinds": ["phone", "id_number"],
                                          "students": []}),
        ("privacy/notice_refused", "plain", {"kinds": ["phone"]}),
        ("privacy/notice_dropped", "plain", {"title": w["title"]}),
    ]
