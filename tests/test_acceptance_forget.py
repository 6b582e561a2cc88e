"""Issue 11, part 5 (tests/scripts/forget.txt): #注销 and #删除家庭 delete a person's data on
request; proven by searching every table of the database for their names and texts."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from models import Base
from tests.database import fetch_all, url_for
from tests.transcript import Replay, replay_once

G = "[三年级二班] "
P = "[私聊 王老师] "
# What 赵雪爸爸 (#注销) and 张华's family (#删除家庭) were, and what they wrote.
ZHAO = ("赵雪爸爸", "希望午休时间长一点", "孩子中午总是犯困", "要去外地出差开会")
ZHANG = ("张华", "张华爸爸", "校车几点到", "加班")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forget")


@pytest.fixture(scope="module")
def run(folder: Path) -> Replay:
    return replay_once(folder, "forget.txt")


def every_cell(database: Path) -> dict[str, list[str]]:
    """Every table of the schema, every row, every value as text (JSON decoded, so that an
    escaped \\uXXXX name is found too), on the database the tests run on (SQLite file or the
    PostgreSQL database tests/database.py gives that path)."""
    found: dict[str, list[str]] = {}
    url = url_for(database)
    for table in Base.metadata.sorted_tables:
        cells = []
        for row in fetch_all(url, f"SELECT * FROM {table.name}"):
            for value in row:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) \
                    if isinstance(value, dict | list) else str(value)
                if text[:1] in "[{":
                    with contextlib.suppress(ValueError):  # text that looks like JSON
                        text = json.dumps(json.loads(text), ensure_ascii=False)
                cells.append(text)
        found[table.name] = cells
    return found


def test_nothing_of_them_is_left_in_any_table(run: Replay, folder: Path) -> None:
    cells = every_cell(folder / "transcript.db")
    assert len(cells) >= 18 and cells["outbox"] and cells["mailbox_tickets"], "searched all"
    for secret in ZHAO + ZHANG:
        where = [t for t, values in cells.items() if any(secret in v for v in values)]
        assert where == [], f"{secret!r} is still in {where}"
    assert any("李明妈妈" in v for v in cells["people"]), "the search would find a name"


def test_every_deletion_leaves_an_audit_line_without_personal_data(run: Replay,
                                                                    folder: Path) -> None:
    lines = fetch_all(url_for(folder / "transcript.db"),
                      "SELECT action, by, counts FROM audit_log ORDER BY id")
    assert [(a, b) for a, b, _ in lines] == [("forget_person", "self"),
                                             ("delete_family", "head_teacher")]
    for _, _, counts in lines:
        counts = json.loads(counts) if isinstance(counts, str) else counts  # JSON column
        assert set(counts) <= {"people", "accounts", "registrations", "letters",
                                           "private_messages"}, counts


def test_parent_unregisters_after_confirming(run: Replay) -> None:
    [asked] = run.after("[私聊 赵雪爸爸] 赵雪爸爸: #注销").to("赵雪爸爸", private=True)
    assert "确认" in asked and "取消" in asked
    [done] = run.after("[私聊 赵雪爸爸] 赵雪爸爸: 确认").to("（已注销）", private=True)
    assert "已注销" in done


def test_the_class_figures_stay_true(run: Replay) -> None:
    [unread] = run.after(G + "王老师: #未读 1").to("王老师", private=True)
    assert "已读 1/3" in unread and "赵雪" not in unread, "his 收到 still counts for 赵雪"
    [tally] = run.after(G + "王老师: #报名情况 1").to("王老师", private=True)
    assert "不参加 2 户" in tally and "出差" not in tally, tally
    [letter] = run.after(P + "王老师: #信箱 X-0001").to("王老师", private=True)
    assert "（家长已注销）" in letter and "午休" not in letter and "已经转给教导处" in letter


def test_head_teacher_deletes_a_family_after_confirming(run: Replay) -> None:
    [asked] = run.after(P + "王老师: #删除家庭 张华").to("王老师", private=True)
    assert "确认" in asked
    [done] = run.after(P + "王老师: 确认").to("王老师", private=True)
    assert "已删除该家庭的数据（1 位家长）" in done
    [listing] = run.after(G + "王老师: #名单").to("王老师", private=True)
    assert "张华" not in listing and "李明：李明妈妈" in listing
