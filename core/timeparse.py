"""The one place classbot turns "下周五晚上7点" / "2026-12-05 19:00" into an aware datetime.

Why jionlp: it resolves relative Chinese expressions (下周五晚上7点, 后天上午10点半, 今晚8点)
against a base time correctly; dateparser does not. It is heavy (banner on import, ~0.3 s first
call), so it is imported lazily, once, with its stdout banner and stray logging silenced.

Forms accepted beyond jionlp's own (rules applied before it reads the text):
- full-width digits and colons (１９：００), ISO `T`, 明早 = 明天早上;
- a dotted month.day as teachers write it: `12.5 19:00`, `12.05`, `12.5号` = 12月5日 (a
  year.month.day like `2027.1.5` is left to jionlp);
- a month and day without a year (`12月5号`, `12/5`, `1.5`) that has already passed this year is
  the next such day, when that is at most half a year away (`1.5` written in December is next
  January); a date further back stays in the past (yesterday's date is a slip, and the caller
  refuses past times with what it understood).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import importlib.util
import io
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

# has_time_of_day rule: True when the text names a clock time (19:00, 7点, 七点, 19时), a
# fraction of an hour (半, 刻), a relative offset (分钟/小时), or a part of the day (上午, 晚上,
# 今晚, 明早 ...) -- or when jionlp's answer is not midnight anyway. Otherwise only a day was
# given and `at` is 00:00 that day.
_TIME_CUE = re.compile(
    r"\d{1,2}\s*:\s*\d{2}|[\d零〇一二两三四五六七八九十]+\s*[点點时時]|半|刻|分钟|小时"
    r"|上午|下午|中午|正午|早上|早晨|清晨|晚上|傍晚|凌晨|午夜|半夜|夜里|夜间|[今明昨][早晚晨]"
)
# jionlp reads 明早/明晨 as *today* morning; spell it out so it lands on tomorrow.
_TOMORROW_MORNING = re.compile(r"明(?:早上?|早晨|晨)")
# 12.5 / 12.05 / 12.5号 → 12月5日 (not the middle of 2027.1.5, nor a decimal inside a number).
_DOT_DATE = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\.(3[01]|[12]\d|0?[1-9])(?![\d.])[号日]?")
# A month and a day (12月5日, 12/5, 12-5) and the marks of an explicit year (2027, 明年).
_MONTH_DAY = re.compile(r"(?<!\d)\d{1,2}\s*(?:月|/|-)\s*\d{1,2}|[一二三四五六七八九十]{1,2}月")
_YEAR = re.compile(r"\d{4}|年")
_NEXT_OCCURRENCE_WITHIN = timedelta(days=183)
_FMT = "%Y-%m-%d %H:%M:%S"

_lock = threading.Lock()
_jio: ModuleType | None = None


class TimeParseError(ValueError):
    """The text is not one point in time; the message is a short Chinese explanation."""


@dataclass(frozen=True)
class ParsedTime:
    at: datetime  # aware, in the caller's tz
    has_time_of_day: bool  # False: only a day was given and `at` is 00:00 that day
    source: str  # the (stripped) text that was parsed


def _jionlp() -> ModuleType:
    """Import jionlp on first use: keeps bot start-up fast and its banner off our console.

    The lock matters: redirect_stdout swaps the process-wide sys.stdout, and two threads
    interleaving the swap could leave stdout pointing at a StringIO forever.
    """
    global _jio
    with _lock:
        if _jio is None:
            with contextlib.redirect_stdout(io.StringIO()):
                jionlp = _import_jionlp()
            # time_parser calls the *root* `logging.error(traceback)` on some inputs, which
            # prints to stderr and implicitly basicConfig()s the app's root logger.
            quiet = logging.getLogger("classbot.timeparse.jionlp")
            quiet.addHandler(logging.NullHandler())
            quiet.propagate = False
            tp = getattr(getattr(jionlp, "gadget", None), "time_parser", None)
            if tp is not None and getattr(tp, "logging", None) is logging:
                tp.logging = quiet
            _jio = jionlp
        return _jio


def warm_up() -> None:
    """Import the parser now and unpack its dictionaries (a Docker build, a package step): a
    service started later on a read-only filesystem then needs no cache directory at all."""
    _jionlp()


def _dictionaries_missing(package: Path) -> bool:
    """jionlp ships its dictionaries zipped and unpacks them into its own folder at import."""
    folder = package / "dictionary"
    for archive in folder.glob("*.zip"):
        with zipfile.ZipFile(archive) as zf:
            if any(not (folder / name).exists() for name in zf.namelist()):
                return True
    return False


def cache_dir() -> Path:
    """Where classbot may write: CLASSBOT_CACHE_DIR, systemd's CACHE_DIRECTORY, the XDG cache,
    else a per-user folder in the temp directory (a service user may have no home)."""
    for variable in ("CLASSBOT_CACHE_DIR", "CACHE_DIRECTORY"):
        if os.environ.get(variable):
            return Path(os.environ[variable].split(":")[0])
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidate = Path(home) / "classbot"
    with contextlib.suppress(OSError):
        candidate.mkdir(parents=True, exist_ok=True)
        if os.access(candidate, os.W_OK):
            return candidate
    return Path(tempfile.gettempdir()) / f"classbot-cache-{os.getuid()}"


def _shadow_package(package: Path, version: str) -> Path:
    """A copy of the jionlp package that costs only its dictionaries: every entry links to the
    installed one, and `dictionary/` is a real folder with the archives unpacked. jionlp finds
    its files through `os.path.abspath(__file__)`, which keeps the link's path, so it reads
    (and would unpack into) the shadow. Built once per jionlp version, atomically."""
    root = cache_dir() / f"jionlp-{version}"
    if (root / "jionlp" / ".complete").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="build-", dir=root))
    shadow = building / "jionlp"
    shadow.mkdir()
    for entry in package.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.name != "dictionary":
            (shadow / entry.name).symlink_to(entry)
            continue
        (shadow / "dictionary").mkdir()
        for item in entry.iterdir():
            (shadow / "dictionary" / item.name).symlink_to(item)
        for archive in entry.glob("*.zip"):
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    if not (shadow / "dictionary" / name).exists():
                        zf.extract(name, shadow / "dictionary")
    (shadow / ".complete").touch()
    try:
        shadow.rename(root / "jionlp")
    except OSError:  # another process finished first: use theirs
        shutil.rmtree(building, ignore_errors=True)
    else:
        building.rmdir()
    return root


def _import_jionlp() -> ModuleType:
    """`import jionlp`, from a shadow package in the cache directory when its dictionaries are
    not unpacked and its folder is read-only (a service user, a read-only root filesystem):
    jionlp would otherwise fail every parse with PermissionError."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or spec.origin is None:
        raise ImportError("jionlp is not installed")
    package = Path(spec.origin).parent
    if not _dictionaries_missing(package) or os.access(package / "dictionary", os.W_OK):
        import jionlp

        return jionlp
    root = _shadow_package(package, importlib.metadata.version("jionlp"))
    sys.path.insert(0, str(root))
    try:
        import jionlp
    finally:
        sys.path.remove(str(root))
    return jionlp


