"""Reading a group or private message as an answer: acknowledgement, RSVP, check-in or nothing.

How a message is read (`read`):
1. It is normalised (full-width → ASCII, lower case) and cut into parts at spaces and
   punctuation (see `core.reading.text`); each part is cut into words (`core.reading.tokens`).
2. Each part gets one role:
   - QUESTION: it has a question word (吗, 什么, 几点, 能不能, 去不去 …), ends with `?`, asks
     "V没" (`收到没`) or offers alternatives (`参加还是不参加`), or follows an opener (请问,
     想问一下): from an opener on, the rest of the message is the question. A question is
     never an answer (`收到了吗？`, `能参加吗`).
   - NEGATED: an answer word right after a negation (`没收到体检表`, `不是参加`, `不知道`).
     Words that are themselves negative answers (`不参加`, `去不了`, `来不了`) are NO, not
     negations.
   - PAST: reported or supposed, not current (`本来要参加`, `之前说不去`, `如果参加`,
     `收到的话`): skipped; a reported answer before the real one marks a change of mind.
   - ANSWER: answer words with nothing unknown beside them, only fillers (老师, 谢谢, 了, 哈,
     emoji, stickers, @mentions), people (我, 孩子爸爸, 李明妈妈), times (明天, 周五), counts,
     item numbers and item words (`体检费的通知`). A decline may carry its reason inline
     (`因为加班不能参加`). The pupil alone as the subject (`孩子请假`, `孩子到了`) is not a
     guardian's answer.
   - ITEM: only an item number, head count or item words (`#3`, `3人`, `10号通知`): they
     belong to the answer beside them (`收到 #3`, `参加，2个人`).
   - NEUTRAL (fillers, thanks, times) or OTHER (anything else: content).
3. Weak words (好的, 嗯, ok, 👍, [抱拳], 可能, 去, 到) are an answer only when the whole message
   has no OTHER part (`好的` yes, `好的，明天见` no); strong ones (收到, 参加, 签到) stand
   beside any content (`收到，明天交`, `收到，上周出差刚看到`).
4. The message's kind: CHECKIN if any answer part checks in, else RSVP if any answers a
   meeting (the last one wins: `参加，哦不，还是不去了` is NO, a change of mind), else ACK.
   A hedge turns yes or no into MAYBE (`可能去`, `应该能参加`, `可能去不了`).
5. What comes with it:
   - people: a written head count (`2个人`, `两位`, `一家三口`, `1大1小`, `我们俩`, `+2`), or
     people joined by 和/跟/带/、 or named side by side (`我和孩子爸爸` 2, `爸爸妈妈` 2,
     `我带孩子` 2); `我老公` is one person. None when no number is written: a lone 参加 and
     `全家都去` give None (the caller counts one family member, and does not guess a family's
     size).
   - reason: after a decline or maybe, the other text of the message (`去不了，要加班` →
     要加班), preferably what follows the answer.
   - numbers: explicit item numbers (`#3`, `第三条`, `10号通知`, or a bare `3` next to an
     answer word); topic: the words naming an item (`体检费的通知` → 体检费, `座谈会参加` →
     座谈会; generic words like 通知 only set item_kind).
   - question: the question part(s) in the person's own words, when a message both answers and
     asks (`老师，收到。请问交现金还是微信？`).

`looks_like_answer`: a short message (at most 20 characters of text) with an answer word that is
strong (收到, 参加, 报名, 签到, 已到, 到了, 去不了, 待定, +1 …) but reads as nothing, and is
neither a question, nor a negation, nor said to others (`请各位家长收到后回复`), nor about the
pupil (`孩子收到奖状了`), nor supposed (`收到的话回复一下`): the caller asks that person
privately rather than staying silent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TypeVar

from core.reading.lexicon import (
    ANSWER_CLASSES,
    GENERIC_KINDS,
    MEETING_KINDS,
    NEUTRAL_CLASSES,
    NOTICE_KINDS,
    STRONG_ANSWER_WORDS,
    Cls,
)
from core.reading.numbers import count_people, people_count
from core.reading.numerals import to_int
from core.reading.text import Chunk, Normalised, chunks, memo, normalise
from core.reading.tokens import Token, tokenize

T = TypeVar("T")


class Kind(StrEnum):
    NONE = "none"
    ACK = "ack"
    RSVP = "rsvp"
    CHECKIN = "checkin"


class Rsvp(StrEnum):
    """Values match services.meetings.Answer, so `Answer(reading.rsvp.value)` converts."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class ItemKind(StrEnum):
    NOTICE = "notice"
    MEETING = "meeting"
    # --- sign-ups and slots (issue 12 parts 1, 2) ---
    SIGNUP = "signup"
    SLOT = "slot"
    # polls and surveys (issue 12): votes are read by core.reading.votes
    POLL = "poll"
    SURVEY = "survey"


