"""Weekly class updates: items, content, the empty-week rule, preview, once per week."""

from __future__ import annotations

from pathlib import Path

from tests.harness import CLASS, Harness, make_config

FRIDAY_SLOT = "2026-12-04 17:00"  # the harness starts on Tuesday 2026-12-01 09:00


def weekly_posts(sent: list) -> list:
    return [s for s in sent if "本周班级动态" in s.text and not s.private]


async def test_update_lists_items_notices_with_read_rate_and_meetings(bound: Harness) -> None:
    [added] = await bound.say("王老师", CLASS, "#动态 本周完成了第三单元测验")
    assert "待发布 1 条" in added.text and "12月4日（周五）17:00" in added.text
    await bound.say("王老师", CLASS, "#动态 周三举行了跳绳比赛")
    await bound.say("王老师", CLASS, "#通知 周五春游\n请带好水。")
    await bound.say("李明妈妈", CLASS, "收到")
    await bound.say("王老师", CLASS, "#家长会 2026-12-11 19:00 | 三楼会议室 | 期末安排")
    await bound.say("张华爸爸", CLASS, "参加 2人")
    [post] = weekly_posts(await bound.at(FRIDAY_SLOT))
    assert post.where == CLASS
    assert "本周完成了第三单元测验" in post.text and "跳绳比赛" in post.text
    assert "#1 周五春游：已读 1/3" in post.text
    assert "期末安排" in post.text and "参加 1 户（2 人）" in post.text
    assert weekly_posts(await bound.at("2026-12-04 20:00")) == []


async def test_items_are_posted_once_and_next_week_has_its_own(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#动态 第一周的事")
    assert len(weekly_posts(await bound.at(FRIDAY_SLOT))) == 1
    await bound.say("王老师", CLASS, "#动态 第二周的事")
    [post] = weekly_posts(await bound.at("2026-12-11 17:00"))
    assert "第二周的事" in post.text and "第一周的事" not in post.text


async def test_empty_week_posts_nothing_by_default(bound: Harness) -> None:
    assert weekly_posts(await bound.at(FRIDAY_SLOT)) == []
    await bound.say("王老师", CLASS, "#动态 下周的事")
    assert len(weekly_posts(await bound.at("2026-12-11 17:00"))) == 1, "the series goes on"


async def test_empty_week_can_post_a_short_line(tmp_path: Path) -> None:
    h = await Harness(make_config(tmp_path / "c.db",
                                  weekly_update={"empty_week": "short"})).start()
    try:
        await h.setup_class()
        [post] = weekly_posts(await h.at(FRIDAY_SLOT))
        assert "本周没有新的通知和安排" in post.text
    finally:
        await h.stop()


async def test_slot_is_configurable(tmp_path: Path) -> None:
    h = await Harness(make_config(tmp_path / "c.db",
                                  weekly_update={"weekday": 6, "at": "10:00"})).start()
    try:
        await h.setup_class()
        await h.say("王老师", CLASS, "#动态 周六发")
        assert weekly_posts(await h.at(FRIDAY_SLOT)) == []
        assert len(weekly_posts(await h.at("2026-12-05 10:00"))) == 1
    finally:
        await h.stop()


async def test_preview_is_private_and_does_not_post(bound: Harness) -> None:
    [empty] = await bound.say("王老师", CLASS, "#本周动态")
    assert empty.private and "本周还没有内容" in empty.text and "#动态" in empty.text
    await bound.say("王老师", CLASS, "#动态 本周完成了第三单元测验")
    [preview] = await bound.say("王老师", CLASS, "#本周动态")
    assert preview.private and "第三单元测验" in preview.text
    assert "12月4日（周五）17:00" in preview.text
    [post] = weekly_posts(await bound.at(FRIDAY_SLOT))
    assert "第三单元测验" in post.text, "previewing does not use the items up"


async def test_parents_cannot_add_items(bound: Harness) -> None:
    [refused] = await bound.say("李明妈妈", CLASS, "#动态 我家孩子得奖了")
    assert refused.text.startswith("抱歉")
    assert weekly_posts(await bound.at(FRIDAY_SLOT)) == []


async def test_weekly_update_respects_quiet_hours(tmp_path: Path) -> None:
    h = await Harness(make_config(tmp_path / "c.db", weekly_update={"at": "22:00"})).start()
    try:
        await h.setup_class()
        await h.say("王老师", CLASS, "#动态 晚上的事")
        assert weekly_posts(await h.at("2026-12-04 22:05")) == []
        assert len(weekly_posts(await h.at("2026-12-05 07:00"))) == 1
    finally:
        await h.stop()


async def test_update_missed_while_down_runs_on_start_if_the_week_is_not_over(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#动态 停机前写的")
    await bound.bot.stop()
    bound.clock.set(bound.clock.now().replace(day=5, hour=1))  # Saturday 09:00 Shanghai
    await bound.restart()
    [post] = weekly_posts(await bound.at("2026-12-05 09:01"))
    assert "停机前写的" in post.text


async def test_update_more_than_a_week_late_is_dropped_and_items_kept(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#动态 很久以前写的")
    await bound.bot.stop()
    bound.clock.set(bound.clock.now().replace(day=8, hour=1))  # next Tuesday
    await bound.restart()
    assert weekly_posts(await bound.at("2026-12-08 09:01")) == []
    [post] = weekly_posts(await bound.at("2026-12-11 17:00"))
    assert "很久以前写的" in post.text
