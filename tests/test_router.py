"""Command matching: both spellings, @mentions, chatter ignored, usage on malformed input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ClassBot
from core.config import Config
from core.permissions import EVERYONE, STAFF
from core.render import Renderer
from handlers import command_table, routers
from kit.context import ClassContext, Context, MemberContext, PersonContext
from kit.conversation import Answer, Choice, Question, ask
from kit.menu import command_menu
from kit.router import Args, Command, CommandTable, Router
from tests.harness import CLASS, Harness, make_config


def test_every_spelling_matches_the_same_command() -> None:
    table = command_table()
    for text in ("#通知 标题", "＃通知 标题", "通知 标题", "/notice 标题", "/notice@ClassBot 标题",
                 "#通知标题"):
        found = table.match(text)
        assert found and found.command and found.command.name == "notice", text
        assert found.rest == "标题", text


def test_longest_word_wins_and_bare_words_need_a_break() -> None:
    table = command_table()
    urgent = table.match("#紧急通知 停课")
    assert urgent and urgent.command and urgent.command.name == "urgent"
    chatter = table.match("通知大家明天放假")
    # a sentence starting with 通知 is chatter: at most a poll option's candidate (issue 12),
    # which counts only when an open poll has exactly that option (handlers/polls.py)
    assert chatter is None or (chatter.command is None and chatter.phrase is not None
                               and chatter.phrase.name == "vote_option")
    assert table.match("/unknown hi") is None
    ack = table.match("收到")
    assert ack and ack.command is None and ack.phrase and ack.phrase.name == "answer"


async def test_mentioning_the_bot_works_like_a_hash(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "@班级助手 通知 周五春游\n带水")
    assert "【通知 #1】周五春游" in sent[0].text


async def test_ordinary_group_chatter_is_ignored(bound: Harness) -> None:
    for text in ("大家好", "明天几点到校？", "通知大家一下我家孩子明天请假", "哈哈哈"):
        assert await bound.say("李明妈妈", CLASS, text) == [], text


async def test_private_chatter_gets_a_pointer_to_help(bound: Harness) -> None:
    """From someone not registered; a registered parent is offered the mailbox instead."""
    sent = await bound.say("路人", "私聊", "你好")
    assert len(sent) == 1 and sent[0].private and "#帮助" in sent[0].text


async def test_group_only_command_in_private_explains_where(bound: Harness) -> None:
    sent = await bound.say("李明妈妈", "私聊", "#登记 李明 妈妈")
    assert "请在班级群里发送" in sent[0].text


# --- one declaration: a command added in one place is routed, guarded, listed and in the menu --

async def probe(ctx: MemberContext, _args: Args) -> None:
    """A test-only command's handler; staff in a class: it is sure of both, no narrowing."""
    ran_for.append(f"{ctx.person.display_name}@{ctx.school_class.name}")


ran_for: list[str] = []
PROBE = Command("probe", ("探测",), ("probe",), probe, roles=STAFF)  # no template words at all


class RouterHarness(Harness):
    """The real features plus one test-only Router, in the table the running bot uses."""

    def __init__(self, config: Config, extra: Router) -> None:
        self.extra = extra  # before Harness.__init__, which builds the bot
        super().__init__(config)

    def _bot(self) -> ClassBot:
        table = CommandTable([*routers(), self.extra])
        return ClassBot(self.config, [self.channel], self.clock, table=table)


async def running(db_path: Path, extra: Router, record: list[str]) -> AsyncIterator[Harness]:
    h = await RouterHarness(make_config(db_path), extra).start()
    await h.setup_class()
    record.clear()
    yield h
    await h.stop()


@pytest.fixture
async def probing(db_path: Path) -> AsyncIterator[Harness]:
    async for h in running(db_path, Router(commands=(PROBE,)), ran_for):
        yield h


async def test_a_command_declared_once_is_guarded_by_its_roles(probing: Harness) -> None:
    [refused] = await probing.say("李明妈妈", CLASS, "#探测")
    assert refused.text.startswith("抱歉，「#探测」只有班主任、任课老师可以使用"), refused.text
    assert ran_for == []
    await probing.say("王老师", CLASS, "#探测")
    await probing.say("王老师", CLASS, "/probe")
    assert ran_for == [f"王老师@{CLASS}", f"王老师@{CLASS}"], "staff: both spellings ran it"


async def test_a_command_declared_once_is_in_help_for_its_roles_only(probing: Harness) -> None:
    [staff_help] = await probing.say("王老师", CLASS, "#帮助")
    assert "#探测" in staff_help.text.split(), staff_help.text
    [parent_help] = await probing.say("李明妈妈", CLASS, "#帮助")
    assert "#探测" not in parent_help.text and "#收到" in parent_help.text


