"""Files on Telegram, through the real channel against the fake Bot API: #导出's workbook
arrives as a document (Capabilities.files), and a score sheet a teacher sends as a document
is downloaded (getFile + the file URL) for #成绩."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import GradeSettings, ReportSettings
from tests.fake_telegram import updates
from tests.fake_telegram.rig import GROUP, LI, WANG, ZHANG, Rig, telegram_config
from tests.fake_telegram.server import FakeTelegram
from tests.sheets import xlsx

DATA = Path(__file__).parent / "data"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


async def test_the_export_arrives_as_a_document(fake: FakeTelegram, db_path: Path,
                                                tmp_path: Path) -> None:
    config = telegram_config(db_path, fake).model_copy(
        update={"reports": ReportSettings(export_dir=str(tmp_path / "exports"))})
    rig = await Rig(config, fake).start()
    try:
        await rig.say(WANG, "/start remind", chat=updates.private(WANG))
        mark = await rig.say(WANG, "#导出", chat=updates.private(WANG))
        document = await fake.wait_for("sendDocument", after=mark)
        assert int(document.params["chat_id"]) == WANG["id"]
        assert document.result["file_name"].endswith(".xlsx")
        [said] = [c.params["text"] for c in fake.calls[mark:] if c.method == "sendMessage"]
        assert "文件见下一条消息" in said
    finally:
        await rig.stop()


# --- files sent to the bot: #成绩 from a document ---------------------------------------------

SHEET = xlsx((("姓名", "语文", "数学"), ("李明", 95, 98), ("张华", 88, 85)))


async def _class_with_families(rig: Rig) -> None:
    await rig.say(WANG, "#绑定 三年级二班")
    for who in (LI, ZHANG):
        await rig.say(who, f"#登记 {who['first_name'][:2]} {who['first_name'][2:]}")
    for who in (WANG, LI, ZHANG):
        await rig.say(who, "/start remind", chat=updates.private(who))


def said_to(fake: FakeTelegram, who: dict, mark: int) -> list[str]:
    return [c.params["text"] for c in fake.calls[mark:]
            if c.method == "sendMessage" and int(c.params["chat_id"]) == who["id"]]


async def test_a_score_sheet_sent_as_a_document_reaches_each_family_privately(
        fake: FakeTelegram, db_path: Path) -> None:
    rig = await Rig(telegram_config(db_path, fake), fake).start()
    try:
        await _class_with_families(rig)
        sheet = fake.add_file("期中成绩.xlsx", SHEET)
        mark = len(fake.calls)
        await rig.send(updates.document(updates.private(WANG), WANG, sheet, caption="#成绩 期中"))
        assert fake.downloads == [fake.files[sheet["file_id"]][0]], "fetched via getFile"
        [preview] = said_to(fake, WANG, mark)
        assert "读到 2 名学生" in preview and "「期中」" in preview
        mark = await rig.say(WANG, "确认", chat=updates.private(WANG))
        [row] = said_to(fake, LI, mark)
        assert "李明的成绩" in row and "数学：98" in row and "张华" not in row
        assert "张华的成绩" in said_to(fake, ZHANG, mark)[0]
        assert fake.sent(GROUP["id"])[-1].params["text"].find("95") == -1, "not in the group"

        # A bare #成绩 asks; the file sent next (no caption) is taken.
        [asked] = said_to(fake, WANG, await rig.say(WANG, "#成绩", chat=updates.private(WANG)))
        assert "请发送成绩表文件或粘贴表格" in asked
        mark = len(fake.calls)
        again = fake.add_file("成绩.xlsx", SHEET)
        await rig.send(updates.document(updates.private(WANG), WANG, again))
        assert "读到 2 名学生" in said_to(fake, WANG, mark)[0]
    finally:
        await rig.stop()


async def test_files_that_give_no_table_are_explained_and_never_sent_on(
        fake: FakeTelegram, db_path: Path) -> None:
    config = telegram_config(db_path, fake).model_copy(
        update={"grades": GradeSettings(file_max_kb=16)})
    rig = await Rig(config, fake).start()
    try:
        await _class_with_families(rig)
        # In the group a file without a caption is not the bot's business: not even fetched.
        mark = len(fake.calls)
        await fake.push(updates.document(GROUP, WANG, fake.add_file("照片.xlsx", SHEET)))
        await rig.say(WANG, "#成绩", chat=updates.private(WANG))  # handled after the push
        assert fake.downloads == [] and said_to(fake, LI, mark) == []

        locked = fake.add_file("成绩.xlsx", (DATA / "grades_password_1234.xlsx").read_bytes())
        mark = len(fake.calls)
        await rig.send(updates.document(updates.private(WANG), WANG, locked))
        [said] = said_to(fake, WANG, mark)
        assert "设置了打开密码" in said and "什么都没有发出" in said

        big = fake.add_file("全年级.xlsx", bytes(40 * 1024))
        mark = len(fake.calls)
        await rig.send(updates.document(updates.private(WANG), WANG, big))
        [said] = said_to(fake, WANG, mark)
        assert "太大（40 KB）" in said
        assert fake.files[big["file_id"]][0] not in fake.downloads, "refused before download"
        assert [c for c in fake.calls if c.method == "getFile"
                and c.params["file_id"] == big["file_id"]] == []

        hidden = fake.add_file("全年级.xlsx", bytes(40 * 1024), announce_size=False)
        mark = len(fake.calls)
        await rig.send(updates.document(updates.private(WANG), WANG, hidden))
        assert "太大（40 KB）" in said_to(fake, WANG, mark)[0], "checked after download too"
        assert not any("的成绩" in t for t in said_to(fake, LI, 0)), "no family got a row"
    finally:
        await rig.stop()
