"""Render cases for the class record's templates: privacy guard, contact log, grades, reports,
exports (collected by tests/test_templates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace as NS
from typing import Any

from services.contact_log import Contact, Coverage, Gap, MeetingLine, Tagged, Timeline
from services.reports import ClassReport, Month, NoticeLine
from services.reports import MeetingLine as RMeeting

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TZ = "Asia/Shanghai"

# Chinese that en output may contain: the words people type to the bot.
RECORD_CJK = {"私发", "不用", "确认", "取消", "必访", "家访", "上门", "电访", "来访", "视频",
              "信箱", "任课", "成绩", "春", "秋", "违纪", "成绩下降", "家庭变故", "情绪", "单亲",
              "潜力生", "存档", "家访情况", "导出", "月报", "联系册"}
# Keys that select a branch or name a lookup, not text shown to anyone.
RECORD_SKIP = {"kinds", "attention"}

WORDS = {
    "zh_CN": {"author": "王老师", "class": "三年级二班", "text": "期中数学成绩\n李明 95分",
              "title": "期中成绩", "students": ["李明", "张华", "赵雪"], "name": "李明妈妈",
              "term": "2026秋", "cats": ["单亲家庭", "经常违纪"], "process": "了解假期安排",
              "family": "奶奶接送", "next": "每周电话沟通", "opinion": "希望多表扬"},
    "en": {"author": "Ms Wang", "class": "Grade 3 Class 2", "text": "Maths test\nTom 95",
           "title": "Mid-term results", "students": ["Tom", "Amy", "Ben"], "name": "Tom's mum",
           "term": "2026 autumn", "cats": ["single parent", "discipline"],
           "process": "talked about the holidays", "family": "grandma picks him up",
           "next": "call weekly", "opinion": "more praise please"},
}


def _timeline(w: dict[str, Any], *, full: bool) -> Timeline:
    student = NS(name=w["students"][0])
    if not full:
        return Timeline(student, [], [], [], 0, 0, [], 0, [])  # type: ignore[arg-type]
    entry = NS(kind="home", created_at=AT, process=w["process"], family=w["family"],
               next_steps=w["next"], parent_opinion=w["opinion"])
    meeting = NS(kind="家长会", number=2, starts_at=AT)
    return Timeline(student, w["cats"], [Contact(entry, w["author"])],  # type: ignore[arg-type]
                    [MeetingLine(meeting, "yes", True), MeetingLine(meeting, None, False)],
                    5, 4, [NS(code="X-0002")], 3, [w["name"]])  # type: ignore[list-item]


def _coverage(w: dict[str, Any], *, gaps: bool) -> Coverage:
    term = NS(name=w["term"])
    if not gaps:
        return Coverage(term, 3, 3, [], [])  # type: ignore[arg-type]
    return Coverage(term, 3, 1, w["students"][1:], [  # type: ignore[arg-type]
        Gap(w["students"][1], w["cats"], 2, AT), Gap(w["students"][2], w["cats"][:1], 8, None)])


def _checked(w: dict[str, Any], *, problems: bool) -> NS:
    subjects = ["Chinese", "Maths"]
    rows = [{"name": w["students"][0], "scores": {"Chinese": "95", "Maths": ""}}]
    return NS(school_class=NS(name=w["class"]), subjects=subjects, rows=rows,
              unknown=[w["name"]] if problems else [],
              duplicates=[w["students"][0]] if problems else [],
              missing=w["students"][1:] if problems else [])


def record_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    return [*_report_cases(w), *_export_cases(w), *_grade_cases(w), *_record_cases(w)]


def _report_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    month = Month(date(2026, 12, 1), "2026-12")
    busy = ClassReport(
        w["class"], month, [NoticeLine(1, w["title"], 3, 1, 2)], 4,
        [RMeeting(1, "kind", w["title"], AT, 1, 1, 0, 1, 1)], 2, 5.5, 1, 1,
        {"satisfied": 1, "unsatisfied": 1}, 3, _coverage(w, gaps=True),
        ["overdue", "unsatisfied", "low_read", "must_visit", "not_visited", "no_update"])
    quiet = ClassReport(w["class"] + "1", month, [], 0, [], 0, None, 0, 0, {}, 0,
                        _coverage(w, gaps=False), [])
    return [
        ("reports/chart_title", "plain", {"class_name": w["class"], "month": "2026-12"}),
        ("reports/chart_first_day", "plain", {}),
        ("reports/chart_final", "plain", {}),
        ("reports/chart_axis", "plain", {}),
        ("reports/chart_caption", "plain", {}),
        ("reports/class", "busy", {"report": busy, "tz": TZ}),
        ("reports/class", "quiet", {"report": quiet, "tz": TZ}),
        ("reports/school", "two", {"reports": [busy, quiet], "month": month}),
        ("reports/school", "none", {"reports": [], "month": month}),
    ]


def _export_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    export_values = {"class_name": w["class"], "term": w["term"],
                     "sheets": ["Notices", "Mailbox"]}
    rows = [["2", "kind", w["title"], "2026-12-01 19:00", w["text"]]]
    return [
        ("export/written", "saved", {**export_values, "archive": False, "sent": False,
                                     "paths": ["/srv/exports/a.xlsx"]}),
        ("export/written", "archive_sent", {**export_values, "archive": True, "sent": True,
                                            "paths": []}),
        ("export/unknown_term", "configured", {"name": "x2026", "terms": [w["term"]]}),
        ("export/unknown_term", "none", {"name": "x2026", "terms": []}),
        ("export/minutes_text", "some", {"class_name": w["class"], "term": w["term"],
                                         "rows": rows}),
        ("export/minutes_text", "none", {"class_name": w["class"], "term": w["term"],
                                         "rows": []}),
        ("export/updates_text", "some", {"class_name": w["class"], "term": w["term"],
                                         "rows": [["2026-12-01 09:00", w["author"],
                                                   w["text"]]]}),
        ("export/updates_text", "none", {"class_name": w["class"], "term": w["term"],
                                         "rows": []}),
    ]


def _grade_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    full, clean = _checked(w, problems=True), _checked(w, problems=False)
    row = full.rows[0]
    return [
        ("grades/unreadable", "nothing", {"unknown": []}),
        ("grades/unreadable", "unknown", {"unknown": w["students"]}),
        ("grades/preview", "problems", {"checked": full, "title": w["title"],
                                        "example": row, "averages": {"Chinese": 91.5}}),
        ("grades/preview", "clean", {"checked": clean, "title": "", "example": row,
                                     "averages": {}}),
        ("grades/dropped", "plain", {}),
        ("grades/family_row", "averages", {"row": row, "title": w["title"],
                                           "subjects": full.subjects,
                                           "averages": {"Chinese": 91.5}, "name": w["name"],
                                           "class_name": w["class"]}),
        ("grades/family_row", "plain", {"row": row, "title": "", "subjects": full.subjects,
                                        "averages": {}, "name": w["name"],
                                        "class_name": w["class"]}),
        ("grades/sent", "all", {"reached": 3, "unreached": []}),
        ("grades/sent", "some", {"reached": 1, "unreached": w["students"]}),
        ("grades/ask_table", "titled", {"title": w["title"], "minutes": 10}),
        ("grades/ask_table", "untitled", {"title": "", "minutes": 10}),
        *[("grades/file_problem", problem, {"problem": problem, "name": "scores.xlsx",
                                            "limit_kb": 1024, "size_kb": 3072,
                                            "unknown": w["students"]})
          for problem in ("too_large", "wrong_type", "old_excel", "encrypted", "corrupt",
                          "encoding", "unavailable", "empty", "no_students")],
    ]


def _record_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    entry = NS(kind="phone")
    return [
        ("record/which_class", "several", {"classes": [w["class"], w["class"] + "2"]}),
        ("record/which_class", "none", {"classes": []}),
        ("record/unknown_student", "plain", {"name": w["name"], "names": w["students"]}),
        ("record/logged", "missing", {"entry": entry, "student": w["students"][0],
                                      "coverage": _coverage(w, gaps=True)}),
        ("record/logged", "all", {"entry": entry, "student": w["students"][0],
                                  "coverage": _coverage(w, gaps=False)}),
        ("record/tagged", "tagged", {"student": w["students"][0], "categories": w["cats"],
                                     "weeks": 2}),
        ("record/tagged", "none", {"student": w["students"][0], "categories": [], "weeks": 0}),
        ("record/must_visit_list", "some", {"class_name": w["class"], "tz": TZ, "tagged": [
            Tagged(1, w["students"][0], w["cats"], 2, AT),
            Tagged(2, w["students"][1], w["cats"][:1], 8, None)]}),
        ("record/must_visit_list", "none", {"class_name": w["class"], "tz": TZ, "tagged": []}),
        ("record/timeline", "full", {"timeline": _timeline(w, full=True), "tz": TZ}),
        ("record/timeline", "empty", {"timeline": _timeline(w, full=False), "tz": TZ}),
        ("record/coverage", "gaps", {"coverage": _coverage(w, gaps=True), "tz": TZ,
                                     "class_name": w["class"], "reminder": False}),
        ("record/coverage", "reminder", {"coverage": _coverage(w, gaps=True), "tz": TZ,
                                         "class_name": w["class"], "reminder": True}),
        ("record/coverage", "complete", {"coverage": _coverage(w, gaps=False), "tz": TZ,
                                         "class_name": w["class"], "reminder": False}),
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
        ("privacy/update_held", "singled_out", {"text": w["text"], "kinds": ["singled_out"],
                                                "students": w["students"][:1]}),
        ("privacy/update_held", "phone", {"text": w["text"], "kinds": ["phone"],
                                          "students": []}),
        ("privacy/update_refused", "plain", {"kinds": ["ranking"]}),
        ("privacy/update_dropped", "plain", {"text": w["text"]}),
        ("privacy/notice_dropped", "plain", {"title": w["title"]}),
    ]