@dataclass(frozen=True)
class Reading:
    """What a message says as an answer. `kind` NONE means: not an answer (see the flags)."""

    text: str  # the message as received
    kind: Kind = Kind.NONE
    rsvp: Rsvp | None = None  # set when kind is RSVP
    people: int | None = None  # written head count (RSVP yes/maybe, check-in); None: not said
    reason: str = ""  # after a decline or maybe, in the sender's words
    changed_mind: bool = False  # 还是不去了, 改成参加, 本来…现在…
    numbers: tuple[int, ...] = ()  # explicit item numbers, in order
    topic: tuple[str, ...] = ()  # words naming the item (体检费, 座谈会), to match titles/kinds
    item_kind: ItemKind | None = None  # 通知 → NOTICE, 家长会/座谈会 → MEETING
    question: str = ""  # the question part(s), in the sender's words
    is_question: bool = False  # some part asks something
    negated: bool = False  # some answer word is negated (没收到, 不是参加): not an answer
    late: bool = False  # 刚看到, 回复晚了
    weak: bool = False  # the answer rests only on weak words (好的, 嗯, 👍)

    @property
    def is_answer(self) -> bool:
        return self.kind is not Kind.NONE

    @property
    def number(self) -> int | None:
        """The first explicit item number, if any."""
        return self.numbers[0] if self.numbers else None


class Role(Enum):
    ANSWER = "answer"
    QUESTION = "question"
    NEGATED = "negated"
    PAST = "past"
    ITEM = "item"
    NEUTRAL = "neutral"
    OTHER = "other"


# Answer words that are everyday chatter on their own (see rule 3).
_WEAK_WORDS = frozenset({"去", "来", "到"})
_LOOKS_MAX_CHARS = 20
_ADDRESSING = ("请", "各位", "大家", "家长们", "麻烦各位", "麻烦大家")
_LATE_ACKS = frozenset({"刚看到", "才看到", "刚刚看到", "刚看见", "才看见", "现在才看到"})
# Skipped between a negation and the answer word it negates (没有都收到 is rare; 还没 is one word).
_NEG_GAP = frozenset({Cls.FILLER, Cls.TIME, Cls.HEDGE})
_NOT_IN_TOPIC = frozenset("的了")
# After unknown words, these make them the name of an item (春游的收到, 体检那个收到了).
_TOPIC_MARKERS = frozenset({"的", "那个", "这个", "那条", "这条", "那份", "这份"})
_ITEM_CLASSES = frozenset({Cls.REF, Cls.NUM, Cls.COUNT, Cls.KIND, Cls.PLUS})
_STRENGTHENING = _ITEM_CLASSES | {Cls.RELATION, Cls.CONJ, Cls.ALL}
_STRENGTHENING_WORDS = frozenset({"会", "能", "可以", "一定", "肯定", "都", "一起", "准时", "按时",
                                  "我们", "咱们", "俺们", "我们家", "自己"})


@dataclass(frozen=True)
class _Part:
    chunk: Chunk
    tokens: tuple[Token, ...]
    role: Role
    answer: Cls | None = None  # ACK, YES, NO, MAYBE or CHECKIN, for ANSWER parts
    weak: bool = False
    topic: tuple[str, ...] = ()
    residue: tuple[Token, ...] = ()  # unknown words (a decline's inline reason)
    opener: bool = False


