"""core.reading.meeting: a meeting typed without `|`, against Tuesday 2026-12-01 09:00 Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.reading.meeting import MeetingParts, split_meeting, split_meeting_async

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SH).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "at", "place", "topic"),
    [
        ("周五 19:30 三楼会议室 期中家长会", datetime(2026, 12, 4, 19, 30), "三楼会议室",
         "期中家长会"),
        ("周五19:30三楼会议室期中家长会", datetime(2026, 12, 4, 19, 30), "三楼会议室",
         "期中家长会"),
        ("周五 19:30，三楼会议室，期中家长会", datetime(2026, 12, 4, 19, 30), "三楼会议室",
         "期中家长会"),
        ("期中家长会 周五 19:30 302教室", datetime(2026, 12, 4, 19, 30), "302教室", "期中家长会"),
        ("12.5 19:00 礼堂 期末总结", datetime(2026, 12, 5, 19, 0), "礼堂", "期末总结"),
        ("12月5号晚上7点 学校礼堂 家长会", datetime(2026, 12, 5, 19, 0), "学校礼堂", "家长会"),
        ("下周三 19:00 线上（腾讯会议） 家庭教育讲座", datetime(2026, 12, 9, 19, 0),
         "线上 腾讯会议", "家庭教育讲座"),
        ("期中家长会在三楼会议室 周五晚上7点", datetime(2026, 12, 4, 19, 0), "三楼会议室",
         "期中家长会"),
        ("周五19:30 在三楼 期中家长会", datetime(2026, 12, 4, 19, 30), "三楼", "期中家长会"),
        ("周五 19:30 ３楼会议室 期中家长会", datetime(2026, 12, 4, 19, 30), "3楼会议室",
         "期中家长会"),
        ("周五 19:30 三楼会议室 期中 家长会", datetime(2026, 12, 4, 19, 30), "三楼会议室",
         "期中 家长会"),
    ],
)
def test_unambiguous_meetings_split(text: str, at: datetime, place: str, topic: str) -> None:
    parts = split_meeting(text, NOW, SH)
    assert parts.when is not None and parts.when.at == at.replace(tzinfo=SH)
    assert (parts.place, parts.topic, parts.missing, parts.unclear) == (place, topic, (), ())
    assert parts.complete


def test_capacity_and_deadline_are_taken_out() -> None:
    parts = split_meeting("周五 19:30 三楼会议室 期中家长会 限40人 截止 12月3日 18:00", NOW, SH)
    assert (parts.place, parts.topic, parts.capacity, parts.deadline_text) == (
        "三楼会议室", "期中家长会", 40, "12月3日 18:00")
    assert parts.when is not None and parts.when.at == datetime(2026, 12, 4, 19, 30, tzinfo=SH)
    assert split_meeting("12.5 19:00 礼堂 期末总结 名额 30", NOW, SH).capacity == 30


@pytest.mark.parametrize(
    ("text", "missing", "unclear"),
    [
        ("周五 19:30 期中家长会", ("place",), ()),
        ("三楼会议室 期中家长会", ("time",), ()),
        ("周五 19:30 三楼会议室", ("topic",), ()),
        ("", ("time", "place", "topic"), ()),
        ("家长会 周五 19:30 三楼会议室 请准时", ("topic",), ("家长会", "请准时")),
        ("周五 19:30 周六 9:00 礼堂 家长会", (), ("周六 9:00",)),
        ("礼堂 周五 19:30 家长会 三楼", ("place",), ("礼堂", "三楼")),
    ],
)
def test_what_is_missing_or_unclear_is_said(text: str, missing: tuple[str, ...],
                                            unclear: tuple[str, ...]) -> None:
    parts = split_meeting(text, NOW, SH)
    assert (parts.missing, parts.unclear) == (missing, unclear)
    assert not parts.complete


def test_an_unreadable_time_is_missing_with_the_reason() -> None:
    parts = split_meeting("下周 礼堂 家长会", NOW, SH)
    assert (parts.when, parts.when_text, parts.missing) == (None, "下周", ("time",))
    assert parts.time_error and "下周" in parts.time_error
    assert (parts.place, parts.topic) == ("礼堂", "家长会")


def test_a_day_without_a_time_of_day_is_reported_as_such() -> None:
    parts = split_meeting("周五 礼堂 家长会", NOW, SH)
    assert parts.when is not None and parts.when.has_time_of_day is False


@pytest.mark.asyncio
async def test_async_variant() -> None:
    parts = await split_meeting_async("周五 19:30 三楼会议室 期中家长会", NOW, SH)
    assert isinstance(parts, MeetingParts) and parts.complete
