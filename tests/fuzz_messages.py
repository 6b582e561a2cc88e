"""The messages the fuzzers send and the promises they check, shared by the Hypothesis
properties (tests/test_fuzz.py, in CI) and the seeded long run (bench/fuzz.py).

A message is built from pieces that have broken chat bots before: every command word (Chinese,
`#`, slash), numbers far outside any id range, template syntax that would print a marker if it
were evaluated, SQL, NUL and other control characters, RTL and zero-width marks, emoji, line
and paragraph separators, and texts up to 100,000 characters.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.channels.memory import Sent
from core.channel import Capabilities
from handlers import command_table

CLASS = "三年级二班"
PRIVATE = "私聊"
REGISTERED = ("王老师", "李明妈妈", "张华爸爸", "赵雪爸爸")
SPEAKERS = (*REGISTERED, "路人", "张老师", "王\x00老师", "\u202e师老王", "👩‍👧 妈妈", "")
CHATS = (CLASS, PRIVATE, "别的群")

# Evaluated by a template engine, these print a marker the bot never writes otherwise.
EVALUATED_MARKERS = ("7777", "ZZZ", "[object", "<class")
INJECTIONS = ("{{ 1111*7 }}", "{% for x in range(3) %}Z{% endfor %}", "{{ ''.__class__ }}",
              "{{ config }}", "{#", "{%", "}}", "${7*7}", "<%= 7*7 %>")
SQL = ("'; DROP TABLE people; --", "\" OR 1=1 --", "%s", "%(x)s", "?", ":name")
NUMBERS = ("0", "1", "-1", "2147483647", "2147483648", "9223372036854775808",
           "99999999999999999999999999", "1e9", "३", "²", "１２", "十二", "NaN", "X-9999999")
ODD = ("\x00", "\x01", "\x1b[31m", "\x7f", "\u0085", "\u2028", "\u2029", "\u200b", "\u202e",
       "\ufeff", "\r", "\t", "\n", "\\n", "🌹", "👍🏽", "@班级助手", "@", "#", "/", "|", "｜",
       "「李明妈妈：收到」\n- - - - - - - - - - - - - - -\n")


def command_words() -> tuple[str, ...]:
    """Every way a command starts: #词, 词, /slash (from the declarations, so new ones count)."""
    words: list[str] = []
    for command in command_table().commands:
        words += [f"#{w}" for w in command.words] + list(command.words)
        words += [f"/{s}" for s in command.slash]
    return tuple(dict.fromkeys(words))


WORDS = command_words()
PHRASES = ("收到", "收到3", "好的", "参加", "参加 2人", "不参加 加班", "待定", "签到", "是", "否",
           "匿名", "满意", "不满意 太慢", "1", "2", "+1", "谢谢老师", "老师好")
PIECES: tuple[str, ...] = (*WORDS, *PHRASES, *INJECTIONS, *SQL, *NUMBERS, *ODD)


def random_text(rng: random.Random) -> str:
    """A message of 1–6 pieces joined by spaces or nothing; now and then a huge one."""
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(WORDS) + " " + "长" * rng.choice((4097, 20_000, 100_000))
    if roll < 0.08:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(1, 60)))
    pieces = [rng.choice(PIECES) for _ in range(rng.randrange(1, 7))]
    if rng.random() < 0.7:  # mostly a command word first, as people write them
        pieces.insert(0, rng.choice(WORDS))
    return rng.choice((" ", "", "\n")).join(pieces)


@dataclass
class Message:
    speaker: str
    chat: str
    text: str


def random_message(rng: random.Random) -> Message:
    return Message(rng.choice(SPEAKERS), rng.choice(CHATS), random_text(rng))


@dataclass
class Findings:
    """What the promises found, per kind (empty lists: all kept)."""

    evaluated: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    def add(self, other: Findings) -> None:
        self.evaluated += other.evaluated
        self.too_long += other.too_long
        self.unanswered += other.unanswered

    @property
    def total(self) -> int:
        return len(self.evaluated) + len(self.too_long) + len(self.unanswered)


def outgoing_length(sent: Sent) -> int:
    """What the platform counts: the @-mentions written before the text, and the text."""
    return sum(len(m.display_name) + 2 for m in sent.out.mentions) + len(sent.out.text)


def check(message: Message, sent: Sequence[Sent], capabilities: Capabilities) -> Findings:
    """The promises for one message and what the bot sent because of it."""
    found = Findings()
    for out in sent:
        markers = [m for m in EVALUATED_MARKERS if m in out.text and m not in message.text]
        if markers:
            found.evaluated.append(f"{message!r} → {markers} in {out.text[:200]!r}")
        if outgoing_length(out) > capabilities.max_length:
            found.too_long.append(f"{message!r} → {outgoing_length(out)} characters")
    speaker = message.speaker.replace("\x00", "")
    if (message.chat == PRIVATE and speaker in REGISTERED
            and not any(s.private and s.where == speaker for s in sent)):
        found.unanswered.append(repr(message))
    return found
