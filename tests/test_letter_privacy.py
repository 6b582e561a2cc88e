"""Issue 10 rule 5: a letter number in a parent's message is a lookup of their own letter.

The walk takes every command a parent may use from the command table (not a hand-kept list),
writes it with the number of an anonymous letter in every form the bot shows or people type,
and checks that nobody but the author — no staff member, no principal, no group, no log line,
no staff listing — is told who wrote it, and that no new letter was filed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.memory import PRIVATE, Sent
from core.config import Config
from core.permissions import PARENT
from handlers import all_commands
from kit.router import Command, Scope
from models import Ticket
from tests.harness import CLASS, Harness, make_config
from tests.seeded import build_database, start_on_copy

AUTHOR, CHILD = "赵雪爸爸", "赵雪"  # writes the anonymous letter X-0001
OTHER = "张华爸爸"  # another family, who wrote X-0002 (not anonymous)
SECRET = "班主任收礼的事情"
# How people name a letter: the staff messages' form and what gets typed from it.
CODES = ("X-0001", "x0001", "X－0001", "#X-0001", "x-1", "X-0001号")


def privacy_config(db: Path) -> Config:
    return make_config(db, mailbox={"principals": [{"name": "校长"}]})


async def two_letters(h: Harness) -> None:
    await h.setup_class()
    await h.say("校长", PRIVATE, "#帮助")
    await h.say(AUTHOR, PRIVATE, f"#匿名投诉 {SECRET}")
    await h.say(OTHER, PRIVATE, "#建议 多开放图书室")


@pytest.fixture(scope="module")
def letters_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory, "privacy", privacy_config, two_letters)


@pytest.fixture
async def h(letters_db: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    """One anonymous letter X-0001 by 李明妈妈, one signed X-0002 by 张华爸爸."""
    harness = await start_on_copy(letters_db, tmp_path / "privacy.db", privacy_config)
    yield harness
    await harness.stop()


def parent_commands() -> list[Command]:
    return [c for c in all_commands() if c.allows(frozenset({PARENT}))]


def attempts(command: Command) -> list[str]:
    """The command written with the letter's number: each form alone, with words, after a
    name, as #word and as /slash."""
    word, slash = "#" + command.words[0], "/" + command.slash[0]
    return [*(f"{word} {code}" for code in CODES), f"{word} X-0001 处理得怎么样了",
            f"{word} 王老师 X-0001", f"{slash} X-0001"]


def chats(command: Command) -> list[str]:
    return {Scope.PRIVATE: [PRIVATE], Scope.GROUP: [CLASS]}.get(command.scope, [PRIVATE, CLASS])


def leaks(sent: list[Sent]) -> list[str]:
    """Anything that reached someone other than the author and names her or her child."""
    return [f"{s.where}: {s.text}" for s in sent
            if not (s.private and s.where == AUTHOR) and (AUTHOR in s.text or CHILD in s.text)]


async def tickets(h: Harness) -> int:
    async with h.db().session() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_every_parent_command_with_a_letter_number_reveals_nobody(
        h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    commands = parent_commands()
    assert {"mailbox", "complaint", "anonymous", "dm", "dm_urgent", "add", "rate",
            "register", "rsvp"} <= {c.name for c in commands}, "the walk sees the table"
    caplog.set_level(logging.DEBUG)
    sent: list[Sent] = []
    for command in commands:
        for text in attempts(command):
            for chat in chats(command):
                sent += await h.say(AUTHOR, chat, text)
    for text in ("X-0001", "X-0001 怎么样了", "我的信X0001有回复了吗"):
        sent += await h.say(AUTHOR, PRIVATE, text)
    assert not leaks(sent), leaks(sent)
    assert await tickets(h) == 2, "a letter number never files a new letter"
    logged = [r.getMessage() for r in caplog.records]
    assert not [line for line in logged if AUTHOR in line or CHILD in line]
    for staff in ("王老师", "校长"):
        for view in ("#信箱", "#信箱 X-0001", "#信箱 1"):
            shown = await h.say(staff, PRIVATE, view)
            assert shown and not leaks(shown), (staff, view, leaks(shown))


@pytest.mark.parametrize("text", ["#信箱 X-0001", "#信箱 1", "#投诉 x1", "#匿名 第1封",
                                  "#私信 王老师 X-0001", "#急 X-0001", "X-0001 怎么样了"])
async def test_the_author_sees_her_own_letter(h: Harness, text: str) -> None:
    [shown] = await h.say(AUTHOR, PRIVATE, text)
    assert shown.where == AUTHOR and "X-0001" in shown.text and SECRET[:10] in shown.text
    assert "已收到" in shown.text, "its status"


async def test_someone_elses_letter_is_the_same_as_no_letter(h: Harness) -> None:
    [other] = await h.say(OTHER, PRIVATE, "#信箱 X-0001")
    [missing] = await h.say(OTHER, PRIVATE, "#信箱 X-0009")
    assert other.text == missing.text.replace("X-0009", "X-0001")
    assert SECRET not in other.text and "匿名" not in other.text
    [own] = await h.say(OTHER, PRIVATE, "#信箱 X-0002")
    assert "多开放图书室" in own.text, "their own letter, by the same command"


@pytest.mark.parametrize("text", ["#信箱 X-0001", "#信箱 1", "X-0001 处理一下"])
async def test_the_head_teacher_opens_it_by_number_without_its_author(h: Harness,
                                                                     text: str) -> None:
    [shown] = await h.say("王老师", PRIVATE, text)
    assert SECRET in shown.text and "匿名家长" in shown.text and not leaks([shown])


async def test_the_thread_shows_the_answers(h: Harness) -> None:
    await h.say("王老师", PRIVATE, "#回复 X-0001 已经了解，会处理")
    [shown] = await h.say(AUTHOR, PRIVATE, "#信箱 X-0001")
    assert "王老师答复：已经了解，会处理" in shown.text and "已答复" in shown.text
