"""Files on Telegram (Capabilities.files): #导出's workbook arrives as a document, through the
real channel against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import ReportSettings
from tests.fake_telegram import updates
from tests.fake_telegram.rig import WANG, Rig, telegram_config
from tests.fake_telegram.server import FakeTelegram


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