def test_a_command_declared_once_is_in_the_menu() -> None:
    table = CommandTable([*routers(), Router(commands=(PROBE,))])
    menu = {item.command: item for item in command_menu(table, Renderer("zh_CN"))}
    assert menu["probe"].description == "#探测", "no words yet: the usage line describes it"
    assert menu["probe"].in_groups and menu["probe"].in_private
    assert "probe" not in {item.command for item in command_menu(command_table(),
                                                                 Renderer("zh_CN"))}


# --- typed contexts: the declaration decides what the handler is sure to get ----------------

def test_declarations_give_the_context_their_guards_guarantee() -> None:
    table = command_table()
    assert table.by_name("notice").context is MemberContext  # staff, in a class
    assert table.by_name("register").context is ClassContext  # guests register, in a group
    assert table.by_name("complaint").context is PersonContext  # private, about no class
    assert table.by_name("help").context is Context  # anyone, anywhere


def test_a_handler_typed_for_more_than_its_declaration_guarantees_is_refused() -> None:
    """Typed for a person but declared for guests too: refused when the table is built."""
    loose = Command("probe", ("探测",), ("probe",), probe, roles=EVERYONE)
    with pytest.raises(TypeError, match="guarantees ClassContext"):
        CommandTable([Router(commands=(loose,))])
    classless = Command("probe", ("探测",), ("probe",), probe, roles=STAFF, needs_class=False)
    with pytest.raises(TypeError, match="guarantees PersonContext"):
        CommandTable([Router(commands=(classless,))])


NARROWING = re.compile(r"assert\b[^\n]*\.(event|person|school_class|identity) is not None")


def test_no_handler_narrows_its_context_with_an_assert() -> None:
    """Asserts vanish under `python -O`; what a handler needs comes typed from its declaration."""
    root = Path(__file__).resolve().parents[1]
    sources = [*root.glob("handlers/*.py"), *root.glob("kit/*.py"), root / "bot/pipeline.py"]
    found = [f"{path.name}:{n}" for path in sources
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if NARROWING.search(line)]
    assert len(sources) > 10 and found == []


# --- declared questions: choices, everyday words and "reply 1 or 2" by declaration alone -----

async def which_answered(ctx: PersonContext, answer: Answer) -> None:
    picked.append(answer.value or f"{answer.number}:{answer.item}")


picked: list[str] = []
WHICH = Question("probe_which", which_answered, expires_minutes=lambda _config: 10,
                 numbered=True, choices=(Choice("yes", ("好", "好的", "嗯")),
                                         Choice("no", ("不用了",))))


async def ask_which(ctx: MemberContext, _args: Args) -> None:
    await ask(ctx, WHICH, person_id=ctx.person.id, chat=ctx.event.chat, items=["甲会", "乙会"])


ASK_WHICH = Command("which", ("哪个",), ("which",), ask_which, roles=STAFF)


@pytest.fixture
async def asking(db_path: Path) -> AsyncIterator[Harness]:
    async for h in running(db_path, Router(commands=(ASK_WHICH,), questions=(WHICH,)), picked):
        yield h


async def test_a_numbered_question_takes_a_number_from_the_person_asked(asking: Harness) -> None:
    await asking.say("王老师", CLASS, "#哪个")
    await asking.say("李明妈妈", CLASS, "2")  # someone else in the same chat
    await asking.say("王老师", CLASS, "3")  # no third item: not an answer, still open
    assert picked == []
    await asking.say("王老师", CLASS, "2")
    await asking.say("王老师", CLASS, "1")  # answered: nothing open any more
    assert picked == ["2:乙会"]


async def test_declared_words_answer_before_phrases_and_after_commands(asking: Harness) -> None:
    await asking.say("王老师", CLASS, "#哪个")
    [status] = await asking.say("王老师", CLASS, "#帮助")  # a command runs, the question waits
    assert "身份" in status.text and picked == []
    assert await asking.say("王老师", CLASS, "好的！") == []  # 好的 is also the 收到 phrase
    assert picked == ["yes"]
    await asking.say("王老师", CLASS, "#哪个")
    await asking.say("王老师", "私聊", "不用了")  # another chat: not where it was asked
    await asking.say("王老师", CLASS, "不用了")
    assert picked == ["yes", "no"]


async def test_an_unanswered_question_expires_as_declared(asking: Harness) -> None:
    await asking.say("王老师", CLASS, "#哪个")
    await asking.at("2026-12-01 09:10")
    await asking.say("王老师", CLASS, "1")
    assert picked == []


def test_a_word_picking_two_choices_is_refused() -> None:
    with pytest.raises(ValueError, match="picks two choices"):
        Question("twice", which_answered, expires_minutes=lambda _config: 1,
                 choices=(Choice("yes", ("好",)), Choice("no", ("好",))))
