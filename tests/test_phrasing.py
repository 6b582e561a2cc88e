"""Every line of tests/data/phrasing.tsv read by core.reading (format at the top of the file).

One test per line: the whole reading is compared (kind, answer, people, numbers, topic, item
kind, flags, reason, question) and looks_like_answer, so a line cannot pass by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.reading import ItemKind, Kind, Rsvp, looks_like_answer, read

DATA = Path(__file__).parent / "data" / "phrasing.tsv"
_KINDS = {"ack": (Kind.ACK, None), "yes": (Kind.RSVP, Rsvp.YES), "no": (Kind.RSVP, Rsvp.NO),
          "maybe": (Kind.RSVP, Rsvp.MAYBE), "checkin": (Kind.CHECKIN, None),
          "none": (Kind.NONE, None)}
_FLAGS = {"q": "is_question", "neg": "negated", "late": "late", "chg": "changed_mind",
          "weak": "weak", "look": "looks_like"}


@dataclass
class Line:
    number: int
    text: str
    expect: dict[str, object] = field(default_factory=dict)


def parse_expectation(spec: str, reason: str, question: str) -> dict[str, object]:
    """Column 2-4 of a line → the expected values of every field that is checked."""
    expect: dict[str, object] = {
        "kind": None, "rsvp": None, "people": None, "numbers": (), "topic": (),
        "item_kind": None, "reason": "" if reason in ("", "-") else reason,
        "question": question, **dict.fromkeys(_FLAGS.values(), False)}
    numbers: list[int] = []
    topic: list[str] = []
    for item in spec.split():
        if item in _KINDS:
            expect["kind"], expect["rsvp"] = _KINDS[item]
        elif item in _FLAGS:
            expect[_FLAGS[item]] = True
        elif item.startswith("p="):
            expect["people"] = int(item[2:])
        elif item.startswith("#"):
            numbers.append(int(item[1:]))
        elif item.startswith("~"):
            topic.append(item[1:])
        elif item.startswith("k="):
            expect["item_kind"] = ItemKind(item[2:])
        else:
            raise ValueError(f"unknown item {item!r} in {spec!r}")
    if expect["kind"] is None:
        raise ValueError(f"no kind in {spec!r}")
    expect["numbers"], expect["topic"] = tuple(numbers), tuple(topic)
    return expect


def load() -> list[Line]:
    lines = []
    for number, raw in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#!"):
            continue
        columns = [*raw.split("\t"), "", ""]
        text = columns[0].replace("\\n", "\n")
        lines.append(Line(number, text, parse_expectation(columns[1], columns[2], columns[3])))
    return lines


LINES = load()


def actual(text: str) -> dict[str, object]:
    reading = read(text)
    return {
        "kind": reading.kind, "rsvp": reading.rsvp, "people": reading.people,
        "numbers": reading.numbers, "topic": reading.topic, "item_kind": reading.item_kind,
        "reason": reading.reason, "question": reading.question,
        "is_question": reading.is_question, "negated": reading.negated, "late": reading.late,
        "changed_mind": reading.changed_mind, "weak": reading.weak,
        "looks_like": looks_like_answer(text),
    }


def test_the_file_is_large_and_distinct() -> None:
    texts = [line.text for line in LINES]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts), "a message is listed twice"


def test_every_kind_is_covered() -> None:
    kinds = {(line.expect["kind"], line.expect["rsvp"]) for line in LINES}
    assert kinds == set(_KINDS.values())
    for flag in _FLAGS.values():
        assert any(line.expect[flag] for line in LINES), flag


@pytest.mark.parametrize("line", LINES, ids=[f"L{line.number}" for line in LINES])
def test_phrasing(line: Line) -> None:
    assert actual(line.text) == line.expect, f"line {line.number}: {line.text!r}"


# The phrasings quoted in issue 10: they must stay in the file (the file may grow, not lose them).
ISSUE_10 = (
    "参加", "不参加 加班", "签到", "收到了", "收到 10号通知", "10收到", "3收到", "参加，2个人",
    "我和孩子爸爸都去", "去不了，要加班", "可能去", "报名+1", "+1", "还是不去了，临时出差",
    "请好假了，能去，参加 3人", "已到", "到了到了", "我到了，在门口", "好的 收到",
    "收到了收到了，辛苦了！", "好滴", "体检费的通知收到了", "@王老师 收到", "收到，上周…刚看到",
    "好的", "收到", "一家三口都去", "[抱拳]", "收到了吗？", "没收到体检表",
    "不是参加", "老师，收到。请问交现金还是微信？", "收到3", "收到 #3", "收到第3条", "座谈会参加",
    "能参加吗", "收到，谢谢老师🌹",
)


def test_the_issue_samples_are_in_the_file() -> None:
    texts = {line.text for line in LINES}
    assert [sample for sample in ISSUE_10 if sample not in texts] == []
