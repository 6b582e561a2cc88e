"""When a meeting's reminders and its RSVP nudge are due, and which of them still go out.

Every due row carries the `version` of the meeting it was planned for. A reschedule or a
cancellation bumps the version and `plan` cancels the pending rows, so a reminder for an old
time (or a cancelled meeting) can never go out, and a restart never sends one twice.

A reminder is dropped (and logged) when it could only arrive after the start — the bot was
down, or quiet hours would hold it that long — or when a later reminder is already due, so a
long outage ends in one reminder, not a burst of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from models import Meeting, ScheduledJob
from services import jobs, keys, meetings, outbox
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

REMIND_JOB = "meeting_reminder"
RSVP_NUDGE_JOB = "meeting_rsvp_nudge"


async def plan(uow: UnitOfWork, meeting: Meeting) -> None:
    """Make the due rows follow the meeting as it is now: cancel what was planned for an earlier
    version, and plan the reminders and the RSVP nudge of an open meeting."""
    cancelled = await jobs.cancel(uow, kind=REMIND_JOB, ref_id=meeting.id)
    cancelled += await jobs.cancel(uow, kind=RSVP_NUDGE_JOB, ref_id=meeting.id)
    if cancelled:
        log.info("meeting %s changed, %s pending reminder(s) cancelled", meeting.id, cancelled)
    if meeting.status != "open":
        return
    settings = uow.config.meetings
    for offset in settings.reminder_offsets_minutes:
        due = meeting.starts_at - timedelta(minutes=offset)
        if due > uow.now:
            await jobs.schedule(uow, kind=REMIND_JOB, due_at=due,
                                key=keys.meeting_reminder(meeting.id, meeting.version, offset),
                                ref_id=meeting.id, class_id=meeting.class_id,
                                payload={"version": meeting.version, "offset": offset})
    if meeting.rsvp_deadline is not None and meeting.rsvp_deadline > uow.now:
        due = meeting.rsvp_deadline - timedelta(hours=settings.rsvp_nudge_hours_before_deadline)
        if due <= uow.now:  # a short deadline: nudge halfway there instead
            due = uow.now + (meeting.rsvp_deadline - uow.now) / 2
        await jobs.schedule(uow, kind=RSVP_NUDGE_JOB, due_at=due,
                            key=keys.meeting_rsvp_nudge(meeting.id, meeting.version),
                            ref_id=meeting.id, class_id=meeting.class_id,
                            payload={"version": meeting.version})


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    offset: int  # minutes before the start, as configured


async def _live(uow: UnitOfWork, job: ScheduledJob) -> Meeting | None:
    """The meeting, if this job still concerns it (not cancelled, not moved since)."""
    meeting = await meetings.get(uow, job.ref_id or 0)
    if meeting is None or meeting.status != "open":
        return None
    if job.payload.get("version") != meeting.version:
        return None
    return meeting


async def reminder_to_send(uow: UnitOfWork, job: ScheduledJob) -> DueReminder | None:
    """The reminder this job stands for, or None when it is stale or must be dropped."""
    meeting = await _live(uow, job)
    if meeting is None:
        return None
    offset = int(job.payload.get("offset", 0))
    release = await outbox.release_after_quiet_hours(uow, meeting.class_id) or uow.now
    if release >= meeting.starts_at:
        log.info("meeting %s: reminder (%s min) dropped, it would arrive after the start",
                 meeting.id, offset)
        return None
    later = [o for o in uow.config.meetings.reminder_offsets_minutes if o < offset]
    if any(meeting.starts_at - timedelta(minutes=o) <= uow.now for o in later):
        log.info("meeting %s: reminder (%s min) dropped, a later one is due", meeting.id, offset)
        return None
    return DueReminder(meeting, offset)


async def rsvp_nudge_to_send(uow: UnitOfWork, job: ScheduledJob) -> Meeting | None:
    """The meeting whose unanswered families are to be asked now, or None (stale, or the
    deadline has passed meanwhile)."""
    meeting = await _live(uow, job)
    if meeting is None or meeting.rsvp_deadline is None or meeting.rsvp_deadline <= uow.now:
        return None
    return meeting
