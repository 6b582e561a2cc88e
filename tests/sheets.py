"""Score sheets as a teacher's spreadsheet program saves them (XLSX bytes), for the tests of
#成绩 from a file on every channel."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

ROWS = (("姓名", "语文", "数学"), ("李明", 95, 98.5), ("张华", 88, 85))


def xlsx(rows: Sequence[Sequence[object]] = ROWS) -> bytes:
    """A workbook whose first sheet holds `rows` (empty rows: an empty sheet)."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
