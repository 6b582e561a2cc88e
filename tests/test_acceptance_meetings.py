"""The meetings issue's acceptance transcript, replayed through `classbot run --script`."""

from __future__ import annotations

from pathlib import Path

from tests.test_acceptance_foundation import SETUP, run_script

TRANSCRIPT = SETUP + """\
王老师 @ 三年级二班: #家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结
李明妈妈 @ 三年级二班: 参加 2人
张华爸爸 @ 三年级二班: 不参加 出差
王老师 @ 三年级二班: #报名情况
:time 2026-12-03 19:05
:time 2026-12-04 17:00
"""


def after(lines: list[str], marker: str, until: str | None = None) -> list[str]:
    start = lines.index(marker) + 1
    end = lines.index(until) if until else len(lines)
    return [line for line in lines[start:end] if " 班级助手: " in line]


def test_meetings_transcript(tmp_path: Path) -> None:
    lines = run_script(tmp_path, TRANSCRIPT)
    cards = after(lines, "[三年级二班] 王老师: #家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结",
                  "[三年级二班] 李明妈妈: 参加 2人")
    assert len(cards) == 1 and cards[0].startswith("[三年级二班]") and "家长会 #1" in cards[0]
    assert after(lines, "[三年级二班] 李明妈妈: 参加 2人", "[三年级二班] 王老师: #报名情况") == []

    [tally] = after(lines, "[三年级二班] 王老师: #报名情况", ":time 2026-12-03 19:05")
    assert tally.startswith("[私聊 王老师]")
    assert "赵雪" in tally.split("未回复：")[1] and "出差" in tally

    reminders = after(lines, ":time 2026-12-03 19:05", ":time 2026-12-04 17:00")
    group = [r for r in reminders if r.startswith("[三年级二班]")]
    private = [r for r in reminders if r.startswith("[私聊")]
    assert len(group) == 1 and "提醒" in group[0] and "12月4日（周五）19:00" in group[0]
    assert [p.split("]")[0] for p in private] == ["[私聊 李明妈妈"]

    [weekly] = after(lines, ":time 2026-12-04 17:00")
    assert weekly.startswith("[三年级二班]") and "本周班级动态" in weekly
    assert "期中总结" in weekly and "参加 1 户（2 人）" in weekly
