"""Normalising a message and cutting it into parts, keeping the way back to the original.

Rules:
- Every character is NFKC-normalised and lower-cased: full-width `３` and `ＯＫ` read as `3`
  and `ok`, `？！，：` as `?!,:`. Variation selectors, zero-width characters and emoji skin
  tones are dropped; WeChat's mention space (U+2005) becomes a space.
- Parts ("chunks") are cut at whitespace and at punctuation (`, . 。 ! ? ; : ~ …` brackets,
  quotes, dashes); `、` stays inside a part (`爸爸、妈妈都去`, `3、4收到`). Each part keeps the
  punctuation that follows it, so a part followed by `?` is known to be a question.
- Every position of the normalised text maps back to the original, so what is quoted back
  (a question, a reason) is the person's own text, full-width punctuation and all.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

_DROP = frozenset("\ufe0f\ufe0e\u200b\u200c\u200d\u2060\ufeff")
_SEPARATORS = frozenset(" \t\n\r,.。!?;:~…()[]{}\"'“”‘’「」『』《》<>|-—_=*\u3000·")
# Inside a sticker ("[抱拳]") brackets are part of the word, not separators.
STICKER = re.compile(r"\[[^\[\]\s]{1,8}\]")


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the index in the original."""

    text: str
    source: str
    index: tuple[int, ...]

    def original(self, start: int, end: int) -> str:
        """The original text behind normalised positions [start, end)."""
        if start >= end:
            return ""
        first = self.index[start]
        last = self.index[end - 1] + 1
        return self.source[first:last]


@dataclass(frozen=True)
class Chunk:
    """One part of a message between separators (normalised text and positions)."""

    text: str
    start: int
    end: int
    mark: str  # the separators that follow it ("?" makes it a question)


def _dot_in_number_mark(text: str, i: int) -> bool:
    """The dot of `no.3` joins, it does not separate."""
    return (text[i] == "." and 0 < i < len(text) - 1 and text[i - 1].isascii()
            and text[i - 1].isalpha() and text[i + 1].isdigit())


def _skin_tone(char: str) -> bool:
    return 0x1F3FB <= ord(char) <= 0x1F3FF


def normalise(source: str) -> Normalised:
    """NFKC + lower case, character by character, remembering where each came from."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(source):
        if char in _DROP or _skin_tone(char):
            continue
        for piece in unicodedata.normalize("NFKC", char).lower():
            out.append(piece)
            index.append(i)
    return Normalised("".join(out), source, tuple(index))


def chunks(norm: Normalised) -> list[Chunk]:
    """Cut at separators; stickers ([抱拳]) are kept whole."""
    text = norm.text
    stickers = {m.start(): m.end() for m in STICKER.finditer(text)}
    parts: list[Chunk] = []
    start: int | None = None
    i = 0
    while i < len(text):
        if i in stickers:
            if start is None:
                start = i
            i = stickers[i]
            continue
        if text[i] in _SEPARATORS and not _dot_in_number_mark(text, i):
            if start is not None:
                mark_end = i
                while mark_end < len(text) and text[mark_end] in _SEPARATORS \
                        and mark_end not in stickers:
                    mark_end += 1
                parts.append(Chunk(text[start:i], start, i, text[i:mark_end]))
                start = None
                i = mark_end
                continue
            i += 1
            continue
        if start is None:
            start = i
        i += 1
    if start is not None:
        parts.append(Chunk(text[start:], start, len(text), ""))
    return parts


def is_emoji(char: str) -> bool:
    """A pictograph or symbol (👍, 🌹, ❤, ✅): never a word, sometimes an answer (ACK_EMOJI)."""
    if ord(char) < 0x2000:
        return False
    return unicodedata.category(char) in ("So", "Sk") or 0x1F000 <= ord(char) <= 0x1FAFF


R = TypeVar("R")
MEMO_MAX_CHARS = 200  # longer texts (letters, notices) are read once and not kept
MEMO_ENTRIES = 4096


def memo(read: Callable[[str], R]) -> Callable[[str], R]:
    """Remember a pure reader's result for short texts: a flood of 收到 is a few hundred
    distinct messages read several times each (is it a command argument, an answer, a check-in,
    a sign-up?), and every reader here returns an immutable value. Long texts are not kept, so
    the memory stays bounded by MEMO_ENTRIES × MEMO_MAX_CHARS."""
    cached = functools.lru_cache(maxsize=MEMO_ENTRIES)(read)

    @functools.wraps(read)
    def reader(text: str) -> R:
        if text is not None and len(text) <= MEMO_MAX_CHARS:
            return cached(text)
        return read(text)

    return reader
