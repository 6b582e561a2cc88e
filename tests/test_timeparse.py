"""core.timeparse against a fixed base: Tuesday 2026-12-01 09:00 Asia/Shanghai.

Expectations were taken from what jionlp 1.5.31 actually returns, checked by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.timeparse import (
    ParsedTime,
    TimeParseError,
    find_times,
    normalise,
    parse_when,
    parse_when_async,
    spaced,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SH).astimezone(UTC)  # callers pass UTC
REPO = Path(__file__).resolve().parents[1]


def test_fresh_import_prints_nothing() -> None:
    # Only a fresh interpreter sees jionlp's first import for sure (in the suite, earlier tests
    # have imported it already): its banner must be suppressed, and its root-logger traceback
    # (on "每年6.") must neither print nor configure logging (in-process, pytest's own log
    # capture would hide both).
    code = """if True:
        import logging
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo
        from core.timeparse import TimeParseError, parse_when
        now = datetime(2026, 11, 30, 1, tzinfo=UTC)
        parse_when("下周五晚上7点", now, ZoneInfo("Asia/Shanghai"))
        try:
            parse_when("每年6.", now, ZoneInfo("Asia/Shanghai"))
        except TimeParseError:
            pass
        assert logging.root.handlers == [], logging.root.handlers
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("下周五晚上7点", datetime(2026, 12, 11, 19, 0), True),
        ("周五17:00", datetime(2026, 12, 4, 17, 0), True),
        ("明天下午3点", datetime(2026, 12, 2, 15, 0), True),
        ("后天上午10点半", datetime(2026, 12, 3, 10, 30), True),
        ("今晚8点", datetime(2026, 12, 1, 20, 0), True),
        ("明早8点", datetime(2026, 12, 2, 8, 0), True),  # jionlp alone says today; wrapper fixes
        ("明天19:00", datetime(2026, 12, 2, 19, 0), True),
        ("12月5日 19:00", datetime(2026, 12, 5, 19, 0), True),
        ("12月5日晚上7点半", datetime(2026, 12, 5, 19, 30), True),
        ("2026-12-05 19:00", datetime(2026, 12, 5, 19, 0), True),
        ("2026-12-05T19:00", datetime(2026, 12, 5, 19, 0), True),
        ("2026/12/05 19:00", datetime(2026, 12, 5, 19, 0), True),
        ("１２月５日 １９：００", datetime(2026, 12, 5, 19, 0), True),  # full-width
        ("  下周五晚上7点  ", datetime(2026, 12, 11, 19, 0), True),
        ("下周三", datetime(2026, 12, 9, 0, 0), False),
        ("12月5日", datetime(2026, 12, 5, 0, 0), False),
        ("凌晨0点", datetime(2026, 12, 1, 0, 0), True),  # midnight, but a time was given
    ],
)
def test_parse_when(text: str, expected: datetime, has_time: bool) -> None:
    got = parse_when(text, NOW, SH)
    want = ParsedTime(at=expected.replace(tzinfo=SH), has_time_of_day=has_time, source=text.strip())
    assert got == want


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "随便",
        "abc",
        "下周",  # a whole week, not a day
        "周五之前",  # time_span
        "明天到后天",  # time_span
        "每周五晚上7点",  # time_period
        "3天",  # time_delta
        "每年6.",  # jionlp logs a traceback internally on this one
    ],
)
def test_parse_when_rejects(text: str) -> None:
    with pytest.raises(TimeParseError) as info:
        parse_when(text, NOW, SH)
    assert isinstance(info.value, ValueError) and str(info.value)


def test_result_is_aware_in_given_tz() -> None:
    got = parse_when("明天下午3点", NOW, SH)
    assert got.at.tzinfo == SH
    assert got.at.utcoffset() is not None
    assert got.at.astimezone(UTC) == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def test_base_is_taken_in_given_tz_not_utc() -> None:
    # 2026-12-01 20:00 UTC is already Wednesday 04:00 in Shanghai, so 明天 is Thursday.
    late = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert parse_when("明天下午3点", late, SH).at == datetime(2026, 12, 3, 15, 0, tzinfo=SH)


@pytest.mark.asyncio
async def test_parse_when_async() -> None:
    got = await parse_when_async("下周五晚上7点", NOW, SH)
    assert got.at == datetime(2026, 12, 11, 19, 0, tzinfo=SH)
    assert got.has_time_of_day is True
    with pytest.raises(TimeParseError):
        await parse_when_async("随便", NOW, SH)


