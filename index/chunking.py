"""Chunking: sentence-aware windows over an article, each keeping its character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.sentences import split_sentences

if TYPE_CHECKING:
    from index.articles import Article

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: `article.text[start:end] == text` always holds."""

    article_id: str
    start: int
    end: int
    text: str


def chunk_article(
    article: Article, max_words: int = 100, overlap_sentences: int = 1
) -> list[Chunk]:
    """Windows of whole sentences of up to `max_words` words, overlapping by whole sentences.

    Each window after the first starts `overlap_sentences` sentences before the previous one
    ended, so a fact split across a boundary is whole in one of them. A sentence longer than
    `max_words` is a chunk of its own rather than being cut mid-sentence.
    """
    spans = split_sentences(article.text)
    return [
        Chunk(
            article.id,
            spans[first][0],
            spans[last][1],
            article.text[spans[first][0] : spans[last][1]],
        )
        for first, last in sentence_windows(article.text, spans, max_words, overlap_sentences)
    ]


def sentence_windows(
    text: str, spans: list[tuple[int, int]], max_words: int, overlap_sentences: int
) -> list[tuple[int, int]]:
    """(first, last) sentence indices, inclusive, of each window over `spans`."""
    words = [len(_WORD.findall(text, start, end)) for start, end in spans]
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last, total = first, words[first]
        while last + 1 < len(spans) and total + words[last + 1] <= max_words:
            last += 1
            total += words[last]
        windows.append((first, last))
        if last + 1 >= len(spans):
            break
        first = _next_first(words, first, last, max_words, overlap_sentences)
    return windows


def _next_first(words: list[int], first: int, last: int, max_words: int, overlap: int) -> int:
    # Back up `overlap` sentences, but always move forward, and never so far back that the next
    # new sentence would not fit: a window holding only overlap is a subset of the previous one.
    first = max(last + 1 - overlap, first + 1)
    while first <= last and sum(words[first : last + 2]) > max_words:
        first += 1
    return first
