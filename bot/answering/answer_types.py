"""Answer types: the kind of value a question asks for, read from its wh-phrase."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum


class AnswerType(StrEnum):
    """The kind of value a question asks for, read from its wh-phrase."""

    DATE = "date"  # when, what year, what date
    DURATION = "duration"  # how long, how many years
    NUMBER = "number"  # how many, how much, what percentage
    PERSON = "person"  # who, whom, whose, which company
    PLACE = "place"  # where, which country, what city
    OTHER = "other"  # what, which, why, how: no typed short answer


_TIME_UNITS = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies))"
_PLACE_NOUNS = (
    r"(?:country|countries|city|cities|town|towns|state|states|region|regions|continent|"
    r"province|county|place|places|location|island|river|capital|village|area|nation)"
)
_PERSON_NOUNS = (
    r"(?:person|people|man|woman|men|women|company|companies|organi[sz]ations?|union|unions|"
    r"team|teams|group|party|band|king|queen|president|leader|author|scientist|player|emperor)"
)

# Ordered most specific first: the earliest match in the question wins, ties go to the first rule.
_RULES: tuple[tuple[re.Pattern[str], AnswerType], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (rf"\bhow many {_TIME_UNITS}\b", AnswerType.DURATION),
        (r"\bhow (?:long|old)\b", AnswerType.DURATION),
        (r"\bhow (?:many|much|far|big|large|tall|high|deep|wide|heavy|fast)\b", AnswerType.NUMBER),
        (
            r"\b(?:what|which) (?:percentage|percent|proportion|fraction|number|amount)\b",
            AnswerType.NUMBER,
        ),
        (
            r"\b(?:what|which) (?:year|years|date|day|month|century|decade|time|era|period)\b",
            AnswerType.DATE,
        ),
        (r"\bwhen\b", AnswerType.DATE),
        (rf"\b(?:what|which) {_PLACE_NOUNS}\b", AnswerType.PLACE),
        (r"\bwhere\b", AnswerType.PLACE),
        (rf"\b(?:what|which) {_PERSON_NOUNS}\b", AnswerType.PERSON),
        (r"\b(?:who|whom|whose)\b", AnswerType.PERSON),
        # A bare what/which/why/how seen first means a later "who" is a relative clause.
        (r"\b(?:what|which|why|how)\b", AnswerType.OTHER),
    )
)


_AUXILIARY = (
    r"is|are|was|were|be|been|do|does|did|will|would|shall|should|can|could|may|might|must|"
    r"has|have|had|'s"
)
# "When a pathogen has been eaten, what traps it?" asks "what": an opening "when"/"where" not
# followed by an auxiliary, with another wh-word after it, is a clause, not the question.
_SUBORDINATE = re.compile(
    rf"^\s*(?:when|where)\b(?!\s*(?:{_AUXILIARY})\b)(?=.*\b(?:what|which|who|whom|whose|how)\b)"
)


def answer_type(question: str, context: Sequence[str] = ()) -> AnswerType:
    """The answer type asked for by the question's first wh-phrase ('In what year...' -> DATE).

    An elliptical follow-up with no wh-word at all ("And Unite?") asks for what the question
    before it asked for.
    """
    text = _SUBORDINATE.sub(" ", question.lower(), count=1)
    best: tuple[int, int, AnswerType] | None = None
    for order, (pattern, kind) in enumerate(_RULES):
        match = pattern.search(text)
        if match and (best is None or (match.start(), order) < best[:2]):
            best = (match.start(), order, kind)
    if best is None and context:
        return answer_type(context[-1])
    return best[2] if best else AnswerType.OTHER


__all__ = ["AnswerType", "answer_type"]