def _topic_words(tokens: tuple[Token, ...]) -> tuple[set[int], list[str]]:
    """Words that name an item: the unknown run before a kind word (体检费 in 体检费的通知,
    运动会 in 运动会的通知: one-character fillers like 会 belong to the run) and the kind
    word itself unless it is generic (座谈会 yes, 通知 no)."""
    absorbed: set[int] = set()
    words: list[str] = []
    for i, token in enumerate(tokens):
        if token.cls is not Cls.KIND:
            continue
        j = i - 1
        if j >= 0 and tokens[j].text == "的":
            j -= 1
        run: list[int] = []
        while j >= 0 and j not in absorbed and (tokens[j].cls is Cls.RES or (
                tokens[j].cls is Cls.FILLER and len(tokens[j].text) == 1
                and tokens[j].text not in _NOT_IN_TOPIC)):
            run.insert(0, j)
            j -= 1
        while run and tokens[run[0]].cls is not Cls.RES:
            run.pop(0)
        if run:
            absorbed.update(run)
            words.append("".join(tokens[k].text for k in run))
        if token.text not in GENERIC_KINDS:
            words.append(token.text)
    for i, token in enumerate(tokens):
        if token.text in _TOPIC_MARKERS and i not in absorbed:
            run = _unknown_run_before(tokens, i, absorbed)
            if run:
                absorbed.update(run)
                words.append("".join(tokens[k].text for k in run))
    return absorbed, words


def _unknown_run_before(tokens: tuple[Token, ...], end: int, absorbed: set[int]) -> list[int]:
    """The unknown words right before a 的 / 那个 (春游 in 春游的收到, 体检那个收到了): with an
    answer word in the same part they name the item, the way 运动会的通知 does."""
    run: list[int] = []
    j = end - 1
    while j >= 0 and j not in absorbed and tokens[j].cls is Cls.RES:
        run.insert(0, j)
        j -= 1
    return run


def _summary(answers: list[Token]) -> Cls:
    """One class for a part's answer words: CHECKIN (unless hedged), else the last of
    YES/NO/MAYBE (a hedge makes it MAYBE), else a lone hedge (MAYBE), else ACK."""
    classes = {t.cls for t in answers}
    if Cls.CHECKIN in classes and Cls.HEDGE not in classes:  # 争取到: a maybe, not arrived
        return Cls.CHECKIN
    rsvp = [t.cls for t in answers if t.cls in (Cls.YES, Cls.NO, Cls.MAYBE, Cls.PLUS)]
    if Cls.HEDGE in classes or Cls.MAYBE in classes:  # 不一定能参加, 可能去不了
        return Cls.MAYBE
    if rsvp:
        return Cls.NO if rsvp[-1] is Cls.NO else Cls.YES
    return Cls.ACK


def _weak_part(tokens: tuple[Token, ...], answers: list[Token]) -> bool:
    """Only weak answer words (好的, 嗯, 👍, 去, 到, a lone 可能), and nothing that makes a
    bare 去 an RSVP: a count, a number, an item word, a person beside me (我带孩子去, 我老公去),
    全家, a hedge (可能去) or a modal (会去的, 一定, 准时)."""
    if any(t.cls in _STRENGTHENING or t.text in _STRENGTHENING_WORDS for t in tokens):
        return False
    hedges = [t for t in answers if t.cls is Cls.HEDGE]
    if hedges and len(hedges) < len(answers):
        return False
    return all(t.cls in (Cls.ACK_WEAK, Cls.HEDGE) or t.text in _WEAK_WORDS for t in answers)


def _negated(tokens: tuple[Token, ...]) -> bool:
    for i, token in enumerate(tokens):
        if token.cls is not Cls.NEG:
            continue
        for nxt in tokens[i + 1:]:
            if nxt.cls in ANSWER_CLASSES:
                return True
            if nxt.cls not in _NEG_GAP:
                break
    return False


def _asks_v_mei(tokens: tuple[Token, ...]) -> bool:
    """收到没 / 到了没有: a negation after the answer word, at the end, asks a question."""
    meaningful = [t for t in tokens if t.cls is not Cls.FILLER]
    return (len(meaningful) >= 2 and meaningful[-1].cls is Cls.NEG
            and meaningful[-2].cls in ANSWER_CLASSES)


