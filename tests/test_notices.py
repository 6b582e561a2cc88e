"""Notices: publish, silent acknowledgement, the unread list and nudges."""

from __future__ import annotations

from core.channel import Capabilities
from tests.harness import CLASS, Harness, make_config

NOTICE = "#通知 周五春游\n请带好水和帽子，早上7:50到校。"


async def test_notice_is_posted_once_numbered_with_author(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, NOTICE)
    assert [s.where for s in sent] == [CLASS]
    assert "【通知 #1】周五春游" in sent[0].text
    assert "7:50" in sent[0].text and "王老师" in sent[0].text
    second = await bound.say("王老师", CLASS, "#通知 下周一升旗\n穿校服")
    assert "【通知 #2】" in second[0].text


async def test_every_ack_form_is_silent_in_the_group(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    for speaker, text in (("李明妈妈", "收到"), ("张华爸爸", "收到，谢谢老师！"),
                          ("赵雪爸爸", "👌")):
        assert await bound.say(speaker, CLASS, text) == [], text
    sent = await bound.say("王老师", CLASS, "#未读")
    assert "已读 3/3" in sent[0].text


async def test_chatter_that_starts_like_ok_is_not_an_ack(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    assert await bound.say("李明妈妈", CLASS, "好的，我明天问问孩子要不要带伞呢") == []
    sent = await bound.say("王老师", CLASS, "#未读")
    assert "已读 0/3" in sent[0].text


async def test_quoted_reply_acknowledges_the_quoted_notice(bound: Harness) -> None:
    first = await bound.say("王老师", CLASS, NOTICE)
    await bound.say("王老师", CLASS, "#通知 第二条\n内容")
    await bound.say("李明妈妈", CLASS, "收到", reply_to=first[0].message_id)
    one = await bound.say("王老师", CLASS, "#未读 1")
    two = await bound.say("王老师", CLASS, "#未读 2")
    assert "已读 1/3" in one[0].text and "已读 0/3" in two[0].text


async def test_bare_ack_counts_for_the_whole_burst(bound: Harness) -> None:
    """Two notices posted minutes apart are one burst: one 收到 confirms both (issue 10)."""
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 09:04")
    await bound.say("王老师", CLASS, "#通知 第二条\n内容")
    sent = await bound.say("李明妈妈", CLASS, "收到")
    assert [s.where for s in sent] == ["李明妈妈"], "told privately, nothing in the group"
    assert "#1" in sent[0].text and "#2" in sent[0].text
    assert "已读 1/3" in (await bound.say("王老师", CLASS, "#未读 1"))[0].text
    assert "已读 1/3" in (await bound.say("王老师", CLASS, "#未读 2"))[0].text


async def test_bare_ack_with_two_separate_notices_owed_asks_which(bound: Harness) -> None:
    """Never "the newest": two notices hours apart, a bare 收到 → a private numbered question."""
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 11:00")
    await bound.say("王老师", CLASS, "#通知 第二条\n内容")
    [asked] = await bound.say("李明妈妈", CLASS, "收到")
    assert asked.where == "李明妈妈" and "1." in asked.text and "2." in asked.text
    assert "已读 0/3" in (await bound.say("王老师", CLASS, "#未读 1"))[0].text
    [done] = await bound.say("李明妈妈", "私聊", "第一个")
    assert "#1" in done.text and "周五春游" in done.text
    assert "已读 1/3" in (await bound.say("王老师", CLASS, "#未读 1"))[0].text
    assert "已读 0/3" in (await bound.say("王老师", CLASS, "#未读 2"))[0].text


async def test_explicit_ack_by_number_and_button(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("王老师", CLASS, "#通知 第二条\n内容")
    assert await bound.say("李明妈妈", CLASS, "#收到 1") == []
    assert await bound.say("张华爸爸", CLASS, "", action="#收到 1") == []
    assert "已读 2/3" in (await bound.say("王老师", CLASS, "#未读 1"))[0].text
    missing = await bound.say("李明妈妈", CLASS, "#收到 9")
    assert "没有找到通知 #9" in missing[0].text


async def test_one_guardian_acks_for_the_whole_family(bound: Harness) -> None:
    await bound.say("李明爸爸", CLASS, "#登记 李明 爸爸")
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明爸爸", CLASS, "收到")
    text = (await bound.say("王老师", CLASS, "#未读"))[0].text
    assert "已读 1/3" in text and "李明" not in text


async def test_unread_list_is_private_and_names_only_missing_families(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明妈妈", CLASS, "收到")
    sent = await bound.say("王老师", CLASS, "#未读")
    assert len(sent) == 1 and sent[0].private and sent[0].where == "王老师"
    assert "已读 1/3" in sent[0].text
    assert "张华" in sent[0].text and "赵雪" in sent[0].text and "李明" not in sent[0].text


async def test_unread_for_a_roster_child_without_registered_guardian(harness: Harness) -> None:
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    await harness.say("王老师", CLASS, NOTICE)
    text = (await harness.say("王老师", CLASS, "#未读"))[0].text
    assert "已读 0/3" in text and "家长未登记" in text


async def test_unregistered_sender_ack_counts_for_nobody(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    sent = await bound.say("路人", CLASS, "收到")
    assert all(s.private for s in sent), "never a group message"
    assert sent and "#登记" in sent[0].text
    assert "已读 0/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text


async def test_nudge_after_delay_goes_privately_to_unacked_only(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明妈妈", CLASS, "收到")
    assert await bound.at("2026-12-01 11:59") == []
    sent = await bound.at("2026-12-01 12:00")
    assert sorted(s.where for s in sent) == ["张华爸爸", "赵雪爸爸"]
    assert all(s.private and "周五春游" in s.text for s in sent)


async def test_private_ack_after_nudge_and_second_round_to_author(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 12:00")
    reply = await bound.say("张华爸爸", "私聊", "收到")
    assert reply[0].private and "已确认通知 #1" in reply[0].text
    second = await bound.at("2026-12-01 15:00")
    assert [s.where for s in second] == ["王老师"]
    assert "赵雪" in second[0].text and "李明" in second[0].text
    assert "张华" not in second[0].text
    assert await bound.at("2026-12-02 15:00") == [], "each round happens once"


async def test_nobody_is_nudged_when_everyone_acked(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    for parent in ("李明妈妈", "张华爸爸", "赵雪爸爸"):
        await bound.say(parent, CLASS, "收到")
    assert await bound.at("2026-12-02 09:00") == []


async def test_urgent_notice_nudges_after_thirty_minutes(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#紧急通知 明天停课\n暴雨预警")
    assert await bound.at("2026-12-01 09:29") == []
    sent = await bound.at("2026-12-01 09:30")
    assert len(sent) == 3 and all(s.private for s in sent)
    assert "紧急通知" in sent[0].text


async def test_unreachable_parents_are_mentioned_in_one_group_message(db_path) -> None:
    """On platforms where the bot cannot open a private chat, nudges fall back to one
    group message that @-mentions everyone who has not read."""
    h = await Harness(make_config(db_path),
                      capabilities=Capabilities(private_needs_contact=True)).start()
    try:
        await h.setup_class()
        await h.say("赵雪爸爸", "私聊", "你好")  # only he opened a private chat
        await h.say("王老师", CLASS, NOTICE)
        sent = await h.at("2026-12-01 12:00")
        private = [s for s in sent if s.private]
        group = [s for s in sent if not s.private]
        assert [s.where for s in private] == ["赵雪爸爸"]
        assert len(group) == 1
        assert {m.display_name for m in group[0].out.mentions} == {"李明妈妈", "张华爸爸"}
    finally:
        await h.stop()


async def test_notice_posted_privately_goes_to_the_group_and_confirms(bound: Harness) -> None:
    sent = await bound.say("王老师", "私聊", NOTICE)
    assert [s.where for s in sent] == [CLASS, "王老师"]
    assert "已发到：三年级二班" in sent[1].text


async def test_malformed_notice_gets_usage_with_example(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "#通知")
    assert len(sent) == 1 and "用法：#通知" in sent[0].text and "例：" in sent[0].text
    sent = await bound.say("王老师", CLASS, "#未读 abc")
    assert "用法：#未读" in sent[0].text
