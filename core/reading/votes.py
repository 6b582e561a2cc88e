"""Reading a vote for a poll (投票) and an answer to a survey question (问卷).

A bare `1` or `A` in a class group is chatter, so a message is a vote only when it says so:
- marked: `投票 1`, `投票：2`, `投1`, `投2号`, `投给B`, `选1`, `选 B`, `我选b`, `选第二个`,
  a change (`改成植物园`, `换成B`, `改投2`),
  `选择3`, `我投“周六”`, `我选周六上午吧`, `我选的是B`, `支持A`, `投B一票`, `选项B`, `B选项` —
  the mark (投票 / 投 / 选 / 选择 / 支持 / 赞成 / 选项, after an optional 我/也/就/还是/改) and one
  option: a number, a letter A–Z, or the option's words;
- the command's arguments (`#投票 3 2`: poll 3, option 2; `#投票 2`, `#投票 B`);
- an option's exact text with nothing else (`周六上午`) is only a *candidate* (`bare_option`):
  the caller counts it only while exactly one open poll has that option.
A question is never a vote (`选1还是2？`, `投票在哪里`, `选什么`), nor a negation (`不选A`).

Survey answers (`survey_answer`) are read against the question asked: a scale `1`–`5`
(`4分`, `五星`, `非常满意` = 5 … `非常不满意` = 1), a letter or number for a single choice, or
any text for a free-text question; `skip` words (跳过, 不知道, 没意见) pass a question, `quit`
words (不答了, 不填了, 不想填) stop the survey (what was answered is kept as partial).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from core.reading.numerals import NUMERAL, to_int
from core.reading.text import memo

_END = "。.!！~～,，、 \t"
_FILLERS = ("吧", "了", "哈", "哦", "呀", "啊", "的", "呢", "哈哈", "谢谢", "谢谢老师",
            "一票", "1票")
_QUESTION = re.compile(r"[?？吗么]|什么|哪|还是|怎么|几个|多少|能不能|可以吗|是否")
_NEGATION = re.compile(r"^(?:我)?(?:不|没|别|不要|不想)")
_MARKED = re.compile(
    rf"^(?:我|我们|我家)?(?:也|都)?(?:就|还是|改)?(?:改成|改为|换成|改投|选项|投票|投|选择|选(?!项)|支持|赞成)"
    rf"(?:给|成|为|的是|是)?\s*[:：]?\s*"
    rf"(?:第\s*(?P<nth>{NUMERAL})\s*(?:个|项|条|号)?|(?P<num>\d{{1,2}})\s*(?:号|项|个|票)?"
    rf"|(?P<letter>[a-z])(?:\s*项)?|[“\"「『]?(?P<words>[^“”\"「」『』,;]{{1,30}}?)[”\"」』]?)$")
# B选项, 2号选项, 选项B: the option named with the word 选项 (a vote without 投/选 before it)
_OPTION_WORD = re.compile(r"^(?:我|我们|我家)?(?:(?P<letter>[a-z])|(?P<num>\d{1,2})\s*号?)\s*选项$")
_NUMBERED = re.compile(r"^投票\s*(#?\d{1,6}\s+\S{1,30})$")
_CHOSEN = re.compile(r"^(?:我|我们|我家)?(?:也|都)?(?:就|还是|改)")
_ARGS = re.compile(r"^#?(?P<poll>\d{1,6})\s+(?P<option>\S.*)$", re.S)
_OPTION = re.compile(rf"^(?:第\s*(?P<nth>{NUMERAL})\s*(?:个|项|条|号)?|(?P<num>\d{{1,2}})"
                     rf"\s*(?:号|项|个)?|(?P<letter>[a-z]))$")
_BARE_MAX = 20


@dataclass(frozen=True)
class Vote:
    """`option`: 1-based, from a number or a letter; else `words`, to match an option's text.
    `poll`: the poll number when written (`#投票 3 2`)."""

    option: int | None = None
    words: str = ""
    poll: int | None = None


def fold(text: str) -> str:
    """How option texts are compared: NFKC, lower case, no spaces or end punctuation."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    folded = re.sub(r"\s+", "", folded)
    return folded.strip(_END + "“”\"「」『』")


def _trim(text: str) -> str:
    """The message without trailing fillers and punctuation (`选B吧～` → `选b`)."""
    text = unicodedata.normalize("NFKC", text or "").lower().strip().strip(_END)
    changed = True
    while changed:
        changed = False
        for filler in sorted(_FILLERS, key=len, reverse=True):
            if text.endswith(filler) and len(text) > len(filler):
                text = text[: -len(filler)].strip().strip(_END)
                changed = True
    return text


def _option(found: re.Match[str]) -> Vote | None:
    groups = found.groupdict()
    if groups.get("nth"):
        number = to_int(groups["nth"])
        return Vote(option=number) if number else None
    if groups.get("num"):
        return Vote(option=int(groups["num"])) if int(groups["num"]) > 0 else None
    if groups.get("letter"):
        return Vote(option=ord(groups["letter"]) - ord("a") + 1)
    words = fold(groups.get("words") or "")
    return Vote(words=words) if words else None


_CLAUSE_BREAK = re.compile(r"[,;。.!~\s]+")


def _asks(clause: str) -> bool:
    # 我还是选A is a choice made, 选A还是B a question: 还是 before the mark is no question.
    return _QUESTION.search(_CHOSEN.sub("", clause)) is not None