# --- everyday forms teachers type (issue 10) ------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5 19:00", datetime(2026, 12, 5, 19, 0)),
        ("12/5 19:00", datetime(2026, 12, 5, 19, 0)),
        ("12月5号晚上7点", datetime(2026, 12, 5, 19, 0)),
        ("12.05 19:00", datetime(2026, 12, 5, 19, 0)),
        ("12.5号 19:00", datetime(2026, 12, 5, 19, 0)),
        ("12.5 晚上7点", datetime(2026, 12, 5, 19, 0)),  # jionlp alone says today 19:00
        ("１２．５ １９：００", datetime(2026, 12, 5, 19, 0)),
        ("2027.1.5 19:00", datetime(2027, 1, 5, 19, 0)),  # year.month.day is jionlp's own
        # a year-less date already past: the next one, when within half a year
        ("1.5 19:00", datetime(2027, 1, 5, 19, 0)),
        ("1/5 19:00", datetime(2027, 1, 5, 19, 0)),
        ("1月5日 19:00", datetime(2027, 1, 5, 19, 0)),
        ("一月五日晚上7点", datetime(2027, 1, 5, 19, 0)),
        # ... but not a date just gone (a slip the caller refuses as past) nor an explicit year
        ("11.30 19:00", datetime(2026, 11, 30, 19, 0)),
        ("11月5号晚上7点", datetime(2026, 11, 5, 19, 0)),
        ("2026年1月5日 19:00", datetime(2026, 1, 5, 19, 0)),
        ("12月1日 8:00", datetime(2026, 12, 1, 8, 0)),  # today, an hour ago: stays today
    ],
)
def test_everyday_dates(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, SH).at == expected.replace(tzinfo=SH)


def test_next_occurrence_only_within_half_a_year() -> None:
    june = datetime(2026, 6, 1, 9, 0, tzinfo=SH)
    assert parse_when("1.5 19:00", june, SH).at == datetime(2026, 1, 5, 19, 0, tzinfo=SH)
    assert parse_when("12.5 19:00", june, SH).at == datetime(2026, 12, 5, 19, 0, tzinfo=SH)


def test_a_decimal_inside_a_longer_number_is_no_date() -> None:
    assert normalise("2027.1.5") == "2027.1.5"
    assert normalise("12.5") == "12月5日" and normalise("13.5") == "13.5"


def test_find_times_gives_spans_in_the_normalised_text() -> None:
    norm = normalise("期中家长会 周五 19:30 三楼会议室")
    spans = find_times(norm, NOW, SH)
    assert [(s.start, s.end, s.text) for s in spans] == [(6, 14, "周五 19:30")]
    assert norm[6:14] == "周五 19:30"
    assert find_times("随便说说", NOW, SH) == []


def test_spaced_sets_a_glued_clock_time_apart() -> None:
    assert spaced("周五19:30三楼") == "周五19:30 三楼"
    assert spaced("7点半三楼") == "7点半 三楼"
    assert spaced("19:30") == "19:30" and spaced("7点半") == "7点半"


def test_meeting_times_parse_with_a_read_only_package_as_an_unprivileged_user() -> None:
    """jionlp unpacks ~52 MB of dictionaries into its own folder at first import; installed
    read-only (a service user, a read-only container) that failed every meeting time. The
    parser then prepares a shadow of the package in a writable cache directory."""
    from tests.readonly import pristine_jionlp, run_python, world_readable_dir

    code = """if True:
        import sys
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo
        from core.timeparse import parse_when
        now = datetime(2026, 11, 30, 1, tzinfo=UTC)
        sh = ZoneInfo("Asia/Shanghai")
        for text in ("下周五晚上7点", "2026-12-05 19:00", "12月5日19:00"):
            print(parse_when(text, now, sh).at.isoformat())
        print(sys.modules["jionlp"].__file__)
    """
    with world_readable_dir() as root:
        packages = pristine_jionlp(root / "site")
        cache = root / "cache"
        cache.mkdir()
        cache.chmod(0o777)
        done = run_python(code, [packages, REPO, *map(Path, sys.path[1:])],
                          {"CLASSBOT_CACHE_DIR": str(cache)}, root)
        assert done.returncode == 0, done.stderr[-2000:]
        lines = done.stdout.split()
        assert lines[:3] == ["2026-12-11T19:00:00+08:00", "2026-12-05T19:00:00+08:00",
                             "2026-12-05T19:00:00+08:00"]
        assert lines[3].startswith(str(cache)), lines[3]  # read from the shadow package
        assert not list((packages / "jionlp" / "dictionary").glob("*.txt.tmp"))
