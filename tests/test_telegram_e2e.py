"""The real PTB Application and ClassBot against a fake Bot API on 127.0.0.1 (no network).

Each test is a story a class would live through on Telegram: bind the group, register, get a
notice with a 收到 button, press it or type it, read the unread list privately, a parent who
blocked the bot, Telegram's flood limits, a restart between updates.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.channels.telegram import TelegramChannel
from core.channel import ChannelUnavailable, SendLimits
from core.config import TelegramSettings
from models import GroupBinding, Identity, OutboxMessage
from tests.fake_telegram import updates
from tests.fake_telegram.rig import GROUP, LI, WANG, ZHANG, ZHAO, Rig, telegram_config
from tests.fake_telegram.server import FakeTelegram, Limits

GROUP_ID = GROUP["id"]
REPO = Path(__file__).resolve().parents[1]
NOTICE = "#通知 周五春游\n请带好水和帽子，早上7:50到校。"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


@pytest.fixture
async def rig(fake: FakeTelegram, db_path: Path) -> AsyncIterator[Rig]:
    r = await Rig(telegram_config(db_path, fake), fake).start()
    yield r
    await r.stop()


async def setup_class(rig: Rig) -> None:
    """Bound group; 李明妈妈 and 张华爸爸 registered and started the bot privately; 赵雪爸爸
    registered in the group only."""
    await rig.say(WANG, "#绑定 三年级二班")
    for who in (LI, ZHANG, ZHAO):
        await rig.say(who, f"#登记 {who['first_name'][:2]} {who['first_name'][2:]}")
    for who in (WANG, LI, ZHANG):
        await rig.say(who, "/start remind", chat=updates.private(who))


def card_of(fake: FakeTelegram) -> dict:
    [call] = [c for c in fake.sent(GROUP_ID) if "reply_markup" in c.params]
    return call.result


async def count(rig: Rig, model: type, *where: object) -> int:
    assert rig.bot is not None
    async with rig.bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- start-up ----------------------------------------------------------------------------

async def test_start_up_checks_the_token_and_publishes_the_menu(rig: Rig,
                                                                fake: FakeTelegram) -> None:
    methods = [c.method for c in fake.calls]
    assert methods[0] == "getMe"
    menus = {c.params["scope"]["type"]: [b["command"] for b in c.params["commands"]]
             for c in fake.calls if c.method == "setMyCommands"}
    assert {"notice", "ack", "bind", "register", "help"} <= set(menus["all_group_chats"])
    assert "bind" not in menus["all_private_chats"], "binding only makes sense in a group"
    assert "help" in menus["all_private_chats"]


async def test_a_rejected_token_stops_start_up(fake: FakeTelegram) -> None:
    channel = TelegramChannel("999:WRONG", TelegramSettings(base_url=fake.base_url))
    with pytest.raises(ChannelUnavailable) as refused:
        await channel.start(lambda _e: None)  # type: ignore[arg-type, return-value]
    assert refused.value.reason == "rejected"


# --- binding, registration, the private link -------------------------------------------------

async def test_binding_registration_and_private_link(rig: Rig, fake: FakeTelegram) -> None:
    mark = await rig.say(WANG, "/bind@class_test_bot 三年级二班")
    [bound] = [c.params["text"] for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert "已绑定" in bound, bound

    await rig.say(LI, "@class_test_bot 登记 李明 妈妈")
    registered = fake.texts(GROUP_ID)[-1]
    assert "登记成功" in registered and "李明妈妈" in registered, registered
    assert "https://t.me/class_test_bot?start=remind" in registered, registered

    await rig.say(LI, "/start remind", chat=updates.private(LI))
    [linked] = fake.texts(LI["id"])
    assert "已连接：李明妈妈" in linked, linked

    # /help@SomeOtherBot in a group with several bots is not for us.
    before = len(fake.sent(GROUP_ID))
    await fake.push(updates.message(GROUP, LI, "/help@other_bot"))
    await rig.say(LI, "#帮助", chat=updates.private(LI))  # updates are handled in order
    assert len(fake.sent(GROUP_ID)) == before


# --- notices: button, typed 收到, tally edit, unread list ----------------------------------

async def test_notice_button_and_typed_ack_keep_the_group_quiet(rig: Rig,
                                                                fake: FakeTelegram) -> None:
    await setup_class(rig)
    await rig.say(WANG, NOTICE)
    card = card_of(fake)
    [[button]] = card["reply_markup"]["inline_keyboard"]
    assert button["text"] == "收到" and button["callback_data"] == "#收到 1"
    group_posts = len(fake.sent(GROUP_ID))

    mark = len(fake.calls)
    await rig.send(updates.press(LI, card, button["callback_data"]))
    answer = await fake.wait_for("answerCallbackQuery", after=mark)
    assert "已确认通知 #1" in answer.params["text"], answer.params
    edit = await fake.wait_for("editMessageText", after=mark)
    assert int(edit.params["message_id"]) == card["message_id"]
    assert "已确认 1/3" in edit.params["text"] and "周五春游" in edit.params["text"]
    assert edit.params["reply_markup"]["inline_keyboard"] == card["reply_markup"][
        "inline_keyboard"], "the button stays on the card"

    await rig.say(ZHANG, "收到", reply_to=card)  # typed, quoting the card
    assert fake.messages[(GROUP_ID, card["message_id"])]["text"].count("已确认 2/3") == 1

    mark = len(fake.calls)
    await rig.send(updates.press(LI, card, button["callback_data"]))  # pressed twice
    again = await fake.wait_for("answerCallbackQuery", after=mark)
    assert "已经确认过" in again.params["text"], again.params
    assert len(fake.sent(GROUP_ID)) == group_posts, "no 收到 ever floods the group"

    await rig.say(WANG, "#未读")
    [unread] = fake.texts(WANG["id"])[-1:]
    assert "已读 2/3" in unread and "赵雪" in unread, unread


async def test_a_page_of_updates_is_handled_together_and_in_order(rig: Rig,
                                                                  fake: FakeTelegram) -> None:
    """A flood reaches the bot as pages of updates: a page's messages are handled together
    (one transaction: group commit), and still in the order they were written — a father's
    #登记 and then his 收到 in the same page count for his child."""
    await rig.say(WANG, "#绑定 三年级二班")
    for who in (LI, ZHANG):
        await rig.say(who, f"#登记 {who['first_name'][:2]} {who['first_name'][2:]}")
    await rig.say(WANG, "/start remind", chat=updates.private(WANG))
    await rig.say(WANG, NOTICE)
    assert rig.bot is not None
    rig.bot.most_in_flight = 0
    await rig.send_page([updates.message(GROUP, ZHAO, "#登记 赵雪 爸爸"),
                         updates.message(GROUP, ZHAO, "收到"),
                         updates.message(GROUP, LI, "收到")])
    assert rig.bot.most_in_flight == 3, "the page was handled one update at a time"
    await rig.say(WANG, "#未读")
    [unread] = fake.texts(WANG["id"])[-1:]
    assert "已读 2/3" in unread and "张华" in unread and "赵雪" not in unread, unread


