"""Every command × every role, through the memory channel, against a table written out here.

The expected table is deliberately NOT derived from the commands' declared `roles`: if someone
changes who may do what, this walk fails until the table below is changed on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.memory import PRIVATE, Sent
from core.permissions import ROLES
from handlers import all_commands
from kit.router import Scope
from tests.harness import CLASS, Harness, make_config

HEAD_TEACHER, TEACHER, PRINCIPAL, COMMITTEE, PARENT, GUEST = (
    "head_teacher", "teacher", "principal", "committee", "parent", "guest")

# Who speaks for each role (set up in `walk` below).
SPEAKER = {
    HEAD_TEACHER: "王老师",  # seeded from config
    TEACHER: "张老师",  # spoke once, then #任课 张老师 数学
    PRINCIPAL: "校长",  # seeded from config (mailbox.principals)
    COMMITTEE: "李明妈妈",  # registered, then #家委 李明妈妈
    PARENT: "张华爸爸",  # registered
    GUEST: "路人",  # spoke in the group, never registered
}

# What a refusal calls each role (templates/zh_CN/_commands.j2 ROLE_NAMES).
ROLE_WORD = {HEAD_TEACHER: "班主任", TEACHER: "任课老师", PRINCIPAL: "校长",
             COMMITTEE: "家委会成员", PARENT: "家长"}

# One valid example per command.
EXAMPLE = {
    "help": "#帮助",
    "register": "#登记 赵雪 妈妈",  # 赵雪 has one guardian of two: a slot is free
    "bind": f"#绑定 {CLASS}",
    "assign_teacher": "#任课 张老师 语文",
    "assign_committee": "#家委 张华爸爸",
    "notice": "#通知 测试\n正文",
    "urgent": "#紧急通知 测试\n正文",
    "ack": "#收到 1",
    "unread": "#未读 1",
    "mailbox": "#信箱 食堂的饭菜太咸了",
    "complaint": "#投诉 校门口太拥挤",
    "suggest": "#建议 增加阅读时间",
    "ask": "#咨询 校服在哪里订",
    "anonymous": "#匿名投诉 食堂的饭菜太咸了",
    "principal_mailbox": "#校长信箱 建议增设护学岗",
    "add": "#补充 X-0001 还是很咸",
    "my_tickets": "#我的信箱",
    "rate": "#评价 X-0001 满意",
    "reply": "#回复 X-0001 已反馈给食堂",
    "transfer": "#转交 X-0001 校长",
    "close": "#结案 X-0001 已处理",
    "dm": "#私信 王老师 明天孩子请假",
    "dm_urgent": "#急 王老师 孩子发烧了",
    "meeting": "#家长会 2026-12-10 19:00 | 三楼会议室 | 期末安排",
    "rsvp": "#报名 1 参加 2人",
    "rsvps": "#报名情况 1",
    "reschedule": "#改期 1 2026-12-11 19:00",
    "cancel_meeting": "#取消 1",
    "checkin": "#签到 1",
    "attendance": "#考勤 1",
    "minutes": "#纪要 1\n一、期中成绩良好。",
    "update": "#动态 本周完成了第三单元测验",
    "weekly_preview": "#本周动态",
}

EVERYONE = {HEAD_TEACHER, TEACHER, PRINCIPAL, COMMITTEE, PARENT, GUEST}
FAMILIES = {PARENT, COMMITTEE}
MAILBOX_STAFF = {HEAD_TEACHER, TEACHER, PRINCIPAL}
EXPECTED: dict[str, set[str]] = {
    "help": EVERYONE,
    "register": EVERYONE,
    "bind": {HEAD_TEACHER},
    "assign_teacher": {HEAD_TEACHER},
    "assign_committee": {HEAD_TEACHER},
    "notice": {HEAD_TEACHER, TEACHER},
    "urgent": {HEAD_TEACHER, TEACHER},
    "unread": {HEAD_TEACHER, TEACHER},
    "ack": {PARENT, COMMITTEE},
    "mailbox": FAMILIES | MAILBOX_STAFF,
    "complaint": FAMILIES,
    "suggest": FAMILIES,
    "ask": FAMILIES,
    "anonymous": FAMILIES,
    "principal_mailbox": FAMILIES,
    "add": FAMILIES,
    "my_tickets": FAMILIES,
    "rate": FAMILIES,
    "reply": MAILBOX_STAFF,
    "transfer": MAILBOX_STAFF,
    "close": MAILBOX_STAFF,
    "dm": FAMILIES | {HEAD_TEACHER, TEACHER},
    "dm_urgent": FAMILIES | {HEAD_TEACHER, TEACHER},
    "meeting": {HEAD_TEACHER, TEACHER},
    "rsvp": {PARENT, COMMITTEE},
    "rsvps": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "reschedule": {HEAD_TEACHER, TEACHER},
    "cancel_meeting": {HEAD_TEACHER, TEACHER},
    "checkin": {PARENT, COMMITTEE},
    "attendance": {HEAD_TEACHER, TEACHER},
    "minutes": {HEAD_TEACHER, TEACHER},
    "update": {HEAD_TEACHER, TEACHER},
    "weekly_preview": {HEAD_TEACHER, TEACHER},
}
# Private-only commands (the mailbox) are walked in the speaker's private chat.
PRIVATE_ONLY = {c.name for c in all_commands() if c.scope is Scope.PRIVATE}

CELLS = [(command, role) for command in EXPECTED for role in SPEAKER]


def test_table_covers_every_command_and_role() -> None:
    assert set(EXPECTED) == {c.name for c in all_commands()}, "every routed command has a row"
    assert set(EXAMPLE) == set(EXPECTED)
    assert set(SPEAKER) == set(ROLES)
    for command, roles in EXPECTED.items():
        assert roles <= set(ROLES), command


@pytest.fixture
async def walk(tmp_path: Path) -> AsyncIterator[Harness]:
    """A bound class where each role has a speaker, and notice #1 is out (fresh per cell)."""
    h = await Harness(make_config(tmp_path / "walk.db",
                                  mailbox={"principals": [{"name": "校长"}]})).start()
    await h.setup_class()  # bound; 李明妈妈, 张华爸爸, 赵雪爸爸 registered
    await h.say("张老师", CLASS, "大家好，我是数学老师。")
    await h.say("王老师", CLASS, "#任课 张老师 数学")
    await h.say("王老师", CLASS, "#家委 李明妈妈")
    await h.say("路人", CLASS, "请问这是三年级二班的群吗？")
    await h.say("王老师", CLASS, "#通知 春游\n周五春游，请带好水。")
    await h.say("王老师", CLASS, "#家长会 2026-12-01 09:20 | 三楼会议室 | 期中总结")
    h.channel.clear()
    yield h
    await h.stop()


