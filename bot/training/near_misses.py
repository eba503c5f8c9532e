"""Near misses made by rule: a training question with one of its names or years swapped for one
its passage never mentions, taught as unanswerable on that same passage.

SQuAD 2.0's unanswerable questions are mostly such near misses (its paper counts entity swaps,
changed numbers and the like as the largest share), written on the very paragraph they cannot
be answered from. Only the dev half's 12 training articles have any; the new sets have none.
Mined negatives (negatives.py) teach "the wrong passage"; these teach "the right passage, but
not what was asked", the case where a reader that matches words answers anyway. Names are
swapped for names from other articles' questions and years for years the passage lacks, so the
passage cannot hold the new question's answer. Paraphrase is left alone: only capitalised names
and years change, words a user's rewording keeps.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from bot.training.examples import QAExample

# A run of capitalised words (with "of", "the" inside: "Bank of England"), not at the start.
# A possessive's "'s" stays with the question, so "NBC's" becomes "CBC's".
_NAME = re.compile(r"(?<=\s)[A-Z][\w-]+(?:\s+(?:of\s+|the\s+|de\s+)*[A-Z][\w-]+)*")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20[0-4]\d)(?!\d)")
# Capitalised words that are not names a passage must contain.
_NOT_NAMES = {"I", "What", "Which", "Who", "When", "Where", "Why", "How", "In", "The", "A", "An"}


def near_misses(examples: Sequence[QAExample], share: float, seed: int) -> list[QAExample]:
    """For about `share` of the answerable `examples`, the question with one name or year that
    its passage contains swapped for one the passage does not, as an unanswerable example."""
    if share <= 0:
        return []
    rng = random.Random(seed)
    pool = _name_pool(examples)
    out: list[QAExample] = []
    for example in examples:
        if not example.answerable or rng.random() >= share:
            continue
        question = _swapped(example, pool, rng)
        if question is not None:
            out.append(
                QAExample(f"{example.id}#near", question, example.context, (), example.article)
            )
    return out


def _swapped(example: QAExample, pool: dict[str, list[str]], rng: random.Random) -> str | None:
    """The question with one of its passage's names or years replaced, or None if it has none."""
    context = example.context.casefold()
    answers = " ".join(text for _, text in example.answers).casefold()
    slots = [
        (m.start(), m.end(), "year")
        for m in _YEAR.finditer(example.question)
        if m.group() in example.context
    ] + [
        (m.start(), m.end(), "name")
        for m in _NAME.finditer(example.question)
        if m.group() not in _NOT_NAMES and m.group().casefold() in context
    ]
    slots = [s for s in slots if example.question[s[0] : s[1]].casefold() not in answers]
    if not slots:
        return None
    start, end, kind = rng.choice(slots)
    if kind == "year":
        year = int(example.question[start:end])
        options = [str(year + d) for d in range(-40, 41) if d and str(year + d) not in context]
        replacement = rng.choice(options) if options else None
    else:
        replacement = _other_name(example, example.question[start:end], pool, rng)
    if replacement is None:
        return None
    return example.question[:start] + replacement + example.question[end:]


def _other_name(
    example: QAExample, name: str, pool: dict[int, list[tuple[str, str]]], rng: random.Random
) -> str | None:
    """A name as long (in words) as `name`, from another article, that the passage lacks."""
    candidates = pool.get(len(name.split()), [])
    for _ in range(20 if candidates else 0):
        other, article = rng.choice(candidates)
        if article != example.article and other.casefold() not in example.context.casefold():
            return other
    return None


def _name_pool(examples: Sequence[QAExample]) -> dict[int, list[tuple[str, str]]]:
    """Every (name, article) asked about in a question, by the name's length in words."""
    found: dict[tuple[str, str], None] = {}
    for example in examples:
        for m in _NAME.finditer(example.question):
            # A name its own passage writes so: a proper name, not a capitalised common word.
            if m.group() not in _NOT_NAMES and m.group() in example.context:
                found[(m.group(), example.article)] = None
    pool: dict[int, list[tuple[str, str]]] = {}
    for name, article in found:
        pool.setdefault(len(name.split()), []).append((name, article))
    return pool


__all__ = ["near_misses"]
