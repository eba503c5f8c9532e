"""Short answers: a reader span cleaned into one, and the typed values (dates, numbers, names,
places) a text holds, by which a span is checked against the type a question asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answering.answer_types import AnswerType
from bot.answering.terms import content_stems
from index.vocabulary import (
    ANSWER_CAPITALISED_WORD,
    ANSWER_NAME,
    MONTH_ABBREVIATIONS,
    MONTHS,
    TIME_UNITS,
    WEEKDAYS,
    units_pattern,
)

_MONTH = rf"(?:{'|'.join((*MONTHS, *MONTH_ABBREVIATIONS))})\.?"
_WEEKDAY = rf"(?:{'|'.join(WEEKDAYS)})"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|a few|several|a|an)"
)
# Counts written out: what "how many" is answered with when not in figures.
_COUNT_WORD = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundreds?|thousands?|millions?|billions?|dozens?|several|a few|a couple|a handful"
)
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|hundred|bn|m|k)\b)?"
_NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Capitalised words, joined by the small words of names ("HM Revenue and Customs").
_NAME = ANSWER_NAME
_PERIOD = r"(?:week|weekend|month|year|spring|summer|autumn|winter|morning|afternoon|evening)"
_UNIT = rf"(?:{units_pattern(TIME_UNITS)}|centur(?:y|ies))"

# Cheap patterns: they let every candidate sentence be checked for a value of the wanted type,
# and the chosen span for one ("1 February", "270,000").
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
            # Relative dates, as news gives them: "later this month", "in a fortnight's time".
            rf"\b(?:(?:this|next|last|later this|earlier this) {_PERIOD}|at the weekend|"
            r"today|tomorrow|yesterday|tonight|fortnight|the day of the \w+)\b",
        )
    ),
    AnswerType.NUMBER: (
        *(
            re.compile(p)
            for p in (
                rf"[£$€¥]\s?(?:{_NUMERAL}){_SCALE}",
                rf"\b(?:{_NUMERAL})\s?(?:%|per ?cent\b|percent\b)",
                rf"\b(?:{_NUMERAL}){_SCALE}",
            )
        ),
        # "How many subtypes ...?" -> "two"; "dozens", "millions"
        re.compile(rf"\b(?:{_COUNT_WORD})\b", re.IGNORECASE),
    ),
    AnswerType.DURATION: tuple(
        re.compile(p, re.IGNORECASE)
        for p in (
            rf"\b(?:{_NUMERAL}|{_NUMBER_WORD}|half|full|all)[ -]{_UNIT}\b",
            r"\b(?:hour|day|week|month|year|decade)s?[ -]long\b",
            r"\b(?:(?:a |one )?(?:fortnight|lifetime)|a while)\b",
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
    """A typed value found in a text: its character span."""

    start: int
    end: int


def pattern_values(text: str, kind: AnswerType) -> list[Value]:
    """Regex matches of the given type in text (empty for AnswerType.OTHER)."""
    found = []
    for pattern in PATTERNS.get(kind, ()):
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind is AnswerType.PLACE:
                start = _after_preposition(text, start, end)
            found.append(Value(start, end))
    return found


def has_new_value(text: str, kind: AnswerType, question_stems: set[str]) -> bool:
    """True if text holds a value of the wanted type that the question does not itself contain."""
    return any(
        not _echoes_question(text[v.start : v.end], question_stems)
        for v in pattern_values(text, kind)
    )


def is_only_value(text: str, kind: AnswerType) -> bool:
    """True when the whole text, bar a leading preposition, is one value of `kind`: "on 1
    February" is only a date; "the plan for 1 February" is not."""
    value = _bare(text)
    return bool(value) and any(
        v.start == 0 and v.end == len(value) for v in pattern_values(value, kind)
    )


def leads_with_value(text: str, kind: AnswerType) -> bool:
    """True when the text, bar a leading preposition, is one value of `kind` followed by a
    comma, colon or full stop and more words holding no such value: "1 February, the Trades
    Union Congress (TUC)" is a date with the next clause run on, not a what or why answer that
    happens to hold a date. A list ("1974, 1978 and 1994") is not."""
    value = _bare(text)
    for v in pattern_values(value, kind):
        run_on = _RUN_ON.match(value, v.end) if v.start == 0 else None
        if run_on is not None:
            return not pattern_values(value[run_on.end() - 1 :], kind)
    return False


def _bare(text: str) -> str:
    """The text trimmed, without a leading preposition ("on 1 February" -> "1 February")."""
    return _LEADING_PREPOSITION.sub("", text[slice(*_trim(text, 0, len(text)))])


_LEADING_PREPOSITION = re.compile(r"^(?:on|in|at|by|from|since|until|during|before|after) ", re.I)
_RUN_ON = re.compile(r"[,.;:]\s+\S")


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A reader span made of whole words, with stray spaces, quotes, brackets and trailing
    punctuation trimmed off."""
    start, end = _trim(text, *_whole_names(text, *_whole_words(text, start, end)))
    value = text[start:end]
    # An unbalanced bracket or quote left at one end is as stray as a trailing comma.
    for opening, closing in ("()", "[]", "“”", "‘’"):
        if value.endswith(closing) and opening not in value:
            end -= 1
        if value.startswith(opening) and closing not in value:
            start += 1
    if value.count('"') % 2 == 1:
        start, end = (start + 1, end) if value.startswith('"') else (start, end - 1)
    start, end = _trim(text, start, end)
    # Trimming took the ")" that closes a bracket the span opens: "Congress (TUC)".
    inside = text[start:end]
    if inside.count("(") > inside.count(")") and text[end : end + 1] == ")":
        end += 1
    return start, end


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to the words it cuts: the reader's word pieces can stop at a hyphen or a
    thousands comma ("three" of "three-month", "270" of "270,000"), which no reader means."""

    def joins(at: int) -> bool:  # text[at] continues the word around it
        if text[at].isalnum():
            return True
        inner = 0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum()
        return inner and (text[at] == "-" or (text[at] in ",." and text[at - 1].isdigit()))

    if start < end and not text[start].isspace():
        while start > 0 and joins(start - 1):
            start -= 1
    if start < end and not text[end - 1].isspace():
        while end < len(text) and joins(end):
            end += 1
    return start, end


_CAPITALISED = re.compile(ANSWER_CAPITALISED_WORD)


def _whole_names(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to the names it cuts: "Pat" of "Pat Cullen", "Cullen" of "Pat Cullen".
    A name is a run of capitalised words with single spaces between; a span that stops inside
    one stops at a word piece the reader happened to score highest, not at what it means."""
    value = text[start:end].strip()
    if not value:
        return start, end
    if value[0].isupper():
        while start >= 2 and text[start - 1] == " ":
            before = text.rfind(" ", 0, start - 1) + 1
            if not _CAPITALISED.fullmatch(text, before, start - 1):
                break
            start = before
    if value[-1].isalnum() and value.split()[-1][0].isupper():
        while text[end : end + 1] == " ":
            match = _CAPITALISED.match(text, end + 1)
            if match is None:
                break
            end = match.end()
    return start, end


def _echoes_question(text: str, q_stems: set[str]) -> bool:
    """True if every content word of the value is already in the question (or it has none)."""
    stems = content_stems(text)
    return not stems or stems <= q_stems


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


__all__ = [
    "PATTERNS",
    "Value",
    "clean_span",
    "has_new_value",
    "is_only_value",
    "leads_with_value",
    "pattern_values",
]
