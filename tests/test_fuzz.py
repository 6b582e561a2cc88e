"""Property tests (Hypothesis) over the router and the whole pipeline, on the memory channel:
any text from any speaker in any chat never raises, never evaluates template syntax, never
produces a message over the platform's limit, and always answers a registered person's
private message. Bounded and derandomized, so CI runs the same examples every time in a few
seconds; bench/fuzz.py runs the same promises over 10,000+ seeded messages.
"""

from __future__ import annotations

import contextlib
import logging

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handlers import command_table
from kit.router import UsageError, parse_args
from tests.fuzz_messages import (
    CHATS,
    PIECES,
    SPEAKERS,
    WORDS,
    Findings,
    Message,
    check,
)
from tests.harness import Harness

# Each pipeline example is one real message through SQLite and the outbox: a few dozen keep
# the file at seconds in CI; the long run (10,000 messages) is bench/fuzz.py.
TABLE = command_table()
FAST = settings(max_examples=20, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

any_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), min_size=1,
             max_size=6).map(" ".join),
    st.tuples(st.sampled_from(WORDS), st.lists(st.sampled_from(PIECES), max_size=4),
              st.text(max_size=20)).map(lambda t: " ".join([t[0], *t[1], t[2]])),
)
messages = st.builds(Message, speaker=st.sampled_from(SPEAKERS), chat=st.sampled_from(CHATS),
                     text=any_text)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(text=any_text)
def test_the_router_matches_and_parses_any_text_without_raising(text: str) -> None:
    match = TABLE.match(text)
    if match is not None and match.command is not None:
        with contextlib.suppress(UsageError):  # the usage line: the one allowed refusal
            parse_args(match.command, match.rest)


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@FAST
@given(message=messages)
# found by bench/fuzz.py: a phrase that is not the sender's (a teacher's 参加) went unanswered
@example(message=Message("王老师", "私聊", "参加 2人"))
@example(message=Message("王\x00老师", "私聊", "#未读 9223372036854775808"))
async def test_any_message_keeps_the_promises(bound: Harness, message: Message,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    sent = await bound.say(message.speaker, message.chat, message.text)
    assert not failures(caplog), (message, failures(caplog))
    assert not any("出了点问题" in s.text for s in sent), (message, sent)
    found: Findings = check(message, sent, bound.channel.capabilities)
    assert not found.total, found


@settings(FAST, max_examples=10)
@given(first=messages, second=messages)
async def test_conversations_of_two_keep_the_promises(bound: Harness, first: Message,
                                                       second: Message,
                                                       caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    """A message that opens a question (a mailbox offer, a rating), then anything."""
    caplog.set_level(logging.WARNING)
    caplog.clear()
    for message in (first, second):
        sent = await bound.say(message.speaker, message.chat, message.text)
        found = check(message, sent, bound.channel.capabilities)
        assert not found.total, found
    assert not failures(caplog), failures(caplog)
