"""Choice: which span answers, by a small linear model over the reader's and the prior's scores.

The reader knows where an answer sits in a window; the candidate features know which passage
and sentence match the question and whether a span is of the asked type. One weight per
feature, fitted held out by `footnote eval --calibrate`, combines them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.answer_types import AnswerType
from bot.answering.candidates import Candidates
from bot.answering.short_answer import (
    clean_span,
    has_new_value,
    is_only_value,
    leads_with_value,
)
from bot.answering.spans import Reading
from bot.answering.terms import content_stems
from bot.answering.tuning import SPAN_WORDS_CAP

if TYPE_CHECKING:
    from index.passages import Passages

SPAN_FEATURES = (
    "reader",  # start + end logit of the span
    "reader_gap",  # that minus the best span's: the reader's own ranking
    "null_margin",  # that minus its window's no-answer score
    "cosine",
    "coverage",
    "coverage_with_previous",
    "retrieval",
    "type_match",  # +1 a value of the asked type, -1 not (or only a date, asked no date), 0 untyped
    "echo",  # 1 when every word of the span is already in the question (or a shown answer)
    "length",  # words, capped at 10, over 10
)


@dataclass(frozen=True)
class SpanOption:
    """A span that might answer: where it is, its text, and the candidate sentence holding it."""

    start: int
    end: int
    article_id: str
    text: str
    candidate: int | None  # index into Candidates.items
    reader_index: int  # index into Reading.spans


@dataclass(frozen=True)
class Options:
    """Every cleaned span option of a question with its SPAN_FEATURES rows."""

    items: list[SpanOption]
    features: np.ndarray  # (len(items), len(SPAN_FEATURES))


def span_options(
    question: str,
    candidates: Candidates,
    reading: Reading,
    passages: Passages,
    *,
    avoid: Sequence[str] = (),
) -> Options:
    """One option per distinct cleaned span that one of the retrieved `passages` holds whole,
    with its features.

    A span outside every candidate sentence is still an option, but one that reaches past every
    retrieved passage is not: the reader's windows merge neighbouring sentences of one article
    across chunks, and a span crossing a chunk's edge could be quoted from no citation.
    """
    stems = content_stems(question)
    avoided = [content_stems(a) for a in avoid if a]
    best_reader = max((s.score for s in reading.spans), default=0.0)
    seen: dict[tuple[str, int, int], int] = {}
    items: list[SpanOption] = []
    rows: list[list[float]] = []
    for position, span in enumerate(reading.spans):
        text = passages.article(span.source).text
        start, end = clean_span(text, span.start, span.end)
        key = (span.source, start, end)
        if start >= end or key in seen or not _held(passages, span.source, start, end):
            continue
        seen[key] = len(items)
        value = text[start:end]
        candidate = candidates.containing(span.source, start)
        row = candidates.row(candidate) if candidate is not None else None
        span_stems = content_stems(value)
        echo = not span_stems or span_stems <= stems or any(span_stems <= a for a in avoided)
        items.append(SpanOption(start, end, span.source, value, candidate, position))
        rows.append(
            [
                span.score,
                span.score - best_reader,
                span.score - span.no_answer,
                row["cosine"] if row else 0.0,
                row["coverage"] if row else 0.0,
                row["coverage_with_previous"] if row else 0.0,
                row["retrieval"] if row else 0.0,
                _type_match(value, candidates.kind, stems),
                float(echo),
                min(len(value.split()), SPAN_WORDS_CAP) / SPAN_WORDS_CAP,
            ]
        )
    features = np.asarray(rows, dtype=np.float64).reshape(-1, len(SPAN_FEATURES))
    return Options(items, features)


def _held(passages: Passages, article: str, start: int, end: int) -> bool:
    chunks = (p.chunk for p in passages)
    return any(c.article_id == article and c.start <= start and end <= c.end for c in chunks)


def choice_scores(features: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """The linear score of each SPAN_FEATURES row under `weights` (one per feature name)."""
    return features @ np.array([weights.get(f, 0.0) for f in SPAN_FEATURES])


# Kinds a span must hold a value of to answer at all. Names and places are left to the model:
# "the government" rightly answers "Who brought the legal challenge?" with no capital letter.
TYPED_KINDS = (AnswerType.DATE, AnswerType.NUMBER, AnswerType.DURATION)

# Kinds a span that only echoes the question never answers: "Who is in charge of the RCN?" is
# not answered "Royal College of Nursing", the name its own "RCN" spells out. Held out, this
# changed no figure of either set; for every kind it cost SQuAD 1 F1 point ("What kind of ...").
NEVER_ECHO = (AnswerType.PERSON, AnswerType.PLACE)
_BELOW = 1000.0  # lowers a score below every other option's


def wrong_type(kind: AnswerType, span_row: np.ndarray) -> bool:
    """True when a date, number or duration question's span (its SPAN_FEATURES row) holds no
    such value: "How many members does Unison have?" is never answered by "ambulance staff",
    however sure the reader is (SQuAD's fitted weight for this was small: few of its questions
    are typed). And when a what, which, why or how question's span is only a date: "What is the
    day of protest against?" is not answered "1 February"."""
    mismatch = span_row[SPAN_FEATURES.index("type_match")] < 0
    return bool(mismatch and (kind in TYPED_KINDS or kind is AnswerType.OTHER))


def ranked_scores(
    features: np.ndarray, weights: Mapping[str, float], kind: AnswerType
) -> np.ndarray:
    """The choice score of each option, the best one first: choice_scores, with the options of
    the wrong type (wrong_type) put below the others, and, when `kind` is in NEVER_ECHO, the
    options that only echo the question.

    "How many days of strikes have nurses announced?" is answered "two days", not refused
    because the reader liked "two" a little better; "Why are unions planning a national day of
    protest?" gets its reason, not "1 February". The two rules never meet: wrong_type leaves
    who and where questions alone.
    """
    scores = choice_scores(features, weights)
    scores = first_where(scores, np.array([not wrong_type(kind, row) for row in features], bool))
    if kind in NEVER_ECHO:
        return first_where(scores, features[:, SPAN_FEATURES.index("echo")] < 0.5)
    return scores


def first_where(scores: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """`scores` with every option `kept` rejects put below every option it keeps (when a
    question has both), each group in its own order."""
    if kept.any() and not kept.all():
        return np.where(kept, scores, scores - _BELOW)
    return scores


# Question kinds no date answers: of the SQuAD dev half's 2,407 answerable who, where, what and
# why questions, one has a gold answer that is only a date ("What was the first year ...?") and
# none one that runs on past a leading date (leads_with_value); of SQuAD train's 69,139, 188
# and 24 ("In 1830, the U.S. Congress passed the Indian Removal Act").
_NOT_DATES = (AnswerType.OTHER, AnswerType.PERSON, AnswerType.PLACE)


def _type_match(value: str, kind: AnswerType, stems: set[str]) -> float:
    if kind in _NOT_DATES and (
        is_only_value(value, AnswerType.DATE) or leads_with_value(value, AnswerType.DATE)
    ):
        # "Why are unions planning a day of protest?" is not answered "1 February", and "What
        # is the day of protest against?" not "1 February, the Trades Union Congress (TUC)".
        return -1.0
    if kind is AnswerType.OTHER:
        return 0.0
    return 1.0 if has_new_value(value, kind, stems) else -1.0


__all__ = [
    "NEVER_ECHO",
    "SPAN_FEATURES",
    "TYPED_KINDS",
    "Options",
    "SpanOption",
    "choice_scores",
    "first_where",
    "ranked_scores",
    "span_options",
    "wrong_type",
]
