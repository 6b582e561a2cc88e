"""Render cases for the templates of running a class from the chat (roster, families,
ownership, corrections, deletions); collected by tests/test_templates.py."""

from __future__ import annotations

from types import SimpleNamespace as NS
from typing import Any

from services.family_admin import (
    AllowResult,
    AllowStatus,
    GuardianResult,
    GuardianStatus,
    RemovedStudent,
    RemoveStudentResult,
    RosterLine,
    RosterView,
)
from services.forget import FamilyDeleted
from services.guardians import RegisterResult, RegisterStatus
from services.ownership import Accepted, Handover, HandoverStatus
from services.roster import Added

# Chinese that en output may contain: the command words people type.
CLASS_CJK = {"名单", "加学生", "删学生", "移除", "允许", "批准", "拒绝", "李明奶奶", "王五",
             "移交", "接受", "解绑", "李老师", "王一", "更正", "撤回", "注销",
             "删除家庭", "确认", "取消", "（家长已注销）"}

WORDS = {
    "zh_CN": {"class": "三年级二班", "students": ["李明", "张华", "赵雪"],
              "guardians": ["李明妈妈", "李明爸爸", "张华爸爸"], "sender": "小李",
              "twin": "王一", "teacher": "李老师", "head": "王老师", "title": "周五春游",
              "body": "春游改到周六。"},
    "en": {"class": "Grade 3 Class 2", "students": ["Tom", "Amy", "Ben"],
           "guardians": ["Tom's mum", "Tom's dad", "Amy's dad"], "sender": "Lee",
           "twin": "Jo", "teacher": "Ms Li", "head": "Ms Wang", "title": "Sports day",
           "body": "It moves to Saturday."},
}


def register_results(language: str) -> dict[RegisterStatus, RegisterResult]:
    """A result for every status the registration template must show."""
    w = WORDS[language]
    student, guardians = w["students"][0], w["guardians"]
    twin = w["twin"]
    return {
        RegisterStatus.PENDING: RegisterResult(RegisterStatus.PENDING, student, "奶奶",
                                               guardians[0]),
        RegisterStatus.AMBIGUOUS: RegisterResult(RegisterStatus.AMBIGUOUS, twin, "妈妈",
                                                 choices=[f"{twin}(1)", f"{twin}(2)"]),
        RegisterStatus.RELATION_TAKEN: RegisterResult(
            RegisterStatus.RELATION_TAKEN, student, "妈妈", guardians=[guardians[0]],
            choices=["爸爸", "爷爷"]),
        RegisterStatus.REMOVED: RegisterResult(RegisterStatus.REMOVED, student, "奶奶"),
    }


