"""Render cases for the polls' and surveys' templates (collected by tests/test_templates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace as NS
from typing import Any

from services.contact_log import Coverage
from services.polls import PollTally, VoteResult, VoteStatus
from services.reports import ClassReport, Month, SurveyLine
from services.surveys import ClassLine, QuestionSummary, SurveySummary
from services.weekly import Digest

AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
TZ = "Asia/Shanghai"

# Chinese that en output may contain: the words people type to vote or answer.
POLLS_CJK = {"投票", "投票情况", "结束投票", "选A", "选B", "选", "截止", "匿名", "公布结果",
             "每人一票", "问卷", "填问卷", "问卷情况", "结束问卷", "不答了", "跳过", "满意度",
             "实名"}

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
    week = Digest(NS(name=w["class"], timezone=TZ), date(2026, 11, 30),  # type: ignore[arg-type]
                  polls=[tally(w), tally(w, per_person=True, deadline=False)])
    out.append(("weekly/update", "open_polls", {"digest": week, "tz": TZ}))
    for status in VoteStatus:
        out.append(("polls/voted", status.value, {
            "poll": poll(w), "tz": TZ,
            "result": VoteResult(status, 1, 0 if status is VoteStatus.CHANGED else None)}))
    return out


# --- surveys ---------------------------------------------------------------------------------

SURVEY_WORDS = {
    "zh_CN": {"title": "春游反馈", "scale": "孩子玩得开心吗？", "choice": "下次想去哪里？",
              "text": "还有什么建议？", "options": ["科技馆", "植物园"],
              "answers": ["多安排户外活动", "很好"], "missing": ["赵雪"]},
    "en": {"title": "Trip feedback", "scale": "Did your child enjoy it?",
           "choice": "Where next time?", "text": "Any suggestions?",
           "options": ["Science museum", "Garden"], "answers": ["More outdoor time", "Great"],
           "missing": ["Ben"]},
}


def survey(language: str, *, anonymous: bool = True, closed: bool = False) -> NS:
    s = SURVEY_WORDS[language]
    questions = [{"text": s["scale"], "type": "scale", "options": []},
                 {"text": s["choice"], "type": "choice", "options": s["options"]},
                 {"text": s["text"], "type": "text", "options": []}]
    return NS(number=1, title=s["title"], questions=questions, anonymous=anonymous,
              status="closed" if closed else "open", class_id=1)


def survey_summary(language: str, *, shown: bool, anonymous: bool = True,
                   closed: bool = False) -> SurveySummary:
    s = SURVEY_WORDS[language]
    sv = survey(language, anonymous=anonymous, closed=closed)
    if shown:
        questions = [
            QuestionSummary(0, s["scale"], "scale", [], 6, True, [0, 0, 1, 2, 3], 4.3),
            QuestionSummary(1, s["choice"], "choice", s["options"], 5, True, [4, 1]),
            QuestionSummary(2, s["text"], "text", [], 5, True, texts=s["answers"])]
    else:
        questions = [QuestionSummary(i, q["text"], q["type"], q["options"], 2, False)
                     for i, q in enumerate(sv.questions)]
    return SurveySummary(sv, 5 if shown else 1, 1, 6, questions,  # type: ignore[arg-type]
                         missing=[] if anonymous else s["missing"])


def survey_cases(language: str) -> list[tuple[str, str, dict[str, Any]]]:
    w, s = WORDS[language], SURVEY_WORDS[language]
    sv = survey(language)
    cls = NS(name=w["class"])
    return [
        ("surveys/satisfaction", "plain", {}),
        ("surveys/card", "anonymous", {"survey": sv, "author": w["author"]}),
        ("surveys/card", "named", {"survey": survey(language, anonymous=False),
                                   "author": w["author"]}),
        ("surveys/button", "plain", {}),
        ("surveys/invite", "anonymous", {"survey": sv, "name": w["names"][0]}),
        ("surveys/invite", "named", {"survey": survey(language, anonymous=False),
                                     "name": w["names"][0]}),
        ("surveys/created", "groups", {"survey": sv, "groups": 1, "private": True}),
        ("surveys/created", "no_group", {"survey": sv, "groups": 0, "private": True}),
        *[("surveys/question", f"{kind}-{first}", {
            "survey": sv, "index": i, "question": sv.questions[i], "total": 3, "first": first,
            "note": "", "private": False})
          for i, kind in enumerate(("scale", "choice", "text")) for first in (True, False)],
        ("surveys/unclear", "scale", {"question": sv.questions[0], "note": ""}),
        ("surveys/unclear", "choice", {"question": sv.questions[1], "note": ""}),
        ("surveys/paused", "plain", {"survey": sv, "answered": 2}),
        ("surveys/thanks", "anonymous", {"survey": sv, "answered": 3, "private": False}),
        ("surveys/thanks", "named", {"survey": survey(language, anonymous=False),
                                     "answered": 3, "private": False}),
        ("surveys/closed", "plain", {"survey": sv}),
        ("surveys/nothing_open", "number", {"number": 3, "private": True}),
        ("surveys/nothing_open", "none", {"number": None, "private": True}),
        ("surveys/which", "one_class", {"surveys": [sv, survey(language)],
                                        "names": {1: w["class"]}, "private": True}),
        ("surveys/which", "two_classes", {"surveys": [sv], "names": {1: w["class"], 2: "B"},
                                          "private": True}),
        ("surveys/already_done", "plain", {"survey": sv, "private": True}),
        ("surveys/summary", "shown", {"summary": survey_summary(language, shown=True),
                                      "private": True}),
        ("surveys/summary", "too_few_named_closed", {"summary": survey_summary(
            language, shown=False, anonymous=False, closed=True), "private": True}),
        ("surveys/across", "classes", {"lines": [
            ClassLine(cls, survey_summary(language, shown=True)),  # type: ignore[arg-type]
            ClassLine(cls, survey_summary(language, shown=False)),  # type: ignore[arg-type]
            ClassLine(NS(name=s["title"]), None)], "private": True}),  # type: ignore[arg-type]
        ("surveys/closed_group", "partial", {"summary": survey_summary(language, shown=True)}),
        ("surveys/closed_group", "complete", {"summary": SurveySummary(
            sv, 4, 0, 6, [])}),  # type: ignore[arg-type]
        ("surveys/not_found", "number", {"number": 4, "private": True}),
        ("surveys/not_found", "none", {"number": None, "private": True}),
        ("surveys/not_author", "plain", {"survey": sv, "author": w["author"], "private": True}),
        ("common/question_replaced", "survey", {"question": "survey_question",
                                                 "payload": {"survey": 1, "index": 0}}),
        ("reports/class", "surveys", {"tz": TZ, "report": ClassReport(
            w["class"], Month.of(date(2026, 12, 1)), [], 0, [], 0, None, 0, 0, {}, 1,
            Coverage(NS(name="2026"), 3, 3, [], []), [],  # type: ignore[arg-type]
            [SurveyLine(1, s["title"], 5, 1, 6, 4.3), SurveyLine(2, s["title"], 1, 0, 6, None)])}),
    ]