# --- reachability: 403 and the group fallback ----------------------------------------------

async def test_a_blocked_parent_is_nudged_in_the_group_instead(rig: Rig,
                                                               fake: FakeTelegram) -> None:
    await setup_class(rig)
    await rig.say(ZHAO, "/start", chat=updates.private(ZHAO))  # reachable … then blocks us
    fake.forbidden.add(ZHAO["id"])
    await rig.say(WANG, NOTICE)
    await rig.at("2026-12-01 12:00")  # three hours later: nudges

    assert any("还没有确认" in t for t in fake.texts(LI["id"]))
    assert any("还没有确认" in t for t in fake.texts(ZHANG["id"]))
    # The bot tried him privately once, was refused, and did not try again.
    [blocked] = [c for c in fake.forbidden_calls if int(c.params["chat_id"]) == ZHAO["id"]]
    assert "还没有确认" in blocked.params["text"]
    [fallback] = [c for c in fake.sent(GROUP_ID) if "私聊发不出去" in c.params["text"]]
    [entity] = fallback.params["entities"]
    assert entity["type"] == "text_mention" and entity["user"]["id"] == ZHAO["id"]
    assert fallback.params["text"].startswith("@赵雪爸爸 ")
    assert await count(rig, Identity, Identity.external_id == str(ZHAO["id"]),
                       Identity.private_reachable.is_(False)) == 1


# --- delivery under Telegram's limits, 5xx ----------------------------------------------

