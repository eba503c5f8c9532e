"""Terms: the stemmed content words by which a question and a sentence are matched lexically."""

from __future__ import annotations

import re

from index.vocabulary import ANSWERING_WORD, FUNCTION_WORDS, stem

_WORD = re.compile(ANSWERING_WORD)


def is_content(token: str) -> bool:
    """True for a token that carries meaning (not a function word, not punctuation)."""
    return token not in FUNCTION_WORDS and any(ch.isalnum() for ch in token)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercased word) for each word of text, for matching with offsets."""
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def content_stems(text: str) -> set[str]:
    """The stems of the content words in text."""
    return {stem(w) for _, _, w in word_spans(text) if is_content(w)}


__all__ = ["content_stems", "is_content", "word_spans"]
