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
from core.reading.numbers import count_people
from core.reading.text import Chunk, Normalised, chunks, normalise
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
_ITEM_CLASSES = frozenset({Cls.REF, Cls.NUM, Cls.COUNT, Cls.KIND, Cls.PLUS})
_STRENGTHENING = _ITEM_CLASSES | {Cls.RELATION, Cls.CONJ, Cls.ALL}
_STRENGTHENING_WORDS = frozenset({"会", "能", "可以", "一定", "肯定", "都", "一起", "准时", "按时"})


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
    return absorbed, words


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