def class_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w = WORDS[language]
    students, guardians, cls = w["students"], w["guardians"], w["class"]
    out: list[tuple[str, str, dict[str, Any]]] = []
    told = {
        "registered": RegisterResult(RegisterStatus.REGISTERED, students[0], "妈妈",
                                     guardians[0]),
        "pending": RegisterResult(RegisterStatus.PENDING, students[0], "奶奶", guardians[1]),
        "full": RegisterResult(RegisterStatus.FULL, students[0], "奶奶",
                               guardians=guardians[:2], limit=2),
    }
    for label, result in told.items():
        out.append(("membership/registration_told", label,
                    {"result": result, "class_name": cls, "sender": w["sender"]}))
    lines = [RosterLine(students[0], guardians[:2], 3, True),
             RosterLine(students[1], [guardians[2]], 2, False),
             RosterLine(students[2], [], 2, False)]
    out += [
        ("roster/list", "waiting", {"view": RosterView(lines, [guardians[1]]),
                                    "class_name": cls}),
        ("roster/list", "all_registered", {"view": RosterView(lines[:2]), "class_name": cls}),
        ("roster/added", "plain", {"added": [Added(students[0]), Added(students[1])]}),
        ("roster/added", "namesake", {"added": [Added(f"{w['twin']}(2)", w["twin"],
                                                      f"{w['twin']}(1)")]}),
    ]
    for status in RemovedStudent:
        out.append(("roster/student_removed", status.value, {"result": RemoveStudentResult(
            status, students[0], guardians[:1],
            [f"{w['twin']}(1)", f"{w['twin']}(2)"])}))
    for status in GuardianStatus:
        out.append(("roster/guardian_removed", status.value, {"result": GuardianResult(
            status, guardians[1], students[0], 7, [guardians[0]])}))
        for approve in (True, False) if status is GuardianStatus.DONE else (True,):
            out.append(("roster/decided", f"{status.value}-{approve}", {
                "result": GuardianResult(status, guardians[1], students[0], 7),
                "approve": approve}))
    out.append(("roster/guardian_removed", "done-nobody_left", {"result": GuardianResult(
        GuardianStatus.DONE, guardians[1], students[0], 7, [])}))
    for status in AllowStatus:
        out.append(("roster/allowed", status.value,
                    {"result": AllowResult(status, students[0], 3, 2)}))
    for approve in (True, False):
        out.append(("roster/decision_for_parent", str(approve), {
            "result": GuardianResult(GuardianStatus.DONE, guardians[1], students[0], 7),
            "approve": approve, "class_name": cls}))
    out += ownership_cases(w)
    out += correction_cases(w)
    out += forget_cases(w)
    return out


def forget_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    student = w["students"][0]
    return [
        ("forget/ask_self", "plain", {}),
        ("forget/kept", "plain", {}),
        ("forget/done_self", "letters", {"counts": {"letters": 2}}),
        ("forget/done_self", "no_letters", {"counts": {}}),
        ("forget/ask_family", "plain", {"name": student}),
        ("forget/done_family", "found", {"result": FamilyDeleted(True, student, 2)}),
        ("forget/done_family", "namesakes", {"result": FamilyDeleted(
            False, w["twin"], choices=[f"{w['twin']}(1)", f"{w['twin']}(2)"])}),
        ("forget/done_family", "not_found", {"result": FamilyDeleted(False, student)}),
    ]


def correction_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    notice = NS(number=3, title=w["title"], body=w["body"], urgent=False, revision=1)
    cls = w["class"]
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("corrections/card", "plain", {"notice": notice, "author": w["head"]}),
        ("corrections/corrected", "groups", {"notice": notice, "groups": 1}),
        ("corrections/corrected", "no_group", {"notice": notice, "groups": 0}),
        ("corrections/withdrawn_group", "plain", {"notice": notice}),
        ("corrections/withdrawn_private", "plain", {"notice": notice, "name": w["guardians"][0],
                                                    "class_name": cls}),
        ("corrections/withdrawn", "told", {"notice": notice, "told": 2, "was_posted": True}),
        ("corrections/withdrawn", "held", {"notice": notice, "told": 0, "was_posted": False}),
        ("corrections/already_withdrawn", "plain", {"notice": notice}),
    ]
    for kind in ("notice", "meeting"):
        out.append(("corrections/not_author", kind, {"kind": kind, "number": 3,
                                                     "author": w["head"]}))
    return out


def ownership_cases(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    cls, teacher = w["class"], w["teacher"]
    out: list[tuple[str, str, dict[str, Any]]] = []
    for status in HandoverStatus:
        result = Handover(status, teacher, cls, 7)
        out.append(("ownership/offered", status.value, {"result": result}))
    out += [
        ("ownership/offer", "plain", {"result": Handover(HandoverStatus.OFFERED, teacher, cls, 7),
                                      "by": w["head"]}),
        ("ownership/accepted", "one", {"accepted": [Accepted(cls, 1, [])]}),
        ("ownership/accepted", "none", {"accepted": []}),
        ("ownership/handed_over", "plain", {"class_name": cls, "to": teacher}),
        ("ownership/released", "released", {"released": True, "class_name": cls}),
        ("ownership/released", "not_bound", {"released": False, "class_name": cls}),
    ]
    return out
