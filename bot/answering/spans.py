"""Span decoding: the reader's start/end logits of a window into scored character spans."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.answering.tuning import MAX_ANSWER_TOKENS, SPANS_PER_WINDOW
from bot.answering.windows import Window


@dataclass(frozen=True)
class Span:
    """A scored answer span: characters [start, end) of the article, and the reader's scores."""

    start: int
    end: int
    score: float  # start logit + end logit
    no_answer: float  # the window's [CLS] start + end logit
    window: int  # which window of the batch it came from
    source: str = ""  # the article


def window_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    window: Window,
    position: int,
    *,
    top: int = SPANS_PER_WINDOW,
    max_tokens: int = MAX_ANSWER_TOKENS,
) -> list[Span]:
    """The `top` best spans of one window, each inside its passage and at most `max_tokens` long."""
    first, last = window.first, window.last
    s = start_logits[first:last]
    e = end_logits[first:last]
    n = len(s)
    if n == 0:
        return []
    grid = s[:, None] + e[None, :]
    i, j = np.indices((n, n))
    grid = np.where((j >= i) & (j - i < max_tokens), grid, -np.inf)
    flat = np.argsort(grid, axis=None)[::-1][:top]
    no_answer = float(start_logits[0] + end_logits[0])
    spans = []
    for index in flat:
        a, b = divmod(int(index), n)
        if not np.isfinite(grid[a, b]):
            break
        start, end = int(window.offsets[a, 0]), int(window.offsets[b, 1])
        spans.append(Span(start, end, float(grid[a, b]), no_answer, position, window.source))
    return spans


__all__ = ["Span", "window_spans"]
