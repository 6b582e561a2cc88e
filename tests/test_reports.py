"""The monthly report (issue 13, part 4): #月报 on demand, the job on the first school day of
the month for the head teacher and the principals, the chart with Chinese labels."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bot.channels.memory import PRIVATE
from core.channel import Capabilities
from services.charts import BUNDLED_FONT, Bar, cjk_font, read_rate_chart
from tests.harness import CLASS, DEMO_CLASS, Harness, make_config

OTHER = {"name": "三年级一班", "head_teacher": {"name": "李老师"}, "roster": ["孙一", "周二"]}


def test_chart_labels_render_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bars = [Bar("#1 春游", 0.5, 1.0), Bar("#2 期末考试安排", 1 / 3, 2 / 3)]
    labels = {"title": "三年级二班 2026-12 通知已读率", "first_label": "首日已读",
              "final_label": "最终已读", "axis_label": "已读率（%）"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning in matplotlib
        path = read_rate_chart(bars, tmp_path / "chart.png", **labels)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The check can fail: a Latin-only font draws boxes and matplotlib says so.
    import matplotlib
    latin = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    monkeypatch.setattr("services.charts.cjk_font", lambda: latin)
    with pytest.warns(UserWarning, match="missing from font"):
        read_rate_chart(bars, tmp_path / "boxes.png", **labels)


def test_a_cjk_font_is_always_found() -> None:
    assert BUNDLED_FONT.exists() and Path(cjk_font()).exists()


async def _activity(h: Harness) -> None:
    await h.setup_class()
    await h.say("校长", PRIVATE, "#帮助")
    await h.say("王老师", CLASS, "#通知 春游\n周五春游，请带好水。")
    await h.say("李明妈妈", CLASS, "收到")
    await h.at("2026-12-03 10:00")
    await h.say("张华爸爸", CLASS, "#收到 1")
    await h.say("王老师", CLASS, "#家长会 2026-12-10 19:00 | 三楼会议室 | 期末安排")
    await h.say("李明妈妈", CLASS, "参加 2人")
    await h.say("张华爸爸", PRIVATE, "#建议 多开放图书室")


async def test_report_on_demand_with_the_chart_as_a_picture(tmp_path: Path) -> None:
    config = make_config(tmp_path / "db.sqlite", reports={"export_dir": str(tmp_path / "out")})
    h = await Harness(config, capabilities=Capabilities(private_needs_contact=False,
                                                        files=True)).start()
    try:
        await _activity(h)
        h.channel.clear()
        report, chart = await h.say("王老师", PRIVATE, "#月报")
        assert "【三年级二班 · 2026-12 沟通效果评估】" in report.text
        assert "• #1 春游：首日 1/3，最终 2/3" in report.text
        assert "家长会 #1 期末安排" in report.text and "参加 1，不参加 0，待定 0，未回复 2" \
            in report.text
        assert "信箱来信 1 封" in report.text and "未答复 1 封" in report.text
        assert "需要关注：" in report.text and "通知已读率低于90%" in report.text
        assert chart.out.file is not None and chart.out.file.endswith(".png")
        with Path(chart.out.file).open("rb") as png:  # noqa: ASYNC230 - a test reading 4 bytes
            assert png.read(4) == b"\x89PNG"
        [refused] = await h.say("李明妈妈", PRIVATE, "#月报")
        assert "只有班主任、任课老师、校长可以使用" in refused.text
    finally:
        await h.stop()


async def test_monthly_job_for_head_teacher_and_principal(tmp_path: Path) -> None:
    config = make_config(tmp_path / "db.sqlite", classes=[DEMO_CLASS, OTHER],
                         mailbox={"principals": [{"name": "校长"}]})
    h = await Harness(config).start()
    try:
        await _activity(h)
        h.channel.clear()
        sent = await h.at("2027-01-01 09:00")
        [report] = [s for s in sent if s.where == "王老师" and "沟通效果评估" in s.text]
        assert "2026-12" in report.text and "通知 1 条" in report.text
        [overview] = [s for s in sent if s.where == "校长" and "全校" in s.text]
        lines = [line for line in overview.text.splitlines() if line.startswith("• ")]
        assert [line.split("：")[0] for line in lines] == ["• 三年级二班", "• 三年级一班"], \
            "the class with an overdue letter and low read rate comes first"
        assert "信箱超时未答复" in lines[0]
        assert not [s for s in sent if not s.private], "nothing in any group"
        assert not [s for s in await h.at("2027-01-02 09:00") if "沟通效果评估" in s.text]
    finally:
        await h.stop()
