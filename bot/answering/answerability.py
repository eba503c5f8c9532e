"""Answerability: one calibrated probability that the chosen span answers the question at all.

It is the product of two logistic models over ANSWERABILITY_FEATURES, fitted held out: that the
articles cover the question ("covered": fitted on answerable against out-of-corpus questions,
where retrieval evidence speaks), and that the passage read answers it ("answers": answerable
against near misses, written against the very passage, where only the reader can tell). One
model fitted on both kinds of refusal at once let near misses teach it to distrust word overlap,
which is exactly what tells an out-of-corpus question apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from bot.answering.answer_types import AnswerType
from bot.answering.candidates import Candidates
from bot.answering.choice import SPAN_FEATURES, wrong_type
from bot.answering.tuning import CHOICE_GAP_CAP

# What says the articles cover the question at all: retrieval evidence alone, no reader. The
# "covered" model reads only these, so it can be fitted on every SQuAD article, the reader's
# training articles too, and so on four out-of-corpus articles rather than two.
COVERED_FEATURES = (
    "top_dense",  # embedding similarity of the best retrieved passage
    "prior",  # the best candidate sentence's prior score
    "prior_cosine",  # and its cosine, coverage and coverage with the sentence before
    "prior_coverage",
    "prior_coverage_with_previous",
)
ANSWERABILITY_FEATURES = (
    "choice",  # the chosen option's choice score
    "choice_gap",  # its lead over the runner-up
    "reader",  # its start + end logit
    "null_margin",  # that minus its window's no-answer score
    "best_null_margin",  # the largest such margin of any window
    "cosine",  # of the chosen sentence
    "coverage",
    "coverage_with_previous",
    "type_match",
    "echo",
    *COVERED_FEATURES,
)


def covered_features(candidates: Candidates) -> np.ndarray:
    """The COVERED_FEATURES of a question's candidates (zeros when there are none)."""
    if not candidates.items:
        return np.zeros(len(COVERED_FEATURES))
    best = int(np.argmax(candidates.prior))
    row = candidates.row(best)
    return np.array(
        [
            candidates.top_dense,
            float(candidates.prior[best]),
            row["cosine"],
            row["coverage"],
            row["coverage_with_previous"],
        ]
    )


def answerability_features(
    span_features: np.ndarray,
    scores: np.ndarray,
    best: int,
    best_null_margin: float,
    covered: np.ndarray,
) -> np.ndarray:
    """The ANSWERABILITY_FEATURES row of option `best`, given every option's SPAN_FEATURES row
    and choice score, the reading's best no-answer margin and the question's covered_features."""
    row = dict(zip(SPAN_FEATURES, span_features[best], strict=True))
    others = np.delete(scores, best)
    gap = float(scores[best] - others.max()) if len(others) else CHOICE_GAP_CAP
    reading = [
        float(scores[best]),
        min(gap, CHOICE_GAP_CAP),
        row["reader"],
        row["null_margin"],
        best_null_margin,
        row["cosine"],
        row["coverage"],
        row["coverage_with_previous"],
        row["type_match"],
        row["echo"],
    ]
    return np.array([*reading, *covered], dtype=np.float64)


PARTS = ("covered", "answers")


def probability(features: np.ndarray, weights: Mapping[str, Mapping[str, float]]) -> float:
    """P(answerable) = P(covered) x P(answers), each a logistic model in `weights` (a "bias"
    plus one weight per ANSWERABILITY_FEATURES name)."""
    p = 1.0
    for part in PARTS:
        w = weights.get(part, {})
        z = w.get("bias", 0.0) + sum(
            w.get(name, 0.0) * float(v)
            for name, v in zip(ANSWERABILITY_FEATURES, features, strict=True)
        )
        p *= 1.0 / (1.0 + math.exp(-min(max(z, -50.0), 50.0)))
    return p


def confidence(
    kind: AnswerType,
    span_features: np.ndarray,
    scores: np.ndarray,
    best: int,
    best_null_margin: float,
    covered: np.ndarray,
    weights: Mapping[str, Mapping[str, float]],
) -> float:
    """P(answerable) of option `best`, as answering and calibration both judge it: 0 when its
    span is of the wrong type (choice.wrong_type: the choice ranks such a span first only when
    every option is one), else the probability of its ANSWERABILITY_FEATURES."""
    if wrong_type(kind, span_features[best]):
        return 0.0
    row = answerability_features(span_features, scores, best, best_null_margin, covered)
    return probability(row, weights)


__all__ = [
    "ANSWERABILITY_FEATURES",
    "COVERED_FEATURES",
    "PARTS",
    "answerability_features",
    "confidence",
    "covered_features",
    "probability",
]
