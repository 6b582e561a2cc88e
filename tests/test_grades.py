"""Private grade delivery (issue 13, part 3): paste, check against the roster, preview, 确认,
each family privately only its own child's row; no ranking; unreachable families listed."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from bot.channels.memory import PRIVATE
from handlers.grades import GradeArgs
from services.grades import read_csv_bytes, read_table, read_xlsx_bytes
from tests.harness import CLASS, DEMO_CLASS, Harness, make_config

TABLE = "期中考试\n姓名\t语文\t数学\n李明\t95\t98\n张华\t88\t85\n李敏\t70\t60"


def test_tables_from_tabs_spaces_and_commas() -> None:
    for text in ("姓名\t语文\t数学\n李明\t95\t98\n张华\t88\t",
                 "姓名 语文 数学\n李明 95 98\n张华  88", "姓名,语文,数学\n李明,95,98\n张华，88，"):
        table = read_table(text)
        assert table.subjects == ["语文", "数学"], text
        assert table.rows == [("李明", ["95", "98"]), ("张华", ["88", ""])], text
    assert read_table("李明 95\n张华 88").subjects == ["成绩"], "no header, one column"
    assert read_table("李明 A 优秀\n张华 B 良好").subjects == ["#1", "#2"]


def test_title_or_no_title() -> None:
    assert GradeArgs.from_text(TABLE).title == "期中考试"
    assert GradeArgs.from_text("姓名 语文\n李明 95").title == ""
    assert GradeArgs.from_text("李明 95\n张华 88").title == ""


def test_uploaded_files_read_like_a_paste() -> None:
    book = Workbook()
    sheet = book.active
    for row in (("姓名", "语文", "数学"), ("李明", 95, 98.5), ("张华", 88, None)):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    assert read_table(read_xlsx_bytes(data.getvalue())).rows[1] == ("张华", ["88", ""])
    csv = "姓名,语文\r\n李明,95\r\n".encode("gbk")
    assert read_table(read_csv_bytes(csv)).rows == [("李明", ["95"])]


async def test_each_family_gets_only_its_own_row(bound: Harness) -> None:
    [preview] = await bound.say("王老师", PRIVATE, "#成绩 " + TABLE)
    assert "读到 2 名学生" in preview.text and "语文、数学" in preview.text
    assert "不在名单里、不会发送：李敏" in preview.text and "表里没有：赵雪" in preview.text
    assert "排名" not in preview.text.replace("不会计算或显示任何排名", "")
    sent = await bound.say("王老师", PRIVATE, "确认")
    assert [s for s in sent if not s.private] == [], "nothing in any group"
    rows = {s.where: s.text for s in sent if s.where != "王老师"}
    assert set(rows) == {"李明妈妈", "张华爸爸"}
    assert "李明的成绩" in rows["李明妈妈"] and "语文：95" in rows["李明妈妈"]
    assert "数学：98" in rows["李明妈妈"] and "张华" not in rows["李明妈妈"]
    assert "88" in rows["张华爸爸"] and "李明" not in rows["张华爸爸"]
    assert "平均" not in rows["李明妈妈"], "no class average unless the config allows it"
    [done] = [s for s in sent if s.where == "王老师"]
    assert "已私发给 2 户" in done.text
    again = await bound.say("王老师", PRIVATE, "确认")
    assert [s.where for s in again] == ["王老师"], "sent once"


async def test_dropped_grades_go_nowhere(bound: Harness) -> None:
    await bound.say("王老师", PRIVATE, "#成绩 " + TABLE)
    sent = await bound.say("王老师", PRIVATE, "取消")
    assert [s.where for s in sent] == ["王老师"] and "不发了" in sent[0].text


async def test_averages_and_unreachable_families(tmp_path: Path) -> None:
    config = make_config(tmp_path / "db.sqlite", grades={"class_averages": True},
                         classes=[{**DEMO_CLASS, "roster": ["李明", "张华", "赵雪", "陈静"]}])
    h = await Harness(config).start()
    try:
        await h.setup_class()  # 陈静 has no registered guardian
        await h.say("王老师", PRIVATE, "#成绩\n李明 95\n张华 88\n陈静 90")
        sent = await h.say("王老师", PRIVATE, "确认")
        [row] = [s.text for s in sent if s.where == "李明妈妈"]
        assert "成绩：95（班级平均 91.0）" in row
        [done] = [s.text for s in sent if s.where == "王老师"]
        assert "已私发给 2 户" in done and "请另行告知：陈静" in done
        assert h.channel.to_group(CLASS) == []
    finally:
        await h.stop()


async def test_grades_are_for_teachers_and_never_in_the_group(bound: Harness) -> None:
    [refused] = await bound.say("李明妈妈", PRIVATE, "#成绩 " + TABLE)
    assert "只有班主任、任课老师可以使用" in refused.text
    [pointer] = await bound.say("王老师", CLASS, "#成绩 " + TABLE)
    assert "私聊" in pointer.text and "95" not in pointer.text
