"""Answers to a question the bot asked privately, and leave/sickness notes.

`yes_no(text)` — the everyday yes and no to a pending question (the mailbox offer, "which
item?", a rating prompt):
- yes: 好, 好的, 好滴, 嗯, 是, 是的, 对, 可以, 行, 要, 需要, 提交, 确认, 同意, 没问题, ok, 👍 …
- no: 不, 不用, 不用了, 不要, 不需要, 不必, 算了, 否, 不是, 没有, 别, 取消, 没事了, no …
- a negation before a yes word is a no (不好, 不可以, 不行, 不对);
- fillers may surround it (老师, 谢谢, 了, 哈, emoji, stickers): `好的，谢谢老师` is yes;
- several answers: the last one counts (`好…算了，不用了` is no);
- None when the message says anything else (it is a new message, not an answer) or asks
  (`好吗？`).

`keyword(text, words)` — one of a question's own answer words with only fillers around it:
`匿名吧`, `老师，匿名，谢谢` pick 匿名; None when two different words or anything else is there.

`choice(text, count)` — a numbered choice: `1`, `２`, `第二个`, `选2`, `2号`, `就第一个吧`; None
for anything else, and for a number outside 1..count.

`absence(text)` — a private note that a child is sick or asks for leave (`请假`, `发烧`,
`生病`, `不舒服`, `肚子疼`, `去医院` …): the caller offers it straight to the head teacher.
Negated sickness words do not count (`已经不发烧了`, `没发烧`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from core.reading.lexicon import LEXICON, Cls
from core.reading.numerals import NUMERAL, to_int
from core.reading.text import chunks, normalise
from core.reading.tokens import decoration_at, longest_word

_YES = """好 好的 好滴 好哒 好嘞 好咧 好啊 好吧 好呀 好哦 好噢 好好 好好好 嗯 嗯嗯 恩 恩恩 嗯呐
    嗯哪 嗯好 是 是的 是滴 是呀 是啊 对 对的 对呀 对啊 可以 可以的 行 行的 行啊 成 要 要的 需要
    提交 确认 同意 没问题 当然 ok okay okk yes y 麻烦了 麻烦您了 麻烦老师了 [ok] [强] 👌 👍 ✅"""
_NO = """不 不用 不用了 不要 不要了 不需要 不需要了 不必 不必了 不了 算了 否 不是 没有 没 别
    取消 不提交 不行 no n 没事 没事了 不麻烦了 不用麻烦了 暂时不用 先不用 不用谢 先不了"""
_NEGATION = frozenset({"不", "没", "别"})

_FILLER = "filler"
_WORDS: dict[str, bool | str] = {w: _FILLER for w, c in LEXICON.items() if c is Cls.FILLER}
_WORDS.update(dict.fromkeys(_YES.split(), True))
_WORDS.update(dict.fromkeys(_NO.split(), False))
_LONGEST = max(len(w) for w in _WORDS)


def _segment(text: str) -> list[tuple[bool | str, str]] | None:
    """(yes/no/filler, word) for each word of a part, or None if it holds anything else."""
    out: list[tuple[bool | str, str]] = []
    pos = 0
    while pos < len(text):
        hit = longest_word(text, pos, _WORDS, _LONGEST)  # 👍 and [强] are words here
        if hit is not None:
            out.append((hit[0], text[pos:hit[1]]))
            pos = hit[1]
        elif (end := decoration_at(text, pos)) is not None:
            pos = end
        else:
            return None
    return out


def yes_no(text: str) -> bool | None:
    """Everyday yes (True) or no (False) to a pending question; None if it is neither."""
    answer: bool | None = None
    for chunk in chunks(normalise(text or "")):
        words = _segment(chunk.text)
        if words is None or "?" in chunk.mark:
            return None
        for i, (value, _) in enumerate(words):
            if value == _FILLER:
                continue
            negated = i > 0 and words[i - 1][1] in _NEGATION
            answer = False if negated else bool(value)
    return answer


def keyword(text: str, words: Collection[str]) -> str | None:
    """The one word of `words` (lower case) the message answers with, fillers (吧, 了, 老师,
    谢谢, emoji, stickers) around it allowed as in `yes_no`; None if it says anything else,
    asks, or names two different words (`不匿名`: 不 and 匿名)."""
    table = dict.fromkeys(words, True)
    longest = max(map(len, table), default=0)
    found: str | None = None
    for chunk in chunks(normalise(text or "")):
        if "?" in chunk.mark:
            return None
        part, pos = chunk.text, 0
        while pos < len(part):
            own = longest_word(part, pos, table, longest)
            filler = longest_word(part, pos, _FILLERS, _LONGEST)
            if own is not None and (filler is None or own[1] >= filler[1]):
                word = part[pos:own[1]]
                if found not in (None, word):
                    return None
                found, pos = word, own[1]
            elif filler is not None:
                pos = filler[1]
            elif (end := decoration_at(part, pos)) is not None:
                pos = end
            else:
                return None
    return found


_FILLERS: dict[str, bool | str] = {w: v for w, v in _WORDS.items() if v == _FILLER}

_CHOICE = re.compile(
    rf"(?:我)?(?:选择?|要|就要?|是)?(?:第)?({NUMERAL})(?:个|号|条|项|种|位)?(?:吧|的|啊|呀|哈|了|哦)*")


def choice(text: str, count: int | None = None) -> int | None:
    """A numbered choice (`2`, `第二个`, `选2`), within 1..count when count is given."""
    picked: int | None = None
    for chunk in chunks(normalise(text or "")):
        found = _CHOICE.fullmatch(chunk.text)
        if found:
            if picked is not None:
                return None  # two numbers: not one choice
            picked = to_int(found.group(1))
            continue
        words = _segment(chunk.text)
        if words is None or any(value != _FILLER for value, _ in words):
            return None
    if picked is None or picked < 1 or (count is not None and picked > count):
        return None
    return picked


_SICK_WORDS = """发烧 发热 高烧 低烧 烧到 退烧 生病 病了 不舒服 难受 肚子疼 肚子痛 头疼 头痛
    头晕 咳嗽 感冒 拉肚子 腹泻 呕吐 吐了 去医院 在医院 看医生 看病 住院 输液 打点滴 挂水 吊水
    过敏 水痘 流感 甲流 乙流 手足口 牙疼 牙痛 嗓子疼 喉咙痛 受伤 摔伤 摔了 骨折 扭伤 阳了 病假
    疱疹 中耳炎 肺炎 支原体 诺如 急诊 出水痘 红眼病"""
_SICK = tuple(_SICK_WORDS.split())
_LEAVE_WORDS = """请假 请个假 请一天假 请半天假 请两天假 事假 病假 不能上学 上不了学 不能去学校
    去不了学校 来不了学校 不去学校 不来学校 不上学 在家休息 晚点到校 晚点送 早退 提前接 迟到"""
_LEAVE = tuple(_LEAVE_WORDS.split())
_SICK_RE = re.compile("|".join(sorted(_SICK, key=len, reverse=True)))
_LEAVE_RE = re.compile("|".join(sorted(_LEAVE, key=len, reverse=True)))
# Recovery, not sickness: 已经不发烧了, 没发烧, 退烧了.
_RECOVERED_BEFORE = re.compile(r"(?:不|没|没有|未|已经不|已不|不再|没再)$")


@dataclass(frozen=True)
class Absence:
    """A leave request and/or a sick child, with the words that said so."""

    leave: bool
    sick: bool
    words: tuple[str, ...]


def absence(text: str) -> Absence | None:
    """A private message that reads as a leave request or a sick child (rules above)."""
    norm = normalise(text or "").text
    sick = [m.group() for m in _SICK_RE.finditer(norm)
            if m.group() != "退烧" and not _RECOVERED_BEFORE.search(norm[:m.start()])]
    leave = [m.group() for m in _LEAVE_RE.finditer(norm)]
    if not sick and not leave:
        return None
    return Absence(leave=bool(leave), sick=bool(sick), words=tuple(dict.fromkeys(leave + sick)))