async def test_flood_limits_and_server_errors_lose_nothing(fake: FakeTelegram,
                                                           db_path: Path) -> None:
    # The outbox sender is told no limits, the fake enforces Telegram's: it answers 429.
    fake.limits = Limits()
    r = await Rig(telegram_config(db_path, fake), fake, limits=SendLimits()).start()
    try:
        fake.fail_next(502)
        for n in range(4):
            await r.say(updates.person(300 + n, f"家长{n}"), "#帮助")
        helps = [t for t in fake.texts(GROUP_ID) if "私聊我发送 #帮助" in t]  # the group help
        assert len(helps) == 4, "every answer arrives"
        assert fake.rejected, "the fake really refused some sends with 429"
        assert await count(r, OutboxMessage, OutboxMessage.status != "sent") == 0
    finally:
        await r.stop()


# --- restarts and redelivery -------------------------------------------------------------

async def test_restart_between_updates_handles_each_once(rig: Rig, fake: FakeTelegram) -> None:
    first = updates.message(GROUP, LI, "#帮助")
    await rig.send(first)
    await rig.restart()
    assert fake.pending_updates == 0, "the offset was confirmed on stop"
    await rig.send(first)  # Telegram redelivers it (e.g. we crashed before confirming)
    await rig.say(ZHANG, "#帮助")
    helps = [t for t in fake.texts(GROUP_ID) if "私聊我发送 #帮助" in t]
    assert len(helps) == 2, "the redelivered update was not answered again"


# --- the group itself changes --------------------------------------------------------------

async def test_bindings_follow_migration_and_removal(rig: Rig, fake: FakeTelegram) -> None:
    await rig.send(updates.bot_membership(GROUP, WANG, "left", "member"))
    assert "#绑定" in fake.texts(GROUP_ID)[-1]
    await rig.say(WANG, "#绑定 三年级二班")
    new_group = updates.group(-1009999, "三年级二班")
    await rig.send(updates.migrated(GROUP, WANG, new_group["id"]))
    await rig.say(WANG, NOTICE, chat=new_group)
    assert any("周五春游" in t for t in fake.texts(new_group["id"]))
    await rig.send(updates.bot_membership(new_group, WANG, "member", "kicked"))
    assert await count(rig, GroupBinding) == 0


# --- meetings: the card's buttons --------------------------------------------------------------

async def test_meeting_card_buttons_rsvp_with_a_toast_and_a_live_tally(
        rig: Rig, fake: FakeTelegram) -> None:
    await setup_class(rig)
    await rig.say(WANG, "#家长会 下周五晚上7点 | 三楼会议室 | 期中总结")
    card = card_of(fake)
    [buttons] = card["reply_markup"]["inline_keyboard"]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("参加", "#报名 1 参加"), ("不参加", "#报名 1 不参加"), ("待定", "#报名 1 待定")]
    group_posts = len(fake.sent(GROUP_ID))

    mark = len(fake.calls)
    await rig.send(updates.press(ZHANG, card, "#报名 1 不参加"))
    answer = await fake.wait_for("answerCallbackQuery", after=mark)
    assert "不参加" in answer.params["text"], answer.params
    edit = await fake.wait_for("editMessageText", after=mark)
    assert "不参加 1" in edit.params["text"] and "未回复 2" in edit.params["text"]

    await rig.say(LI, "参加 2人", reply_to=card)  # typing still works, quoting the card
    shown = fake.messages[(GROUP_ID, card["message_id"])]["text"]
    assert "参加 1 户（2 人）" in shown and "不参加 1" in shown, shown
    assert len(fake.sent(GROUP_ID)) == group_posts, "answers never flood the group"


# --- polls: the card's buttons (issue 12) -------------------------------------------------------

async def test_poll_card_buttons_vote_with_a_toast_and_a_participation_line(
        rig: Rig, fake: FakeTelegram) -> None:
    await setup_class(rig)
    await rig.say(WANG, "#投票 春游去哪里 | 科技馆 | 植物园 | 匿名")
    card = card_of(fake)
    [buttons] = card["reply_markup"]["inline_keyboard"]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("选A 科技馆", "#投票 1 1"), ("选B 植物园", "#投票 1 2")]
    group_posts = len(fake.sent(GROUP_ID))
    mark = len(fake.calls)
    await rig.send(updates.press(ZHANG, card, "#投票 1 2"))
    answer = await fake.wait_for("answerCallbackQuery", after=mark)
    assert "B. 植物园" in answer.params["text"], answer.params
    edit = await fake.wait_for("editMessageText", after=mark)
    assert "已投 1/3 户" in edit.params["text"] and "植物园 1" not in edit.params["text"]
    assert len(fake.sent(GROUP_ID)) == group_posts, "votes never flood the group"


