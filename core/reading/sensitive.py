"""Sensitive content in a group message: what must not be discussed in front of the class.

The group rules (DOMAIN.md "Group hygiene", 2021《未成年人学校保护规定》) forbid phone numbers,
ID card numbers, score lists or rankings and one child's problems in the class group. This
module only says what a text contains; whether to warn, hold or offer a private send is the
caller's (handlers/privacy.py). Pure: the class's roster names are passed in.

False alarms matter as much as misses (a guard that nags about every meeting time is turned
off), so each detector is narrow:
- `PHONE`: a mainland mobile number (11 digits, 1[3-9]…, optionally +86 and spaced or dashed
  3-4-4) or a landline written with its area code and a dash (010-12345678). Digits touching
  other digits never match, so dates, prices, times, class and notice numbers do not.
- `ID_NUMBER`: 18 characters (17 digits + digit or X) whose GB 11643 check digit is right and
  whose birth date is a real date; an order number of 18 digits almost never passes both.
- `RANKING`: two or more students, each with a score or a rank (李明 95分, 第二名 张华,
  a pasted table row 李明 95 88) — roster names when the class has them, else at least three
  table rows that begin with a name.
- `SINGLED_OUT`: a roster name in the same sentence as a word of discipline, illness or
  conflict (李明今天在学校打架了). Praise (第一名, 获奖) is no problem word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    PHONE = "phone"
    ID_NUMBER = "id_number"
    RANKING = "ranking"
    SINGLED_OUT = "singled_out"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    students: tuple[str, ...] = ()  # the roster names concerned (RANKING, SINGLED_OUT)


_MOBILE = re.compile(r"(?<![\d.])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![\d.])")
_LANDLINE = re.compile(r"(?<![\d.-])(?:\(0\d{2,3}\)|0\d{2,3}-)\d{7,8}(?![\d.:-])")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\s?(\d{8})\s?(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# A score or a rank next to a name.
_SCORE = re.compile(r"(?<![\d.])(?:1[0-4]\d|150|\d{1,2})(?:\.\d+)?\s*分")
_RANK = re.compile(r"第\s*(?:\d{1,3}|[一二三四五六七八九十]+)\s*名|倒数第"
                   r"|倒数\s*(?:\d{1,2}|[一二两三四五六七八九十]+)\s*名|名次|排名|前\s*(?:\d{1,2}|[一二两三四五六七八九十]+)\s*名")
_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d+)?(?![\d.])")  # totals reach 3 digits
_SUBJECTS = ("语文", "数学", "英语", "科学", "物理", "化学", "生物", "历史", "地理", "道法",
             "道德与法治", "政治", "体育", "音乐", "美术", "总分", "总成绩", "成绩", "分数", "得分",
             "平均分", "等级", "名次", "排名", "班级排名", "年级排名")
_TABLE_ROW = re.compile(
    r"^\s*(?:\d{1,3}[.、)\s]\s*)?([\u4e00-\u9fff]{2,4})[\s:：,，]+"
    r"(?:1[0-4]\d|150|\d{1,2})(?:\.\d+)?分?(?:[\s,，]+(?:1[0-4]\d|150|\d{1,2})(?:\.\d+)?分?)*\s*$")

# Words that single a child out when they stand beside the child's name.
PROBLEM_WORDS = (
    # discipline
    "违纪", "违反纪律", "不守纪律", "作弊", "抄袭", "偷东西", "偷拿", "偷了", "逃课", "旷课",
    "逃学", "处分", "写检讨", "检讨书", "罚站", "被罚", "被批评", "批评了", "顶撞", "撒谎", "说谎",
    "不交作业", "没交作业", "没写作业", "欠交作业", "扰乱课堂", "上课捣乱", "捣乱", "被请家长",
    "不及格", "成绩下降", "退步很大", "倒数第",
    # conflict
    "打架", "打人", "动手打", "骂人", "骂了", "欺负", "霸凌", "冲突", "吵架", "推倒", "咬人",
    "抓伤", "打伤", "弄伤", "起争执",
    # illness and health
    "生病", "发烧", "发热", "住院", "病了", "感染", "传染病", "水痘", "流感", "手足口", "诺如",
    "肺炎", "抑郁", "焦虑症", "多动症", "自闭", "心理问题", "癫痫", "受伤", "骨折",
)
_PROBLEM = re.compile("|".join(map(re.escape, sorted(PROBLEM_WORDS, key=len, reverse=True))))
_SENTENCE = re.compile(r"[。！？!?\n；;]+")


def _normal(text: str) -> str:
    """Full-width digits and letters as ASCII (１３８… is a phone number too)."""
    return unicodedata.normalize("NFKC", text)


def _id_valid(region: str, birth: str, rest: str) -> bool:
    digits = region + birth + rest
    if region[0] not in "12345678":
        return False
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


def has_id_number(text: str) -> bool:
    return any(_id_valid(*m.groups()) for m in _ID.finditer(_normal(text)))


def has_phone(text: str) -> bool:
    text = _normal(text)
    without_ids = _ID.sub(" ", text)  # an ID's digits are not a phone number's
    return bool(_MOBILE.search(without_ids) or _LANDLINE.search(without_ids))


def _scored(piece: str, name: str) -> bool:
    """Whether this piece of text around `name` gives it a score or a rank."""
    if _SCORE.search(piece) or _RANK.search(piece):
        return True
    rest = piece.replace(name, " ")
    for subject in _SUBJECTS:
        rest = rest.replace(subject, " ")
    rest = re.sub(r"^\s*\d{1,3}[.、)]", " ", rest)  # a row number "1. 李明 95"
    if re.search(r"\d\s*:\s*\d", rest):  # a time (李明 8:00 到校)
        return False
    return bool(_NUMBER.search(rest)) and not re.search(r"[^\d.\s:=分,、()]", rest)


def _pieces(line: str, names: Collection[str]) -> list[tuple[str, str]]:
    """Each roster name in the line with the text between its neighbours (a row may name
    several students: 总分 李明 285 张华 270)."""
    spots: list[tuple[int, str]] = []
    for name in sorted(names, key=len, reverse=True):
        start = line.find(name)
        while start >= 0:
            if not any(s <= start < s + len(n) for s, n in spots):
                spots.append((start, name))
            start = line.find(name, start + len(name))
    spots.sort()
    pieces = []
    for i, (_start, name) in enumerate(spots):
        before = spots[i - 1][0] + len(spots[i - 1][1]) if i else 0
        after = spots[i + 1][0] if i + 1 < len(spots) else len(line)
        pieces.append((name, line[before:after]))
    return pieces


def ranked_students(text: str, names: Collection[str]) -> tuple[str, ...]:
    """Roster students given a score or rank in `text`, in the order they appear."""
    text = _normal(text)
    found: list[str] = []
    for line in re.split(r"[\n；;]+", text.replace("\t", " ")):
        for name, piece in _pieces(line, names):
            if name not in found and _scored(piece, name):
                found.append(name)
    if len(found) < 2:
        # "前三名：李明、张华、赵雪" names the ranked ones in a list after one rank word.
        for sentence in _SENTENCE.split(text):
            if _RANK.search(sentence):
                listed = [n for n in names if n in sentence]
                if len(listed) >= 2:
                    return tuple(sorted(listed, key=sentence.index))
    return tuple(found)


def _table_rows(text: str) -> int:
    """Lines that look like a pasted score table's rows (a name, then only numbers)."""
    rows = 0
    for line in _normal(text).replace("\t", " ").splitlines():
        found = _TABLE_ROW.match(line)
        if found and found.group(1) not in _SUBJECTS:
            rows += 1
    return rows


