"""Private grade delivery (成绩私发): a pasted score table, read and checked against the roster,
kept as a batch until the teacher confirms, then one row per family.

Why one row per family: the 2021《未成年人学校保护规定》 forbids publishing grades and rankings,
while each family must be able to learn its own child's results. Nothing here sorts or ranks;
a class average per subject is offered only when the config allows it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import mean

from sqlalchemy import select

from models import GradeBatch, SchoolClass
from services import roster
from services.uow import UnitOfWork

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_NAME_WORDS = ("姓名", "学生", "名字", "学生姓名", "name")


@dataclass
class Table:
    """What a pasted table says: the subjects (columns) and each row's name and values."""

    subjects: list[str]
    rows: list[tuple[str, list[str]]]


def _cells(line: str) -> list[str]:
    """One line of a spreadsheet paste: tabs first, then commas, then runs of spaces."""
    if "\t" in line:
        cells = line.split("\t")
    elif "," in line or "，" in line:
        cells = next(csv.reader([line.replace("，", ",")]))
    else:
        cells = line.split()
    return [c.strip() for c in cells]


def is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell))


def names_a_column(line: str) -> bool:
    """Whether this line is a header row (it starts with 姓名 / 学生 …)."""
    cells = _cells(line.strip())
    return bool(cells) and cells[0].lower() in _NAME_WORDS


def read_table(text: str) -> Table:
    """Rows of `name value value …`; an optional header row names the subjects (姓名 语文
    数学); without one the columns are numbered. Empty lines and trailing empty cells go."""
    lines = [_cells(line) for line in text.splitlines() if line.strip()]
    lines = [[c for c in cells if c != ""] for cells in lines]
    lines = [cells for cells in lines if cells]
    if not lines:
        return Table([], [])
    header: list[str] | None = None
    first = lines[0]
    numbers_below = any(is_number(c) for cells in lines[1:] for c in cells[1:])
    if first[0].lower() in _NAME_WORDS or (
            len(first) > 1 and numbers_below and not any(map(is_number, first[1:]))):
        header, lines = first[1:], lines[1:]
    width = max((len(cells) - 1 for cells in lines), default=0)
    subjects = header or ([f"#{i + 1}" for i in range(width)] if width > 1 else ["成绩"])
    rows = [(cells[0], (cells[1:] + [""] * len(subjects))[:len(subjects)]) for cells in lines]
    return Table(subjects, rows)


def read_csv_bytes(data: bytes) -> str:
    """An uploaded CSV as the text a paste would give (UTF-8 with or without BOM, or GBK, the
    encoding Excel on a Chinese Windows saves)."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("unknown encoding")
    return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))


def read_xlsx_bytes(data: bytes) -> str:
    """An uploaded XLSX's first sheet as the text a paste would give (openpyxl, read-only)."""
    from openpyxl import load_workbook  # only when a file arrives

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    lines = []
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
                 for v in row]
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def looks_like_table(text: str) -> bool:
    """Whether a message is a pasted score table (some row has a name and a number): what the
    question after a bare `#成绩` takes, so that a 好的 in between is not read as a table."""
    return any(any(is_number(v) for v in values) for _, values in read_table(text).rows)


class Problem(StrEnum):
    """Why an uploaded file gave no table (each has its own message for the teacher)."""

    WRONG_TYPE = "wrong_type"  # not a spreadsheet or CSV (a photo, a Word file …)
    OLD_EXCEL = "old_excel"  # .xls (Excel 97-2003): openpyxl reads only .xlsx
    ENCRYPTED = "encrypted"  # a password-protected workbook
    CORRUPT = "corrupt"  # says it is XLSX but is no readable workbook
    ENCODING = "encoding"  # a text file in neither UTF-8 nor GBK
    EMPTY = "empty"  # a readable file without any rows


class UploadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


