"""Classes and membership: binding, 实名 registration, roster, guardian limit, roles."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from core.channel import Capabilities
from models import Identity
from tests.harness import CLASS, Harness, make_config


async def test_head_teacher_binds_the_group(harness: Harness) -> None:
    sent = await harness.say("王老师", CLASS, "#绑定 三年级二班")
    assert len(sent) == 1 and sent[0].where == CLASS and "已绑定" in sent[0].text
    again = await harness.say("王老师", CLASS, "#绑定 三年级二班")
    assert "已经绑定" in again[0].text


async def test_bind_refusals_say_what_to_do(harness: Harness) -> None:
    unknown = await harness.say("王老师", "别的群", "#绑定 五年级一班")
    assert "没有找到班级「五年级一班」" in unknown[0].text and "三年级二班" in unknown[0].text
    parent = await harness.say("李明妈妈", CLASS, "#绑定 三年级二班")
    assert parent[0].text.startswith("抱歉") and "班主任" in parent[0].text
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    [private] = await harness.say("王老师", "私聊", "#绑定 三年级二班")
    assert private.private and "请在班级群里发送" in private.text, private.text


async def test_commands_in_an_unbound_group_explain_binding(harness: Harness) -> None:
    sent = await harness.say("李明妈妈", CLASS, "#登记 李明 妈妈")
    assert "还没有绑定班级" in sent[0].text and "#绑定" in sent[0].text


async def test_parent_registers_by_real_name(harness: Harness) -> None:
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    sent = await harness.say("wx_8812", CLASS, "#登记 李明 妈妈")
    assert "登记成功：李明妈妈" in sent[0].text
    again = await harness.say("wx_8812", CLASS, "#登记 李明 妈妈")
    assert "已经登记过" in again[0].text
    joined = await harness.say("张华爸爸", CLASS, "#登记 张华爸爸")
    assert "登记成功：张华爸爸" in joined[0].text


async def test_roster_refuses_unknown_student_with_hint(harness: Harness) -> None:
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    sent = await harness.say("某家长", CLASS, "#登记 李小明 妈妈")
    assert "名单里没有「李小明」" in sent[0].text and "#登记 李明 妈妈" in sent[0].text
    assert "张华" not in sent[0].text, "the roster is not disclosed"


async def test_without_roster_any_student_may_be_registered(db_path) -> None:
    config = make_config(db_path, classes=[{"name": CLASS, "head_teacher": {"name": "王老师"}}])
    h = await Harness(config).start()
    try:
        await h.say("王老师", CLASS, "#绑定 三年级二班")
        sent = await h.say("某家长", CLASS, "#登记 李小明 妈妈")
        assert "登记成功：李小明妈妈" in sent[0].text
    finally:
        await h.stop()


async def test_at_most_two_guardians_per_student(harness: Harness) -> None:
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    await harness.say("李明妈妈", CLASS, "#登记 李明 妈妈")
    await harness.say("李明爸爸", CLASS, "#登记 李明 爸爸")
    sent = await harness.say("李明奶奶", CLASS, "#登记 李明 奶奶")
    assert "已达上限" in sent[0].text and "李明妈妈" in sent[0].text


async def test_unknown_relation_and_malformed_registration(harness: Harness) -> None:
    await harness.say("王老师", CLASS, "#登记 李明 妈妈")
    await harness.say("王老师", CLASS, "#绑定 三年级二班")
    odd = await harness.say("某人", CLASS, "#登记 李明 邻居")
    assert "不认识关系「邻居」" in odd[0].text
    bad = await harness.say("某人", CLASS, "#登记")
    assert "用法：#登记 孩子姓名 关系" in bad[0].text and "例：#登记 李明 妈妈" in bad[0].text


async def test_head_teacher_adds_subject_teacher_who_can_then_post(bound: Harness) -> None:
    missing = await bound.say("王老师", CLASS, "#任课 张老师 数学")
    assert "没找到群成员「张老师」" in missing[0].text
    refused = await bound.say("张老师", CLASS, "#通知 数学作业\n第5页")
    assert refused[0].text.startswith("抱歉")
    ok = await bound.say("王老师", CLASS, "#任课 张老师 数学")
    assert "已添加任课老师：张老师（数学）" in ok[0].text
    posted = await bound.say("张老师", CLASS, "#通知 数学作业\n第5页")
    assert "【通知 #1】数学作业" in posted[0].text


async def test_head_teacher_names_a_committee_member(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "#家委 李明妈妈")
    assert "已设置 李明妈妈 为家委会成员" in sent[0].text
    assert "没找到已登记的家长" in (await bound.say("王老师", CLASS, "#家委 路人"))[0].text
    refused = await bound.say("张华爸爸", CLASS, "#家委 张华爸爸")
    assert refused[0].text.startswith("抱歉")


async def test_class_seed_is_idempotent_across_restarts(bound: Harness) -> None:
    await bound.restart()
    sent = await bound.say("王老师", CLASS, "#未读")
    assert "最近没有需要确认的通知" in sent[0].text


async def test_help_lists_only_what_the_role_may_use(bound: Harness) -> None:
    parent = (await bound.say("李明妈妈", "私聊", "#帮助"))[0].text
    teacher = (await bound.say("王老师", "私聊", "/help"))[0].text
    assert "#登记" in parent and "#收到" in parent and "#通知" not in parent
    assert "#通知" in teacher and "#未读" in teacher and "#绑定" in teacher
    assert "例：" in parent


# --- roles go to a person picked unambiguously, never by display name alone (issue 16) ------

async def real_platform(db_path: Path) -> Harness:
    """The memory channel behaving like Telegram or WeChat: display names are free text."""
    h = await Harness(make_config(db_path),
                      capabilities=Capabilities(private_needs_contact=False)).start()
    await h.setup_class()
    return h


async def test_a_renamed_parent_never_gets_the_teacher_role_by_name(db_path: Path) -> None:
    """The probe: a parent renamed themselves 张老师 and received the role."""
    h = await real_platform(db_path)
    try:
        await h.say("impostor", CLASS, "大家好")
        await h.say("张老师真", CLASS, "大家好")
        # the impostor's display name is 张老师; the real teacher's account is 张老师真
        async with h.db().session() as session, session.begin():
            await session.execute(update(Identity).where(Identity.external_id == "impostor")
                                  .values(display_name="张老师"))
        [point] = await h.say("王老师", CLASS, "#任课 张老师 数学")
        assert "@ 对方" in point.text and "已添加" not in point.text, point.text
        refused = await h.say("impostor", CLASS, "#通知 数学作业\n第5页")
        assert refused[0].text.startswith("抱歉")

        [ok] = await h.say("王老师", CLASS, "#任课 张老师 数学", reply_to_sender="张老师真")
        assert "已添加任课老师：张老师（数学）" in ok.text
        posted = await h.say("张老师真", CLASS, "#通知 数学作业\n第5页")
        assert "【通知 #1】数学作业" in posted[0].text
        assert (await h.say("impostor", CLASS, "#未读"))[0].text.startswith("抱歉")

        [two] = await h.say("王老师", CLASS, "#任课 张老师 数学",
                            mentioned=("张老师真", "impostor"))
        assert "有 2 位可能是「张老师」" in two.text, two.text
    finally:
        await h.stop()


async def test_committee_by_registered_name_or_pointing_never_display_name(db_path: Path) -> None:
    h = await real_platform(db_path)
    try:
        ok = await h.say("王老师", CLASS, "#家委 李明妈妈")  # the registered 学生+关系 name
        assert "已设置 李明妈妈 为家委会成员" in ok[0].text
        # an account whose display name is 张华爸爸 but who never registered: not a parent
        await h.say("路人", CLASS, "大家好")
        async with h.db().session() as session, session.begin():
            await session.execute(update(Identity).where(Identity.external_id == "路人")
                                  .values(display_name="赵雪妈妈"))
        [no] = await h.say("王老师", CLASS, "#家委 赵雪妈妈")
        assert "已设置" not in no.text
        [no] = await h.say("王老师", CLASS, "#家委 赵雪妈妈", mentioned=("路人",))
        assert "没找到已登记的家长" in no.text, no.text
        [pointed] = await h.say("王老师", CLASS, "#家委 赵雪爸爸", mentioned=("赵雪爸爸",))
        assert "已设置 赵雪爸爸 为家委会成员" in pointed.text
    finally:
        await h.stop()
