"""Pure metric functions: SQuAD answer normalisation, EM/F1, hit@k, MRR, shares and percentiles."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """The official SQuAD normalisation: lowercase, drop punctuation and a/an/the, squash spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals some normalised gold answer, else 0.0."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    """Token-overlap F1 against the best gold answer, as the SQuAD script computes it."""
    return max(
        (_f1(normalize_answer(prediction).split(), normalize_answer(g).split()) for g in golds),
        default=0.0,
    )


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        # SQuAD v2 convention: two empty answers agree; one empty one does not.
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def contains_answer(text: str, golds: Sequence[str]) -> bool:
    """True when some gold answer's normalised tokens appear, contiguous, in the normalised text.

    Token-level, not substring, so "france" is not found inside "francesca".
    """
    tokens = normalize_answer(text).split()
    for gold in golds:
        needle = normalize_answer(gold).split()
        if needle and _find_run(tokens, needle):
            return True
    return False


def _find_run(tokens: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(tokens[i : i + n] == needle for i in range(len(tokens) - n + 1))


def spans_overlap(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Half-open character spans [start, end) and [other_start, other_end) share a character."""
    return start < other_end and other_start < end


def first_relevant_rank(relevant: Iterable[bool]) -> int | None:
    """1-based rank of the first relevant result, or None when none is."""
    for rank, is_relevant in enumerate(relevant, start=1):
        if is_relevant:
            return rank
    return None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of queries whose first relevant result ranks within the top k (None: no queries)."""
    return share([r is not None and r <= k for r in ranks])


def mrr_at_k(ranks: Sequence[int | None], k: int = 10) -> float | None:
    """Mean reciprocal rank, counting 0 for a query with nothing relevant in the top k."""
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


def share(flags: Sequence[bool]) -> float | None:
    """Fraction of true flags; None for an empty group so a report never shows 0/0 as 0%."""
    return sum(bool(f) for f in flags) / len(flags) if flags else None


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    return float(sum(values) / len(values)) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between ranks, or None if empty."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


__all__ = [
    "contains_answer",
    "exact_match",
    "f1_score",
    "first_relevant_rank",
    "hit_at_k",
    "mean",
    "mrr_at_k",
    "normalize_answer",
    "percentile",
    "share",
    "spans_overlap",
]
