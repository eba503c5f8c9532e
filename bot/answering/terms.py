"""Terms: the stemmed content words by which a question and a sentence are matched lexically."""

from __future__ import annotations

import re

from index.tokens import stem

# Function words carry no evidence that a sentence answers a question; wh-words, auxiliaries and
# question-framing verbs ("what happened", "what does X mean") must not count towards overlap.
_FUNCTION_WORDS = """
    a an the and or but nor so yet if then than that this these those there here it its it's
    i me my we us our you your he him his she her they them their who whom whose what which when
    where why how whatever whichever is am are was were be been being do does did done doing
    have has had having will would shall should can could may might must of in on at by for
    from to into onto upon with without about above below over under between among through
    during before after since until while as per via not no yes also just only very too
    some any each every all both either neither other such own same more most less least much
    many few several one's s t d ll re ve m o don't didn't doesn't isn't aren't wasn't weren't
    name named called kind type happen happened happens occur occurred occurs mean means meant
    refer refers referred describe described
"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split())

_WORD = re.compile(r"\w+(?:'\w+)?")


def is_content(token: str) -> bool:
    """True for a token that carries meaning (not a function word, not punctuation)."""
    return token not in STOPWORDS and any(ch.isalnum() for ch in token)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercased word) for each word of text, for matching with offsets."""
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def content_stems(text: str) -> set[str]:
    """The stems of the content words in text."""
    return {stem(w) for _, _, w in word_spans(text) if is_content(w)}


__all__ = ["STOPWORDS", "content_stems", "is_content", "stem", "word_spans"]
