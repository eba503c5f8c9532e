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

Three more of SQuAD 2.0's kinds can be asked for (`kinds`), each a question the very passage
still echoes: a name swapped for another one the passage holds, though not in the answer's
sentence ("Who leads Unite?" on a passage where Pat Cullen leads the RCN and Unite is only
mentioned); a word swapped for its opposite the passage never uses ("the first" -> "the last");
and a negation ("What was the ..." -> "What was not the ...").
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
# The first auxiliary of a question that opens with a question word, followed by a verb, where
# "not" can go: "Who was elected" -> "Who was not elected". Not before a subject ("When was the
# act passed"), where "not" would need to follow it, nor after "do", which always has one.
_AUXILIARY = re.compile(
    r"^(?:What|Which|Who|Whom|Whose|When|Where|Why|How)\b(?:\s+[\w'-]+){0,3}?\s+"
    r"(is|are|was|were|can|could|will|would|has|have|had|should|might|must)\s+"
    r"(?!(?:not|the|a|an|his|her|its|their|this|that|these|those|it|they|he|she|we|you|there|"
    r"one|some|any|all|most|many|more|much|each|every|no)\b)[a-z][\w-]*(?:ed|en|ing|wn)\b"
)
_OPPOSITES = """
    first/last largest/smallest biggest/smallest most/least before/after earliest/latest
    highest/lowest higher/lower larger/smaller longest/shortest longer/shorter
    oldest/youngest older/younger best/worst better/worse more/less increase/decrease
    increased/decreased north/south east/west northern/southern eastern/western major/minor
    win/lose won/lost maximum/minimum earlier/later early/late upper/lower top/bottom
    above/below inside/outside public/private male/female ancient/modern success/failure
    legal/illegal began/ended start/end opened/closed positive/negative wealthiest/poorest
    strongest/weakest
"""
_PAIRS = [pair.split("/") for pair in _OPPOSITES.split()]
_OPPOSITE = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS}
_WORD = re.compile(r"[A-Za-z]+")
# The kinds of near miss: "name" and "year" (the default), and the three that keep the words
# the passage echoes ("passage-name", "opposite", "negation").
KINDS = ("name", "year", "passage-name", "opposite", "negation")
DEFAULT_KINDS = ("name", "year")


def near_misses(
    examples: Sequence[QAExample],
    share: float,
    seed: int,
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> list[QAExample]:
    """For about `share` of the answerable `examples`, the question changed by one of `kinds`
    (KINDS) so that its passage no longer answers it, as an unanswerable example. The default:
    one name or year that its passage contains swapped for one the passage does not."""
    if share <= 0:
        return []
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown near-miss kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    rng = random.Random(seed)
    pool = _name_pool(examples) if "name" in kinds else {}
    out: list[QAExample] = []
    for example in examples:
        if not example.answerable or rng.random() >= share:
            continue
        question = _swapped(example, pool, rng, kinds)
        if question is not None:
            out.append(
                QAExample(f"{example.id}#near", question, example.context, (), example.article)
            )
    return out


def _swapped(
    example: QAExample,
    pool: dict[int, list[tuple[str, str]]],
    rng: random.Random,
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> str | None:
    """The question changed at one of its slots of `kinds`, or None if it has none."""
    context = example.context.casefold()
    answers = " ".join(text for _, text in example.answers).casefold()
    names = [
        (m.start(), m.end())
        for m in _NAME.finditer(example.question)
        if m.group() not in _NOT_NAMES and m.group().casefold() in context
    ]
    slots = [
        (m.start(), m.end(), "year")
        for m in _YEAR.finditer(example.question)
        if "year" in kinds and m.group() in example.context
    ] + [(start, end, "name") for start, end in names if "name" in kinds]
    slots += [(start, end, "passage-name") for start, end in names if "passage-name" in kinds]
    if "opposite" in kinds:
        slots += [
            (m.start(), m.end(), "opposite")
            for m in _WORD.finditer(example.question)
            if _OPPOSITE.get(m.group().lower()) and not _uses(context, _OPPOSITE[m.group().lower()])
        ]
    slots = [s for s in slots if example.question[s[0] : s[1]].casefold() not in answers]
    negation = _AUXILIARY.match(example.question) if "negation" in kinds else None
    if negation and "n't" not in example.question:
        slots.append((negation.end(1), negation.end(1), "negation"))
    if not slots:
        return None
    start, end, kind = rng.choice(slots)
    found = example.question[start:end]
    if kind == "year":
        year = int(found)
        options = [str(year + d) for d in range(-40, 41) if d and str(year + d) not in context]
        replacement = rng.choice(options) if options else None
    elif kind == "name":
        replacement = _other_name(example, found, pool, rng)
    elif kind == "passage-name":
        replacement = _name_elsewhere_in_passage(example, found, rng)
    elif kind == "opposite":
        opposite = _OPPOSITE[found.lower()]
        replacement = opposite.capitalize() if found[0].isupper() else opposite
    else:
        replacement = " not"
    if replacement is None:
        return None
    return example.question[:start] + replacement + example.question[end:]


def _uses(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def _name_elsewhere_in_passage(example: QAExample, name: str, rng: random.Random) -> str | None:
    """Another name the passage holds, sharing no word with `name` and absent from the question
    and from the sentence that holds the answer (where it might share the answer's role)."""
    start = example.answers[0][0]
    sentence_start = max(example.context.rfind(". ", 0, start), 0)
    sentence_end = example.context.find(". ", start)
    sentence = example.context[sentence_start : sentence_end if sentence_end >= 0 else None]
    words = set(name.casefold().split())
    question = example.question.casefold()
    others = sorted(
        {
            m.group()
            for m in _NAME.finditer(example.context)
            if m.group() not in _NOT_NAMES
            and example.context[max(m.start() - 2, 0) : m.start()] not in (". ", "! ", "? ")
            and not words & set(m.group().casefold().split())
            and m.group().casefold() not in question
            and m.group() not in sentence
        }
    )
    return rng.choice(others) if others else None


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
