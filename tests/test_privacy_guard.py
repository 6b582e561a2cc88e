"""The privacy guard in the group (issue 13, part 2): sensitive posts get a private word, never
a group echo; a teacher's notice with a phone number or a ranking is held until confirmed."""

from __future__ import annotations

from bot.channels.memory import PRIVATE
from tests.harness import CLASS, Harness

RANKING = "期中数学成绩\n李明 95分\n张华 88分\n赵雪 76分"


async def test_a_parent_singling_out_a_child_is_told_privately(bound: Harness) -> None:
    sent = await bound.say("张华爸爸", CLASS, "听说李明今天在学校打架了？")
    assert [s for s in sent if not s.private] == [], "nothing is said in the group"
    [warning] = sent
    assert warning.where == "张华爸爸" and "个人情况" in warning.text and "李明" in warning.text
    assert "私发" not in warning.text, "only teachers are offered a private send"


async def test_everyday_messages_pass_without_a_word(bound: Harness) -> None:
    for text in ("周五春游，请带好水和帽子，早上7:50到校。", "周五 12月5日 19:00 在三楼开会",
                 "赵雪在演讲比赛中获得第一名，祝贺！", "学费 1380 元，请于本周内缴纳"):
        assert await bound.say("张华爸爸", CLASS, text) == [], text


async def test_a_teachers_ranking_can_go_privately_row_by_row(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, RANKING)
    [offer] = sent
    assert offer.private and offer.where == "王老师" and "成绩或排名" in offer.text
    sent = await bound.say("王老师", PRIVATE, "私发")
    own = {s.where: s.text for s in sent if s.private and s.where != "王老师"}
    assert set(own) == {"李明妈妈", "张华爸爸", "赵雪爸爸"}
    assert "李明 95分" in own["李明妈妈"] and "张华" not in own["李明妈妈"]
    assert "张华 88分" in own["张华爸爸"] and "赵雪" not in own["张华爸爸"]
    assert "期中数学成绩" in own["赵雪爸爸"], "the header goes along"
    [done] = [s for s in sent if s.where == "王老师"]
    assert "已私下发给 3 户" in done.text


async def test_a_notice_with_a_phone_number_is_held_then_confirmed(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "#通知 校车联系方式\n司机电话 138-1234-5678")
    assert bound.channel.to_group(CLASS) == [], "held: nothing reached the group"
    [held] = sent
    assert held.private and "电话号码" in held.text and "确认" in held.text
    sent = await bound.say("王老师", PRIVATE, "确认")
    [card] = [s for s in sent if not s.private]
    assert "【通知 #1】校车联系方式" in card.text and "138-1234-5678" in card.text


async def test_a_ranking_notice_goes_privately_not_to_the_group(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#通知 期中成绩\n" + RANKING.split("\n", 1)[1])
    sent = await bound.say("王老师", PRIVATE, "私发")
    assert [s for s in sent if not s.private] == []
    own = {s.where: s.text for s in sent if s.where != "王老师"}
    assert "李明 95分" in own["李明妈妈"] and "张华" not in own["李明妈妈"]
    [done] = [s for s in sent if s.where == "王老师"]
    assert "已私下发给 3 户" in done.text


async def test_a_held_notice_can_be_dropped(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#通知 登记\n李明 110101201003071233")
    sent = await bound.say("王老师", PRIVATE, "取消")
    assert [s.text for s in sent] == ["好的，通知「登记」不发了。"]
    assert bound.channel.to_group(CLASS) == []


# --- #动态 items are held like notices (the weekly update repeats only confirmed ones) --------

FRIDAY_SLOT = "2026-12-04 17:00"  # the weekly update's slot in the harness's first week
FIGHT = "#动态 李明今天在学校和同学打架了，已经批评教育"


def weekly_posts(sent: list) -> list[str]:
    return [s.text for s in sent if "本周班级动态" in s.text and not s.private]


async def test_a_flagged_update_item_is_held_and_never_posted_unconfirmed(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, FIGHT)
    [held] = sent
    assert held.private and held.where == "王老师", "asked privately, nothing in the group"
    assert "个人情况" in held.text and "李明" in held.text and "确认" in held.text
    await bound.say("王老师", CLASS, "#动态 周三举行了跳绳比赛")
    [post] = weekly_posts(await bound.at(FRIDAY_SLOT))
    assert "跳绳比赛" in post and "打架" not in post and "李明" not in post


async def test_a_confirmed_update_item_goes_into_the_update(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#动态 校车司机电话 138-1234-5678，有事可直接联系")
    [added] = await bound.say("王老师", PRIVATE, "确认")
    assert "待发布 1 条" in added.text
    [post] = weekly_posts(await bound.at(FRIDAY_SLOT))
    assert "138-1234-5678" in post


async def test_a_held_update_item_can_go_privately_instead(bound: Harness) -> None:
    await bound.say("王老师", CLASS, FIGHT)
    sent = await bound.say("王老师", PRIVATE, "私发")
    assert [s for s in sent if not s.private] == []
    own = {s.where: s.text for s in sent if s.where != "王老师"}
    assert set(own) == {"李明妈妈"} and "打架" in own["李明妈妈"]
    [done] = [s.text for s in sent if s.where == "王老师"]
    assert "已私下发给 1 户" in done
    assert weekly_posts(await bound.at(FRIDAY_SLOT)) == [], "nothing else this week: no update"


async def test_a_held_update_item_can_be_dropped(bound: Harness) -> None:
    await bound.say("王老师", PRIVATE, FIGHT)
    [said] = await bound.say("王老师", PRIVATE, "取消")
    assert said.text.startswith("好的，这条动态不记入了")
    [preview] = await bound.say("王老师", PRIVATE, "#本周动态")
    assert "打架" not in preview.text


async def test_everyday_update_items_are_not_held(bound: Harness) -> None:
    [added] = await bound.say("王老师", CLASS, "#动态 赵雪在演讲比赛中获得第一名，祝贺！")
    assert "待发布 1 条" in added.text