def _alternatives(tokens: tuple[Token, ...]) -> bool:
    """参加还是不参加: 还是 between two answers in one part offers a choice, it asks."""
    for i, token in enumerate(tokens):
        if token.text == "还是" and any(t.cls in ANSWER_CLASSES for t in tokens[:i]) \
                and any(t.cls in ANSWER_CLASSES for t in tokens[i + 1:]):
            return True
    return False


def _analyse(chunk: Chunk) -> _Part:
    tokens = tokenize(chunk.text)
    classes = {t.cls for t in tokens}
    opener = Cls.OPENER in classes
    if opener or Cls.QUESTION in classes or "?" in chunk.mark or _asks_v_mei(tokens) \
            or _alternatives(tokens):
        return _Part(chunk, tokens, Role.QUESTION, opener=opener)
    if _negated(tokens):
        return _Part(chunk, tokens, Role.NEGATED)
    answers = [t for t in tokens if t.cls in ANSWER_CLASSES]
    if answers and Cls.PAST in classes:
        return _Part(chunk, tokens, Role.PAST)
    absorbed, topic = _topic_words(tokens)
    residue = tuple(t for i, t in enumerate(tokens) if t.cls is Cls.RES and i not in absorbed)
    child_alone = Cls.CHILD in classes and not classes & {Cls.SUBJ, Cls.RELATION, Cls.CONJ}
    if answers:
        summary = _summary(answers)
        weak = _weak_part(tokens, answers)
        if not residue and not child_alone:
            return _Part(chunk, tokens, Role.ANSWER, summary, weak, tuple(topic))
        inline_reason = summary in (Cls.NO, Cls.MAYBE) and not weak and not child_alone \
            and not any(t.text in ("请假", "请个假") for t in answers)
        if inline_reason:
            return _Part(chunk, tokens, Role.ANSWER, summary, weak, tuple(topic), residue)
        return _Part(chunk, tokens, Role.OTHER)
    if residue or child_alone:
        return _Part(chunk, tokens, Role.OTHER)
    if classes & _ITEM_CLASSES:
        return _Part(chunk, tokens, Role.ITEM, topic=tuple(topic))
    if classes <= NEUTRAL_CLASSES | {Cls.CHILD, Cls.PAST, Cls.NEG}:
        return _Part(chunk, tokens, Role.NEUTRAL)
    return _Part(chunk, tokens, Role.OTHER)


def _parts(norm: Normalised) -> list[_Part]:
    parts: list[_Part] = []
    asking = False
    for chunk in chunks(norm):
        part = _analyse(chunk)
        asking = asking or part.opener
        if asking and part.role is not Role.QUESTION:
            part = _Part(chunk, part.tokens, Role.QUESTION)
        parts.append(part)
    return parts


def _span(norm: Normalised, parts: list[_Part], *, with_mark: bool = False) -> str:
    """The sender's own text from the first to the last of `parts`."""
    if not parts:
        return ""
    end = parts[-1].chunk.end
    if with_mark:
        end += len(parts[-1].chunk.mark.rstrip())
    return norm.original(parts[0].chunk.start, end).strip()


def _reason(norm: Normalised, parts: list[_Part], deciding: int) -> str:
    part = parts[deciding]
    if part.residue:  # 要加班去不了 → 要加班; 不参加因为加班 → 因为加班
        words = [t for t in part.tokens if t.cls in ANSWER_CLASSES]
        if part.residue[0].start < words[0].start:
            start, end = part.tokens[0].start, words[0].start
        else:
            start, end = words[-1].end, part.tokens[-1].end
        return norm.original(part.chunk.start + start, part.chunk.start + end).strip()
    after: list[_Part] = []
    for later in parts[deciding + 1:]:
        if later.role is Role.ANSWER:
            break
        after.append(later)
    others = [p for p in after if p.role is Role.OTHER]
    if not others:
        before: list[_Part] = []
        for earlier in reversed(parts[:deciding]):
            if earlier.role is Role.ANSWER:
                break
            before.insert(0, earlier)
        others = [p for p in before if p.role is Role.OTHER]
    if not others:
        return ""
    first, last = parts.index(others[0]), parts.index(others[-1])
    return _span(norm, parts[first:last + 1])


