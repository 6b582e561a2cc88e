"""Every dedupe key the bot stores, built here and nowhere else.

Keys are what make work exactly-once: `outbox.dedupe_key` turns queueing the same message twice
into a no-op, `scheduled_jobs.dedupe_key` does the same for due work. They are stored, so a
format must never change: a job that runs again after an upgrade would build a different key
and send its message a second time. tests/test_keys.py pins every format to the byte.

A key names its cause (the incoming message, or the thing and version a job is about); the
fan-out helpers at the end add who one copy is for (a group, a person, an account).
"""

from __future__ import annotations

from datetime import date

# --- caused by one incoming message --------------------------------------------------------


def reply(channel: str, chat_id: str, message_id: str, answer: int) -> str:
    """The `answer`-th answer to one incoming message (a handler may answer more than once)."""
    return f"reply:{channel}:{chat_id}:{message_id}:{answer}"


def welcome(channel: str, chat_id: str, message_id: str) -> str:
    return f"welcome:{channel}:{chat_id}:{message_id}"


def rsvp_confirmation(channel: str, message_id: str) -> str:
    return f"{channel}:{message_id}:rsvp"


def direct_message(channel: str, message_id: str) -> str:
    return f"dm:{channel}:{message_id}"


# --- notices -------------------------------------------------------------------------------


def notice_post(notice_id: int) -> str:
    """The card in the class groups (a base: one row per group, see `in_group`)."""
    return f"notice:{notice_id}:post"


def notice_nudge(notice_id: int, round_no: int, revision: int = 0) -> str:
    """Round 1 reminds the families (a base), round 2 tells the author: job and message.
    A corrected notice (#更正) reminds again: its rounds carry the revision."""
    if revision:
        return f"nudge:{notice_id}:{round_no}:r{revision}"
    return f"nudge:{notice_id}:{round_no}"


def notice_question(notice_id: int, cause: str) -> str:
    """A parent's question sent with their 收到, passed to the notice's author (a base)."""
    return f"notice:{notice_id}:question:{cause}"


def notice_burst_nudge(first_notice_id: int) -> str:
    """One reminder per family for a burst of notices, keyed by the burst's first notice."""
    return f"nudge:burst:{first_notice_id}"


def notice_nudges(notice_id: int) -> str:
    """The prefix of every reminder of one notice, whatever its round or revision."""
    return f"nudge:{notice_id}:"


def notice_correction(notice_id: int, revision: int) -> str:
    """The correction card of one revision in the class groups (a base, see `in_group`)."""
    return f"notice:{notice_id}:correction:{revision}"


def notice_withdrawn(notice_id: int) -> str:
    """The short group message saying a notice was withdrawn (a base, see `in_group`)."""
    return f"notice:{notice_id}:withdrawn"


def notice_withdrawn_told(notice_id: int) -> str:
    """The private word to families who had confirmed a withdrawn notice (a base for
    `to_person`; apart from the group post's base, see the note on fan-out below)."""
    return f"notice:{notice_id}:withdrawn:told"


# --- meetings ------------------------------------------------------------------------------


