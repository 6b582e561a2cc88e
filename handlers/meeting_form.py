"""A meeting written on one line, without `|`: `#家长会 周五 19:30 三楼会议室 期中家长会`.

The `|` form (`时间 | 地点 | 主题`) says which part is which; a one-line form is read by
core.reading.meeting.split_meeting into time, place and topic. It is used only when that is
unambiguous; otherwise the teacher is told what was understood and how to write it with `|`,
and no meeting is created — never one with a placeholder place or topic.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.reading.meeting import split_meeting_async
from kit.context import MemberContext

# The fields a one-line meeting fills, as the `|` form's arguments would.
Fields = dict[str, object]


async def read_one_line(ctx: MemberContext, line: str) -> Fields | None:
    """The meeting's fields from one line, or None after telling the teacher what is missing
    or unclear (with what was understood)."""
    parts = await split_meeting_async(line, ctx.uow.now, ZoneInfo(ctx.tz))
    if not parts.complete or parts.deadline_text == "":
        await ctx.reply("meetings/one_line_unclear", parts=parts,
                        no_deadline=parts.deadline_text == "",
                        command=ctx.declared("meeting"), tz=ctx.tz)
        return None
    return {"when": parts.when_text, "place": parts.place, "topic": parts.topic,
            "deadline": parts.deadline_text, "capacity": parts.capacity}