def refusals(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.text.startswith("抱歉")]


async def test_roles_are_set_up(walk: Harness) -> None:
    """The walk is only meaningful if every speaker really has the role claimed for them."""
    shown = {HEAD_TEACHER: {"班主任"}, TEACHER: {"任课老师"}, PRINCIPAL: {"校长"},
             COMMITTEE: {"家委会成员", "家长"},
             PARENT: {"家长"}, GUEST: {"未登记成员"}}
    for role, speaker in SPEAKER.items():
        [answer] = await walk.say(speaker, CLASS, "#帮助")
        header = answer.text.splitlines()[0]
        assert "身份：" in header, answer.text
        assert set(header.split("身份：")[1].split("）")[0].split("、")) == shown[role], header


@pytest.mark.parametrize(("command", "role"), CELLS, ids=[f"{c}-{r}" for c, r in CELLS])
async def test_command_for_role(walk: Harness, command: str, role: str) -> None:
    speaker = SPEAKER[role]
    chat = PRIVATE if command in PRIVATE_ONLY else CLASS
    sent = await walk.say(speaker, chat, EXAMPLE[command])
    refused = refusals(sent)
    if role in EXPECTED[command]:
        assert not refused, f"{speaker} ({role}) was refused {command}: {refused[0].text}"
        return
    assert refused, f"{speaker} ({role}) was not refused {command}: {[s.text for s in sent]}"
    assert len(sent) == 1, [s.text for s in sent]
    [answer] = refused
    assert answer.private == (chat == PRIVATE), "answered where asked"
    assert answer.where == (speaker if chat == PRIVATE else CLASS), "answered where asked"
    assert "出了点问题" not in answer.text, f"a crash, not a refusal: {answer.text}"
    if role == GUEST:
        assert "#登记" in answer.text, answer.text
    else:
        assert "只有" in answer.text and "可以使用" in answer.text, answer.text
        who = answer.text.split("只有", 1)[1].split("可以使用", 1)[0]
        for other, word in ROLE_WORD.items():
            assert (word in who) == (other in EXPECTED[command]), (other, answer.text)


@pytest.mark.parametrize("role", sorted(EXPECTED["ack"]))
async def test_allowed_ack_is_recorded(walk: Harness, role: str) -> None:
    """An allowed #收到 is silent in the group, so check it really counted."""
    assert await walk.say(SPEAKER[role], CLASS, "#收到 1") == []
    [status] = await walk.say("王老师", CLASS, "#未读 1")
    assert status.private and status.where == "王老师"
    assert "已读 1/3" in status.text, status.text
