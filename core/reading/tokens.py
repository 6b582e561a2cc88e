"""Cutting one part of a message into words of known classes (longest word first).

Rules:
- At each position the longest candidate wins: a word of the lexicon, a number pattern
  (head count `2个人`, item reference `第3条`, sign-up `+1`, time `19:30`), a person
  (`李明妈妈`, `李明的奶奶`: a name of 1-3 characters before a relation word), a teacher
  (`王老师`), an
  @mention, a sticker (`[抱拳]`) or an emoji. On a tie the lexicon wins.
- `到` right before a time (`到周五`, `改到下周五`) means "until / to", not an arrival.
- Whatever is not known becomes a RES token (consecutive unknown characters are merged):
  it is content the answer words do not cover, and it decides whether a part is an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from core.reading.lexicon import (
    ACK_EMOJI,
    CHECKIN_PLACES,
    COMPOUND_SURNAMES,
    LEXICON,
    NOT_IN_NAMES,
    Cls,
)
from core.reading.numerals import (
    Matcher,
    match_count,
    match_digits,
    match_plus,
    match_ref,
    match_time,
)
from core.reading.text import STICKER, is_emoji


@dataclass(frozen=True)
class Token:
    cls: Cls
    text: str
    start: int  # position in the part (chunk) it came from
    end: int
    value: int | None = None  # a count, a reference number or a sign-up's head count


_MAX_WORD = max(len(w) for w in LEXICON)
_RELATIONS = sorted((w for w, c in LEXICON.items() if c is Cls.RELATION), key=len, reverse=True)
_CJK = r"[\u4e00-\u9fff]"
_PERSON = re.compile(rf"({_CJK}{{1,3}}?)的?({'|'.join(_RELATIONS)})")  # 李明妈妈, 李明的奶奶
_TEACHER = re.compile(rf"(?:{'|'.join(COMPOUND_SURNAMES)}|{_CJK})(?:老师|班主任|校长)")
_MENTION = re.compile(
    rf"@(?:所有人|all|everyone|[a-z0-9_.]+|[^@\s]{{1,8}}?(?:老师|班主任|校长|{'|'.join(_RELATIONS)})"
    r"|[^@\s]+$)")
_PLACE = re.compile(rf"(?:在|到了?|已到)(?:{_CJK}{{0,4}}?)(?:{'|'.join(CHECKIN_PLACES)})(?:了|啦)?")
_NUMBERS: tuple[tuple[Cls, Matcher], ...] = (
    (Cls.PLUS, match_plus), (Cls.COUNT, match_count), (Cls.REF, match_ref),
    (Cls.TIME, match_time), (Cls.NUM, match_digits))


V = TypeVar("V")


def longest_word(text: str, pos: int, words: Mapping[str, V], longest: int) -> tuple[V, int] | None:
    """The value and end of the longest word of `words` starting at `pos` (at most `longest`)."""
    for end in range(min(len(text), pos + longest), pos, -1):
        value = words.get(text[pos:end])
        if value is not None:
            return value, end
    return None


def _lexicon_at(text: str, pos: int) -> tuple[Cls, int] | None:
    return longest_word(text, pos, LEXICON, _MAX_WORD)


def decoration_at(text: str, pos: int) -> int | None:
    """End of an emoji, sticker ([抱拳]) or @mention at `pos`: never a word of content."""
    if is_emoji(text[pos]):
        return pos + 1
    found = STICKER.match(text, pos) or _MENTION.match(text, pos)
    return found.end() if found else None


def _person_at(text: str, pos: int) -> int | None:
    found = _PERSON.match(text, pos)
    if found is None or set(found.group(1)) & NOT_IN_NAMES:
        return None
    if any(relation in found.group(1) for relation in _RELATIONS):
        return None  # 爷爷奶奶 is two people, not 奶奶 of someone called 爷爷
    return found.end()


def _candidates(text: str, pos: int) -> list[tuple[int, int, Cls, int | None]]:
    """(end, priority, class, value) of every reading that starts at `pos`."""
    found: list[tuple[int, int, Cls, int | None]] = []
    if hit := _lexicon_at(text, pos):
        found.append((hit[1], 2, hit[0], None))
    for cls, matcher in _NUMBERS:
        if (got := matcher(text, pos)) is not None:
            found.append((got[0], 1, cls, got[1]))
    if (end := _person_at(text, pos)) is not None:
        found.append((end, 1, Cls.RELATION, None))
    if (teacher := _TEACHER.match(text, pos)) and text[pos] not in NOT_IN_NAMES:
        found.append((teacher.end(), 1, Cls.FILLER, None))
    if mention := _MENTION.match(text, pos):
        found.append((mention.end(), 3, Cls.FILLER, None))
    if place := _PLACE.match(text, pos):
        found.append((place.end(), 1, Cls.CHECKIN, None))
    if sticker := STICKER.match(text, pos):
        cls = LEXICON.get(sticker.group(), Cls.FILLER)
        found.append((sticker.end(), 3, cls, None))
    if is_emoji(text[pos]):
        found.append((pos + 1, 3, Cls.ACK_WEAK if text[pos] in ACK_EMOJI else Cls.FILLER, None))
    return found


@lru_cache(maxsize=2048)
def tokenize(text: str) -> tuple[Token, ...]:
    """The words of one normalised part, longest first; unknown runs become RES."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        options = _candidates(text, pos)
        if not options:
            if tokens and tokens[-1].cls is Cls.RES and tokens[-1].end == pos:
                last = tokens.pop()
                tokens.append(Token(Cls.RES, last.text + text[pos], last.start, pos + 1))
            else:
                tokens.append(Token(Cls.RES, text[pos], pos, pos + 1))
            pos += 1
            continue
        end, _, cls, value = max(options, key=lambda o: (o[0], o[1]))
        if cls is Cls.CHECKIN and text[pos:end] == "到" and match_time(text, end):
            cls = Cls.RES  # 到周五: "until Friday", not "arrived"
        tokens.append(Token(cls, text[pos:end], pos, end, value))
        pos = end
    return tuple(tokens)