XLSX_TYPES = (".xlsx", ".xlsm")
TEXT_TYPES = (".csv", ".txt", ".tsv")
_TEXT_MIMES = ("text/csv", "text/plain", "text/tab-separated-values")
_ZIP = b"PK\x03\x04"
# The compound-file header every .xls and every password-protected Office file starts with.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def read_upload(suffix: str, mime: str, data: bytes) -> str:
    """An uploaded file as the text a paste would give, or UploadError saying why not.

    Blocking (openpyxl parses the whole workbook): call it off the event loop. The content
    decides over the name where they disagree: a password-protected .xlsx is an OLE compound
    file holding an `EncryptedPackage` stream, and a renamed .xls is one without it.
    """
    if suffix not in (*XLSX_TYPES, *TEXT_TYPES, ".xls", ""):
        raise UploadError(Problem.WRONG_TYPE)  # a photo, a Word file …: never opened
    if data.startswith(_OLE):
        raise UploadError(Problem.ENCRYPTED if _ENCRYPTED_STREAM in data else Problem.OLD_EXCEL)
    if suffix in XLSX_TYPES or (not suffix and data.startswith(_ZIP)):
        from openpyxl.utils.exceptions import InvalidFileException  # only when a file arrives

        try:
            text = read_xlsx_bytes(data)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, IndexError,
                OSError) as exc:
            raise UploadError(Problem.CORRUPT) from exc
    elif suffix in TEXT_TYPES or (not suffix and mime in _TEXT_MIMES):
        try:
            text = read_csv_bytes(data)
        except (ValueError, csv.Error) as exc:
            raise UploadError(Problem.ENCODING) from exc
    elif suffix == ".xls":
        raise UploadError(Problem.OLD_EXCEL)
    else:
        raise UploadError(Problem.WRONG_TYPE)
    if not text.strip():
        raise UploadError(Problem.EMPTY)
    return text


@dataclass
class Checked:
    """A table checked against one class's roster."""

    school_class: SchoolClass
    subjects: list[str]
    rows: list[dict[str, object]]  # {"student_id", "name", "scores": {subject: value}}
    unknown: list[str]  # names in the table not on the roster
    missing: list[str]  # roster students not in the table
    duplicates: list[str] = field(default_factory=list)


async def check(uow: UnitOfWork, classes: list[SchoolClass], table: Table) -> Checked | None:
    """The class whose roster matches the most names (None without a class)."""
    best: Checked | None = None
    for school_class in classes:
        students = {s.name: s for s in await roster.students(uow, school_class.id)}
        rows, unknown, seen, duplicates = [], [], set(), []
        for name, values in table.rows:
            student = students.get(name)
            if student is None:
                unknown.append(name)
            elif name in seen:
                duplicates.append(name)
            else:
                seen.add(name)
                rows.append({"student_id": student.id, "name": name,
                             "scores": dict(zip(table.subjects, values, strict=True))})
        checked = Checked(school_class, table.subjects, rows, unknown,
                          [n for n in students if n not in seen], duplicates)
        if best is None or len(checked.rows) > len(best.rows):
            best = checked
    return best


async def keep(uow: UnitOfWork, checked: Checked, *, author_id: int, title: str) -> GradeBatch:
    batch = GradeBatch(class_id=checked.school_class.id, author_id=author_id, title=title,
                       subjects=checked.subjects, rows=checked.rows, status="preview",
                       created_at=uow.now)
    uow.session.add(batch)
    await uow.session.flush()
    return batch


async def get(uow: UnitOfWork, batch_id: int) -> GradeBatch | None:
    return await uow.session.get(GradeBatch, batch_id)


async def of_class(uow: UnitOfWork, class_id: int) -> list[GradeBatch]:
    return list((await uow.session.scalars(select(GradeBatch).where(
        GradeBatch.class_id == class_id, GradeBatch.status == "sent")
        .order_by(GradeBatch.id))).all())


def averages(batch: GradeBatch) -> dict[str, float]:
    """Per subject, the mean of the numeric values (a subject without numbers has none)."""
    out = {}
    for subject in batch.subjects:
        values = [float(str(r["scores"].get(subject, ""))) for r in batch.rows  # type: ignore[union-attr]
                  if is_number(str(r["scores"].get(subject, "")))]  # type: ignore[union-attr]
        if values:
            out[subject] = round(mean(values), 1)
    return out


async def mark(uow: UnitOfWork, batch: GradeBatch, status: str) -> None:
    batch.status = status
    if status == "sent":
        batch.sent_at = uow.now
    await uow.session.flush()
