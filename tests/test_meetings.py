"""Meetings: the card, RSVP in the group, refusals, tally, reminders, changes, check-in, minutes."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import ClassBot
from bot.channels.memory import MemoryChannel, Sent
from core.channel import Capabilities
from tests.harness import CLASS, Harness, make_config

MEETING = "#家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结"


def private_to(sent: list[Sent]) -> list[str]:
    return sorted(s.where for s in sent if s.private)


def reminders(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if "提醒" in s.text]


def in_group(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if not s.private]


async def tally_text(h: Harness, number: str = "") -> str:
    [answer] = await h.say("王老师", CLASS, f"#报名情况 {number}".strip())
    assert answer.private and answer.where == "王老师"
    return answer.text


async def test_card_is_posted_once_with_number_time_place_and_answers(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, MEETING)
    assert [s.where for s in sent] == [CLASS]
    card = sent[0]
    assert "家长会 #1" in card.text and "期中总结" in card.text
    assert "12月4日（周五）19:00" in card.text and "三楼会议室" in card.text
    assert "回复：参加 / 不参加 / 待定" in card.text, "no buttons here: the choices as text"
    second = await bound.say("王老师", CLASS, "#座谈会 2026-12-10 15:00 | 图书室 | 阅读分享")
    assert "座谈会 #2" in second[0].text


async def test_card_carries_buttons_where_the_channel_has_them(db_path) -> None:
    h = await Harness(make_config(db_path), capabilities=Capabilities(
        buttons=True, private_needs_contact=False)).start()
    try:
        await h.setup_class()
        [card] = await h.say("王老师", CLASS, MEETING)
        assert [(b.label, b.action) for b in card.out.buttons] == [
            ("参加", "#报名 1 参加"), ("不参加", "#报名 1 不参加"), ("待定", "#报名 1 待定")]
        assert await h.say("张华爸爸", CLASS, "不参加", action=card.out.buttons[1].action) == []
        [tally] = await h.say("王老师", CLASS, "#报名情况")
        assert "不参加 1 户" in tally.text
    finally:
        await h.stop()


async def test_chinese_relative_time_in_the_class_time_zone(bound: Harness) -> None:
    # 2026-12-01 is a Tuesday: 下周五 is 12月11日.
    sent = await bound.say("王老师", CLASS, "#家长会 下周五晚上7点 | 三楼会议室 | 期末安排")
    assert "12月11日（周五）19:00" in sent[0].text
    sent = await bound.say("王老师", CLASS, "/meeting 12月5日 19:00 | 礼堂")
    assert "12月5日（周六）19:00" in sent[0].text


@pytest.mark.parametrize(("when", "says"), [
    ("2026-11-20 19:00", ["2026-11-20 19:00", "已经过去"]),
    ("随便什么时候", ["看不懂", "随便什么时候"]),
    ("12月5日", ["12月5日", "几点", "2026-12-05 19:00"]),
])
async def test_past_or_unreadable_time_echoes_what_was_understood(
        bound: Harness, when: str, says: list[str]) -> None:
    [answer] = await bound.say("王老师", CLASS, f"#家长会 {when} | 三楼会议室 | 期中总结")
    assert answer.where == CLASS
    for words in says:
        assert words in answer.text, answer.text
    assert "例：#家长会" in answer.text
    assert "没有找到" not in answer.text
    assert "没有进行中或即将召开的会议" in await tally_text(bound), "no meeting was created"


async def test_meeting_without_time_gets_usage(bound: Harness) -> None:
    [answer] = await bound.say("王老师", CLASS, "#家长会")
    assert "用法：#家长会 时间 | 地点 | 主题" in answer.text


async def test_rsvps_are_silent_in_the_group_and_counted(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    assert await bound.say("李明妈妈", CLASS, "参加 2人") == []
    assert await bound.say("张华爸爸", CLASS, "不参加 出差") == []
    text = await tally_text(bound)
    assert "参加 1 户，共 2 人" in text and "不参加 1 户" in text
    assert "张华家：出差" in text
    assert "未回复：赵雪（赵雪爸爸）" in text


async def test_changing_an_answer_replaces_it(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加 2人")
    await bound.say("李明妈妈", CLASS, "待定")
    text = await tally_text(bound)
    assert "参加 0 户，共 0 人" in text and "待定 1 户" in text and "李明家" in text
    await bound.say("李明妈妈", CLASS, "#报名 1 参加 三人")
    assert "参加 1 户，共 3 人" in await tally_text(bound)


async def test_quoted_reply_and_button_answer_the_right_meeting(bound: Harness) -> None:
    first = await bound.say("王老师", CLASS, MEETING)
    await bound.say("王老师", CLASS, "#开放日 2026-12-10 09:00 | 教室 | 课堂开放")
    assert await bound.say("李明妈妈", CLASS, "参加", reply_to=first[0].message_id) == []
    assert await bound.say("张华爸爸", CLASS, "不参加", action="#报名 1 不参加") == []
    one = await tally_text(bound, "1")
    assert "参加 1 户" in one and "李明家" in one and "不参加 1 户" in one
    two = await tally_text(bound, "2")
    assert "参加 0 户" in two and "未回复 3 户" in two


async def test_bare_answer_without_any_meeting_is_explained_privately(bound: Harness) -> None:
    """An answer that cannot be applied is never silent, and never a group message."""
    [told] = await bound.say("李明妈妈", CLASS, "参加")
    assert told.where == "李明妈妈" and "没有可以报名的会议" in told.text
    assert await bound.say("李明妈妈", CLASS, "参加了吗？明天的活动") == []


async def test_answer_after_the_deadline_is_refused_with_the_reason(bound: Harness) -> None:
    await bound.say("王老师", CLASS, f"{MEETING} | 截止 2026-12-02 18:00")
    await bound.at("2026-12-02 18:30")
    [answer] = await bound.say("李明妈妈", CLASS, "参加")
    assert answer.where == "李明妈妈" and "截止" in answer.text
    assert "12月2日（周三）18:00" in answer.text
    assert "参加 0 户" in await tally_text(bound)


async def test_answer_over_capacity_is_refused(bound: Harness) -> None:
    await bound.say("王老师", CLASS, f"{MEETING} | 限 3人")
    assert await bound.say("李明妈妈", CLASS, "参加 2人") == []
    [answer] = await bound.say("张华爸爸", CLASS, "参加 2人")
    assert "名额不够" in answer.text and "只剩 1 个名额" in answer.text
    assert "名额已满" not in answer.text, "full and one seat left contradict each other"
    assert await bound.say("张华爸爸", CLASS, "参加") == []
    [full] = await bound.say("赵雪爸爸", CLASS, "参加")
    assert "名额已满" in full.text and "只剩" not in full.text
    # Changing one's own answer does not count one's old seats against oneself.
    assert await bound.say("李明妈妈", CLASS, "参加 2人") == []
    assert "共 3 人" in await tally_text(bound)


async def test_deadline_after_start_is_refused(bound: Harness) -> None:
    [answer] = await bound.say("王老师", CLASS, f"{MEETING} | 截止 2026-12-05 12:00")
    assert "晚于会议开始时间" in answer.text


async def test_committee_sees_counts_but_not_reasons_or_names(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#家委 李明妈妈")
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("张华爸爸", CLASS, "不参加 出差")
    [answer] = await bound.say("李明妈妈", CLASS, "#报名情况")
    assert answer.private and answer.where == "李明妈妈"
    assert "不参加 1 户" in answer.text
    assert "出差" not in answer.text and "张华" not in answer.text and "赵雪" not in answer.text
    [refused] = await bound.say("张华爸爸", CLASS, "#报名情况")
    assert refused.text.startswith("抱歉")


async def test_reminders_go_to_the_group_and_privately_to_yes_and_maybe(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加 2人")
    await bound.say("张华爸爸", CLASS, "不参加 出差")
    assert await bound.at("2026-12-03 18:55") == []
    sent = await bound.at("2026-12-03 19:05")
    [group] = in_group(sent)
    assert "提醒" in group.text and "12月4日（周五）19:00" in group.text
    assert private_to(sent) == ["李明妈妈"]
    await bound.say("赵雪爸爸", CLASS, "待定")
    sent = reminders(await bound.at("2026-12-04 18:00"))
    assert len(in_group(sent)) == 1 and private_to(sent) == ["李明妈妈", "赵雪爸爸"]
    assert await bound.at("2026-12-05 09:00") == []


async def test_rsvp_nudge_before_the_deadline_goes_to_those_who_did_not_answer(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, f"{MEETING} | 截止 2026-12-03 12:00")
    await bound.say("李明妈妈", CLASS, "参加")
    sent = await bound.at("2026-12-02 12:05")
    assert private_to(sent) == ["张华爸爸", "赵雪爸爸"]
    assert all("截止" in s.text for s in sent)


async def test_unreachable_parents_are_nudged_in_one_group_mention(db_path) -> None:
    h = await Harness(make_config(db_path),
                      capabilities=Capabilities(private_needs_contact=True)).start()
    try:
        await h.setup_class()
        await h.say("张华爸爸", "私聊", "你好")
        await h.say("王老师", CLASS, f"{MEETING} | 截止 2026-12-03 12:00")
        sent = await h.at("2026-12-02 12:05")
        assert private_to(sent) == ["张华爸爸"]
        [group] = in_group(sent)
        assert sorted(m.display_name for m in group.out.mentions) == ["李明妈妈", "赵雪爸爸"]
    finally:
        await h.stop()


async def test_reschedule_moves_reminders_and_tells_those_who_answered(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.say("张华爸爸", CLASS, "不参加 出差")
    sent = await bound.say("王老师", CLASS, "#改期 1 2026-12-11 19:00")
    [group] = in_group(sent)
    assert "改期" in group.text and "12月11日（周五）19:00" in group.text
    assert private_to(sent) == ["张华爸爸", "李明妈妈"]
    assert reminders(await bound.at("2026-12-04 18:30")) == [], "old reminders must not fire"
    sent = await bound.at("2026-12-10 19:05")
    assert "12月11日（周五）19:00" in in_group(sent)[0].text
    assert "参加 1 户" in await tally_text(bound), "answers are kept"


async def test_cancel_stops_reminders_and_tells_those_who_answered(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    sent = await bound.say("王老师", CLASS, "#取消 1")
    assert "取消" in in_group(sent)[0].text and private_to(sent) == ["李明妈妈"]
    assert await bound.at("2026-12-05 09:00") == []
    [answer] = await bound.say("张华爸爸", CLASS, "#报名 1 参加")
    assert "已取消" in answer.text
    [again] = await bound.say("王老师", CLASS, "#取消 1")
    assert "已经取消" in again.text


async def test_checkin_only_in_its_window_and_attendance(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.say("张华爸爸", CLASS, "不参加 出差")
    await bound.at("2026-12-04 12:00")
    [early] = await bound.say("李明妈妈", CLASS, "#签到 1")
    assert "18:30" in early.text and "21:00" in early.text and "不在签到时间" in early.text
    await bound.at("2026-12-04 18:40")
    sent = await bound.say("李明妈妈", CLASS, "签到")
    assert in_group(sent) == [] and private_to(sent) == ["李明妈妈"]
    [record] = await bound.say("王老师", CLASS, "#考勤")
    assert record.private
    assert "到场 1 户：李明家" in record.text
    assert "未到场 1 户：张华家（报名：不参加，出差）" in record.text
    assert "未回复也未到场 1 户：赵雪家" in record.text


async def test_minutes_go_privately_to_absent_families_only(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.at("2026-12-04 19:10")
    await bound.say("李明妈妈", CLASS, "签到")
    await bound.at("2026-12-04 21:10")
    sent = await bound.say("王老师", CLASS, "#纪要\n一、期中成绩良好。\n二、寒假1月20日开始。")
    [group] = in_group(sent)
    assert "纪要已记录" in group.text and "寒假" not in group.text
    assert private_to(sent) == ["张华爸爸", "赵雪爸爸"]
    assert all("寒假1月20日开始" in s.text for s in sent if s.private)
    [updated] = await bound.say("王老师", CLASS, "#纪要 1 更正：寒假1月21日开始。")
    assert "已更新" in updated.text


async def test_minutes_written_late_at_night_wait_for_morning(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.at("2026-12-04 22:30")
    [saved] = await bound.say("王老师", CLASS, "#纪要\n寒假1月20日开始。")
    assert saved.where == CLASS and "07:00" in saved.text
    sent = await bound.at("2026-12-05 07:00")
    assert len(in_group(sent)) == 1 and private_to(sent) == ["张华爸爸", "李明妈妈", "赵雪爸爸"]


async def test_a_meeting_called_after_another_ended_does_not_capture_its_records(
        bound: Harness) -> None:
    """签到, #考勤 and #纪要 without a number mean the meeting in progress or the one that
    most recently ended, never the next one (else every family is told it missed #2)."""
    await bound.say("王老师", CLASS, MEETING)  # #1: 12-04 19:00-21:00
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.at("2026-12-04 19:10")
    await bound.say("李明妈妈", CLASS, "签到")
    await bound.at("2026-12-04 21:10")
    await bound.say("王老师", CLASS, "#家长会 2026-12-11 19:00 | 三楼会议室 | 期末安排")
    [late] = await bound.say("张华爸爸", CLASS, "签到")
    assert "家长会 #1 的签到时间" in late.text, late.text
    [record] = await bound.say("王老师", CLASS, "#考勤")
    assert "家长会 #1" in record.text and "到场 1 户：李明家" in record.text, record.text
    sent = await bound.say("王老师", CLASS, "#纪要\n寒假1月20日开始。")
    assert private_to(sent) == ["张华爸爸", "赵雪爸爸"]
    assert all("家长会 #1「期中总结」" in s.text for s in sent if s.private)
    [tally] = [s for s in await bound.say("王老师", CLASS, "#报名情况") if s.private]
    assert "#2" in tally.text, "a tally without a number still means the newest meeting"


async def test_records_without_a_number_never_mean_a_future_meeting(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    [checkin] = await bound.say("李明妈妈", CLASS, "签到")
    assert "现在没有可以签到的会议" in checkin.text
    [record] = await bound.say("王老师", CLASS, "#考勤")
    assert record.private and "没有进行中或刚结束的会议" in record.text
    [minutes] = await bound.say("王老师", CLASS, "#纪要\n寒假1月20日开始。")
    assert "没有进行中或刚结束的会议" in minutes.text
    await bound.at("2026-12-04 18:30")  # check-in opens: the meeting counts as in progress
    [record] = await bound.say("王老师", CLASS, "#考勤")
    assert "家长会 #1" in record.text


async def test_staff_commands_without_a_meeting_say_how(bound: Harness) -> None:
    [answer] = await bound.say("王老师", CLASS, "#取消")
    assert "没有进行中或即将召开的会议" in answer.text
    [answer] = await bound.say("王老师", CLASS, "#改期 9 2026-12-11 19:00")
    assert "编号为 9" in answer.text


async def test_restart_between_scheduling_and_due_time_fires_once(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.restart()
    sent = await bound.at("2026-12-03 19:05")
    assert len(in_group(sent)) == 1 and private_to(sent) == ["李明妈妈"]
    await bound.restart()
    assert await bound.at("2026-12-03 19:10") == []


async def test_two_instances_on_one_sqlite_file_fire_once(bound: Harness) -> None:
    async with bound.second_process() as (other, other_channel):
        await bound.say("王老师", CLASS, MEETING)
        await bound.say("李明妈妈", CLASS, "参加")
        bound.clock.set(bound.clock.now().replace(day=3, hour=11, minute=5))  # 19:05 Shanghai
        await asyncio.gather(bound.bot.settle(), other.settle())
        sent = reminders(bound.channel.sent + other_channel.sent)
        assert len(in_group(sent)) == 1 and private_to(sent) == ["李明妈妈"]


async def test_reminder_in_quiet_hours_waits_for_morning_or_is_dropped(bound: Harness) -> None:
    # 1-day reminder due 12-03 07:30 is fine; the 1-hour one (06:30) waits until 07:00.
    await bound.say("王老师", CLASS, "#家长会 2026-12-04 07:30 | 操场 | 晨会")
    sent = await bound.at("2026-12-04 06:35")
    assert in_group(sent) == [], "held by quiet hours"
    sent = await bound.at("2026-12-04 07:00")
    assert len(in_group(sent)) == 1 and "晨会" in sent[0].text
    # A meeting starting inside quiet hours: its 1-hour reminder could only arrive late.
    await bound.say("王老师", CLASS, "#家长会 2026-12-06 06:30 | 操场 | 早训")
    await bound.at("2026-12-05 07:00")
    assert await bound.at("2026-12-06 07:10") == []


async def test_reminders_missed_while_down_are_dropped_with_a_log_line(
        bound: Harness, caplog: pytest.LogCaptureFixture) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加")
    await bound.bot.stop()
    bound.clock.set(bound.clock.now().replace(day=4, hour=11, minute=30))  # 19:30, started
    bound.channel = MemoryChannel()
    bound.bot = ClassBot(bound.config, [bound.channel], bound.clock)
    with caplog.at_level(logging.INFO):
        await bound.start()
        await bound.bot.settle()
    assert [s for s in bound.channel.sent if "提醒" in s.text] == []
    assert any("would arrive after the start" in r.message or "later one is due" in r.message
               for r in caplog.records)


async def test_only_the_latest_reminder_runs_after_an_outage(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    sent = await bound.at("2026-12-04 18:10")  # both the 1-day and the 1-hour are due now
    assert len([s for s in in_group(sent) if "提醒" in s.text]) == 1


async def test_private_rsvp_is_confirmed_privately(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    [confirm] = await bound.say("李明妈妈", "私聊", "参加 2人")
    assert confirm.private and "已记录" in confirm.text and "2 人" in confirm.text
    [changed] = await bound.say("李明妈妈", "私聊", "不参加 孩子生病")
    assert "已改为" in changed.text and "孩子生病" in changed.text


async def test_class_can_turn_on_private_confirmation_of_group_answers(db_path) -> None:
    h = await Harness(make_config(db_path, meetings={"confirm_rsvp_privately": True})).start()
    try:
        await h.setup_class()
        await h.say("王老师", CLASS, MEETING)
        sent = await h.say("李明妈妈", CLASS, "参加")
        assert in_group(sent) == [] and private_to(sent) == ["李明妈妈"]
    finally:
        await h.stop()
