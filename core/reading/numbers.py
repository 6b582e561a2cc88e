"""Numbers and head counts in everyday Chinese (the public face of `numerals`).

- `to_int("十二") == 12`, `to_int("３") == 3`, `to_int("两") == 2` (cn2an reads Chinese
  numerals; full-width digits are normalised first).
- `people_count(text)`: how many people a phrase says come.
  * a written count wins: `2个人`, `两人`, `2位`, `两位家长`, `一家三口` (3), `1大1小` (2),
    `我们俩` / `夫妻俩` / `两口子` (2), `仨` (3), `+2` (2);
  * else people joined by 和 / 跟 / 与 / 带 / 还有 / 、 are counted, each side one person or
    as many relation words as it names side by side: `我和孩子爸爸` 2, `爸爸妈妈` 2,
    `我带孩子` 2, `我和老公还有孩子` 3, `我带两个孩子` 3; `我老公` is one person (我 owns
    老公);
  * `我们` / `我家` without a number, and `全家`, say no number: None. A single person (`我`)
    is None too: None means "no number written" and the caller counts one.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.reading.lexicon import Cls
from core.reading.numerals import to_int
from core.reading.text import chunks, normalise
from core.reading.tokens import Token, tokenize

__all__ = ["count_people", "people_count", "to_int"]

_PLURAL = frozenset({"我们", "咱们", "俺们", "咱家", "我家", "我们家", "俺家"})
_MAX_PEOPLE = 30  # above this a "count" is a typo or not a count


def count_people(tokens: Iterable[Token], plural: frozenset[str] = _PLURAL) -> int | None:
    """The head count said by these words (rules in the module docstring), or None."""
    tokens = tuple(tokens)
    children = _counted_children(tokens)
    for i, token in enumerate(tokens):
        if token.cls in (Cls.COUNT, Cls.PLUS) and token.value and i not in children:
            return token.value if 0 < token.value <= _MAX_PEOPLE else None
    if any(t.cls is Cls.ALL for t in tokens):
        return None
    groups: list[list[Token]] = [[]]
    total = 0
    for i, token in enumerate(tokens):
        if token.cls is Cls.CONJ:
            groups.append([])
        elif token.cls in (Cls.SUBJ, Cls.RELATION) or (
                token.cls is Cls.CHILD and i - 1 not in children and not _owner(tokens, i)):
            groups[-1].append(token)
        elif i in children:
            total += token.value or 0
    for group in groups:
        if not group:
            continue
        named = sum(1 for t in group if t.cls in (Cls.RELATION, Cls.CHILD)
                    or (t.cls is Cls.SUBJ and len(t.text) > 2 and t.text not in plural))
        if named:
            total += named
        elif any(t.text in plural for t in group):
            return None  # 我们 / 我家 without a number
        else:
            total += 1
    return total if total >= 2 else None


def _owner(tokens: tuple[Token, ...], i: int) -> bool:
    """孩子 in 孩子他妈 / 孩子奶奶 says whose mother, it is not one more person."""
    return i + 1 < len(tokens) and tokens[i + 1].cls is Cls.RELATION


def _counted_children(tokens: tuple[Token, ...]) -> set[int]:
    """Counts of children (`带两个孩子`): positions of COUNT tokens right before a child word."""
    return {i for i, t in enumerate(tokens[:-1])
            if t.cls is Cls.COUNT and tokens[i + 1].cls is Cls.CHILD}


def people_count(text: str) -> int | None:
    """How many people `text` says (`2个人`, `一家三口`, `我和孩子爸爸都去`), or None."""
    norm = normalise(text or "")
    return count_people(t for c in chunks(norm) for t in tokenize(c.text))
