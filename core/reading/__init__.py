"""Reading what people type: pure functions from text to meaning, no I/O, no project state.

The language layer of classbot (issue 10). Each module states its rules in its docstring:
- `text`: normalisation (full-width, case, emoji) and parts cut at spaces/punctuation.
- `lexicon`: the word classes (收到 is a strong acknowledgement, 好的 a weak one, 不参加 NO …).
- `tokens`: a part cut into the longest known words.
- `numerals` / `numbers`: numbers in every everyday form; head counts.
- `answers`: `read(text) -> Reading` (acknowledgement / RSVP / check-in / nothing, with item
  numbers, topic words, people, reason, question) and `looks_like_answer(text)`.
- `replies`: everyday yes/no and choice numbers for a pending question; leave/sickness notes.
- `commands`: leading @mentions before a command, and "did you mean #未读".
- `meeting`: a meeting written without `|` split into time, place and topic.

Imports: the standard library, cn2an, rapidfuzz and `core` only (tests/test_layers.py and
tests/test_reading_layers.py keep it so). Deciding *which item* an answer means needs the
database and belongs to the caller; this package only says what the words say.
"""

from core.reading.answers import ItemKind, Kind, Reading, Rsvp, looks_like_answer, read

__all__ = ["ItemKind", "Kind", "Reading", "Rsvp", "looks_like_answer", "read"]
