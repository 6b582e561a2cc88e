"""The privacy guard's detectors on tabled examples (tests/data/sensitive.tsv): at least 50
positive and 50 negative examples per detector, and not one false alarm on the negatives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.reading.sensitive import Kind, scan, worth_a_look

ROSTER = ("李明", "张华", "赵雪", "王芳", "陈晨", "刘洋")
DATA = Path(__file__).parent / "data" / "sensitive.tsv"


def _cases() -> list[tuple[Kind, bool, str]]:
    cases = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, expected, text = line.split("\t")
        cases.append((Kind(kind), expected == "1",
                      text.replace("\\n", "\n").replace("\\t", "\t")))
    return cases


CASES = _cases()


def test_enough_examples_of_each_kind() -> None:
    counts = Counter((kind, expected) for kind, expected, _ in CASES)
    for kind in Kind:
        assert counts[kind, True] >= 50 and counts[kind, False] >= 50, (kind, counts)


@pytest.mark.parametrize(("kind", "expected", "text"), CASES,
                         ids=[f"{k}-{int(e)}-{i}" for i, (k, e, _) in enumerate(CASES)])
def test_detector(kind: Kind, expected: bool, text: str) -> None:
    found = {f.kind for f in scan(text, ROSTER)}
    assert (kind in found) == expected, (text, found)
    if expected:
        assert worth_a_look(text), "the cheap pre-check must let every positive through"


def test_findings_name_the_students() -> None:
    [ranking] = scan("期中数学成绩：李明 95分，张华 90分", ROSTER)
    assert ranking.students == ("李明", "张华")
    [single] = scan("赵雪今天在学校打架了", ROSTER)
    assert single.kind is Kind.SINGLED_OUT and single.students == ("赵雪",)


def test_everyday_chatter_is_not_even_looked_at() -> None:
    for text in ("收到", "我和孩子爸爸都去", "周五春游，请带好水和帽子，早上7:50到校。",
                 "谢谢老师🌹"):
        assert not worth_a_look(text), text
