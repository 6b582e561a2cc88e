"""WeChat end to end: the real wechaty SDK against the fake gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from grpclib.const import Status
from sqlalchemy import select

from models import GroupBinding
from tests.wechat_world import LI, ROOM, TOPIC, WANG, ZHANG, ZHAO, WechatWorld

NOTICE = "#通知 周五春游\n请带好水和帽子，早上7:50到校。"


@pytest.fixture
async def world(db_path: Path) -> AsyncIterator[WechatWorld]:
    async with WechatWorld(db_path) as w:
        yield w


@pytest.fixture
async def bound(world: WechatWorld) -> WechatWorld:
    """Bound to 三年级二班, with 李明妈妈, 张华爸爸 and 赵雪爸爸 registered."""
    await world.setup_class()
    return world


async def test_binding_and_registration_in_the_room(world: WechatWorld) -> None:
    # The head teacher @-mentions the bot by its alias in this room: the mention is cut.
    world.puppet.rooms[ROOM].aliases["bot-self"] = "小助手"
    bound = await world.say(WANG, "#绑定 三年级二班", mention=("bot-self",))
    assert [s.conversation_id for s in bound] == [ROOM]
    assert "已绑定" in bound[0].text and "#登记" in bound[0].text
    async with world.bot.db.session() as session:
        binding = (await session.scalars(select(GroupBinding))).one()
    assert binding.title == TOPIC  # the room topic is the chat's title

    registered = await world.say(LI, "#登记 李明 妈妈")
    assert "登记成功" in registered[0].text and registered[0].conversation_id == ROOM
    wrong = await world.say(ZHANG, "#登记 张华")
    assert "#登记 李明 妈妈" in wrong[0].text  # usage line with an example


async def test_notice_then_one_group_message_mentioning_the_unread(bound: WechatWorld) -> None:
    posted = await bound.say(WANG, NOTICE)
    assert len(posted) == 1 and posted[0].conversation_id == ROOM
    card = posted[0].text
    assert "【通知 #1】周五春游" in card
    assert "收到" in card.splitlines()[-1]  # no buttons on WeChat: the choices as a text hint
    await bound.say(ZHAO, "老师好", room=None)  # privately reachable from now on
    assert await bound.say(LI, "收到") == []  # acknowledging is silent in the group
    assert await bound.say(ZHANG, "收到，谢谢老师") == []

    nudges = await bound.at("2026-12-01 12:30")
    # one group message even for a parent the bot could write to privately: many private
    # messages in a row are what gets a personal WeChat account restricted
    assert len(nudges) == 1, [n.text for n in nudges]
    nudge = nudges[0]
    assert nudge.conversation_id == ROOM and nudge.mention_ids == [ZHAO]
    assert nudge.text.startswith("@赵雪爸爸")  # WeChat shows the @ with the real name
    # the group is not told what about (who has not read is nobody else's business) …
    assert "周五春游" not in nudge.text and "确认" not in nudge.text, nudge.text
    # … the reminder itself waits for his next private message
    later = await bound.say(ZHAO, "什么事？", room=None)
    assert any(s.conversation_id == ZHAO and "周五春游" in s.text for s in later), later


async def test_quoting_a_notice_acknowledges_that_notice(bound: WechatWorld) -> None:
    first = (await bound.say(WANG, NOTICE))[0]
    await bound.say(WANG, "#通知 第二条\n内容")
    bound.puppet.quote(LI, first, "收到", room=ROOM)
    await bound.handled(1)
    await bound.settle()
    one = await bound.say(WANG, "#未读 1", room=None)
    two = await bound.say(WANG, "#未读 2", room=None)
    assert "已读 1/3" in one[0].text and "已读 0/3" in two[0].text


async def test_private_chat_is_answered_privately(bound: WechatWorld) -> None:
    answer = await bound.say(ZHAO, "你好", room=None)
    assert [s.conversation_id for s in answer] == [ZHAO]
    unread = await bound.say(WANG, "#未读", room=None)
    assert unread and all(s.conversation_id == WANG for s in unread)


async def test_own_and_non_text_messages_are_ignored(bound: WechatWorld) -> None:
    from tests.fake_puppet import IMAGE

    bound.puppet.say(LI, "[图片]", room=ROOM, msg_type=IMAGE)
    bound.puppet.say("bot-self", "#绑定 三年级二班", room=ROOM)
    registered = await bound.say(LI, "#登记 李明 妈妈")  # the next text still works
    assert len(registered) == 1 and "已经登记" in registered[0].text
    assert bound.bot.handled == bound.expected  # the two ignored ones never reached the bot


async def test_room_join_greets_newcomers_once_with_the_registration_hint(
        bound: WechatWorld) -> None:
    bound.puppet.person("wx-new1", "小红妈妈")
    bound.puppet.person("wx-new2", "小刚爸爸")
    bound.puppet.join(ROOM, ["wx-new1", "wx-new2"], WANG)
    await bound.handled(1)
    greeting = await bound.settle()
    assert len(greeting) == 1 and greeting[0].conversation_id == ROOM
    assert greeting[0].mention_ids == ["wx-new1", "wx-new2"]
    assert "#登记 学生姓名 关系" in greeting[0].text and "例如" in greeting[0].text


async def test_a_parent_who_leaves_is_no_longer_nudged_and_comes_back_quietly(
        bound: WechatWorld) -> None:
    bound.puppet.leave(ROOM, [ZHAO], WANG)
    await bound.handled(1)
    assert await bound.settle() == []
    await bound.say(WANG, NOTICE)
    nudges = await bound.at("2026-12-01 12:30")
    assert [n.mention_ids for n in nudges] == [[LI, ZHANG]]  # 赵雪爸爸 left: not @-mentioned

    bound.puppet.join(ROOM, [ZHAO], WANG)
    await bound.handled(1)
    assert await bound.settle() == []  # known parent: restored, no registration hint
    assert await bound.say(ZHAO, "收到") == []
    status = await bound.say(WANG, "#未读 1", room=None)
    assert "已读 1/3" in status[0].text


async def test_gateway_down_and_back_loses_nothing(bound: WechatWorld) -> None:
    bound.puppet.say(WANG, NOTICE, room=ROOM)
    await bound.handled(1)
    await bound.server.stop()  # the gateway goes down before the notice is delivered
    await asyncio.wait_for(bound.channel.wait_disconnected(), 10)
    assert await bound.settle() == []  # could not send: kept for a later round
    bound.puppet.say(LI, "收到", room=ROOM)  # written while the bot is cut off

    await bound.server.start()  # same port: the channel reconnects by itself
    await bound.handled(1)  # the buffered 收到 arrives after the reconnect
    assert bound.channel.connections == 2
    delivered = await bound.at("2026-12-01 09:05")  # the retry round is due
    assert len(delivered) == 1 and "【通知 #1】周五春游" in delivered[0].text
    status = await bound.say(WANG, "#未读 1", room=None)
    assert "已读 1/3" in status[0].text


async def test_a_refused_send_is_retried_not_lost(bound: WechatWorld) -> None:
    bound.puppet.fail_sends(Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE)
    assert await bound.say(WANG, NOTICE) == []
    delivered = await bound.at("2026-12-01 09:02")
    assert len(delivered) == 1 and "周五春游" in delivered[0].text


async def test_files_go_out_as_wechat_files(bound: WechatWorld) -> None:
    from core.events import ChatKind, ChatRef

    chat = ChatRef("wechat", WANG, ChatKind.PRIVATE, "王老师")
    await bound.channel.send_file(chat, "未读名单.csv", "家庭,状态\n赵雪,未读\n".encode())
    sent = bound.puppet.sent[-1]
    assert sent.kind == "file" and sent.conversation_id == WANG
    assert sent.filebox is not None and sent.filebox["name"] == "未读名单.csv"


async def test_meeting_rsvp_in_the_room(bound: WechatWorld) -> None:
    await bound.say(WANG, "#帮助", room=None)  # the teacher writes to the bot once
    card = await bound.say(WANG, "#家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结")
    assert len(card) == 1 and card[0].conversation_id == ROOM
    assert "三楼会议室" in card[0].text and "参加" in card[0].text.splitlines()[-1]
    assert await bound.say(LI, "参加 2人") == []  # answers are silent in the group
    assert await bound.say(ZHANG, "不参加 出差") == []
    [tally] = await bound.say(WANG, "#报名情况")
    assert tally.conversation_id == WANG  # privately, never in the group
    assert "参加 1 户，共 2 人" in tally.text and "张华家：出差" in tally.text


async def test_mailbox_in_private(bound: WechatWorld) -> None:
    await bound.say(WANG, "#帮助", room=None)
    sent = await bound.say(LI, "#投诉 食堂的饭菜太咸了", room=None)
    to_teacher = [s for s in sent if s.conversation_id == WANG]
    receipt = [s for s in sent if s.conversation_id == LI]
    assert to_teacher and "食堂的饭菜太咸了" in to_teacher[0].text
    assert receipt and "X-0001" in receipt[0].text
    assert all(s.conversation_id != ROOM for s in sent)  # a letter never reaches the group
    reply = await bound.say(WANG, "#回复 X-0001 已反馈给食堂", room=None)
    assert any(s.conversation_id == LI and "已反馈给食堂" in s.text for s in reply)


async def test_a_role_goes_to_the_mentioned_account_not_the_display_name(
        bound: WechatWorld) -> None:
    """Issue 16: the probe renamed a parent 张老师 and the head teacher's #任课 gave them the
    role. On WeChat only the @-mention (mentionIdList) picks a person."""
    bound.puppet.person("wx-teacher", "张老师")
    bound.puppet.rooms[ROOM].members.append("wx-teacher")
    bound.puppet.rooms[ROOM].aliases[ZHAO] = "张老师"  # a parent renamed in the group
    await bound.say(ZHAO, "大家好")
    [point] = await bound.say(WANG, "#任课 张老师 数学")
    assert "@ 对方" in point.text and "已添加" not in point.text, point.text
    [ok] = await bound.say(WANG, "#任课 @张老师\u2005数学", mention=("wx-teacher",))
    assert "已添加任课老师" in ok.text, ok.text
    posted = await bound.say("wx-teacher", NOTICE)
    assert "【通知 #1】" in posted[0].text
    refused = await bound.say(ZHAO, "#未读")
    assert "抱歉" in refused[0].text


async def test_a_score_file_sent_privately_after_the_command(bound: WechatWorld) -> None:
    """WeChat files carry no caption: #成绩 asks, the file message sent next answers it; its
    content comes through the gateway's MessageFile (a base64 file box)."""
    from tests.sheets import xlsx

    for talker in (WANG, LI, ZHANG):
        await bound.say(talker, "#帮助", room=None)  # everyone wrote to the bot once
    [asked] = await bound.say(WANG, "#成绩 期中", room=None)
    assert asked.conversation_id == WANG and "请发送成绩表文件或粘贴表格" in asked.text
    message_id = bound.puppet.send_file(WANG, "期中成绩.xlsx",
                                        xlsx((("姓名", "语文"), ("李明", 95), ("张华", 88))))
    await bound.handled(1)
    [preview] = await bound.settle()
    assert bound.puppet.file_requests == [message_id]
    assert preview.conversation_id == WANG and "读到 2 名学生" in preview.text
    rows = await bound.say(WANG, "确认", room=None)
    own = {s.conversation_id: s.text for s in rows if s.conversation_id != WANG}
    assert set(own) == {LI, ZHANG} and "语文：95" in own[LI] and "张华" not in own[LI]


async def test_a_file_in_the_room_is_not_fetched(bound: WechatWorld) -> None:
    bound.puppet.send_file(LI, "照片.xlsx", b"PK", room=ROOM)
    registered = await bound.say(LI, "#登记 李明 妈妈")  # the next text still works
    assert len(registered) == 1 and "已经登记" in registered[0].text
    assert bound.puppet.file_requests == [] and bound.bot.handled == bound.expected