def meeting_card(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:card"


def _meeting_version(meeting_id: int, version: int) -> str:
    return f"meeting:{meeting_id}:v{version}"


def meeting_reminder(meeting_id: int, version: int, offset_minutes: int) -> str:
    """The due row and (as a base) the messages of one reminder of one version."""
    return f"{_meeting_version(meeting_id, version)}:remind:{offset_minutes}"


def meeting_rsvp_nudge(meeting_id: int, version: int) -> str:
    return f"{_meeting_version(meeting_id, version)}:rsvp_nudge"


def meeting_moved(meeting_id: int, version: int) -> str:
    return f"{_meeting_version(meeting_id, version)}:moved"


def meeting_cancelled(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:cancelled"


def meeting_checkin(meeting_id: int) -> str:
    return f"checkin:{meeting_id}"


def meeting_minutes(meeting_id: int) -> str:
    """The minutes sent privately to absent families (a base)."""
    return f"meeting:{meeting_id}:minutes"


def meeting_minutes_post(meeting_id: int) -> str:
    return f"{meeting_minutes(meeting_id)}:post"


# --- sign-ups and slots (issue 12 parts 1, 2) ---------------------------------------------


def signup_card(signup_id: int) -> str:
    """The 接龙 card in the class groups (a base: one row per group), edited as names come."""
    return f"signup:{signup_id}:card"


def signup_update(signup_id: int, window: int) -> str:
    """The one updated list of a `group_update_minutes` window: the due row and its posts."""
    return f"signup:{signup_id}:update:{window}"


def signup_moved_up(signup_id: int, entry_id: int) -> str:
    """A family told it moved up from the waiting list (a base)."""
    return f"signup:{signup_id}:moved_up:{entry_id}"


def signup_deadline(signup_id: int) -> str:
    """The deadline's due row, and (a base) the list sent to the organiser."""
    return f"signup:{signup_id}:deadline"


def slot_card(board_id: int) -> str:
    """The 预约 card in the class groups (a base)."""
    return f"slots:{board_id}:card"


def slot_reminder(booking_id: int, slot_id: int, minutes: int) -> str:
    """A booked family's reminder before its slot: the due row and (a base) the message. The
    slot is in it: SQLite may give a moved booking the id its old row had."""
    return f"slots:booking:{booking_id}:slot:{slot_id}:remind:{minutes}"
# --- polls and surveys (issue 12 parts 3-4) -------------------------------------------------


def poll_card(poll_id: int) -> str:
    """The poll's card in the class groups (a base: one row per group)."""
    return f"poll:{poll_id}:card"


def poll_close(poll_id: int) -> str:
    """The due row that closes a poll at its deadline."""
    return f"poll:{poll_id}:close"


def poll_closed(poll_id: int) -> str:
    """What closing says: the results to the author, the line (or results) in the groups."""
    return f"poll:{poll_id}:closed"


def survey_card(survey_id: int) -> str:
    return f"survey:{survey_id}:card"


def survey_invite(survey_id: int) -> str:
    """The private invitation to each family (a base: one per person)."""
    return f"survey:{survey_id}:invite"


def survey_closed(survey_id: int) -> str:
    return f"survey:{survey_id}:closed"


# --- weekly updates ------------------------------------------------------------------------


def weekly_update(class_id: int, week_start: date) -> str:
    """One update per class per local week: the due row and (as a base) its posts."""
    return f"weekly:{class_id}:{week_start}"


# --- the mailbox ---------------------------------------------------------------------------


def ticket_sla(ticket_id: int, epoch: int, round_no: int) -> str:
    return f"mailbox:{ticket_id}:sla:{epoch}:{round_no}"


def ticket_news(ticket_id: int, what: str, cause: str) -> str:
    """A ticket's news for its people, once per cause (an incoming message, or a due job:
    `Messenger.cause`) — a base that tell_person extends per account."""
    return f"mailbox:{ticket_id}:{what}:{cause}"


# --- running the class (roster, families, ownership, corrections, deletions) ---------------


def class_news(class_id: int, what: str, cause: str) -> str:
    """News for someone about the class's families or ownership (a registration the head
    teacher is told of, an approval, a hand-over), once per cause: a base that tell_person
    extends per account."""
    return f"class:{class_id}:{what}:{cause}"


def forget_sweep(cause: str) -> str:
    """The due job that removes the farewell of a #注销 once it was sent (the last trace of
    that private chat), once per request."""
    return f"forget:sweep:{cause}"


def forget_sweep_again(key: str) -> str:
    """The sweep tried again later (its farewell had not gone out yet)."""
    return f"{key}:again"


# --- the class record (privacy guard, grades, reports) -------------------------------------


def private_copy(cause: str, student_id: int) -> str:
    """What the privacy guard sends one family instead of the group (a base per family)."""
    return f"private_copy:{cause}:{student_id}"


def grade_row(batch_id: int, student_id: int) -> str:
    """One family's own row of a grade batch (a base: tell_guardians adds the person)."""
    return f"grades:{batch_id}:{student_id}"


def record_reminder(class_id: int, month: str) -> str:
    """The monthly reminder of contact gaps: the due row and its message."""
    return f"record:{class_id}:gaps:{month}"


def monthly_report(class_id: int, month: str) -> str:
    """The monthly report (月报) of one class (0: the principals' cross-class view)."""
    return f"report:{class_id}:{month}"


def attachment(base: str) -> str:
    """The file (a chart, an export) that follows the message keyed `base`."""
    return f"{base}:file"


def on_demand(what: str, cause: str) -> str:
    """A file answering one command (#月报's chart, #导出's workbook): a base per message."""
    return f"{what}:{cause}"


# --- the outbox's own rows -----------------------------------------------------------------


def card_edits(card_row_id: int) -> str:
    """The prefix of every edit of one sent card; the n-th edit is `edit(card_row_id, n)`."""
    return f"edit:{card_row_id}:"


def edit(card_row_id: int, n: int) -> str:
    return f"{card_edits(card_row_id)}{n}"


def held_release(held_id: int) -> str:
    """A held private message (services/held.py), queued when its reader wrote to the bot."""
    return f"held:{held_id}"


def group_fallback(row_id: int, binding_id: int) -> str:
    """A nudge re-posted in a group because its private chat refused the bot."""
    return f"fallback:{row_id}:{binding_id}"


# --- fan-out: one copy of a base key per recipient ------------------------------------------
# `in_group` and `to_person` share a shape (base:number). Meeting reminders and change
# announcements use one base for both their group post and their private copies, so a guardian
# whose person id equals a bound group's id loses the private copy (it is taken for a duplicate).
# The formats are stored; a new one for new rows is a decision of its own, not made here.


def in_group(base: str, binding_id: int) -> str:
    return f"{base}:{binding_id}"


def posts_of(base: str) -> str:
    """The prefix that matches every group's copy of `base` (a card and its edits)."""
    return f"{base}:"


def to_person(base: str, person_id: int) -> str:
    return f"{base}:{person_id}"


def group_mentions(base: str, binding_id: int) -> str:
    """The one group message @-mentioning those a base could not reach privately."""
    return f"{base}:group:{binding_id}"


def to_account(base: str, identity_id: int) -> str:
    return f"{base}:to:{identity_id}"


def question_expiry(question_id: int, expires_at: str) -> str:
    """The due job that forgets an unanswered question (its expiry in the key: a re-asked
    question gets a fresh job)."""
    return f"question:{question_id}:{expires_at}"
