"""Reading: the reader scores answer spans in windows around the most promising sentences.

`read` chooses what the reader reads (windows around the best candidate sentences), runs it
(`reader.py`, the network) and decodes each window's start/end logits into scored character
spans (`window_spans`); `Reading` is what it made of one question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.candidates import Candidates
from bot.answering.tuning import (
    MAX_ANSWER_TOKENS,
    NO_READING_MARGIN,
    SPANS_PER_WINDOW,
)
from bot.answering.windows import Window, around

if TYPE_CHECKING:
    from bot.answering.reader import Reader
    from index.passages import Passages


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


@dataclass(frozen=True)
class Reading:
    """What the reader made of one question: its windows and their best spans."""

    windows: list[Window]
    spans: list[Span]

    @property
    def best_null_margin(self) -> float:
        """The largest (best span - no-answer) score of any window: how sure some window is."""
        best: dict[int, float] = {}
        for s in self.spans:
            best[s.window] = max(best.get(s.window, -np.inf), s.score - s.no_answer)
        return max(best.values()) if best else NO_READING_MARGIN


def read(
    reader: Reader,
    question: str,
    candidates: Candidates,
    passages: Passages,
    *,
    sentences: int,
    windows: int,
    spans_per_window: int = SPANS_PER_WINDOW,
    must_read: Sequence[int] = (),
) -> Reading:
    """Read the `sentences` best candidates by prior (and `must_read` ones), with a sentence of
    context either side, in at most `windows` windows scored in one batched forward pass."""
    # The sentences a conversation must re-read come on top of the best by prior, not in place
    # of them: a follow-up is as often answered by a new sentence as by the one just shown.
    best = [int(i) for i in np.argsort(-candidates.prior)][:sentences]
    chosen = list(dict.fromkeys([*must_read, *best]))
    items = [candidates.items[i] for i in chosen]

    def neighbours(i: int) -> tuple[int, int]:
        item = items[i]
        in_chunk = passages[item.hits[0]].sentences
        at = next(j for j, s in enumerate(in_chunk) if s.start == item.sentence.start)
        return in_chunk[max(at - 1, 0)].start, in_chunk[min(at + 1, len(in_chunk) - 1)].end

    keys = [(c.sentence.article_id, c.sentence.start, c.sentence.end) for c in items]
    ranges = around(keys, neighbours, windows)
    tokenizer = reader.tokenizer
    question_ids = tokenizer.question_ids(question)
    texts = [passages.article(a).text[s:e] for a, s, e in ranges]
    made: list[Window] = []
    for (article, start, _), (ids, offsets) in zip(ranges, tokenizer.tokens(texts), strict=True):
        made.extend(tokenizer.windows(question_ids, ids, offsets, base=start, source=article))
    made = made[:windows]
    found = [
        span
        for position, (start_logits, end_logits) in enumerate(reader.logits(made))
        for span in window_spans(
            start_logits, end_logits, made[position], position, top=spans_per_window
        )
    ]
    return Reading(made, found)


__all__ = ["Reading", "Span", "read", "window_spans"]
