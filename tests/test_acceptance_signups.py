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
