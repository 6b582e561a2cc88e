"""Issue 10's answers transcript (tests/scripts/answers.txt) through `classbot run --script`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_acceptance_foundation import REPO, blocks

SCRIPT = Path(__file__).parent / "scripts" / "answers.txt"
SECOND_CLASS = """\
  - name: 三年级一班
    head_teacher: {name: 李老师}
    roster: [李红]
"""
BOT = " 班级助手: "


def run_two_classes(tmp_path: Path) -> list[str]:
    (tmp_path / "config.yaml").write_text(
        (REPO / "config.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + SECOND_CLASS,
        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--script", str(SCRIPT)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return blocks(done.stdout)


def after(lines: list[str], human: str) -> list[str]:
    """The bot's lines caused by one human line (up to the next human or :time line)."""
    out: list[str] = []
    for line in lines[lines.index(human) + 1:]:
        if BOT not in line:
            break
        out.append(line)
    return out


def test_answers_transcript(tmp_path: Path) -> None:
    lines = run_two_classes(tmp_path)

    def said(chat: str, speaker: str, text: str) -> list[str]:
        where = f"私聊 {speaker}" if chat == "私聊" else chat
        return after(lines, f"[{where}] {speaker}: {text}")

    # Burst: 好的 收到 counts for the three notices; the parent is told privately, once.
    [burst] = said("三年级二班", "李明妈妈", "好的 收到")
    assert burst.startswith("[私聊 李明妈妈]") and all(f"#{n}" in burst for n in (1, 2, 3))
    assert said("三年级二班", "张华爸爸", "体检费的通知收到了") == []
    sent = said("三年级二班", "赵雪爸爸", "老师，收到。请问交现金还是微信？")
    assert not any(line.startswith("[三年级二班]") for line in sent)
    [to_teacher] = [line for line in sent if line.startswith("[私聊 王老师]")]
    assert "请问交现金还是微信" in to_teacher and "赵雪爸爸" in to_teacher
    assert said("三年级二班", "赵雪爸爸", "收到了吗？") == []

    # One reminder per family for the burst: only 张华爸爸 owes (#1 and #3, not #2).
    reminders = after(lines, ":time 2026-12-01 12:10")
    family = [line for line in reminders if not line.startswith("[私聊 王老师]")]
    assert [line.split("]")[0] for line in family] == ["[私聊 张华爸爸"], reminders
    assert "#1" in family[0] and "#3" in family[0] and "#2「" not in family[0]
    [done] = said("私聊", "张华爸爸", "收到了")
    assert "#1" in done and "#3" in done

    # Numbers in everyday forms; a bare 收到 with two notices owed is asked, then applied.
    assert said("三年级二班", "李明妈妈", "5收到") == []
    assert said("三年级二班", "李明妈妈", "收到第４条") == []
    assert said("三年级二班", "张华爸爸", "收到 4号通知") == []
    [asked] = said("三年级二班", "赵雪爸爸", "收到")
    assert asked.startswith("[私聊 赵雪爸爸]") and "运动会报名" in asked and "图书漂流" in asked
    [applied] = said("私聊", "赵雪爸爸", "第二个")
    assert "#5" in applied and "图书漂流" in applied
    [four] = said("私聊", "王老师", "#未读 4")
    assert "已读 2/3" in four and "赵雪" in four

    # Meetings: everyday RSVPs recorded silently in the group; with two meetings open a bare
    # answer is asked about (never "the newest"); a family owing one answer needs no number.
    for speaker, text in (("李明妈妈", "参加，2个人"), ("张华爸爸", "去不了，要加班"),
                          ("张华爸爸", "还是请好假了，能去，参加 3人")):
        assert said("三年级二班", speaker, text) == [], text
    [which] = said("三年级二班", "赵雪爸爸", "可能去")
    assert which.startswith("[私聊 赵雪爸爸]") and "期中总结" in which and "阅读分享" in which
    [maybe] = said("私聊", "赵雪爸爸", "1")
    assert "期中总结" in maybe and "待定" in maybe
    assert said("三年级二班", "赵雪爸爸", "+1") == []  # the only meeting still owed: #2
    assert said("三年级二班", "李明妈妈", "座谈会参加") == []
    [tally] = said("私聊", "王老师", "#报名情况 1")
    assert "参加 2 户，共 5 人" in tally and "待定 1 户" in tally, tally

    # Held notice: 好的 at 22:00 acknowledges nothing; every family is reminded after 07:00.
    assert said("三年级二班", "赵雪爸爸", "好的") == []
    reminded = [line.split("]")[0] for line in after(lines, ":time 2026-12-02 12:05")
                if "明天降温" in line]
    assert sorted(reminded) == ["[私聊 张华爸爸", "[私聊 李明妈妈", "[私聊 赵雪爸爸"]

    # Two classes: the private 收到 after 三年级一班's reminder is that class's notice (named
    # by that class's child); the next one is the other class's only owed notice.
    first = said("私聊", "李明妈妈", "收到")
    index = lines.index("[私聊 李明妈妈] 李明妈妈: 收到")
    second = after(lines[index + 1:], "[私聊 李明妈妈] 李明妈妈: 收到")
    assert len(first) == 1 and "三年级一班" in first[0] and "家长开放日" in first[0]
    assert len(second) == 1 and "明天降温" in second[0] and "三年级二班" in second[0]
    assert any(line.startswith("[私聊 李明妈妈]") and line.split(BOT)[1].startswith("李红妈妈")
               for line in lines)
    [six] = said("私聊", "王老师", "#未读 6")
    assert "已读 1/3" in six
