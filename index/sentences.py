"""Sentences: a fast regex sentence splitter that returns character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: `article.text[start:end] == text`."""

    article_id: str
    start: int
    end: int
    text: str


_LINE = re.compile(r"[^\n]+")
# End punctuation, any closing quotes or brackets, then the whitespace before the next sentence.
_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_OPENERS = "\"'“‘([" + "\u2018\u201c"
# Lowercased words that end in a period without ending the sentence.
_ABBREVIATIONS_TEXT = """
    mr mrs ms mx dr prof st sr jr rev hon gen col lt capt sgt cpl maj adm gov sen rep pres mt
    ft vol pp fig vs etc e.g i.e cf approx dept inc ltd co corp jan feb mar apr jun jul aug sep
    sept oct nov dec
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
# "U.S." / "e.g." style dotted abbreviations, and single initials such as the "J." of "J. Smith".
_DOTTED = re.compile(r"(?:\w\.)+\w|[A-Z]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, surrounding whitespace trimmed.

    Lines are always boundaries (articles put headings, captions and bylines on lines of their
    own); within a line, `.`, `!` or `?` ends a sentence when the next one starts with a
    capital, a digit or an opening quote, unless the word before it is a known abbreviation.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for end_match in _END.finditer(text, line.start(), line.end()):
            if not _starts_sentence(text, end_match.end(), line.end()):
                continue
            if _after_abbreviation(text, start, end_match):
                continue
            _add_trimmed(spans, text, start, end_match.end())
            start = end_match.end()
        _add_trimmed(spans, text, start, line.end())
    return spans


def _starts_sentence(text: str, pos: int, limit: int) -> bool:
    while pos < limit and text[pos] in _OPENERS:
        pos += 1
    return pos < limit and (text[pos].isupper() or text[pos].isdigit())


def _after_abbreviation(text: str, start: int, end_match: re.Match[str]) -> bool:
    if not end_match.group().startswith(".") or end_match.group().startswith(".."):
        return False
    dot = end_match.start()
    word_start = dot
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip(_OPENERS)
    if word.lower() in ("no", "nos"):
        # "No. 10" is a number; "the answer was no. Then" is a sentence end.
        return text[end_match.end() : end_match.end() + 1].isdigit()
    return word.lower() in _ABBREVIATIONS or bool(_DOTTED.fullmatch(word))


def _add_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