@memo
def read_vote(text: str) -> Vote | None:
    """A marked vote (`选B`, `投票 1`, `我投周六`), or None (see the module docstring). The
    vote may close the message after other words (`我投1，不对，改成2`, `不选A，选B`,
    `想了想，还是选B`): then its last clause is the vote, unless another clause asks."""
    if not text or "\n" in text.strip():
        return None
    trimmed = _trim(text)
    clauses = [c for c in _CLAUSE_BREAK.split(trimmed) if c]
    if not trimmed or any(_asks(c) for c in clauses):
        return None
    if not _NEGATION.match(trimmed):
        numbered = _NUMBERED.match(trimmed)
        if numbered is not None:  # 投票 3 2: poll 3, option 2
            return read_vote_args(numbered.group(1))
        found = _MARKED.match(trimmed) or _OPTION_WORD.match(trimmed)
        if found is not None:
            return _option(found)
    if len(clauses) < 2 or _NEGATION.match(clauses[-1]):
        return None
    found = _MARKED.match(clauses[-1])
    return _option(found) if found is not None else None


def read_vote_args(rest: str) -> Vote | None:
    """The arguments of `#投票`: `3 2` (poll 3, option 2), `3 B`, `3 周六`, or one option."""
    rest = _trim(rest)
    if not rest or "|" in rest or "｜" in rest:
        return None
    found = _ARGS.match(rest)
    if found is not None:
        option = _OPTION.match(found.group("option").strip())
        vote = _option(option) if option else Vote(words=fold(found.group("option")))
        if vote is None:
            return None
        return Vote(option=vote.option, words=vote.words, poll=int(found.group("poll")))
    option = _OPTION.match(rest)
    if option is not None:
        return _option(option)
    marked = read_vote(rest)
    return marked if marked is not None else Vote(words=fold(rest))


def bare_option(text: str) -> str | None:
    """A short unmarked message that could be an option's exact text (`周六上午`), folded;
    None for questions, numbers and letters alone (chatter in a group) and long messages."""
    if not text or _QUESTION.search(text) or "\n" in text.strip():
        return None
    folded = fold(_trim(text))
    if not folded or len(folded) > _BARE_MAX or re.fullmatch(r"[0-9a-z]{1,2}", folded):
        return None
    return folded


def letter(index: int) -> str:
    """The letter an option is shown with (0 → A)."""
    return chr(ord("A") + index)


# --- survey answers ------------------------------------------------------------------------

SKIP_WORDS = ("跳过", "不知道", "没意见", "无", "没有", "说不好", "不清楚", "下一题", "pass")
QUIT_WORDS = ("退出", "结束", "算了", "没时间", "以后再说", "不填", "不答", "不做")
_QUIT = re.compile(
    r"^(?:我|老师)?(?:先|就)?(?:不答了|不填了|不想填|不想答|不做了|不写了|不想做|不弄了)")
_SCALE_WORDS = {"非常满意": 5, "很满意": 5, "特别满意": 5, "满分": 5, "非常好": 5, "很好": 5,
                "满意": 4, "比较满意": 4, "挺满意": 4, "好": 4, "不错": 4, "挺好": 4, "比较好": 4,
                "一般": 3, "还行": 3, "还可以": 3, "凑合": 3, "中等": 3,
                "不太满意": 2, "不满意": 2, "不太好": 2, "不好": 2, "较差": 2,
                "很不满意": 1, "非常不满意": 1, "很差": 1, "非常差": 1, "太差了": 1}
# `A 班级群`, `A.班级群`, `B私聊`: the letter, then (maybe) the option's words
_LETTER_FIRST = re.compile(r"^(?:选)?(?P<letter>[a-z])(?=[\s.、．:：)）]|[^\x00-\x7f])")
_SCALE = re.compile(rf"^(?:我)?(?:选|打|给)?\s*(?P<n>{NUMERAL})\s*(?:分|星|颗星)?$")


@dataclass(frozen=True)
class SurveyAnswer:
    """`value`: the option index (choice, 0-based), the score 1–5 (scale) or the text."""

    value: int | str | None = None
    skip: bool = False
    quit: bool = False


def survey_answer(text: str, kind: str, options: Sequence[str] = ()) -> SurveyAnswer | None:
    """What `text` answers to a survey question of `kind` ("choice" among `options`, "scale"
    1–5, "text"); None when it is no answer to it."""
    trimmed = _trim(text)
    if {trimmed, fold(text)} & set(QUIT_WORDS) or _QUIT.match(trimmed):
        return SurveyAnswer(quit=True)
    if trimmed in SKIP_WORDS:
        return SurveyAnswer(skip=True)
    if kind == "text":
        clean = (text or "").strip()
        return SurveyAnswer(value=clean[:500]) if clean else None
    if kind == "scale":
        if trimmed in _SCALE_WORDS:
            return SurveyAnswer(value=_SCALE_WORDS[trimmed])
        found = _SCALE.match(trimmed)
        score = to_int(found.group("n")) if found else None
        return SurveyAnswer(value=score) if score is not None and 1 <= score <= 5 else None
    option = _OPTION.match(trimmed) or _LETTER_FIRST.match(trimmed)
    vote = _option(option) if option else read_vote(text)
    folded = [fold(o) for o in options]
    if vote is not None and vote.words in folded:
        return SurveyAnswer(value=folded.index(vote.words))
    if fold(trimmed) in folded:
        return SurveyAnswer(value=folded.index(fold(trimmed)))
    if vote is None or vote.option is None or not 1 <= vote.option <= len(options):
        return None
    return SurveyAnswer(value=vote.option - 1)