# --- mailbox: letters and replies stay private -------------------------------------------------

async def test_mailbox_letter_and_reply_stay_private(rig: Rig, fake: FakeTelegram) -> None:
    await setup_class(rig)
    await rig.say(LI, "#匿名投诉 食堂的饭菜太咸了", chat=updates.private(LI))
    assert any("X-0001" in t for t in fake.texts(LI["id"]))
    [to_teacher] = [t for t in fake.texts(WANG["id"]) if "X-0001" in t]
    assert "食堂的饭菜太咸了" in to_teacher and "李明" not in to_teacher

    await rig.say(WANG, "#回复 X-0001 已反馈给食堂", chat=updates.private(WANG))
    assert any("已反馈给食堂" in t for t in fake.texts(LI["id"]))
    assert not any("食堂" in t for t in fake.texts(GROUP_ID)), "nothing of it in the group"


# --- the README's way: `classbot run` with the channel enabled ---------------------------------

async def test_classbot_run_serves_telegram_until_sigterm(fake: FakeTelegram,
                                                          tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"channels: [telegram]\ntelegram: {{base_url: '{fake.base_url}', "
                      f"poll_timeout_seconds: 1}}\n"
                      f"database_url: sqlite:///{tmp_path / 'run.db'}\n",
                      encoding="utf-8")
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "CLASSBOT_TELEGRAM_TOKEN": fake.token, "NO_PROXY": "127.0.0.1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for("setMyCommands", within=60)
        await fake.push(updates.message(GROUP, LI, "#帮助"))
        reply = await fake.wait_for("sendMessage", within=30)
        assert "私聊我发送 #帮助" in reply.params["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "已在 telegram 上运行" in err.decode()
    assert fake.pending_updates == 0, "the offset was confirmed before exiting"


async def test_card_edits_are_throttled_and_coalesced(fake: FakeTelegram,
                                                      db_path: Path) -> None:
    r = await Rig(telegram_config(db_path, fake, edit_throttle_seconds=10), fake).start()
    try:
        await setup_class(r)
        await r.say(WANG, NOTICE)
        card = card_of(fake)
        mark = len(fake.calls)
        for who in (LI, ZHANG, ZHAO):  # three presses within the same second
            await r.send(updates.press(who, card, "#收到 1"))
        edits = [c for c in fake.calls[mark:] if c.method == "editMessageText"]
        assert len(edits) == 1 and "已确认 1/3" in edits[0].params["text"]
        r.clock.set(r.clock.now() + timedelta(seconds=10))
        await r.bot.settle()  # type: ignore[union-attr]
        edits = [c for c in fake.calls[mark:] if c.method == "editMessageText"]
        assert len(edits) == 2, "one more edit, carrying the latest tally"
        assert "已确认 3/3" in edits[1].params["text"]
    finally:
        await r.stop()


# --- webhook mode --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_accepts_only_telegrams_posts(fake: FakeTelegram,
                                                         db_path: Path) -> None:
    port = free_port()
    r = await Rig(telegram_config(db_path, fake, mode="webhook", webhook_listen="127.0.0.1",
                                  webhook_port=port, webhook_url="https://bot.example.edu/tg"),
                  fake).start()
    try:
        [hook] = [c for c in fake.calls if c.method == "setWebhook"]
        assert hook.params["url"] == "https://bot.example.edu/tg"
        secret = hook.params["secret_token"]
        body = {"update_id": 1, **updates.message(GROUP, LI, "#帮助")}
        async with aiohttp.ClientSession() as http:
            forged = await http.post(f"http://127.0.0.1:{port}/tg", json=body)
            assert forged.status == 403, "a POST without Telegram's secret is refused"
            real = await http.post(f"http://127.0.0.1:{port}/tg", json=body,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            assert real.status == 200
        reply = await fake.wait_for("sendMessage", lambda p: int(p["chat_id"]) == GROUP_ID)
        assert "私聊我发送 #帮助" in reply.params["text"]
    finally:
        await r.stop()
