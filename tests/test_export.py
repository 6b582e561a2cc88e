"""Exports and the term archive (issue 13, part 5): the XLSX opened with openpyxl, every sheet
checked, and no anonymous letter's author anywhere in the file."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.channels.memory import PRIVATE
from bot.cli import app
from core.channel import Capabilities
from tests.harness import CLASS, Harness, make_config

SHEETS = ["通知", "家长会", "会议纪要", "信箱", "家访记录", "班级动态", "接龙与预约", "投票与问卷"]


async def build(h: Harness) -> None:
    await h.setup_class()
    await h.say("王老师", CLASS, "#通知 春游\n周五春游，请带好水。")
    await h.say("李明妈妈", CLASS, "收到")
    await h.say("王老师", CLASS, "#家长会 2026-12-01 09:20 | 三楼会议室 | 期中总结")
    await h.say("李明妈妈", CLASS, "参加 2人")
    await h.say("张华爸爸", CLASS, "不参加 加班")
    await h.say("李明妈妈", CLASS, "签到")
    await h.say("王老师", CLASS, "#纪要 1\n一、期中成绩良好。")
    await h.say("赵雪爸爸", PRIVATE, "#匿名投诉 食堂的饭菜太咸了")
    await h.say("张华爸爸", PRIVATE, "#建议 多开放图书室")
    await h.say("王老师", PRIVATE, "#家访 李明 上门 | 了解假期安排 | 奶奶接送 | 每周电话沟通")
    await h.say("王老师", CLASS, "#动态 本周完成了第三单元测验")
    await h.say("王老师", CLASS, "#接龙 开放日志愿者 | 限 1人")
    await h.say("李明妈妈", CLASS, "接龙 周五上午")
    await h.say("张华爸爸", CLASS, "接龙")
    await h.say("王老师", CLASS, "#预约 面谈 12月10日 14:00-15:00 每30分钟")
    await h.say("张华爸爸", CLASS, "预约 14:30")


def cells(path: Path) -> dict[str, list[list[str]]]:
    book = load_workbook(path)
    return {sheet.title: [["" if v is None else str(v) for v in row]
                          for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def check_sheets(sheets: dict[str, list[list[str]]]) -> None:
    assert list(sheets) == SHEETS
    notices = sheets["通知"]
    assert notices[0][:5] == ["通知编号", "标题", "发布时间", "学生", "已确认"]
    assert notices[1][:5] == ["1", "春游", "2026-12-01 09:00", "李明", "是"]
    assert notices[1][6] == "李明妈妈" and notices[2][3:5] == ["张华", "否"]
    meetings = {row[6]: row for row in sheets["家长会"][1:]}
    assert meetings["李明"][7:] == ["参加", "2", "", "是"]
    assert meetings["张华"][7:] == ["不参加", "", "加班", "否"]
    assert meetings["赵雪"][7:] == ["", "", "", "否"]
    assert "一、期中成绩良好。" in sheets["会议纪要"][1][4]
    letters = {row[0]: row for row in sheets["信箱"][1:]}
    assert letters["X-0001"][1] == "投诉" and letters["X-0001"][4] == "（匿名）"
    assert letters["X-0002"][4] == "张华爸爸" and letters["X-0002"][5] == "多开放图书室"
    assert sheets["家访记录"][1][1:5] == ["李明", "上门家访", "王老师", "了解假期安排"]
    assert sheets["班级动态"][1][1:3] == ["王老师", "本周完成了第三单元测验"]
    assert [row[:7] for row in sheets["接龙与预约"][1:3]] == [
        ["接龙", "1", "开放日志愿者", "李明妈妈", "1", "周五上午", "正式"],
        ["接龙", "1", "开放日志愿者", "张华爸爸", "1", "", "候补"]]
    assert sheets["接龙与预约"][3][:7] == [
        "预约", "1", "面谈", "张华爸爸", "1", "2026-12-10 14:30-15:00", "已预约"]
    everything = "\n".join(c for rows in sheets.values() for row in rows for c in row)
    assert "赵雪爸爸" not in everything, "the anonymous letter's author appears nowhere"


@pytest.fixture
async def built(tmp_path: Path) -> Harness:
    h = await Harness(make_config(tmp_path / "db.sqlite",
                                  reports={"export_dir": str(tmp_path / "exports")})).start()
    await build(h)
    h.channel.clear()
    return h


async def test_export_command_writes_every_sheet(built: Harness, tmp_path: Path) -> None:
    try:
        [answer] = await built.say("王老师", PRIVATE, "#导出")
        assert "已导出" in answer.text and "已保存在服务器上" in answer.text
        [path] = [Path(line) for line in answer.text.splitlines() if line.endswith(".xlsx")]
        assert path.parent == tmp_path / "exports" and "三年级二班-全部-" in path.name
        check_sheets(cells(path))
        [refused] = await built.say("李明妈妈", PRIVATE, "#导出")
        assert "只有班主任、任课老师可以使用" in refused.text
    finally:
        await built.stop()


async def test_cli_export_xlsx_csv_and_archive(built: Harness, tmp_path: Path) -> None:
    await built.stop()
    config = tmp_path / "config.yaml"
    config.write_text(f"database_url: '{built.config.database_url}'\n"
                      f"classes: [{{name: {CLASS}, head_teacher: {{name: 王老师}},"
                      f" roster: [李明, 张华, 赵雪]}}]\n", encoding="utf-8")
    cli = CliRunner()

    def invoke(*args: str) -> Result:
        return cli.invoke(app, [*args, "-c", str(config)])

    xlsx = tmp_path / "out" / "record.xlsx"
    # The CLI runs its own event loop, as it does from a shell: here in a thread.
    result = await asyncio.to_thread(invoke, "export", "--class", CLASS, "--term", "2026秋",
                                     "--format", "xlsx", "--out", str(xlsx))
    assert result.exit_code == 0, result.output
    check_sheets(cells(xlsx))
    folder = tmp_path / "csv"
    result = await asyncio.to_thread(invoke, "export", "--class", CLASS, "--format", "csv",
                                     "--out", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(SHEETS)
    with (folder / "信箱.csv").open(encoding="utf-8-sig") as handle:
        assert "赵雪爸爸" not in handle.read()
    with (folder / "通知.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1][3:5] == ["李明", "是"]
    archive = tmp_path / "archive"
    result = await asyncio.to_thread(invoke, "export", "--class", CLASS, "--term", "2026秋",
                                     "--archive", "--out", str(archive))
    assert result.exit_code == 0, result.output
    assert "一、期中成绩良好。" in (archive / "minutes.txt").read_text(encoding="utf-8")
    assert "本周完成了第三单元测验" in (archive / "updates.txt").read_text(encoding="utf-8")
    check_sheets(cells(archive / "export.xlsx"))
    empty = tmp_path / "spring.xlsx"
    result = await asyncio.to_thread(invoke, "export", "--class", CLASS, "--term", "2027春",
                                     "--out", str(empty))
    assert result.exit_code == 0, result.output
    assert all(len(rows) == 1 for rows in cells(empty).values()), "another term: headers only"
    bad = await asyncio.to_thread(invoke, "export", "--class", "九年级九班", "--out", str(empty))
    assert bad.exit_code == 1


async def test_the_workbook_is_sent_where_the_platform_takes_files(tmp_path: Path) -> None:
    h = await Harness(make_config(tmp_path / "db.sqlite",
                                  reports={"export_dir": str(tmp_path / "exports")}),
                      capabilities=Capabilities(private_needs_contact=False, files=True)).start()
    try:
        await build(h)
        answer, document = await h.say("王老师", PRIVATE, "#导出 2026秋")
        assert "文件见下一条消息" in answer.text and "已保存在服务器上" not in answer.text
        assert document.out.file is not None and document.text.endswith(".xlsx")
        check_sheets(cells(Path(document.out.file)))
    finally:
        await h.stop()
