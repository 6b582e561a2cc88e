"""#成绩 from an uploaded file (issue 13, part 3): the file with the command, or sent after a
bare #成绩 that asks for it; the same preview, 确认 and private rows as a paste; a file that gives
no table (wrong type, old Excel, password, corrupt, empty, nobody on the roster, too large) is
explained and nothing is sent. Files come through the memory channel as the console's
`:attach` makes them (bot/channels/script.local_file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.memory import PRIVATE, Sent
from bot.channels.script import local_file
from core.events import InboundFile
from models import GradeBatch
from services import grades
from tests.harness import CLASS, Harness, make_config
from tests.sheets import xlsx

DATA = Path(__file__).parent / "data"


def upload(tmp_path: Path, name: str, data: bytes) -> InboundFile:
    path = tmp_path / name
    path.write_bytes(data)
    return local_file(path)


async def batches(h: Harness) -> int:
    async with h.db().session() as session:
        return await session.scalar(select(func.count()).select_from(GradeBatch)) or 0


def families(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.where != "王老师"]


async def test_a_file_with_the_command_is_previewed_and_sent_like_a_paste(
        bound: Harness, tmp_path: Path) -> None:
    [preview] = await bound.say("王老师", PRIVATE, "#成绩 期中考试",
                                files=(upload(tmp_path, "期中.xlsx", xlsx()),))
    assert "读到 2 名学生" in preview.text and "语文、数学" in preview.text
    assert "「期中考试」" in preview.text and "表里没有：赵雪" in preview.text
    sent = await bound.say("王老师", PRIVATE, "确认")
    rows = {s.where: s.text for s in families(sent)}
    assert set(rows) == {"李明妈妈", "张华爸爸"} and all(s.private for s in sent)
    assert "数学：98.5" in rows["李明妈妈"] and "张华" not in rows["李明妈妈"]
    assert "语文：88" in rows["张华爸爸"] and "李明" not in rows["张华爸爸"]
    assert bound.channel.to_group(CLASS) == []


async def test_a_bare_command_asks_for_the_file_and_takes_the_next_one(
        bound: Harness, tmp_path: Path) -> None:
    [asked] = await bound.say("王老师", PRIVATE, "#成绩 期末考试")
    assert "请发送成绩表文件或粘贴表格" in asked.text and "10 分钟内" in asked.text
    csv = "姓名,语文\r\n李明,91\r\n赵雪,87\r\n".encode("gbk")
    [preview] = await bound.say("王老师", PRIVATE, "", files=(upload(tmp_path, "成绩.csv", csv),))
    assert "读到 2 名学生" in preview.text and "「期末考试」" in preview.text
    sent = await bound.say("王老师", PRIVATE, "确认")
    assert {s.where for s in families(sent)} == {"李明妈妈", "赵雪爸爸"}


async def test_the_question_takes_a_paste_but_not_chatter(bound: Harness) -> None:
    await bound.say("王老师", PRIVATE, "#成绩")
    chatter = await bound.say("王老师", PRIVATE, "好的")
    assert all("读到" not in s.text and "没有读到" not in s.text for s in chatter)
    [preview] = await bound.say("王老师", PRIVATE, "李明 95\n张华 88")
    assert "读到 2 名学生" in preview.text


async def test_the_question_ends_after_the_wait(bound: Harness, tmp_path: Path) -> None:
    await bound.say("王老师", PRIVATE, "#成绩")
    await bound.at("2026-12-01 09:11")  # grades.file_wait_minutes is 10
    late = await bound.say("王老师", PRIVATE, "", files=(upload(tmp_path, "a.xlsx", xlsx()),))
    assert all("读到" not in s.text for s in late)
    assert await batches(bound) == 0


async def test_cancel_while_waiting(bound: Harness) -> None:
    await bound.say("王老师", PRIVATE, "#成绩")
    [said] = await bound.say("王老师", PRIVATE, "取消")
    assert "不发了" in said.text


def broken_xlsx() -> bytes:
    data = xlsx()
    return data[:len(data) // 2]  # a download cut short: the zip's directory is missing


@pytest.mark.parametrize(("name", "data", "says"), [
    ("成绩.xlsx", (DATA / "grades_password_1234.xlsx").read_bytes(), "设置了打开密码"),
    ("成绩.xlsx", broken_xlsx(), "打不开"),
    ("成绩.xlsx", b"not a workbook at all", "打不开"),
    ("成绩.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "旧版 Excel"),
    ("成绩.docx", b"PK\x03\x04", "不是成绩表文件"),
    ("照片.jpg", b"\xff\xd8\xff\xe0", "不是成绩表文件"),
    ("成绩.xlsx", xlsx([]), "第一个工作表是空的"),
    ("成绩.csv", b"", "第一个工作表是空的"),
    ("成绩.xlsx", xlsx([("姓名", "语文"), ("王小明", 90), ("刘洋", 80)]),
     "这些名字不在班级名单里：王小明、刘洋"),
], ids=["password", "truncated", "garbage", "xls", "docx", "photo", "empty_sheet",
        "empty_csv", "unknown_names"])
async def test_a_file_without_a_table_is_explained_and_nothing_is_sent(
        bound: Harness, tmp_path: Path, name: str, data: bytes, says: str) -> None:
    [said] = await bound.say("王老师", PRIVATE, "#成绩", files=(upload(tmp_path, name, data),))
    assert says in said.text, said.text
    assert "什么都没有发出" in said.text and f"「{name}」" in said.text
    assert await batches(bound) == 0
    # Still waiting: the corrected file is taken without a new #成绩.
    [preview] = await bound.say("王老师", PRIVATE, "",
                                files=(upload(tmp_path, "fixed.xlsx", xlsx()),))
    assert "读到 2 名学生" in preview.text
    assert families(await bound.say("王老师", PRIVATE, "取消")) == []


async def test_a_file_too_large_is_refused_before_it_is_downloaded(tmp_path: Path) -> None:
    h = await Harness(make_config(tmp_path / "db.sqlite", grades={"file_max_kb": 16})).start()
    fetched: list[bool] = []

    async def fetch() -> bytes:
        fetched.append(True)
        return b"x"

    try:
        await h.setup_class()
        big = InboundFile(name="全年级.xlsx", mime="application/octet-stream",
                          size=40 * 1024, fetch=fetch)
        [said] = await h.say("王老师", PRIVATE, "#成绩", files=(big,))
        assert "太大（40 KB）" in said.text and "最多 16 KB" in said.text
        assert fetched == [], "announced too big: never downloaded"
        unannounced = upload(tmp_path, "a.csv", b"\xe6" * (17 * 1024))
        unannounced = InboundFile(name="a.csv", mime="text/csv", size=None,
                                  fetch=unannounced.fetch)
        [said] = await h.say("王老师", PRIVATE, "", files=(unannounced,))
        assert "太大（17 KB）" in said.text
        assert await batches(h) == 0
    finally:
        await h.stop()


async def test_parents_cannot_send_grade_files(bound: Harness, tmp_path: Path) -> None:
    [refused] = await bound.say("李明妈妈", PRIVATE, "#成绩",
                                files=(upload(tmp_path, "a.xlsx", xlsx()),))
    assert "只有班主任、任课老师可以使用" in refused.text
    assert await batches(bound) == 0


def test_reading_uploads_by_content_as_well_as_name() -> None:
    assert grades.read_table(grades.read_upload("", "application/octet-stream", xlsx())).rows[0] \
        == ("李明", ["95", "98.5"]), "a workbook without a file name is still a workbook"
    assert grades.read_upload(".txt", "text/plain", "李明\t95".encode()) == "李明\t95"
    with pytest.raises(grades.UploadError) as found:
        grades.read_upload(".xlsx", "", (DATA / "grades_password_1234.xlsx").read_bytes())
    assert found.value.problem is grades.Problem.ENCRYPTED
    assert grades.looks_like_table("李明 95") and not grades.looks_like_table("好的")
    assert not grades.looks_like_table("收到，谢谢老师")
