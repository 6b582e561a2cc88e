"""Numbers as people write them, and the small patterns built on them.

Rules (text is already normalised: full-width ３ is 3, upper case is lower):
- A number is Arabic digits (`3`, `12`) or a Chinese numeral (`三`, `十二`, `两`, `廿`,
  `一百零五`), read by `cn2an` (a maintained library, not a hand table). `俩` is 2, `仨` 3.
- A head count is a number with a people classifier: `2个人`, `两人`, `3位`, `两位家长`,
  `2个`, `1大1小` (= 2), `一家三口` (= 3), `我们俩` / `夫妻俩` / `两口子` (= 2), `仨` (= 3),
  and `+1` / `+2` (a sign-up: +N is N people).
- An item reference is a number marked as one: `#3`, `第3条`, `第三个`, `10号` (not a date:
  `12月5号`, `5号的`, `5号晚上` are days), `no.3`. A bare number (`收到3`) is a reference
  only next to an answer word; that is decided by the reader, not here.
- A time is a clock time (`19:30`, `7点`, `7点半`), a date (`12月5日`, `12月5号`), or a
  weekday (`周五`, `星期五`, `下周三`); it is what an answer is *about*, never a count.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from types import ModuleType

NUMERAL = r"(?:\d{1,4}|[零〇一二两三四五六七八九十百千廿]{1,6})"
_N = NUMERAL
_lock = threading.Lock()
_cn2an: ModuleType | None = None


def _lib() -> ModuleType:
    """cn2an on first use: its import takes ~0.3 s, which a bot start-up need not pay."""
    global _cn2an
    with _lock:
        if _cn2an is None:
            import cn2an

            _cn2an = cn2an
        return _cn2an


@lru_cache(maxsize=512)
def to_int(text: str) -> int | None:
    """The whole number `text` names (`3`, `３`, `十二`, `两`, `俩`), or None."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if text in ("俩", "仨"):
        return 2 if text == "俩" else 3
    if text.isdigit():  # other digit scripts (after NFKC only a few remain)
        try:
            return int(text)
        except ValueError:
            return None
    try:
        value = _lib().cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


# --- recognisers: each returns (end, value) for a match at `pos`, or None -----------------

Matcher = Callable[[str, int], "tuple[int, int | None] | None"]

_PLUS = re.compile(r"\+\s*(\d{1,2})(?:个|位|人)?")
_FAMILY = re.compile(rf"一家({_N})口(?:人)?")
_BIG_SMALL = re.compile(rf"({_N})(?:个|位)?大(?:人)?({_N})(?:个|位)?小(?:孩|朋友)?")
_CLASSIFIED = re.compile(
    rf"({_N})\s*(?:个人|个大人|个家长|位家长|名家长|个|位|人|口人|口|名|大人|家长)")
_PAIR = re.compile(r"(?:我们|咱们|俺们|他们|夫妻|母子|母女|父子|父女|爷孙|奶孙|祖孙|姐妹"
                   r"|兄弟|娘俩|爷俩)?(俩|仨)(?:人)?")
_COUPLE = re.compile(r"两口子|小两口")


def match_plus(text: str, pos: int) -> tuple[int, int | None] | None:
    """`+1`, `+2人`: a sign-up of N people."""
    found = _PLUS.match(text, pos)
    return (found.end(), int(found.group(1))) if found else None


def match_count(text: str, pos: int) -> tuple[int, int | None] | None:
    """A head count at `pos`: 2个人, 两位, 一家三口, 1大1小, 我们俩, 两口子."""
    if found := _FAMILY.match(text, pos):
        return found.end(), to_int(found.group(1))
    if found := _BIG_SMALL.match(text, pos):
        big, small = to_int(found.group(1)), to_int(found.group(2))
        return found.end(), (big + small) if big is not None and small is not None else None
    if found := _COUPLE.match(text, pos):
        return found.end(), 2
    if found := _PAIR.match(text, pos):
        return found.end(), to_int(found.group(1))
    if found := _CLASSIFIED.match(text, pos):
        value = to_int(found.group(1))
        return (found.end(), value) if value else None
    return None


_HASH_REF = re.compile(r"#\s*(\d{1,4})")
_ORDINAL_REF = re.compile(rf"第\s*({_N})\s*(?:条|个|号|次|场|期|项|份|则)?")
_NO_REF = re.compile(r"no\.?\s*(\d{1,4})")
_HAO_REF = re.compile(rf"({_N})\s*号")
# After N号 these make it a day of the month (5号的家长会, 5号晚上, 5号7点), not item N.
_DAY_AFTER = re.compile(
    r"的|上午|下午|中午|晚上|早上|傍晚|晚|早|\d|[零一二两三四五六七八九十]+点|周|星期")


def match_ref(text: str, pos: int) -> tuple[int, int | None] | None:
    """An explicit item number at `pos`: #3, 第3条, 第三个, 10号 (not 12月5号), no.3."""
    for pattern in (_HASH_REF, _ORDINAL_REF, _NO_REF):
        if found := pattern.match(text, pos):
            value = to_int(found.group(1))
            return (found.end(), value) if value else None
    found = _HAO_REF.match(text, pos)
    if found is None or (pos > 0 and text[pos - 1] == "月"):
        return None
    if _DAY_AFTER.match(text, found.end()):
        return None
    value = to_int(found.group(1))
    return (found.end(), value) if value else None


_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_HOUR = re.compile(rf"{_N}\s*[点點时](?:半|一刻|三刻|{_N}分?)?")
_DATE = re.compile(rf"(?:\d{{4}}年)?{_N}月(?:{_N}[日号]?)?"
                   rf"|{_N}[日号](?=的|上午|下午|中午|晚上|早上|晚|早|\d|周|星期)")
_WEEKDAY = re.compile(r"(?:上|下|这|本)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天1-7]")


def match_time(text: str, pos: int) -> tuple[int, int | None] | None:
    """A clock time, date or weekday at `pos` (19:30, 7点半, 12月5号, 周五, 下周三)."""
    for pattern in (_CLOCK, _DATE, _WEEKDAY, _HOUR):
        if found := pattern.match(text, pos):
            return found.end(), None
    return None


_DIGITS = re.compile(r"\d{1,4}")


def match_digits(text: str, pos: int) -> tuple[int, int | None] | None:
    """A bare Arabic number (`3` in 收到3): an item number only beside an answer word."""
    found = _DIGITS.match(text, pos)
    return (found.end(), int(found.group())) if found else None
