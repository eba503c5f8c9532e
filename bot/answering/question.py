"""Questions: cleaning what a user typed, and telling what kind of answer it asks for."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum

from bot.answering.tuning import FOREIGN_WORDS, LANGUAGE_MIN_WORDS, LATIN_SHARE
from index.errors import FootnoteError


class QuestionError(FootnoteError):
    """A question Footnote will not try to answer (empty or too long); the message is for users."""


class AnswerType(StrEnum):
    """The kind of value a question asks for, read from its wh-phrase."""

    DATE = "date"  # when, what year, what date
    DURATION = "duration"  # how long, how many years
    NUMBER = "number"  # how many, how much, what percentage
    PERSON = "person"  # who, whom, whose, which company
    PLACE = "place"  # where, which country, what city
    OTHER = "other"  # what, which, why, how: no typed short answer


def clean_question(text: str, max_chars: int) -> str:
    """Drop control characters and lone surrogates and collapse whitespace; QuestionError if
    empty or too long."""
    # Cc/Cf cover NUL, escape sequences and zero-width characters pasted in from chat clients;
    # Cs the lone surrogates of `\ud800` sent in JSON or argv bytes that are not UTF-8 (Python
    # keeps them as \udc80-\udcff), which the tokenizers refuse with a TypeError. Whitespace
    # controls (tab, newline) become plain spaces first so words don't fuse.
    spaced = re.sub(r"\s", " ", text)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise QuestionError("Please type a question; this one is empty.")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"Your question is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Please ask something shorter."
        )
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("Please ask in words; this has no letters or numbers in it.")
    if not looks_english(cleaned):
        raise QuestionError("I can only answer questions asked in English.")
    return cleaned


def looks_english(text: str) -> bool:
    """False only for text that is plainly another language: mostly non-Latin letters, or three
    words or more with no English function word and at least two of another language's. The
    reader and embedder are English-only; a clear "English only" beats a confused refusal."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch <= "\u024f" for ch in letters) / len(letters) < LATIN_SHARE:
        return False
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < LANGUAGE_MIN_WORDS or any(word in _ENGLISH for word in words):
        return True
    return not any(sum(word in other for word in words) >= FOREIGN_WORDS for other in _OTHERS)


_ENGLISH_WORDS = (
    "a an the is are was were be been who whom whose what when where why how which of in on to "
    "for did does do and or it its by with at from that this has have had will would can could "
    "i you he she they we his her their there many much"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_OTHERS = tuple(
    frozenset(words.split())
    for words in (
        "le la les des est qui quand où pourquoi comment du une un et que quel quelle dans pour "
        "sur avec sont",  # French
        "el la los las es qué quién cuándo dónde por cómo una un y del en con para son está",
        "der die das ist wer wann wo warum wie und ein eine den dem mit für von nicht sind",
        "il lo la gli le è chi quando dove perché come una un e del della con per sono",
        "o os as é quem quando onde porque como uma um e do da com para são",
        "de het een is wie wanneer waar waarom hoe en van met voor zijn niet",
    )
)


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


__all__ = ["AnswerType", "QuestionError", "answer_type", "clean_question"]
