"""Teachers' command forms: @mentions before a command, and "did you mean" for a typo.

`strip_mentions(text)` removes the @mentions a message starts with — WeChat users start a
notice with `@所有人`, and mention people before a command (`@所有人 @李老师 #通知 …`). A
mention ends at a space (WeChat puts U+2005 after it) or right before `#`/`＃`/`/`
(`@所有人#通知`). Mentions later in the text are content and stay.

`command_word(text)` is the word after a leading `#`/`＃` or `/` (`#未度 3` → 未度), after
mentions are stripped; None when the text is no command attempt.

`suggest(word, known_words)` proposes the known command word a mistyped one most likely means,
using rapidfuzz's edit distance (Damerau-Levenshtein: a swap of two characters is one edit):
- words of 2-7 characters: at most one edit (`未度` → 未读, `通之` → 通知, `通知单` → 通知,
  `notcie` → notice, `unraed` → unread, `hlep` → help; `weather` is two from teacher: none);
- longer words (ASCII slash words): at most two (`attendence` → attendance);
- one-character words and exact matches get no suggestion;
- the best candidate must be unique: a tie between two commands suggests nothing, so an
  unrelated word (`天气`, `作业`, `哈哈`) never fires. A one-character slip in a two-character
  word cannot be told from a different word of one shared character (`考试` → 考勤): the bot
  only asks, it never runs the suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_MENTION = re.compile(r"^[@＠][^\s\u2005@＠#＃/]*?(?:[\s\u2005]+|(?=[#＃/]))")
_WORD = re.compile(r"^[#＃/]\s*([A-Za-z_]+|[\u4e00-\u9fff]+)")


def strip_mentions(text: str) -> str:
    """The text without the @mentions it starts with (rules above)."""
    rest = text.lstrip()
    while found := _MENTION.match(rest):
        rest = rest[found.end():].lstrip()
    return rest


def command_word(text: str) -> str | None:
    """`#未度 3` → 未度, `/notcie` → notcie (after leading mentions); None if no # or /."""
    found = _WORD.match(strip_mentions(text))
    return found.group(1) if found else None


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 7 else 2


def suggest(word: str, known_words: Iterable[str]) -> str | None:
    """The one known word `word` is a likely typo of, or None (rules above)."""
    word = word.strip().lower()
    known = {k.lower(): k for k in known_words}
    if len(word) < 2 or word in known:
        return None
    limit = _max_edits(word)
    found = process.extract(word, list(known), scorer=DamerauLevenshtein.distance,
                            score_cutoff=limit, limit=None)
    # Comparing a 2-character word with a 1-character one is one edit too: keep lengths close.
    found = [(cand, dist) for cand, dist, _ in found
             if len(cand) >= 2 and abs(len(cand) - len(word)) <= limit]
    if not found:
        return None
    best = min(dist for _, dist in found)
    winners = [cand for cand, dist in found if dist == best]
    return known[winners[0]] if len(winners) == 1 else None
