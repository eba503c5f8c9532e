"""Generated questions: cloze questions made by rule from the training passages, so the reader
learns from more answers than the dataset's questions point at.

SQuAD's questions touch a few facts of each paragraph; the rest of its dates, figures and names
are never taught as answers. Here each such value becomes a question: the clause around it, the
value replaced by the wh-word its type asks with and moved to the front, a few small words
dropped ("Harvard was founded in 1636 by vote of the Court" -> "When Harvard was founded by vote
of the Court?"). Only the passages given are used (the training articles, after the split), so
no held-out text is seen.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.answer_types import AnswerType
from bot.answering.short_answer import pattern_values
from bot.training.examples import QAExample
from index.sentences import split_sentences

# Words kept either side of the answer: SQuAD's questions are about ten words long.
_REACH = 9
_DROP = 0.1  # share of the small (lower-case) words dropped, so that copying is not enough
_MONEY_OR_SHARE = re.compile(r"[£$€¥%]|per ?cent|percent")
_YEAR = re.compile(r"(?:1[0-9]{3}|20[0-9]{2})s?")
# The preposition a date or place hangs from goes with it ("in 1636" -> "when").
_LEADS = {"in", "on", "at", "since", "by", "during", "from", "to", "of"}
_WORD = re.compile(r"\S+")
_LOCATIVE = re.compile(r"\b(?:in|at|from|near|across|throughout)(?: the)? $")
_POSSESSIVE = re.compile(r"'s?$")
_DETERMINERS = {"the", "a", "an"}
_KINDS = (AnswerType.DATE, AnswerType.NUMBER, AnswerType.PLACE, AnswerType.PERSON)


@dataclass(frozen=True)
class _Slot:
    """A value in a passage that a question can ask for."""

    start: int  # in the passage
    end: int
    kind: AnswerType
    sentence: tuple[int, int]  # the passage's sentence holding it


def generated_questions(
    examples: Sequence[QAExample], per_passage: int, seed: int
) -> list[QAExample]:
    """Up to `per_passage` generated questions on each distinct passage of `examples`, their
    answers drawn with `seed` from the passage's values (of different types where it can)."""
    if per_passage <= 0:
        return []
    rng = random.Random(seed)
    out: list[QAExample] = []
    passages = {e.context: e.article for e in examples}
    for number, (context, article) in enumerate(passages.items()):
        slots = _slots(context)
        rng.shuffle(slots)
        slots.sort(key=lambda s: _KINDS.index(s.kind))  # stable: shuffled within a kind
        chosen = _diverse(slots, per_passage)
        for i, slot in enumerate(chosen):
            question = _question(context, slot, rng)
            if question:
                answer = context[slot.start : slot.end]
                out.append(
                    QAExample(
                        f"generated-{number}-{i}",
                        question,
                        context,
                        ((slot.start, answer),),
                        article,
                    )
                )
    return out


def _slots(context: str) -> list[_Slot]:
    """Dates, figures, places and names in the passage, one per span, none opening a sentence
    (a sentence's first word is capitalised whatever it is)."""
    found: dict[tuple[int, int], _Slot] = {}
    taken: list[tuple[int, int]] = []
    for start, end in split_sentences(context):
        sentence = context[start:end]
        for kind in _KINDS:
            for value in pattern_values(sentence, kind):
                a, b = start + value.start, start + value.end
                text = _POSSESSIVE.sub("", context[a:b].strip(" ,.;:"))
                b = a + len(text)
                if a == start or not text or any(a < y and x < b for x, y in taken):
                    continue
                if len(text.split()) > 6:
                    continue
                if kind is AnswerType.PLACE and not _LOCATIVE.search(context[max(0, a - 12) : a]):
                    continue  # a capitalised word after "in", "at", "from": a place, likely
                taken.append((a, b))
                found[(a, b)] = _Slot(a, b, kind, (start, end))
    return list(found.values())


def _diverse(slots: list[_Slot], n: int) -> list[_Slot]:
    """n slots, one of each kind in turn before a second of any."""
    by_kind: dict[AnswerType, list[_Slot]] = {}
    for slot in slots:
        by_kind.setdefault(slot.kind, []).append(slot)
    chosen: list[_Slot] = []
    while len(chosen) < n and any(by_kind.values()):
        for kind in list(by_kind):
            if by_kind[kind] and len(chosen) < n:
                chosen.append(by_kind[kind].pop(0))
    return chosen


def _question(context: str, slot: _Slot, rng: random.Random) -> str | None:
    """The cloze question for one slot, or None when the clause around it is too short."""
    before = _WORD.findall(context[slot.sentence[0] : slot.start])[-_REACH:]
    after = _WORD.findall(context[slot.end : slot.sentence[1]])[:_REACH]
    answer = context[slot.start : slot.end]
    kind = slot.kind
    if before and before[-1].lower() in _DETERMINERS:
        before = before[:-1]
    if kind in (AnswerType.DATE, AnswerType.PLACE) and before and before[-1].lower() in _LEADS:
        before = before[:-1]
    words = [w for w in [*before, *after] if not _dropped(w, rng)]
    words = [w.strip('"“”()') for w in words]
    words = [w for w in words if w]
    if len(words) < 3:
        return None
    words[-1] = words[-1].rstrip(".,;:!?")
    return f"{_wh(kind, answer, rng)} {' '.join(words)}?"


def _dropped(word: str, rng: random.Random) -> bool:
    return word.islower() and rng.random() < _DROP


def _wh(kind: AnswerType, answer: str, rng: random.Random) -> str:
    if kind is AnswerType.DATE:
        return "In what year" if _YEAR.fullmatch(answer) and rng.random() < 0.5 else "When"
    if kind is AnswerType.NUMBER:
        if _MONEY_OR_SHARE.search(answer):
            return "How much"
        return "How many"
    if kind is AnswerType.PLACE:
        return "Where"
    return rng.choice(("Who", "What"))


__all__ = ["generated_questions"]
