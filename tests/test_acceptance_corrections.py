"""Issue 11, part 3 (tests/scripts/corrections.txt): #更正 and #撤回 a notice, only by its
author or the head teacher; the same rule for moving or cancelling a meeting."""

from __future__ import annotations

import pytest

from tests.transcript import Replay, replay_once

G = "[三年级二班] "


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    return replay_once(tmp_path_factory.mktemp("corrections"), "corrections.txt")


def test_only_the_author_or_head_teacher_may_change(run: Replay) -> None:
    for line in ("张老师: #更正 1 春游改到周六。", "张老师: #撤回 2", "张老师: #取消 1",
                 "张老师: #改期 1 2026-12-11 19:00"):
        [refused] = run.after(G + line).to("三年级二班", private=False)
        assert refused.startswith("抱歉") and "王老师" in refused and "班主任" in refused, refused


def test_correction_keeps_the_number_and_asks_again(run: Replay) -> None:
    [card] = run.after(G + "王老师: #更正 1 春游改到周六，早上8:00到校。").to("三年级二班",
                                                                            private=False)
    assert card.startswith("✏️【更正 通知 #1】周五春游") and "早上8:00到校" in card, card
    [unread] = run.after(G + "王老师: #未读 1").to("王老师", private=True)
    assert "已读 0/3" in unread, "earlier 收到 no longer count"
    nudges = run.after(":time 2026-12-01 12:05")
    for family in ("张华爸爸", "赵雪爸爸"):  # reminders restart, with the corrected text
        [nudge] = nudges.to(family, private=True)
        assert "通知 #1" in nudge and "春游改到周六" in nudge, nudge
    assert nudges.to("李明妈妈", private=True) == [], "she confirmed the correction"


def test_withdrawal(run: Replay) -> None:
    step = run.after(G + "王老师: #撤回 2")
    [group] = step.to("三年级二班", private=False)
    assert "通知 #2「周三体检」已撤回" in group and len(group) < 40, group
    [told] = step.to("张华爸爸", private=True)
    assert "已撤回" in told, "the family who confirmed is told privately"
    assert step.to("李明妈妈", private=True) == [] and step.to("赵雪爸爸", private=True) == []
    [unread] = run.after(G + "王老师: #未读").to("王老师", private=True)
    assert "通知 #1" in unread and "体检" not in unread, "out of the unread lists"
    later = run.after(":time 2026-12-01 15:30").sent + run.after(":time 2026-12-02 07:05").sent
    assert not any("体检" in s.text for s in later), "its reminders were cancelled"
    [weekly] = run.after(":time 2026-12-04 17:05").to("三年级二班", private=False)
    assert "周五春游" in weekly and "体检" not in weekly and "开放日" not in weekly, weekly


def test_withdrawal_cancels_the_authors_phone_list(run: Replay) -> None:
    [done] = run.after(G + "王老师: #撤回 3").to("王老师", private=True)
    assert "已撤回通知 #3" in done
    morning = run.after(":time 2026-12-02 07:05")
    assert morning.to("王老师", private=True) == [], "the held 'still missing' list is gone"
    [group] = morning.to("三年级二班", private=False)
    assert "通知 #3「周四开放日」已撤回" in group
