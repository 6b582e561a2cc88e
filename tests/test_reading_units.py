"""core.reading, piece by piece: numbers, head counts, tokens, replies, commands, boundaries.

The line-by-line phrasing file is tests/test_phrasing.py; this file pins the building blocks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from core.reading import Kind, Rsvp, read
from core.reading.commands import command_word, strip_mentions, suggest
from core.reading.lexicon import LEXICON, Cls, lexicon_conflicts
from core.reading.numbers import people_count, to_int
from core.reading.numerals import match_count, match_ref, match_time
from core.reading.replies import Absence, absence, choice, keyword, yes_no
from core.reading.text import chunks, normalise
from core.reading.tokens import tokenize

REPO = Path(__file__).resolve().parents[1]


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("3", 3), ("12", 12), ("３", 3), ("１２", 12), ("十二", 12), ("两", 2), ("二", 2), ("十", 10),
    ("廿", 20), ("一百零五", 105), ("俩", 2), ("仨", 3), ("零", 0),
])
def test_to_int(text: str, value: int) -> None:
    assert to_int(text) == value


@pytest.mark.parametrize("text", ["", "abc", "十十", "两个", "第三", "3.5"])
def test_to_int_rejects(text: str) -> None:
    assert to_int(text) is None


@pytest.mark.parametrize(("text", "count"), [
    ("2个人", 2), ("两人", 2), ("2位", 2), ("两位家长", 2), ("三个人", 3), ("十个人", 10),
    ("一家三口", 3), ("一家四口人", 4), ("1大1小", 2), ("2大1小", 3), ("两个大人一个小孩", 3),
    ("我们俩", 2), ("夫妻俩", 2), ("两口子", 2), ("仨", 3), ("+1", 1), ("+2", 2), ("２人", 2),
    ("我和孩子爸爸都去", 2), ("我跟孩子他爸", 2), ("爸爸妈妈都去", 2), ("爷爷奶奶", 2),
    ("我带孩子去", 2), ("我带两个孩子", 3), ("我和老公还有孩子", 3), ("李明妈妈和爸爸", 2),
    ("爸爸、妈妈、奶奶都去", 3),
])
def test_people_count(text: str, count: int) -> None:
    assert people_count(text) == count


@pytest.mark.parametrize("text", [
    "参加", "我", "我老公去", "我们", "我们都去", "全家都去", "我们全家", "一家人都去", "孩子爸爸",
    "100个人",  # more than a family brings: not a head count
])
def test_people_count_says_no_number(text: str) -> None:
    assert people_count(text) is None


@pytest.mark.parametrize(("text", "number"), [
    ("#3", 3), ("# 12", 12), ("第3条", 3), ("第三条", 3), ("第十二个", 12), ("第 2 场", 2),
    ("10号", 10), ("三号", 3), ("no.3", 3),
])
def test_item_references(text: str, number: int) -> None:
    assert match_ref(text, 0) == (len(text), number)


@pytest.mark.parametrize("text", ["5号的", "5号晚上", "5号7点", "5号周五", "3", "三"])
def test_a_day_of_the_month_is_no_item_reference(text: str) -> None:
    assert match_ref(text, 0) is None


def test_a_date_is_a_time_and_its_day_no_reference() -> None:
    assert match_time("12月5号", 0) == (5, None)
    tokens = tokenize("12月5号的家长会参加")
    assert [t.cls for t in tokens][:1] == [Cls.TIME] and all(t.cls is not Cls.REF for t in tokens)


@pytest.mark.parametrize("text", ["2", "第2", "我们", "十十人", "个人"])
def test_not_a_head_count(text: str) -> None:
    found = match_count(text, 0)
    assert found is None or found[1] is None


# --- normalising and tokens -------------------------------------------------------------------

def test_normalising_keeps_the_way_back_to_the_original() -> None:
    norm = normalise("收到！ＯＫ👍🏻，请问？")
    assert norm.text == "收到!ok👍,请问?"
    parts = chunks(norm)
    assert [(c.text, c.mark) for c in parts] == [("收到", "!"), ("ok👍", ","), ("请问", "?")]
    assert norm.original(parts[2].start, parts[2].end + 1) == "请问？"


def test_stickers_stay_whole_and_brackets_separate() -> None:
    assert [c.text for c in chunks(normalise("参加（2人）[抱拳]"))] == ["参加", "2人", "[抱拳]"]


def test_longest_word_wins() -> None:
    assert [t.text for t in tokenize("不参加")] == ["不参加"]
    assert [(t.cls, t.text) for t in tokenize("还是不去了")] == [
        (Cls.CHANGE, "还是"), (Cls.NO, "不去"), (Cls.FILLER, "了")]
    assert [t.cls for t in tokenize("到时候")] == [Cls.TIME]


def test_people_and_teachers_are_words() -> None:
    assert [(t.cls, t.text) for t in tokenize("李明妈妈参加")] == [
        (Cls.RELATION, "李明妈妈"), (Cls.YES, "参加")]
    assert [t.cls for t in tokenize("李明的奶奶")] == [Cls.RELATION]
    assert [t.cls for t in tokenize("欧阳老师")] == [Cls.FILLER]
    assert [t.cls for t in tokenize("爷爷奶奶")] == [Cls.RELATION, Cls.RELATION]


def test_arrival_is_not_until() -> None:
    assert Cls.CHECKIN in {t.cls for t in tokenize("到了")}
    assert Cls.CHECKIN not in {t.cls for t in tokenize("改到周五")}
    assert Cls.CHECKIN not in {t.cls for t in tokenize("到周五")}


def test_the_lexicon_lists_each_word_once_in_its_normal_form() -> None:
    assert lexicon_conflicts() == []
    assert [w for w in LEXICON if normalise(w).text != w] == []


def test_rsvp_values_match_the_meeting_service() -> None:
    from services.meetings import Answer

    assert {r.value for r in Rsvp} == {a.value for a in Answer}


def test_reading_carries_the_original_text_and_first_number() -> None:
    reading = read("收到 #3 #5")
    assert (reading.text, reading.kind, reading.number, reading.is_answer) == (
        "收到 #3 #5", Kind.ACK, 3, True)
    assert read("").kind is Kind.NONE and read("").number is None


# --- replies ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "好", "好的", "好滴", "嗯", "嗯嗯", "是", "是的", "对", "可以", "可以的", "行", "要", "需要",
    "提交", "确认", "同意", "没问题", "ok", "OK", "👍", "[强]", "好的，谢谢老师", "好的老师🌹",
    "嗯，好的",
])
def test_everyday_yes(text: str) -> None:
    assert yes_no(text) is True


@pytest.mark.parametrize("text", [
    "不", "不用", "不用了", "不要", "不需要", "不必了", "算了", "否", "不是", "没有", "别", "取消",
    "不行", "不好", "不可以", "不对", "no", "没事了", "不用麻烦了", "好…算了，不用了",
    "谢谢，不用了",
])
def test_everyday_no(text: str) -> None:
    assert yes_no(text) is False


@pytest.mark.parametrize("text", [
    "", "匿名", "好吗？", "可以吗", "好的，明天见", "孩子发烧了", "1", "谢谢老师", "[呲牙]", "能",
])
def test_not_a_yes_or_no(text: str) -> None:
    assert yes_no(text) is None


@pytest.mark.parametrize(("text", "number"), [
    ("1", 1), ("２", 2), ("第二个", 2), ("选2", 2), ("2号", 2), ("就第一个吧", 1), ("我选3", 3),
    ("老师，2", 2), ("两", 2), ("第三条", 3), ("选第一个", 1), ("①", 1), ("3吧", 3),
])
def test_choice(text: str, number: int) -> None:
    assert choice(text, 4) == number


@pytest.mark.parametrize("text", ["5", "0", "1 2", "选", "abc", "好的", "第一个和第二个", "1点"])
def test_not_a_choice(text: str) -> None:
    assert choice(text, 4) is None


def test_choice_without_a_bound() -> None:
    assert choice("12") == 12 and choice("0") is None


@pytest.mark.parametrize(("text", "leave", "sick"), [
    ("请假", True, False), ("明天请一天假", True, False), ("孩子发烧了，明天请假", True, True),
    ("孩子发烧了", False, True), ("孩子不舒服", False, True), ("肚子疼", False, True),
    ("在医院，明天来不了学校", True, True), ("孩子生病了", False, True),
    ("孩子咳嗽得厉害，去医院看看", False, True), ("孩子拉肚子，在家休息一天", True, True),
])
def test_absence(text: str, leave: bool, sick: bool) -> None:
    found = absence(text)
    assert isinstance(found, Absence) and (found.leave, found.sick) == (leave, sick)
    assert found.words


@pytest.mark.parametrize("text", [
    "已经不发烧了", "没发烧", "孩子退烧了，明天正常上学", "明天交作业", "好", "收到", "谢谢老师",
])
def test_no_absence(text: str) -> None:
    assert absence(text) is None


# --- commands ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rest"), [
    ("@所有人 #通知 周五春游", "#通知 周五春游"),
    ("@所有人\u2005#通知 周五春游", "#通知 周五春游"),
    ("@所有人#通知 周五春游", "#通知 周五春游"),
    ("@所有人 @李老师 #通知 x", "#通知 x"),
    ("  @班级助手 /notice x", "/notice x"),
    ("#通知 请 @所有人 看", "#通知 请 @所有人 看"),  # later mentions are content
    ("收到 @王老师", "收到 @王老师"),
    ("@王老师 收到", "收到"),
])
def test_strip_mentions(text: str, rest: str) -> None:
    assert strip_mentions(text) == rest


@pytest.mark.parametrize(("text", "word"), [
    ("#未度 3", "未度"), ("＃通之 周五春游", "通之"), ("/notcie x", "notcie"),
    ("@所有人 #通知 x", "通知"), ("# 未读", "未读"), ("收到", None), ("#3", None),
])
def test_command_word(text: str, word: str | None) -> None:
    assert command_word(text) == word


@pytest.fixture(scope="module")
def known_words() -> list[str]:
    import handlers

    table = handlers.command_table()
    return [w for c in table.commands for w in c.words] + [s for c in table.commands
                                                          for s in c.slash]


@pytest.mark.parametrize(("typed", "meant"), [
    ("未度", "未读"), ("通之", "通知"), ("通知单", "通知"), ("信相", "信箱"), ("签倒", "签到"),
    ("报明", "报名"), ("回副", "回复"), ("帮主", "帮助"), ("我的信想", "我的信箱"),
    ("家长回", "家长会"), ("notcie", "notice"), ("unraed", "unread"), ("hlep", "help"),
    ("attendence", "attendance"), ("NOTCIE", "notice"),
])
def test_suggest(typed: str, meant: str, known_words: list[str]) -> None:
    assert suggest(typed, known_words) == meant


@pytest.mark.parametrize("typed", [
    "天气", "作业", "哈哈", "春游", "你好", "weather", "hello", "a", "未", "通知", "未读", "notice",
    "纪委",  # one edit from both 纪要 and 家委: a tie suggests nothing
])
def test_suggest_does_not_fire_on_unrelated_or_known_words(typed: str,
                                                           known_words: list[str]) -> None:
    assert suggest(typed, known_words) is None


# --- boundaries -------------------------------------------------------------------------------

ALLOWED_THIRD_PARTY = {"cn2an", "rapidfuzz"}


def test_reading_imports_only_the_standard_library_cn2an_rapidfuzz_and_core() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found: list[str] = []
    for path in sorted((REPO / "core" / "reading").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib | ALLOWED_THIRD_PARTY | {"core"}:
                    found.append(f"{path.name}: {name}")
    assert found == []
    assert (REPO / "core" / "reading" / "answers.py").exists()  # the scan saw the package


OFFER_WORDS = {"是", "yes", "提交", "匿名", "anonymous", "匿名提交", "否", "no", "不", "不用"}


@pytest.mark.parametrize(("text", "word"), [
    ("匿名吧", "匿名"), ("老师，匿名，谢谢", "匿名"), ("匿名提交吧🙏", "匿名提交"), ("否吧", "否"),
    ("不用了谢谢老师", "不用"), ("Anonymous!", "anonymous"), ("[抱拳]匿名", "匿名"),
])
def test_keyword_takes_a_question_word_among_fillers(text: str, word: str) -> None:
    assert keyword(text, OFFER_WORDS) == word


@pytest.mark.parametrize("text", ["不匿名", "匿名吗？", "匿名 作业太多", "匿名还是不用", ""])
def test_keyword_refuses_anything_more(text: str) -> None:
    assert keyword(text, OFFER_WORDS) is None
