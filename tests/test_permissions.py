"""Every command × every role, through the memory channel, against a table written out here.

The expected table is deliberately NOT derived from the commands' declared `roles`: if someone
changes who may do what, this walk fails until the table below is changed on purpose.

A refused cell must be a refusal that names who may; an allowed cell must show the work the
command exists for (the card in the group, the letter in the teacher's chat, the tally that
counts the answer …), not merely the absence of a refusal.

Building the class (bind, register, roles, a notice, a meeting, letters) takes a second; the
walk does it once per module and gives every cell its own copy of that database file.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.channels.memory import PRIVATE, Sent
from core.config import Config
from core.permissions import ROLES
from handlers import all_commands
from kit.router import Scope
from tests.harness import CLASS, Harness, make_config
from tests.seeded import build_database, start_on_copy

HEAD_TEACHER, TEACHER, PRINCIPAL, COMMITTEE, PARENT, GUEST = (
    "head_teacher", "teacher", "principal", "committee", "parent", "guest")

# Who speaks for each role (set up in `build_class` below).
SPEAKER = {
    HEAD_TEACHER: "王老师",  # seeded from config
    TEACHER: "张老师",  # spoke once, then #任课 张老师 数学
    PRINCIPAL: "校长",  # seeded from config (mailbox.principals)
    COMMITTEE: "李明妈妈",  # registered, then #家委 李明妈妈
    PARENT: "张华爸爸",  # registered
    GUEST: "路人",  # spoke in the group, never registered
}
ROLE_OF = {speaker: role for role, speaker in SPEAKER.items()}

# What a refusal and #帮助 call each role (templates/zh_CN/_commands.j2 ROLE_NAMES).
ROLE_WORD = {HEAD_TEACHER: "班主任", TEACHER: "任课老师", PRINCIPAL: "校长",
             COMMITTEE: "家委会成员", PARENT: "家长"}

# Letters written while the class is built, and who holds each one (see `build_class`).
OPEN_LETTER = {COMMITTEE: "X-0001", PARENT: "X-0002"}  # at the head teacher's
HELD_LETTER = {HEAD_TEACHER: "X-0001", TEACHER: "X-0003", PRINCIPAL: "XZ-0001"}
CLOSED_LETTER = {COMMITTEE: "X-0004", PARENT: "X-0005"}  # closed, waiting for a rating
LETTER_BODY = {"X-0001": "操场的灯坏了", "X-0002": "多开放图书室", "X-0003": "数学作业太多",
               "XZ-0001": "建议增设护学岗"}
NEW_GROUP = "三年级二班家长二群"  # a second group, not bound yet: #绑定 has work to do there
# Notices and meetings are changed by their author or the head teacher: 张老师 posted #2 of each.
OWN_ITEM = {TEACHER: 2}
WAITING = "张华妈妈"  # registered while `registration: approve`: waits for #批准 / #拒绝

# One valid example per command (for a refused role, the first one is used).
EXAMPLE = {
    "help": "#帮助",
    "register": "#登记 赵雪 妈妈",  # 赵雪 has one guardian of two: a slot is free
    "bind": f"#绑定 {CLASS}",
    "assign_teacher": "#任课 李老师 语文",  # 李老师 spoke in the group, has no role yet
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
    "add": "#补充 {open} 还是很咸",
    "my_tickets": "#我的信箱",
    "rate": "#评价 {closed} 满意",
    "reply": "#回复 {held} 已反馈给食堂",
    "transfer": "#转交 {held} {to}",
    "close": "#结案 {held} 已处理",
    "dm": "#私信 {teacher} 明天孩子请假",
    "dm_urgent": "#急 {teacher} 孩子发烧了",
    "meeting": "#家长会 2026-12-10 19:00 | 三楼会议室 | 期末安排",
    "rsvp": "#报名 1 参加 2人",
    "rsvps": "#报名情况 1",
    "signup": "#接龙 开放日志愿者 | 限 2人",
    "signup_status": "#接龙情况 1",
    "signup_close": "#结束接龙 1",
    "signup_leave": "#取消报名 1",
    "slots": "#预约 面谈 12月10日 14:00-15:00 每30分钟",
    "slot_schedule": "#预约情况 1",
    "slot_cancel": "#取消预约 1",
    "reschedule": "#改期 {meeting} 2026-12-11 19:00",
    "cancel_meeting": "#取消 {meeting}",
    "checkin": "#签到 1",
    "attendance": "#考勤 1",
    "minutes": "#纪要 1\n一、期中成绩良好。",
    "update": "#动态 本周完成了第三单元测验",
    "weekly_preview": "#本周动态",
    "roster": "#名单",
    "add_student": "#加学生 王五",
    "remove_student": "#删学生 张华",
    "remove_guardian": "#移除 赵雪爸爸",
    "allow_guardians": "#允许 赵雪 3",
    "approve": f"#批准 {WAITING}",
    "reject": f"#拒绝 {WAITING}",
    "handover": "#移交 李老师",
    "accept": "#接受",
    "unbind": "#解绑",
    "correct": "#更正 {notice} 春游改到周六",
    "withdraw": "#撤回 {notice}",
    "forget_me": "#注销",
    "delete_family": "#删除家庭 赵雪",
    "record_visit": "#家访 李明 上门 | 了解学习情况 | 父母双职工 | 多鼓励",
    "must_visit": "#必访 李明 单亲",
    "contact_book": "#联系册 李明",
    "coverage": "#家访情况",
    "grades": "#成绩 期中考试\n姓名 语文 数学\n李明 95 98\n张华 88 90",
    "export": "#导出 2026秋",
    "monthly_report": "#月报",
    # polls and surveys
    "poll": "#投票 春游去哪里 | 科技馆 | 植物园",
    "poll_results": "#投票情况 1",
    "close_poll": "#结束投票 1",
    "survey": "#问卷 春游反馈\n孩子玩得开心吗？ 1-5",
    "take_survey": "#填问卷",
    "survey_results": "#问卷情况",
    "close_survey": "#结束问卷",
}
# Staff read their letters with #信箱 NUMBER; parents write one with #信箱 TEXT.
STAFF_EXAMPLE = {"mailbox": "#信箱 {held}"}
# Teachers and the committee start a poll with #投票; a parent votes with it.
PARENT_EXAMPLE = {"poll": "#投票 1 A"}

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
    "signup": {HEAD_TEACHER, TEACHER, COMMITTEE, PARENT},
    "signup_status": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "signup_close": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "signup_leave": {PARENT, COMMITTEE},
    "slots": {HEAD_TEACHER, TEACHER, COMMITTEE, PARENT},
    "slot_schedule": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "slot_cancel": {PARENT, COMMITTEE},
    "reschedule": {HEAD_TEACHER, TEACHER},
    "cancel_meeting": {HEAD_TEACHER, TEACHER},
    "checkin": {PARENT, COMMITTEE},
    "attendance": {HEAD_TEACHER, TEACHER},
    "minutes": {HEAD_TEACHER, TEACHER},
    "update": {HEAD_TEACHER, TEACHER},
    "weekly_preview": {HEAD_TEACHER, TEACHER},
    "roster": {HEAD_TEACHER},
    "add_student": {HEAD_TEACHER},
    "remove_student": {HEAD_TEACHER},
    "remove_guardian": {HEAD_TEACHER},
    "allow_guardians": {HEAD_TEACHER},
    "approve": {HEAD_TEACHER},
    "reject": {HEAD_TEACHER},
    "handover": {HEAD_TEACHER},
    "accept": EVERYONE,
    "unbind": {HEAD_TEACHER},
    "correct": {HEAD_TEACHER, TEACHER},
    "withdraw": {HEAD_TEACHER, TEACHER},
    "forget_me": FAMILIES,
    "delete_family": {HEAD_TEACHER},
    "record_visit": {HEAD_TEACHER, TEACHER},
    "must_visit": {HEAD_TEACHER, TEACHER},
    "contact_book": {HEAD_TEACHER, TEACHER},
    "coverage": {HEAD_TEACHER, TEACHER},
    "grades": {HEAD_TEACHER, TEACHER},
    "export": {HEAD_TEACHER, TEACHER},
    "monthly_report": {HEAD_TEACHER, TEACHER, PRINCIPAL},
    # polls and surveys
    "poll": {HEAD_TEACHER, TEACHER, COMMITTEE, PARENT},  # a parent votes with it
    "poll_results": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "close_poll": {HEAD_TEACHER, TEACHER, COMMITTEE},
    "survey": {HEAD_TEACHER, TEACHER},
    "take_survey": {PARENT, COMMITTEE},
    "survey_results": {HEAD_TEACHER, TEACHER, PRINCIPAL},
    "close_survey": {HEAD_TEACHER, TEACHER},
}
# Private-only commands (the mailbox) are walked in the speaker's private chat.
PRIVATE_ONLY = {c.name for c in all_commands() if c.scope is Scope.PRIVATE}

CELLS = [(command, role) for command in EXPECTED for role in SPEAKER]


def example(command: str, role: str) -> str:
    """The command as this role would really write it: about a letter they hold, to someone
    they may write to."""
    text = STAFF_EXAMPLE.get(command, EXAMPLE[command]) if role in MAILBOX_STAFF \
        else PARENT_EXAMPLE.get(command, EXAMPLE[command]) if role == PARENT else EXAMPLE[command]
    return text.format(open=OPEN_LETTER.get(role, "X-0001"),
                       closed=CLOSED_LETTER.get(role, "X-0004"),
                       held=HELD_LETTER.get(role, "X-0001"),
                       to="校长" if role == HEAD_TEACHER else "王老师",
                       teacher="李明妈妈" if role == HEAD_TEACHER else "王老师",
                       notice=OWN_ITEM.get(role, 1), meeting=OWN_ITEM.get(role, 1))


def chat_of(command: str) -> str:
    if command in PRIVATE_ONLY:
        return PRIVATE
    return NEW_GROUP if command == "bind" else CLASS


def test_table_covers_every_command_and_role() -> None:
    assert set(EXPECTED) == {c.name for c in all_commands()}, "every routed command has a row"
    assert set(EXAMPLE) == set(EXPECTED) == set(EFFECT)
    assert set(SPEAKER) == set(ROLES)
    for command, roles in EXPECTED.items():
        assert roles and roles <= set(ROLES), command


# --- the class every cell starts from --------------------------------------------------------

def walk_config(db: Path, **overrides: object) -> Config:
    return make_config(db, mailbox={"principals": [{"name": "校长"}]},
                       reports={"export_dir": str(db.parent / "exports")}, **overrides)


BUILD: list[tuple[str, str, str]] = [
    ("张老师", CLASS, "大家好，我是数学老师。"),
    ("王老师", CLASS, "#任课 张老师 数学"),
    ("王老师", CLASS, "#家委 李明妈妈"),
    ("路人", CLASS, "请问这是三年级二班的群吗？"),
    ("李老师", CLASS, "大家好，我是语文老师。"),
    ("校长", PRIVATE, "#帮助"),  # the principal has written to the bot: letters reach him
    ("王老师", CLASS, "#通知 春游\n周五春游，请带好水。"),
    ("王老师", CLASS, "#家长会 2026-12-01 09:20 | 三楼会议室 | 期中总结"),  # check-in is open
    ("张老师", CLASS, "#通知 数学作业\n第5页"),  # #2: 张老师 may #更正 / #撤回 it
    ("张老师", CLASS, "#家长会 2026-12-09 19:00 | 教室 | 数学学习"),  # #2: his to move
    ("李明妈妈", PRIVATE, f"#投诉 {LETTER_BODY['X-0001']}"),
    ("张华爸爸", PRIVATE, f"#建议 {LETTER_BODY['X-0002']}"),
    ("李明妈妈", PRIVATE, f"#咨询 {LETTER_BODY['X-0003']}"),
    ("王老师", PRIVATE, "#转交 X-0003 张老师"),
    ("张华爸爸", PRIVATE, f"#校长信箱 {LETTER_BODY['XZ-0001']}"),
    ("李明妈妈", PRIVATE, "#咨询 春游几点出发"),
    ("王老师", PRIVATE, "#结案 X-0004 早上八点"),
    ("张华爸爸", PRIVATE, "#咨询 校服在哪里订"),
    ("王老师", PRIVATE, "#结案 X-0005 网上订"),
    ("王老师", CLASS, "#接龙 周五开放日志愿者 | 限 6人"),  # sign-up #1
    ("张华爸爸", CLASS, "#接龙 1"),  # on its list: #取消报名 has work to do
    ("王老师", CLASS, "#预约 开放日 12月12日 9:00 10:00 | 每段2户"),  # slots #1
    ("张华爸爸", CLASS, "预约 9:00"),  # booked: #取消预约 has work to do
    ("王老师", CLASS, "#移交 张老师"),  # 张老师 may #接受 the class
    ("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00"),  # poll #1, the head teacher's
    ("李明妈妈", CLASS, "选B"),
    ("王老师", CLASS, "#问卷 家长满意度\n家长会开得好吗？ 1-5"),  # survey #1, the head teacher's
]


async def build_class(h: Harness) -> None:
    """A bound class where each role has a speaker; notice #1 and meeting #1 are out; the
    letters of OPEN_LETTER, HELD_LETTER and CLOSED_LETTER exist."""
    await h.setup_class()  # bound; 李明妈妈, 张华爸爸, 赵雪爸爸 registered
    for speaker, chat, text in BUILD:
        await h.say(speaker, chat, text)
    h.config = h.config.model_copy(update={"registration": "approve"})
    await h.restart()
    await h.say("张华妈妈", CLASS, "#登记 张华 妈妈")  # waits for the head teacher
    codes = re.findall(r"XZ?-\d{4}", "\n".join(s.text for s in h.channel.sent))
    assert {*OPEN_LETTER.values(), *HELD_LETTER.values(), *CLOSED_LETTER.values()} <= set(
        codes), "the letters the examples name were written"


@pytest.fixture(scope="module")
def built_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The class database, built once for the whole walk."""
    return build_database(tmp_path_factory, "walk", walk_config, build_class)


