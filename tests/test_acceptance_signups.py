"""Issue 12's sign-up and slot transcript (tests/scripts/signups.txt) through
`classbot run --script`."""

from __future__ import annotations

from pathlib import Path

from tests.test_acceptance_answers import after
from tests.test_acceptance_foundation import run_script

SCRIPT = Path(__file__).parent / "scripts" / "signups.txt"
GROUP = "三年级二班"


def test_signups_transcript(tmp_path: Path) -> None:
    lines = run_script(tmp_path, SCRIPT.read_text(encoding="utf-8"))

    def said(chat: str, speaker: str, text: str) -> list[str]:
        where = f"私聊 {speaker}" if chat == "私聊" else chat
        return after(lines, f"[{where}] {speaker}: {text}")

    # Chatter: nothing open, a +1 gets no answer anywhere.
    assert said(GROUP, "张华爸爸", "+1") == []

    # Joins in the group: silent there, a private confirmation each, the fourth waits.
    [card] = said(GROUP, "李明妈妈", "#接龙 周五开放日志愿者 | 限 3人 | 截止 周四18:00")
    assert card.startswith(f"[{GROUP}]") and "【接龙 #1】周五开放日志愿者" in card
    for speaker, text in (("李明妈妈", "+1"), ("张华爸爸", "接龙！"),
                          ("赵雪奶奶", "报名 周五上午有空"), ("王五爸爸", "我也报名")):
        [told] = said(GROUP, speaker, text)
        assert told.startswith(f"[私聊 {speaker}]"), told
    assert "候补" in said(GROUP, "王五爸爸", "我也报名")[0]

    # One updated list for the four joiners.
    [update] = after(lines, ":time 2026-12-01 09:06")
    assert update.startswith(f"[{GROUP}]")
    assert "3. 赵雪奶奶（周五上午有空）" in update and "候补1. 王五爸爸" in update, update

    # A withdrawal moves the waiting family up.
    left = said(GROUP, "赵雪奶奶", "不好意思 取消报名")
    assert any(line.startswith("[私聊 赵雪奶奶]") and "已为您取消" in line for line in left)
    assert any(line.startswith("[私聊 王五爸爸]") and "候补转为" in line for line in left)
    assert not any(line.startswith(f"[{GROUP}]") for line in left)

    # The pasted block: 陈静妈妈's own line recorded, 刘洋妈妈 (not registered) reported.
    paste = [line for line in lines if line.startswith("[私聊 陈静妈妈]") and "接龙" in line]
    assert any("已按您贴的接龙记录" in line and "陈静妈妈" in line and "5. 刘洋妈妈" in line
               for line in paste), paste

    # Meeting and sign-up both owed: asked with both kinds, the pick is applied.
    [asked] = said(GROUP, "赵雪奶奶", "+1")
    assert asked.startswith("[私聊 赵雪奶奶]") and "会议 #1「期末复习」" in asked
    assert "接龙 #1「周五开放日志愿者」" in asked
    [picked] = said("私聊", "赵雪奶奶", "第一个")
    assert "家长会 #1" in picked, picked

    # The organiser's list: in order, nobody removed by the paste, the withdrawn one gone.
    [listing] = said("私聊", "李明妈妈", "#接龙情况")
    expected = "1. 李明妈妈\n2. 张华爸爸\n3. 王五爸爸\n4. 陈静妈妈（下午可以） 【候补】"
    assert expected in listing, listing
    assert "赵雪奶奶" not in listing

    # The deadline: the list privately to the organiser; a join after it is refused.
    deadline = after(lines, ":time 2026-12-03 18:01")
    assert any(line.startswith("[私聊 李明妈妈]") and "已截止" in line for line in deadline)
    [late] = said(GROUP, "刘洋妈妈", "接龙")
    assert late.startswith("[私聊 刘洋妈妈]") and ("已截止" in late or "没有" in late), late


def test_slots_transcript(tmp_path: Path) -> None:
    lines = run_script(tmp_path, SCRIPT.read_text(encoding="utf-8"))

    def said(chat: str, speaker: str, text: str) -> list[str]:
        where = f"私聊 {speaker}" if chat == "私聊" else chat
        return after(lines, f"[{where}] {speaker}: {text}")

    [card] = said(GROUP, "王老师", "#预约 面谈 12月10日 14:00-15:00 每15分钟 | 地点 三楼办公室")
    assert card.startswith(f"[{GROUP}]") and "【预约 #1】面谈" in card
    # The race for 14:30: the first family gets it, the second is told it is full.
    [first] = said(GROUP, "张华爸爸", "老师，我预约 14:30")
    assert first.startswith("[私聊 张华爸爸]") and "已预约" in first and "14:30-14:45" in first
    [second] = said(GROUP, "王五爸爸", "预约下午2点半")
    assert second.startswith("[私聊 王五爸爸]") and "已经约满" in second, second
    assert "14:45-15:00（余 1）" in second
    [other] = said(GROUP, "王五爸爸", "那约2点45吧")
    assert "已预约" in other and "14:45-15:00" in other
    # A change frees 14:30 for someone else.
    [moved] = said(GROUP, "张华爸爸", "改约 14:00")
    assert "已改约" in moved and "14:30-14:45 已释放" in moved, moved
    [freed] = said(GROUP, "陈静妈妈", "约14:30")
    assert "已预约" in freed and "14:30-14:45" in freed
    [schedule] = said("私聊", "王老师", "#预约情况")
    for line in ("14:00-14:15：张华爸爸", "14:15-14:30：（空）", "14:30-14:45：陈静妈妈",
                 "14:45-15:00：王五爸爸"):
        assert line in schedule, schedule
    # Reminders: 张华爸爸 (14:00) at 13:00, 陈静妈妈 (14:30) at 13:30; nobody twice.
    at_one = [line for line in after(lines, ":time 2026-12-10 13:00") if "⏰" in line]
    assert [line.split("]")[0] for line in at_one] == ["[私聊 张华爸爸"], at_one
    at_half = [line for line in after(lines, ":time 2026-12-10 13:30") if "⏰" in line]
    assert [line.split("]")[0] for line in at_half] == ["[私聊 陈静妈妈"], at_half
    assert all("三楼办公室" in line for line in at_one + at_half)
