"""Dedupe keys are stored: every format stays byte-identical to what databases already hold.

The right-hand strings are the formats as they were written before services/keys.py existed;
a change here means a job re-run after an upgrade would send its message twice.
"""

from __future__ import annotations

from datetime import date

import pytest

from services import keys

PINNED = [
    (keys.reply("telegram", "-100", "42", 1), "reply:telegram:-100:42:1"),
    (keys.welcome("wechat", "room@chatroom", "m7"), "welcome:wechat:room@chatroom:m7"),
    (keys.rsvp_confirmation("console", "in-3-1"), "console:in-3-1:rsvp"),
    (keys.direct_message("console", "in-3-1"), "dm:console:in-3-1"),
    (keys.notice_post(7), "notice:7:post"),
    (keys.notice_nudge(7, 1), "nudge:7:1"),
    (keys.notice_nudge(7, 2), "nudge:7:2"),
    (keys.notice_question(7, "console:in-3-1"), "notice:7:question:console:in-3-1"),
    (keys.notice_burst_nudge(7), "nudge:burst:7"),
    (keys.notice_nudge(7, 1, 2), "nudge:7:1:r2"),
    (keys.notice_nudges(7), "nudge:7:"),
    (keys.notice_correction(7, 1), "notice:7:correction:1"),
    (keys.notice_withdrawn(7), "notice:7:withdrawn"),
    (keys.notice_withdrawn_told(7), "notice:7:withdrawn:told"),
    (keys.meeting_card(3), "meeting:3:card"),
    (keys.held_release(5), "held:5"),
    (keys.meeting_reminder(3, 2, 1440), "meeting:3:v2:remind:1440"),
    (keys.meeting_rsvp_nudge(3, 2), "meeting:3:v2:rsvp_nudge"),
    (keys.meeting_moved(3, 2), "meeting:3:v2:moved"),
    (keys.meeting_cancelled(3), "meeting:3:cancelled"),
    (keys.meeting_checkin(3), "checkin:3"),
    (keys.meeting_minutes(3), "meeting:3:minutes"),
    (keys.meeting_minutes_post(3), "meeting:3:minutes:post"),
    (keys.weekly_update(5, date(2026, 11, 30)), "weekly:5:2026-11-30"),
    (keys.signup_card(4), "signup:4:card"),
    (keys.signup_update(4, 5899), "signup:4:update:5899"),
    (keys.signup_moved_up(4, 9), "signup:4:moved_up:9"),
    (keys.signup_deadline(4), "signup:4:deadline"),
    (keys.slot_card(2), "slots:2:card"),
    (keys.slot_reminder(8, 3, 60), "slots:booking:8:slot:3:remind:60"),
    (keys.poll_card(4), "poll:4:card"),
    (keys.poll_close(4), "poll:4:close"),
    (keys.poll_closed(4), "poll:4:closed"),
    (keys.survey_card(6), "survey:6:card"),
    (keys.survey_invite(6), "survey:6:invite"),
    (keys.survey_closed(6), "survey:6:closed"),
    (keys.ticket_sla(12, 3, 2), "mailbox:12:sla:3:2"),
    (keys.ticket_news(12, "reply", "console:in-9-1"), "mailbox:12:reply:console:in-9-1"),
    (keys.ticket_news(12, "reminder", "job:3"), "mailbox:12:reminder:job:3"),
    (keys.question_expiry(4, "2026-12-01T01:00:00+00:00"), "question:4:2026-12-01T01:00:00+00:00"),
    (keys.class_news(2, "registered", "console:in-9-1"), "class:2:registered:console:in-9-1"),
    (keys.forget_sweep("console:in-9-1"), "forget:sweep:console:in-9-1"),
    (keys.forget_sweep_again("forget:sweep:c:1"), "forget:sweep:c:1:again"),
    (keys.private_copy("console:in-3-1", 4), "private_copy:console:in-3-1:4"),
    (keys.grade_row(2, 4), "grades:2:4"),
    (keys.record_reminder(1, "2026-12"), "record:1:gaps:2026-12"),
    (keys.monthly_report(1, "2026-12"), "report:1:2026-12"),
    (keys.attachment("report:1:2026-12"), "report:1:2026-12:file"),
    (keys.on_demand("export", "console:in-3-1"), "export:console:in-3-1"),
    (keys.card_edits(55), "edit:55:"),
    (keys.edit(55, 2), "edit:55:2"),
    (keys.group_fallback(55, 1), "fallback:55:1"),
    (keys.in_group("notice:7:post", 2), "notice:7:post:2"),
    (keys.posts_of("notice:7:post"), "notice:7:post:"),
    (keys.to_person("nudge:7:1", 9), "nudge:7:1:9"),
    (keys.group_mentions("nudge:7:1", 2), "nudge:7:1:group:2"),
    (keys.to_account("dm:console:in-3-1", 6), "dm:console:in-3-1:to:6"),
]


@pytest.mark.parametrize(("built", "stored"), PINNED, ids=[s for _, s in PINNED])
def test_key_formats_never_change(built: str, stored: str) -> None:
    assert built == stored


def test_a_card_prefix_matches_its_group_posts_and_not_its_neighbours() -> None:
    """cards.refresh finds a card's posts by prefix: #1's must not match #12's."""
    prefix = keys.posts_of(keys.notice_post(1))
    assert keys.in_group(keys.notice_post(1), 3).startswith(prefix)
    assert not keys.in_group(keys.notice_post(12), 3).startswith(prefix)
    assert not keys.edit(1, 1).startswith(prefix)