def _people(parts: list[_Part], deciding: int) -> int | None:
    """Count from the deciding part, then from its ITEM/NEUTRAL neighbours."""
    tokens: list[Token] = list(parts[deciding].tokens)
    for near in (deciding - 1, deciding + 1, deciding + 2):
        if 0 <= near < len(parts) and parts[near].role in (Role.ITEM, Role.NEUTRAL):
            tokens.extend(parts[near].tokens)
    if any(t.cls is Cls.ALL for t in parts[deciding].tokens) and not any(
            t.cls in (Cls.COUNT, Cls.PLUS) for t in tokens):
        return None
    return count_people(tokens)


def _changed(parts: list[_Part], deciding: int) -> bool:
    part = parts[deciding]
    if any(t.cls is Cls.CHANGE for t in part.tokens):
        return True
    earlier = parts[:deciding]
    if any(p.role is Role.PAST for p in earlier):
        return True
    if deciding > 0 and parts[deciding - 1].role in (Role.NEUTRAL, Role.OTHER) and any(
            t.cls is Cls.CHANGE for t in parts[deciding - 1].tokens):
        return True
    rsvps = [p.answer for p in earlier if p.role is Role.ANSWER and p.answer in _RSVP_OF]
    return any(a != part.answer for a in rsvps)


_RSVP_OF = {Cls.YES: Rsvp.YES, Cls.PLUS: Rsvp.YES, Cls.NO: Rsvp.NO, Cls.MAYBE: Rsvp.MAYBE}


def _item_kind(parts: list[_Part]) -> ItemKind | None:
    kinds = {t.text for p in parts if p.role in (Role.ANSWER, Role.ITEM)
             for t in p.tokens if t.cls is Cls.KIND}
    notice, meeting = bool(kinds & NOTICE_KINDS), bool(kinds & MEETING_KINDS)
    if notice == meeting:
        return None
    return ItemKind.NOTICE if notice else ItemKind.MEETING