def singled_out(text: str, names: Collection[str]) -> tuple[str, ...]:
    """Roster students named in the same sentence as a problem word."""
    found: list[str] = []
    for sentence in _SENTENCE.split(_normal(text)):
        if not _PROBLEM.search(sentence):
            continue
        found += [n for n in names if n in sentence and n not in found]
    return tuple(found)


def scan(text: str, names: Collection[str] = ()) -> list[Finding]:
    """Everything sensitive in `text`; `names` are the class's roster names."""
    findings: list[Finding] = []
    if has_phone(text):
        findings.append(Finding(Kind.PHONE))
    if has_id_number(text):
        findings.append(Finding(Kind.ID_NUMBER))
    ranked = ranked_students(text, names)
    if len(ranked) >= 2 or _table_rows(text) >= 3:
        findings.append(Finding(Kind.RANKING, ranked))
    single = tuple(n for n in singled_out(text, names) if n not in ranked)
    if single:
        findings.append(Finding(Kind.SINGLED_OUT, single))
    return findings


def worth_a_look(text: str) -> bool:
    """A cheap test without the roster: could `scan` with the roster find anything? (The
    group phrase uses it so that ordinary chatter never reaches the database.)"""
    normal = _normal(text)
    return bool(has_phone(normal) or has_id_number(normal) or _PROBLEM.search(normal)
                or _SCORE.search(normal) or _RANK.search(normal) or _table_rows(normal) >= 3
                or re.search(r"[\u4e00-\u9fff]{2,4}[\s:,]+\d{1,3}(?![\d.:])", normal))