@pytest.fixture
async def walk(built_class: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    """The built class on a copy of its database file, so that no cell sees another's work."""
    h = await start_on_copy(built_class, tmp_path / "walk.db", walk_config)
    yield h
    await h.stop()


async def roles_shown(h: Harness, speaker: str) -> set[str]:
    """The roles #帮助 names for this speaker (its first line: 身份：A、B)."""
    [answer] = await h.say(speaker, CLASS, "#帮助")
    header = answer.text.splitlines()[0]
    assert "身份：" in header, answer.text
    return set(header.split("身份：")[1].split("）")[0].split("、"))


async def test_roles_are_set_up(walk: Harness) -> None:
    """The walk is only meaningful if every speaker really has the role claimed for them."""
    shown = {HEAD_TEACHER: {"班主任"}, TEACHER: {"任课老师"}, PRINCIPAL: {"校长"},
             COMMITTEE: {"家委会成员", "家长"},
             PARENT: {"家长"}, GUEST: {"未登记成员"}}
    for role, speaker in SPEAKER.items():
        assert await roles_shown(walk, speaker) == shown[role], speaker


# --- what each allowed command visibly does ---------------------------------------------------

Effect = Callable[[Harness, str, list[Sent]], Awaitable[None]]


def only_to(sent: list[Sent], where: str, *, private: bool) -> Sent:
    """The one message of `sent` that went to `where` (a person privately, or a group)."""
    found = [s for s in sent if s.where == where and s.private == private]
    assert len(found) == 1, (where, [(s.where, s.text) for s in sent])
    return found[0]


def replied(where: str | None, *words: str, private: bool = False) -> Effect:
    """The command answers in `where` (None: the speaker, privately) with all of `words`."""
    async def check(_h: Harness, speaker: str, sent: list[Sent]) -> None:
        answer = only_to(sent, where or speaker, private=private)
        for word in words:
            assert word in answer.text, (word, answer.text)
    return check


def to_speaker(*words: str) -> Effect:
    return replied(None, *words, private=True)


def in_group(*words: str) -> Effect:
    return replied(CLASS, *words)


async def help_lists_what_the_role_may_use(h: Harness, speaker: str, sent: list[Sent]) -> None:
    answer = only_to(sent, CLASS, private=False)
    role = ROLE_OF[speaker]
    lines = answer.text.splitlines()
    assert len(lines) <= 8 and "私聊" in lines[-1], "in a group: short, the full list privately"
    listed = {word for line in lines[1:-1] for word in line.split()}
    words = {c.name: "#" + c.words[0] for c in all_commands()}
    assert listed == {words[c] for c, roles in EXPECTED.items() if role in roles}, answer.text


async def registered(h: Harness, _speaker: str, sent: list[Sent]) -> None:
    answer = only_to(sent, CLASS, private=False)
    name = re.search(r"登记成功：(\S+?)（", answer.text)
    assert name, answer.text
    [status] = await h.say("王老师", CLASS, "#未读 1")
    [zhao] = [line for line in status.text.splitlines() if "赵雪（" in line]
    assert name.group(1) in zhao, "the new guardian is listed under 赵雪"


async def bound_the_new_group(_h: Harness, _speaker: str, sent: list[Sent]) -> None:
    answer = only_to(sent, NEW_GROUP, private=False)
    assert f"已绑定到「{CLASS}」" in answer.text, answer.text


async def signed_up(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    """An organiser opens sign-up #2 in the group; a parent's #接龙 joins #1, privately."""
    if ROLE_OF[speaker] in (HEAD_TEACHER, TEACHER, COMMITTEE):
        assert "【接龙 #2】开放日志愿者" in only_to(sent, CLASS, private=False).text
        return
    told = only_to(sent, speaker, private=True)
    assert "接龙 #1「周五开放日志愿者」" in told.text and "名单上" in told.text, told.text


async def signup_closed(h: Harness, speaker: str, sent: list[Sent]) -> None:
    """Closed: the organiser (王老师) gets the final list; nobody can join any more."""
    final = only_to(sent, "王老师", private=True)
    assert "已截止" in final.text and "张华爸爸" in final.text, final.text
    [late] = await h.say("赵雪爸爸", PRIVATE, "#接龙 1")
    assert "已截止" in late.text, late.text


async def slots_offered(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    """An organiser offers board #2 in the group; a parent's #预约 books on board #1 (the
    time fits none of its slots, so they are told which ones are free), privately."""
    if ROLE_OF[speaker] in (HEAD_TEACHER, TEACHER, COMMITTEE):
        card = only_to(sent, CLASS, private=False)
        assert "【预约 #2】面谈" in card.text and "14:30-15:00" in card.text, card.text
        return
    told = only_to(sent, speaker, private=True)
    assert "预约 #1「开放日」" in told.text and "没有这个时段" in told.text, told.text


async def slot_cancelled(h: Harness, speaker: str, sent: list[Sent]) -> None:
    told = only_to(sent, speaker, private=True)
    assert "预约 #1「开放日」" in told.text, told.text
    [schedule] = await h.say("王老师", PRIVATE, "#预约情况 1")
    assert "张华爸爸" in schedule.text or speaker == "张华爸爸", schedule.text
    assert (speaker == "张华爸爸") == ("已取消" in told.text), told.text


async def ack_counted(h: Harness, _speaker: str, sent: list[Sent]) -> None:
    assert sent == [], "an acknowledgement is silent"
    [status] = await h.say("王老师", CLASS, "#未读 1")
    assert "已读 1/3" in status.text, status.text


async def rsvp_counted(h: Harness, _speaker: str, sent: list[Sent]) -> None:
    assert sent == [], "an answer is silent"
    [tally] = await h.say("王老师", CLASS, "#报名情况 1")
    assert "参加 1 户，共 2 人" in tally.text, tally.text


def letter(to: str, body: str, *, category: str = "", anonymous: bool = False) -> Effect:
    """A new letter reaches `to` with its body; the writer gets its number."""
    async def check(_h: Harness, speaker: str, sent: list[Sent]) -> None:
        receipt = only_to(sent, speaker, private=True)
        code = re.search(r"编号 (XZ?-\d{4})", receipt.text)
        assert code, receipt.text
        delivered = only_to(sent, to, private=True)
        assert code.group(1) in delivered.text and body in delivered.text, delivered.text
        assert category in delivered.text, delivered.text
        assert (speaker in delivered.text) != anonymous, delivered.text
    return check


async def mailbox(h: Harness, speaker: str, sent: list[Sent]) -> None:
    role = ROLE_OF[speaker]
    if role in FAMILIES:
        return await letter("王老师", "食堂的饭菜太咸了")(h, speaker, sent)
    shown = only_to(sent, speaker, private=True)  # staff: the letter they hold
    code = HELD_LETTER[role]
    assert code in shown.text and LETTER_BODY[code] in shown.text, shown.text


async def added(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    forwarded = only_to(sent, "王老师", private=True)
    assert "还是很咸" in forwarded.text and speaker in forwarded.text, forwarded.text


async def rated(_h: Harness, _speaker: str, sent: list[Sent]) -> None:
    told = only_to(sent, "王老师", private=True)
    assert "评价：满意" in told.text, told.text


async def my_letters(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    listing = only_to(sent, speaker, private=True)
    role = ROLE_OF[speaker]
    assert OPEN_LETTER[role] in listing.text, listing.text


def to_the_writer(*words: str) -> Effect:
    """Staff act on the letter they hold; its writer is told privately."""
    writer = {"X-0001": "李明妈妈", "X-0003": "李明妈妈", "XZ-0001": "张华爸爸"}

    async def check(_h: Harness, speaker: str, sent: list[Sent]) -> None:
        role = ROLE_OF[speaker]
        code = HELD_LETTER[role]
        told = only_to(sent, writer[code], private=True)
        assert code in told.text, told.text
        for word in words:
            assert word in told.text, (word, told.text)
    return check


async def transferred(h: Harness, speaker: str, sent: list[Sent]) -> None:
    await to_the_writer("已转交")(h, speaker, sent)
    role = ROLE_OF[speaker]
    code = HELD_LETTER[role]
    receiver = only_to(sent, "校长" if role == HEAD_TEACHER else "王老师", private=True)
    assert code in receiver.text and LETTER_BODY[code] in receiver.text, receiver.text


def relayed(*words: str) -> Effect:
    async def check(_h: Harness, speaker: str, sent: list[Sent]) -> None:
        to = "李明妈妈" if speaker == "王老师" else "王老师"
        message = only_to(sent, to, private=True)
        assert speaker in message.text, message.text
        for word in words:
            assert word in message.text, (word, message.text)
    return check


async def monthly_report(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    report = only_to(sent, speaker, private=True)
    # the built class has two notices and two meetings (#2 of each by 张老师, see BUILD)
    if ROLE_OF[speaker] == PRINCIPAL:
        assert "【全校 · 2026-12 沟通效果评估】" in report.text, report.text
        assert f"• {CLASS}：通知 2 条" in report.text, report.text
    else:
        assert f"【{CLASS} · 2026-12 沟通效果评估】" in report.text, report.text
        assert "家长会 2 次" in report.text and "信箱来信 5 封" in report.text, report.text


async def minutes_sent(_h: Harness, _speaker: str, sent: list[Sent]) -> None:
    assert "纪要已记录" in only_to(sent, CLASS, private=False).text
    for family in ("李明妈妈", "张华爸爸", "赵雪爸爸"):  # nobody checked in
        assert "期中成绩良好" in only_to(sent, family, private=True).text


async def accepted(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    answer = only_to(sent, CLASS, private=False)
    if ROLE_OF[speaker] == TEACHER:  # the class was handed to 张老师 while it was built
        assert f"您已成为「{CLASS}」的班主任" in answer.text, answer.text
        assert "李老师" not in answer.text
        told = only_to(sent, "王老师", private=True)
        assert "张老师 已接受" in told.text, told.text
    else:
        assert "没有等待您接受的班级移交" in answer.text, answer.text


async def withdrawn(h: Harness, speaker: str, sent: list[Sent]) -> None:
    number = OWN_ITEM.get(ROLE_OF[speaker], 1)
    assert f"通知 #{number}" in only_to(sent, CLASS, private=False).text
    assert "已撤回" in only_to(sent, speaker, private=True).text
    [status] = await h.say("王老师", CLASS, f"#未读 {number}")
    assert f"没有找到通知 #{number}" in status.text, status.text


async def forgotten(h: Harness, speaker: str, sent: list[Sent]) -> None:
    assert "确定要注销吗" in only_to(sent, CLASS, private=False).text
    [done] = await h.say(speaker, CLASS, "确认")
    assert "已注销" in done.text, done.text
    [roles] = await h.say(speaker, CLASS, "#帮助")
    assert "未登记成员" in roles.text, "the registration is gone"


async def family_deleted(h: Harness, speaker: str, sent: list[Sent]) -> None:
    assert "确定删除「赵雪」一家" in only_to(sent, CLASS, private=False).text
    [done] = await h.say(speaker, CLASS, "确认")
    assert "已删除该家庭的数据（1 位家长）" in done.text, done.text
    [status] = await h.say("王老师", CLASS, "#未读 1")
    assert "赵雪" not in status.text and "已读 0/2" in status.text, status.text


async def poll_results_shown(_h: Harness, speaker: str, sent: list[Sent]) -> None:
    """The head teacher started poll #1 and sees its results; anyone else may not."""
    answer = only_to(sent, speaker, private=True)
    if ROLE_OF[speaker] == HEAD_TEACHER:
        assert "19:00：1 票（100%）：李明妈妈" in answer.text, answer.text
    else:
        assert "只有发起人和班主任" in answer.text and "李明妈妈" not in answer.text, answer.text


async def poll_started_or_voted(h: Harness, speaker: str, sent: list[Sent]) -> None:
    if ROLE_OF[speaker] != PARENT:
        await in_group("【投票 #2】春游去哪里", "A. 科技馆")(h, speaker, sent)
        return
    assert "A. 18:30" in only_to(sent, speaker, private=True).text, "the vote, confirmed"
    [results] = await h.say("王老师", CLASS, "#投票情况 1")
    assert "18:30：1 票（50%）：张华爸爸" in results.text, results.text


async def poll_closed(h: Harness, speaker: str, sent: list[Sent]) -> None:
    if ROLE_OF[speaker] != HEAD_TEACHER:
        await poll_results_shown(h, speaker, sent)
        return
    assert "已结束" in only_to(sent, CLASS, private=False).text
    assert "（已结束）" in only_to(sent, speaker, private=True).text


async def survey_summary(h: Harness, speaker: str, sent: list[Sent]) -> None:
    """The head teacher started survey #1 and sees its summary; the principal every class's
    satisfaction survey; another teacher neither."""
    answer = only_to(sent, speaker, private=True)
    if ROLE_OF[speaker] == HEAD_TEACHER:
        assert "问卷 #1「家长满意度」" in answer.text and "共 3 户" in answer.text, answer.text
    elif ROLE_OF[speaker] == PRINCIPAL:
        assert "各班满意度调查" in answer.text and CLASS in answer.text, answer.text
    else:
        assert "只有发起人和班主任" in answer.text, answer.text


async def survey_closed(h: Harness, speaker: str, sent: list[Sent]) -> None:
    if ROLE_OF[speaker] != HEAD_TEACHER:
        await survey_summary(h, speaker, sent)
        return
    assert "已结束" in only_to(sent, CLASS, private=False).text
    assert "（已结束）" in only_to(sent, speaker, private=True).text


EFFECT: dict[str, Effect] = {
    "help": help_lists_what_the_role_may_use,
    "register": registered,
    "bind": bound_the_new_group,
    "assign_teacher": in_group("已添加任课老师：李老师（语文）"),
    "assign_committee": in_group("已设置 张华爸爸 为家委会成员"),
    "notice": in_group("【通知 #3】测试"),
    "urgent": in_group("【紧急通知 #3】测试"),
    "ack": ack_counted,
    "unread": to_speaker("通知 #1「春游」", "已读 0/3"),
    "mailbox": mailbox,
    "complaint": letter("王老师", "校门口太拥挤", category="投诉"),
    "suggest": letter("王老师", "增加阅读时间", category="建议"),
    "ask": letter("王老师", "校服在哪里订", category="咨询"),
    "anonymous": letter("王老师", "食堂的饭菜太咸了", category="投诉", anonymous=True),
    "principal_mailbox": letter("校长", "建议增设护学岗", category="校长信箱"),
    "add": added,
    "my_tickets": my_letters,
    "rate": rated,
    "reply": to_the_writer("已反馈给食堂"),
    "transfer": transferred,
    "close": to_the_writer("已结案", "已处理"),
    "dm": relayed("【私信】", "明天孩子请假"),
    "dm_urgent": relayed("【急】", "孩子发烧了"),
    "meeting": in_group("【家长会 #3】期末安排", "12月10日（周四）19:00"),
    "rsvp": rsvp_counted,
    "rsvps": to_speaker("家长会 #1", "未回复 3 户"),
    "signup": signed_up,
    "signup_status": to_speaker("接龙 #1「周五开放日志愿者」", "1. 张华爸爸"),
    "signup_close": signup_closed,
    "signup_leave": to_speaker("接龙 #1「周五开放日志愿者」"),
    "slots": slots_offered,
    "slot_schedule": to_speaker("预约 #1「开放日」", "张华爸爸"),
    "slot_cancel": slot_cancelled,
    "reschedule": in_group("改期", "12月11日（周五）19:00"),
    "cancel_meeting": in_group("【取消】", "家长会 #"),
    "checkin": to_speaker("已签到", "家长会 #1"),
    "attendance": to_speaker("家长会 #1", "考勤", "未回复也未到场 3 户"),
    "minutes": minutes_sent,
    "update": in_group("已记入本周动态", "待发布 1 条"),
    "weekly_preview": to_speaker("本周动态预览", "#1 春游"),
    "roster": to_speaker("三年级二班 名单", "李明：李明妈妈", f"待批准：{WAITING}"),
    "add_student": to_speaker("已加入名单：王五"),
    "remove_student": to_speaker("已从名单删除：张华", "张华爸爸"),
    "remove_guardian": to_speaker("已移除「赵雪爸爸」"),
    "allow_guardians": to_speaker("「赵雪」现在最多可以登记 3 位家长"),
    "approve": to_speaker(f"已批准「{WAITING}」"),
    "reject": to_speaker(f"已拒绝「{WAITING}」"),
    "handover": in_group("已请 李老师 接手「三年级二班」"),
    "accept": accepted,
    "unbind": in_group("本群已与「三年级二班」解绑"),
    "correct": in_group("✏️【更正 通知 #", "春游改到周六"),
    "withdraw": withdrawn,
    "forget_me": forgotten,
    "delete_family": family_deleted,
    "record_visit": to_speaker("已记入家校联系册：李明，上门家访", "已家访 1/3"),
    "must_visit": to_speaker("李明 现在是必访学生：单亲家庭"),
    "contact_book": to_speaker("【家校联系册】李明", "李明妈妈", "X-0001"),
    "coverage": to_speaker("家访情况", "已家访 0/3", "还没有家访：李明、张华、赵雪"),
    "grades": to_speaker("成绩私发预览", "读到 2 名学生", "表里没有：赵雪"),
    "monthly_report": monthly_report,
    "export": to_speaker("三年级二班（2026秋）的记录已导出", ".xlsx"),
    "poll": poll_started_or_voted,
    "poll_results": poll_results_shown,
    "close_poll": poll_closed,
    "survey": in_group("【问卷 #2】春游反馈", "共 1 题"),
    "take_survey": to_speaker("第 1/1 题", "家长会开得好吗"),
    "survey_results": survey_summary,
    "close_survey": survey_closed,
}


# --- the walk ---------------------------------------------------------------------------------

def refusals(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.text.startswith("抱歉")]


@pytest.mark.parametrize(("command", "role"), CELLS, ids=[f"{c}-{r}" for c, r in CELLS])
async def test_command_for_role(walk: Harness, command: str, role: str) -> None:
    speaker, chat = SPEAKER[role], chat_of(command)
    sent = await walk.say(speaker, chat, example(command, role))
    refused = refusals(sent)
    if role in EXPECTED[command]:
        assert not refused, f"{speaker} ({role}) was refused {command}: {refused[0].text}"
        await EFFECT[command](walk, speaker, sent)
        return
    assert refused, f"{speaker} ({role}) was not refused {command}: {[s.text for s in sent]}"
    assert len(sent) == 1, [s.text for s in sent]
    [answer] = refused
    assert answer.private == (chat == PRIVATE), "answered where asked"
    assert answer.where == (speaker if chat == PRIVATE else chat), "answered where asked"
    assert "出了点问题" not in answer.text, f"a crash, not a refusal: {answer.text}"
    if role == GUEST:
        assert "#登记" in answer.text, answer.text
    else:
        assert "只有" in answer.text and "可以使用" in answer.text, answer.text
        who = answer.text.split("只有", 1)[1].split("可以使用", 1)[0]
        for other, word in ROLE_WORD.items():
            assert (word in who) == (other in EXPECTED[command]), (other, answer.text)
