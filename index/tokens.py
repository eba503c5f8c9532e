"""Tokens: lowercase words for lexical overlap, and their stems, which BM25 indexes."""

from __future__ import annotations

import re

from index.vocabulary import BM25_STOPWORDS, BM25_WORD, stem

_WORD = re.compile(BM25_WORD)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of `text`, possessive 's folded away, stopwords dropped."""
    tokens = []
    for match in _WORD.finditer(text.lower()):
        token = match.group().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if token not in BM25_STOPWORDS:
            tokens.append(token)
    return tokens


def terms(text: str) -> list[str]:
    """The stems of `tokenize(text)`: what BM25 indexes, so "strikes" finds "striking"."""
    return [stem(token) for token in tokenize(text)]
