"""A meeting written without `|` split into time, place and topic — only when unambiguous.

Teachers write `#家长会 周五 19:30 三楼会议室 期中家长会` rather than `周五 19:30 | 三楼会议室 |
期中家长会`. Rules (`split_meeting`):
1. The text is normalised like any time (`core.timeparse.normalise`: full-width, 12.5 → 12月5日);
   commas, 、 and brackets separate pieces like spaces; a clock time glued to the next word is
   set apart (`19:30三楼` → `19:30 三楼`).
2. Optional extras are taken out first: a capacity (`限40人`, `限额 40`, `名额40`) and a
   deadline (`截止 12月3日 18:00`, `报名截止12月3日`).
3. The time is the one point in time jionlp finds in the rest. None, or one that cannot be
   read as a day (`下周`: `time_error` says why): time is missing; more than one: unclear
   (which is the meeting?).
4. The other pieces, in order, are a place when they end with a place word (室, 教室, 会议室,
   礼堂, 报告厅, 厅, 堂, 馆, 楼, 操场, 学校 …) or are an online place (线上, 网上, 腾讯会议,
   钉钉, 视频会议 …), or follow 在 (`在三楼`, `期中家长会在三楼会议室`); everything else is
   the topic. A single piece that starts with a place and goes on (`三楼会议室期中家长会`) is
   cut after the place.
5. It is unambiguous when the place pieces stand together and the topic pieces stand together
   (`期中家长会 周五 19:30 三楼会议室` is fine); otherwise the pieces that do not fit are
   returned in `unclear`. `missing` names what was not found ("time", "place", "topic"), so the
   caller can refuse with what it understood and never create a meeting with a placeholder.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.timeparse import (
    ParsedTime,
    TimeParseError,
    find_times,
    normalise,
    parse_when,
    spaced,
)

# Strong place words end a place name; 学校 and 线上-style words are places on their own.
_PLACE_ENDS = ("会议室", "阶梯教室", "教室", "多功能厅", "报告厅", "礼堂", "会堂", "体育馆",
               "图书馆", "操场", "食堂", "大厅", "室", "厅", "堂", "馆", "楼", "学校", "校园",
               "门口", "广场", "体育场", "活动中心", "音乐室", "机房")
_ONLINE = ("线上", "网上", "腾讯会议", "钉钉", "视频会议", "云会议", "微信群", "微信视频", "zoom",
           "在线", "直播")
_SEPARATORS = re.compile(r"[\s,，;；、()（）【】\[\]]+")
_CAPACITY = re.compile(r"(?:限额|限报|名额|限)\s*[:：]?\s*(\d{1,4})\s*(?:人|位|名)?")
_DEADLINE = re.compile(r"(?:报名)?截止(?:时间|日期)?\s*[:：]?\s*")


@dataclass(frozen=True)
class MeetingParts:
    """What a one-line meeting says. Empty strings / None where nothing was found."""

    when: ParsedTime | None  # the meeting's time, when found and readable
    when_text: str  # the words taken as the time ("周五 19:30")
    place: str
    topic: str
    deadline_text: str | None  # "12月3日 18:00" after 截止; the caller parses it
    capacity: int | None
    missing: tuple[str, ...]  # among "time", "place", "topic"
    unclear: tuple[str, ...]  # pieces that could not be placed, or several times
    time_error: str = ""  # why the time could not be read (TimeParseError message)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unclear


def _is_place(piece: str) -> bool:
    return piece.endswith(_PLACE_ENDS) or piece.startswith(_ONLINE) or piece.startswith("在")


def _split_at_zai(piece: str) -> list[str]:
    """`期中家长会在三楼会议室` → [期中家长会, 三楼会议室]: 在 introduces the place."""
    topic, _, place = piece.partition("在")
    if topic and place and _is_place(place):
        return [topic, place]
    return [piece]


def _cut_place(piece: str) -> tuple[str, str] | None:
    """`三楼会议室期中家长会` → (三楼会议室, 期中家长会): the longest place-ending prefix whose
    rest names no place."""
    best: tuple[str, str] | None = None
    for end in range(1, len(piece)):
        head, rest = piece[:end], piece[end:]
        if head.endswith(_PLACE_ENDS) and head != "学校" \
                and not any(word in rest for word in _PLACE_ENDS):
            best = (head, rest)
    return best


def _runs(flags: list[bool]) -> int:
    """How many separate runs of True there are."""
    return sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))


def _extras(text: str, now: datetime, tz: ZoneInfo) -> tuple[str, int | None, str | None]:
    """Take out the capacity and the deadline (with its time)."""
    capacity = None
    if found := _CAPACITY.search(text):
        capacity = int(found.group(1))
        text = text[:found.start()] + " " + text[found.end():]
    deadline = None
    if found := _DEADLINE.search(text):
        after = text[found.end():]
        spans = find_times(after, now, tz)
        if spans and spans[0].start == 0:
            deadline = spans[0].text.strip()
            text = text[:found.start()] + " " + after[spans[0].end:]
        else:
            text = text[:found.start()] + " " + after
            deadline = ""
    return text, capacity, deadline


def split_meeting(text: str, now: datetime, tz: ZoneInfo) -> MeetingParts:
    """Split `周五 19:30 三楼会议室 期中家长会` (rules in the module docstring)."""
    norm = spaced(normalise(text or ""))
    norm, capacity, deadline = _extras(norm, now, tz)
    norm = _SEPARATORS.sub(" ", norm).strip()
    spans = find_times(norm, now, tz)
    unclear: list[str] = [s.text.strip() for s in spans[1:]]
    when_text = spans[0].text.strip() if spans else ""
    rest = norm
    for span in reversed(spans):
        rest = rest[:span.start] + " " + rest[span.end:]
    pieces = [part for piece in rest.split() for part in _split_at_zai(piece)]
    if len(pieces) == 1 and not _is_place(pieces[0]) and (cut := _cut_place(pieces[0])):
        pieces = list(cut)
    is_place = [_is_place(p) for p in pieces]
    places = [p.removeprefix("在") for p, flag in zip(pieces, is_place, strict=True) if flag]
    topics = [p for p, flag in zip(pieces, is_place, strict=True) if not flag]
    if _runs(is_place) > 1:
        unclear.extend(places)
        places = []
    if _runs([not f for f in is_place]) > 1:
        unclear.extend(topics)
        topics = []
    when, time_error = None, ""
    if when_text:
        try:
            when = parse_when(when_text, now, tz)
        except TimeParseError as exc:
            time_error = str(exc)
    place, topic = " ".join(places), " ".join(topics)
    missing = tuple(name for name, value in (("time", when), ("place", place),
                                              ("topic", topic)) if not value)
    return MeetingParts(when=when, when_text=when_text, place=place, topic=topic,
                        deadline_text=deadline, capacity=capacity, missing=missing,
                        unclear=tuple(unclear), time_error=time_error)


async def split_meeting_async(text: str, now: datetime, tz: ZoneInfo) -> MeetingParts:
    """split_meeting off the event loop (jionlp is CPU-bound)."""
    return await asyncio.to_thread(split_meeting, text, now, tz)