def _unique(values: list[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


@memo
def read(text: str) -> Reading:
    """Read one message (see the module docstring for the rules)."""
    norm = normalise(text or "")
    parts = _parts(norm)
    questions = [p for p in parts if p.role is Role.QUESTION]
    late = any(t.cls is Cls.LATE or t.text in _LATE_ACKS for p in parts for t in p.tokens)
    flags = {
        "is_question": bool(questions),
        "question": _span(norm, questions, with_mark=True) if questions else "",
        "negated": any(p.role is Role.NEGATED for p in parts),
    }
    answers = [i for i, p in enumerate(parts) if p.role is Role.ANSWER]
    weak = all(parts[i].weak for i in answers)
    if not answers or (weak and any(p.role is Role.OTHER for p in parts)):
        return Reading(text=text, **flags)  # type: ignore[arg-type]
    carrying = [p for p in parts if p.role in (Role.ANSWER, Role.ITEM)]
    numbers = _unique([t.value for p in carrying for t in p.tokens
                       if t.cls in (Cls.REF, Cls.NUM) and t.value is not None])
    common = {
        "text": text, "numbers": numbers, "late": late, "weak": weak,
        "topic": _unique([w for p in carrying for w in p.topic]),
        "item_kind": _item_kind(parts), **flags,
    }
    checkins = [i for i in answers if parts[i].answer is Cls.CHECKIN]
    if checkins:
        return Reading(kind=Kind.CHECKIN, people=_people(parts, checkins[-1]),
                       **common)  # type: ignore[arg-type]
    rsvps = [i for i in answers if parts[i].answer in _RSVP_OF]
    if not rsvps:
        return Reading(kind=Kind.ACK, **common)  # type: ignore[arg-type]
    deciding = rsvps[-1]
    answer = _RSVP_OF[parts[deciding].answer]  # type: ignore[index]
    return Reading(
        kind=Kind.RSVP, rsvp=answer,
        people=_people(parts, deciding) if answer is not Rsvp.NO else None,
        reason=_reason(norm, parts, deciding) if answer is not Rsvp.YES else "",
        changed_mind=_changed(parts, deciding), **common)  # type: ignore[arg-type]


@memo
def looks_like_answer(text: str) -> bool:
    """A short message with a strong answer word that `read` could not read (see docstring)."""
    reading = read(text)
    if reading.is_answer or reading.is_question or reading.negated:
        return False
    norm = normalise(text or "")
    tokens = [t for c in chunks(norm) for t in tokenize(c.text)]
    content = [t for t in tokens if not _decoration(t)]
    if sum(len(t.text) for t in content) > _LOOKS_MAX_CHARS or not content:
        return False
    if content[0].text.startswith(_ADDRESSING) and not content[0].text.startswith(("请假", "请问")):
        return False  # 请各位家长收到后回复: said to others, not an answer
    classes = {t.cls for t in tokens}
    if Cls.CHILD in classes and not classes & {Cls.SUBJ, Cls.RELATION}:
        return False  # 孩子收到奖状了: about the pupil
    if Cls.PAST in classes:
        return False  # 收到的话回复一下: supposed, not answered
    return any(t.cls in ANSWER_CLASSES and any(w in t.text for w in STRONG_ANSWER_WORDS)
               for t in tokens)


def _decoration(token: Token) -> bool:
    """@mentions, stickers and emoji: not counted in a message's length."""
    return token.cls in (Cls.FILLER, Cls.ACK_WEAK) and (
        token.text[:1] in "@[" or (len(token.text) == 1 and not token.text.isalnum()))


# --- sign-ups and slots (issue 12 parts 1, 2) ----------------------------------------------
#
# What a 接龙 or 预约 answer says, in the forms parents use (the caller decides which list or
# board it means, services/answering.py):
# - join: `接龙`, `+1` / `+2`, `报名`, `我报名`, `算我一个`, optionally with a list number
#   (`报名3`, `接龙 #2`) and a note after it (`报名 带两个孩子`, `接龙，李明妈妈，周六上午`);
# - leave: `-1`, `取消报名`, `取消接龙`, `退出接龙`, `不报了`, `报名取消`, with a number too;
# - not an answer: a question (`报名截止了吗？`), or 报名 naming something else (`报名表`,
#   `报名费`, `报名时间`, `报名情况`, `报名链接`);
# - a pasted WeChat 接龙 block (`read_chain`): a first line `#接龙` (or `接龙`), a title line, an
#   optional example line (`例 …`), then numbered lines `1. 李明妈妈`; every numbered line is
#   returned in order, the caller matches each to a family;
# - a slot (`read_slot`): `预约 14:30`, `约下午2点半`, `改约 15:00`, `预约 2 14:30` (board 2),
#   `预约 12月10日 14:30`, `预约 10号 3点`; `取消预约` gives up the booking.


class SignupIntent(StrEnum):
    JOIN = "join"
    LEAVE = "leave"


@dataclass(frozen=True)
class SignupWords:
    intent: SignupIntent
    number: int | None = None  # an explicit list number
    note: str = ""  # the sender's own words after the join word
    people: int | None = None  # `+2`, `接龙 2人`; None: not said


@dataclass(frozen=True)
class Chain:
    """A pasted 接龙 block: its title and its numbered lines (number, text), in order."""

    title: str
    lines: tuple[tuple[int, str], ...]


class SlotIntent(StrEnum):
    BOOK = "book"
    CANCEL = "cancel"


@dataclass(frozen=True)
class SlotWords:
    intent: SlotIntent
    number: int | None = None  # the board's number (`预约 2 14:30`)
    hour: int | None = None  # as written (3 in `3点`); `pm`/`am` say whether it was marked
    minute: int = 0
    pm: bool | None = None  # 下午/晚上 True, 上午/早上 False, not said None
    month: int | None = None
    day: int | None = None
    changed: bool = False  # 改约 / 改到 / 换成


_NUMBER = r"(?:\s*(?:第|#|＃)?\s*(\d{1,4})\s*(?:号|个|期)?)?"
_LEAVE = re.compile(
    r"^(?:-1|-\s*1|取消报名|取消接龙|退出接龙|退出报名|撤回报名|撤销报名|报名取消|我不报了|不报了"
    r"|不报名了|不接龙了|删掉我|把我删了|把我去掉)" + _NUMBER + r"(.*)$", re.S)
_JOIN = re.compile(
    r"^(?:接龙\s*\+\s*1|\+\s*([1-9])(?:人|位|个)?|(?:我们?|我家)?也?(?:来|要|想)?(?:报个名|报名|接龙)"
    r"|算我一个|加我一个|我也\+1)" + _NUMBER + r"(.*)$", re.S)
# A particle between the join word and the note (算我一个吧，周五下午可以) is not the note.
_NOTE_PARTICLES = "吧啊呀哈哦了"
# What 报名/接龙 names when it is not an answer (报名表, 报名截止了吗, 接龙的格式).
_NOT_A_JOIN = ("表", "费", "时间", "截止", "情况", "链接", "名单", "人数", "方式", "入口", "的",
               "了吗", "吗", "怎么", "在哪", "地址", "格式", "一下", "啊?")
_NOTE_EDGE = " \t,，.。:：;；、-—~～!！"
_MENTIONS = re.compile(r"^(?:[@＠][^\s\u2005@＠#＃]*[\s\u2005]*)+")


_OPENING = re.compile(
    r"^(?:(?:不好意思|抱歉|sorry|老师好|老师|那个|那就|那|麻烦|哈哈)[\s,，.。!！~]*)+")


def _bare(text: str) -> str:
    """NFKC and lower case (`normalise`); leading @mentions, politeness (不好意思, 老师) and a
    leading `#` dropped."""
    norm = normalise(text or "").text.strip()
    norm = _MENTIONS.sub("", norm).strip()
    norm = _OPENING.sub("", norm).strip()
    return norm.lstrip("#").strip()


_LAST_CLAUSE = re.compile(
    r"^(.+?)[\s,，。.!！;；~～]+([^\s,，。.!！;；~～]+)[\s,，。.!！~～]*$", re.S)


@memo
def read_signup(text: str) -> SignupWords | None:
    """A join or leave in the forms above, or None (see the block comment). The words may also
    close the message after the sender's reason or note (`我周五临时有事，取消报名`,
    `周六上午有空，报名`): the clause before them is then the note."""
    if "\n" in (text or "").strip() and read_chain(text) is not None:
        return None
    body = _bare(text)
    if not body or "?" in body:
        return None
    found = _read_signup_body(text, body)
    if found is not None:
        return found
    last = _LAST_CLAUSE.match(body)
    if last is None or read(last.group(1)).is_question:
        return None
    closing = _read_signup_body(text, last.group(2))
    if closing is None or closing.note:
        return None
    note = _note(text, last.group(1).strip(_NOTE_EDGE))
    return SignupWords(closing.intent, closing.number, note, closing.people)


def _read_signup_body(text: str, body: str) -> SignupWords | None:
    if found := _LEAVE.match(body):
        rest = found.group(2).strip(_NOTE_EDGE)
        if read(rest).is_question:
            return None
        number = int(found.group(1)) if found.group(1) else None
        return SignupWords(SignupIntent.LEAVE, number, _note(text, rest))
    found = _JOIN.match(body)
    if found is None:
        return None
    rest = found.group(3)
    if rest.lstrip().startswith(_NOT_A_JOIN) or read(rest).is_question or read(rest).negated:
        return None
    plus = int(found.group(1)) if found.group(1) else None
    rest = rest.strip(_NOTE_EDGE).lstrip(_NOTE_PARTICLES).strip(_NOTE_EDGE)
    number = int(found.group(2)) if found.group(2) else None
    people = plus if plus is not None else people_count(rest)
    return SignupWords(SignupIntent.JOIN, number, _note(text, rest), people)


def _note(text: str, rest: str) -> str:
    """The sender's own words after the join word, unless they are only fillers or answer
    words (`报名了`, `接龙，谢谢老师`, `+1 收到`)."""
    if not rest:
        return ""
    tokens = [t for c in chunks(normalise(rest)) for t in tokenize(c.text)]
    if all(t.cls in _NOT_A_NOTE for t in tokens):
        return ""
    norm = normalise(text or "")
    at = norm.text.rfind(rest)
    return (norm.original(at, at + len(rest)) if at >= 0 else rest).strip(_NOTE_EDGE)


_NOT_A_NOTE = frozenset({Cls.FILLER, Cls.ACK, Cls.ACK_WEAK, Cls.YES, Cls.PLUS, Cls.COUNT,
                         Cls.LATE})


def is_plus_one(text: str) -> bool:
    """`+1` (or `+2` …) and nothing else: everyday agreement in a chat when nothing is open."""
    return re.fullmatch(r"\+\s*[1-9]", _bare(text)) is not None


_CHAIN_HEAD = re.compile(r"^[#＃]?\s*接龙\s*$")
_CHAIN_LINE = re.compile(r"^\s*(\d{1,3})\s*[.、．:：)）]\s*(.*?)\s*$")
_EXAMPLE = re.compile(r"^\s*(?:例|例如|格式)\s*[:：]?")


def read_chain(text: str) -> Chain | None:
    """A pasted WeChat 接龙 block, or None (rules in the block comment)."""
    lines = [line for line in (text or "").replace("\r", "").split("\n")]
    filled = [line.strip() for line in lines if line.strip()]
    if len(filled) < 2 or not _CHAIN_HEAD.match(unicodedata_nfkc(filled[0])):
        return None
    title = ""
    numbered: list[tuple[int, str]] = []
    for line in filled[1:]:
        found = _CHAIN_LINE.match(unicodedata_nfkc(line))
        if found:
            if found.group(2):
                numbered.append((int(found.group(1)), found.group(2)))
        elif not title and not numbered and not _EXAMPLE.match(line):
            title = line
    if not numbered:
        return None
    return Chain(title, tuple(numbered))


def unicodedata_nfkc(text: str) -> str:
    """Full-width digits and dots (`１．`) read like ASCII ones in a pasted block."""
    return unicodedata.normalize("NFKC", text)


_SLOT_CANCEL = re.compile(
    r"^(?:取消预约|预约取消|不约了|退掉预约|取消我的预约)" + _NUMBER + r"\s*$")
_SLOT_HEAD = re.compile(
    r"^(?:我要预约|我想预约|我预约|我要约|我想约|我约|预约|改约|改预约|约|改到|换到|换成|改成)")
_SLOT_BOARD = re.compile(r"^\s*(?:第|#)?\s*(\d{1,2})\s*(?:号预约)?\s+(?=\S)")
_DATE = re.compile(r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*(?:日|号)")
_PERIOD = re.compile(r"(上午|早上|下午|晚上|中午)")
_CLOCK = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*"
                    r"(?:(?::|：)\s*(\d{2})|点\s*(半|一刻|三刻|(\d{1,2})\s*分?)?|时)")


def read_slot(text: str) -> SlotWords | None:
    """A booking (`预约 14:30`) or its cancellation (`取消预约`), or None."""
    body = _bare(text)
    if not body or "?" in body or read(body).is_question:
        return None
    if found := _SLOT_CANCEL.match(body):
        return SlotWords(SlotIntent.CANCEL, int(found.group(1)) if found.group(1) else None)
    head = _SLOT_HEAD.match(body)
    if head is None:
        return None
    rest = body[head.end():].strip(_NOTE_EDGE)
    number = None
    if board := _SLOT_BOARD.match(rest):
        number, rest = int(board.group(1)), rest[board.end():]
    month = day = None
    if date := _DATE.search(rest):
        month = int(date.group(1)) if date.group(1) else None
        day = int(date.group(2))
        rest = rest[:date.start()] + " " + rest[date.end():]
    clock = _CLOCK.search(rest)
    if clock is None:
        return None
    hour = to_int(clock.group(1))
    minute = 0
    if clock.group(2):
        minute = int(clock.group(2))
    elif clock.group(3) == "半":
        minute = 30
    elif clock.group(3) in ("一刻", "三刻"):
        minute = 15 if clock.group(3) == "一刻" else 45
    elif clock.group(4):
        minute = int(clock.group(4))
    if hour is None or hour > 23 or minute > 59:
        return None
    period = _PERIOD.search(rest)
    pm = None if period is None else period.group(1) in ("下午", "晚上", "中午")
    changed = head.group(0) in ("改约", "改预约", "改到", "换到", "换成", "改成")
    return SlotWords(SlotIntent.BOOK, number, hour, minute, pm, month, day, changed)
