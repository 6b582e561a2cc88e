"""Issue 11, parts 1 and 2 (tests/scripts/roster.txt, tests/scripts/approval.txt): the head
teacher runs the roster and the families from the chat; registration is harder to abuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.transcript import Replay, replay_once

G = "[三年级二班] "


@pytest.fixture(scope="module")
def roster_run(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    return replay_once(tmp_path_factory.mktemp("roster"), "roster.txt")


def test_one_relation_per_family(roster_run: Replay) -> None:
    step = roster_run.after(G + "赵雪爸爸: #登记 赵雪 妈妈")
    [refused] = step.to("三年级二班", private=False)
    assert "已经有一位「妈妈」" in refused and "#登记 赵雪 爸爸" in refused, refused
    assert step.to("王老师", private=True) == [], "a refusal the family can fix is not news"
    [ok] = roster_run.after(G + "赵雪爸爸: #登记 赵雪 爸爸").to("三年级二班", private=False)
    assert "登记成功：赵雪爸爸" in ok


def test_head_teacher_hears_of_every_registration(roster_run: Replay) -> None:
    for who, line in (("李明妈妈", "#登记 李明 妈妈"), ("赵雪爸爸", "#登记 赵雪 爸爸")):
        [told] = roster_run.after(f"{G}{who}: {line}").to("王老师", private=True)
        assert "【登记】" in told and who in told and f"#移除 {who}" in told, told


def test_a_full_family_is_settled_by_the_head_teacher(roster_run: Replay) -> None:
    full = roster_run.after(G + "李明奶奶: #登记 李明 奶奶")
    [refused] = full.to("三年级二班", private=False)
    assert "已达上限" in refused and "我已告诉班主任" in refused, refused
    [told] = full.to("王老师", private=True)
    assert "#允许 李明 3" in told and "#移除 李明妈妈" in told, told
    [allowed] = roster_run.after(G + "王老师: #允许 李明 3").to("王老师", private=True)
    assert "最多可以登记 3 位家长" in allowed, allowed
    [ok] = roster_run.after(G + "李明奶奶: #登记 李明 奶奶", 2).to("三年级二班", private=False)
    assert "登记成功：李明奶奶" in ok
    assert roster_run.after(G + "李明奶奶: 收到").sent == [], "her 收到 counts, silently"


def test_roster_is_private_and_complete(roster_run: Replay) -> None:
    step = roster_run.after(G + "王老师: #名单")
    assert step.to("三年级二班", private=False) == [], "the roster is never shown in the group"
    [listing] = step.to("王老师", private=True)
    assert "李明：李明妈妈、李明爸爸、李明奶奶（可登记 3 位）" in listing, listing
    assert "张华：未登记" in listing and "赵雪：赵雪妈妈、赵雪爸爸" in listing
    assert "未登记：张华" in listing


def test_same_named_students_carry_a_mark_everywhere(roster_run: Replay) -> None:
    [added] = roster_run.after(G + "王老师: #加学生 王一").to("王老师", private=True)
    assert "王一(2)" in added and "改记为 王一(1)" in added, added
    [which] = roster_run.after(G + "王一妈妈: #登记 王一 妈妈").to("三年级二班", private=False)
    assert "王一(1)、王一(2)" in which and "#登记 王一(1) 妈妈" in which, which
    [ok] = roster_run.after(G + "王一妈妈: #登记 王一(2) 妈妈").to("三年级二班", private=False)
    assert "登记成功：王一(2)妈妈" in ok
    [unread] = roster_run.after(G + "王老师: #未读 1").to("王老师", private=True)
    assert "王一(1)（家长未登记）" in unread and "王一(2)（王一(2)妈妈）" in unread, unread
    [nudge] = roster_run.after(":time 2026-12-01 12:30").to("王一妈妈", private=True)[:1]
    assert nudge.startswith("王一(2)妈妈您好"), nudge
    [final] = roster_run.after(G + "王老师: #名单", 2).to("王老师", private=True)
    assert "王一(1)：未登记" in final and "王一(2)：王一(2)妈妈" in final
    assert "王五" not in final, "#删学生 took 王五 off the roster"


def test_removed_guardian_counts_but_is_not_reminded(roster_run: Replay) -> None:
    [removed] = roster_run.after(G + "王老师: #移除 李明奶奶").to("王老师", private=True)
    assert "已移除「李明奶奶」" in removed and "李明妈妈、李明爸爸" in removed, removed
    [unread] = roster_run.after(G + "王老师: #未读 1").to("王老师", private=True)
    assert "已读 1/5" in unread and "• 李明" not in unread, "her 收到 still counts for 李明"
    [again] = roster_run.after(G + "李明奶奶: #登记 李明 奶奶", 3).to("三年级二班",
                                                                     private=False)
    assert "班主任已取消" in again, again
    nudges = roster_run.after(":time 2026-12-01 12:30")
    assert nudges.to("李明奶奶", private=True) == [], "no more reminders for her"
    assert any("下周体检" in t for t in nudges.to("李明妈妈", private=True))


def test_registration_waits_for_approval(tmp_path: Path) -> None:
    run = replay_once(tmp_path, "approval.txt", registration="approve")
    asked = run.after(G + "张华爸爸: #登记 张华 爸爸")
    [waiting] = asked.to("三年级二班", private=False)
    assert "等班主任确认" in waiting
    [told] = asked.to("王老师", private=True)
    assert "#批准 张华爸爸" in told and "#拒绝 张华爸爸" in told
    [refused] = run.after(G + "张华爸爸: #未读").to("三年级二班", private=False)
    assert refused.startswith("抱歉"), "waiting gives no access to anything"
    waiting_ack = run.after(G + "张华爸爸: 收到")
    assert waiting_ack.to("三年级二班", private=False) == []
    [told_waiting] = waiting_ack.to("张华爸爸", private=True)
    assert "等班主任确认" in told_waiting and "#登记" not in told_waiting, \
        "a waiting registration is not told to register again"
    approved = run.after(G + "王老师: #批准 张华爸爸")
    assert "已批准" in approved.to("王老师", private=True)[0]
    assert "已确认您的登记" in approved.to("张华爸爸", private=True)[0]
    assert run.after(G + "张华爸爸: 收到", 2).sent == [], "now the 收到 counts, silently"
    rejected = run.after(G + "王老师: #拒绝 李明妈妈")
    assert "没有通过" in rejected.to("路人", private=True)[0]
    [listing] = run.after(G + "王老师: #名单").to("王老师", private=True)
    assert "李明：未登记" in listing and "张华：张华爸爸" in listing, listing
