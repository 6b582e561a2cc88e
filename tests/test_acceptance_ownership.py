"""Issue 11, part 4 (tests/scripts/ownership.txt): who owns a group, handing a class over
(#移交 + #接受), unbinding a group (#解绑)."""

from __future__ import annotations

import pytest

from tests.transcript import Replay, replay_once

G = "[三年级二班] "
OWNER = "本群已绑定到「三年级二班」（班主任 王老师）"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    return replay_once(tmp_path_factory.mktemp("ownership"), "ownership.txt")


def test_bind_in_a_bound_group_says_who_owns_it(run: Replay) -> None:
    for who in ("李老师", "李明妈妈"):
        [answer] = run.after(f"{G}{who}: #绑定 三年级二班").to("三年级二班", private=False)
        assert OWNER in answer and "我还不认识您" not in answer, answer
    [own] = run.after(G + "王老师: #绑定 三年级二班", 2).to("三年级二班", private=False)
    assert "无需重复绑定" in own and "班主任 王老师" in own


def test_hand_over_takes_effect_on_accept(run: Replay) -> None:
    offered = run.after(G + "王老师: #移交 李老师")
    assert "对方发送 #接受 后生效" in offered.to("三年级二班", private=False)[0]
    assert "#接受" in offered.to("李老师", private=True)[0]
    [before] = run.after(G + "李老师: #名单").to("三年级二班", private=False)
    assert before.startswith("抱歉"), "an offer alone changes nothing"
    accepted = run.after(G + "李老师: #接受")
    assert "您已成为「三年级二班」的班主任" in accepted.to("三年级二班", private=False)[0]
    assert "李老师 已接受" in accepted.to("王老师", private=True)[0]
    assert run.after(G + "李老师: #名单", 2).to("李老师", private=True), "now hers"
    [mine] = run.after(G + "李老师: #绑定 三年级二班", 2).to("三年级二班", private=False)
    assert "班主任 李老师" in mine
    [refused] = run.after(G + "王老师: #名单").to("三年级二班", private=False)
    assert refused.startswith("抱歉"), "the former head teacher is a teacher now"
    [card] = run.after(G + "王老师: #通知 周五春游\n    请带好水和帽子。").to("三年级二班",
                                                                       private=False)
    assert "【通知 #1】" in card, "…who can still post notices"


def test_unbind_cancels_what_was_queued_for_the_group(run: Replay) -> None:
    [done] = run.after("[二班家长二群] 李老师: #解绑").to("二班家长二群", private=False)
    assert "解绑" in done and "保留" in done
    [unbound] = run.after("[二班家长二群] 李明妈妈: #登记 李明 妈妈").to("二班家长二群",
                                                                       private=False)
    assert "还没有绑定班级" in unbound
    morning = run.after(":time 2026-12-02 07:05")
    assert morning.to("二班家长二群", private=False) == [], "the held notice was cancelled"
    assert any("明天升旗" in t for t in morning.to("三年级二班", private=False))
    [unread] = run.after(G + "李老师: #未读 1").to("李老师", private=True)
    assert "已读 0/3" in unread and "李明（李明妈妈）" in unread, "the class's data stays"
