"""Score a Chinese time parser on tests/data/time_expressions.tsv (157 expressions teachers
write, each with the instant it means on Tuesday 2026-12-01 09:00, or 'error').

    python bench/timeparse.py                    # classbot's parser (core.timeparse, jionlp)
    python bench/timeparse.py chinesedatetimenlp # a lighter candidate, if installed

Prints right/wrong per parser, the misses, and the time per expression (first call apart).
Figures recorded in bench/README.md.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "time_expressions.tsv"
SH = ZoneInfo("Asia/Shanghai")
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
Parser = Callable[[str], str]  # text → "YYYY-MM-DD HH:MM" or "error"


def corpus() -> list[tuple[str, str]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def classbot() -> Parser:
    from core.timeparse import TimeParseError, parse_when

    def parse(text: str) -> str:
        try:
            return parse_when(text, BASE, SH).at.strftime("%Y-%m-%d %H:%M")
        except TimeParseError:
            return "error"

    return parse


def chinesedatetimenlp() -> Parser:
    import arrow  # type: ignore[import-not-found]
    from ChineseDateTimeNLP import TimeNormalizer  # type: ignore[import-not-found]

    normalizer = TimeNormalizer()
    base = arrow.get(BASE)

    def parse(text: str) -> str:
        try:
            found = normalizer.parse(text, base)
        except Exception:
            return "error"
        if found.get("type") != "timestamp":
            return "error"
        return str(found["timestamp"])[:16]

    return parse


PARSERS = {"classbot": classbot, "chinesedatetimenlp": chinesedatetimenlp}


def main(name: str) -> None:
    parse = PARSERS[name]()
    rows = corpus()
    parse(rows[0][0])  # import and first-call costs are not per-expression costs
    misses = []
    started = time.perf_counter()
    for text, expected in rows:
        got = parse(text)
        if got != expected:
            misses.append((text, expected, got))
    per = (time.perf_counter() - started) / len(rows) * 1000
    print(f"{name}: {len(rows) - len(misses)}/{len(rows)} right, {per:.1f} ms per expression")
    for text, expected, got in misses:
        print(f"  miss: {text}\texpected {expected}\tgot {got}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "classbot")