def normalise(text: str) -> str:
    """Full-width → ASCII (１９：００ → 19:00), ISO 'T' → space, 明早 → 明天早上,
    12.5 → 12月5日. The text jionlp reads (and find_times' offsets refer to)."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"(\d)T(\d)", r"\1 \2", text)
    text = _DOT_DATE.sub(r"\1月\2日", text)
    return _TOMORROW_MORNING.sub("明天早上", text)


def _next_occurrence(start: datetime, norm: str, base: datetime) -> datetime:
    """A year-less month/day already past this year → next year, if within half a year."""
    if not _MONTH_DAY.search(norm) or _YEAR.search(norm) or start.date() >= base.date():
        return start
    try:
        later = start.replace(year=start.year + 1)
    except ValueError:  # 2月29日
        return start
    return later if later - base <= _NEXT_OCCURRENCE_WITHIN else start


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> ParsedTime:
    """Parse one point in time relative to `now` (aware). Past results are NOT rejected.

    jionlp gets a *naive local* base: with a unix timestamp it would use the host's timezone,
    and it ignores tzinfo on datetimes, so we convert `now` to `tz` ourselves.
    """
    source = (text or "").strip()
    if not source:
        raise TimeParseError("没有写时间")
    norm, base = normalise(source), now.astimezone(tz).replace(tzinfo=None)
    try:
        result: Any = _jionlp().parse_time(norm, time_base=base)
    except Exception as exc:  # jionlp raises ValueError, TypeError, ... on junk
        raise TimeParseError(f"看不懂这个时间：{source}") from exc
    if not isinstance(result, dict) or result.get("type") != "time_point":
        raise TimeParseError(f"请给出一个具体时间，而不是时间段或周期：{source}")
    try:
        start, end = (datetime.strptime(s, _FMT) for s in result["time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TimeParseError(f"看不懂这个时间：{source}") from exc
    if end - start >= timedelta(days=1):  # blur spans like 下周, not one day or moment
        raise TimeParseError(f"请说具体哪一天：{source}")
    has_time = bool(_TIME_CUE.search(norm)) or start.time() != time(0)
    start = _next_occurrence(start, norm, base)
    return ParsedTime(at=start.replace(tzinfo=tz), has_time_of_day=has_time, source=source)


@dataclass(frozen=True)
class TimeSpan:
    """Where a point in time is written inside a longer text (offsets into `normalise(text)`)."""

    start: int
    end: int
    text: str


# jionlp finds nothing in "周五19:30三楼会议室" unless the clock time stands apart.
_CLOCK_THEN_TEXT = re.compile(r"(\d{1,2}:\d{2}|\d{1,2}点(?:半|\d{1,2}分|钟)?)(?=[^\s\d:半分钟])")


def spaced(norm: str) -> str:
    """A space after a clock time glued to the next word (19:30三楼 → 19:30 三楼)."""
    return _CLOCK_THEN_TEXT.sub(r"\1 ", norm)


def find_times(norm: str, now: datetime, tz: ZoneInfo) -> list[TimeSpan]:
    """The points in time written in `norm` (already `normalise`d), in order of appearance."""
    base = now.astimezone(tz).replace(tzinfo=None)
    try:
        found: Any = _jionlp().ner.extract_time(norm, time_base=base, with_parsing=False)
    except Exception:  # jionlp raises on some junk, like parse_time
        return []
    spans = []
    for item in found if isinstance(found, list) else []:
        if item.get("type") == "time_point":
            start, end = item["offset"]
            spans.append(TimeSpan(start, end, norm[start:end]))
    return spans


async def parse_when_async(text: str, now: datetime, tz: ZoneInfo) -> ParsedTime:
    """parse_when off the event loop: jionlp is CPU-bound (first call ~0.3 s incl. import)."""
    return await asyncio.to_thread(parse_when, text, now, tz)
