"""Fusion: combining dense and sparse candidate lists into one score per document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def weighted_fusion(
    dense: Mapping[int, float], sparse: Mapping[int, float], dense_weight: float
) -> dict[int, float]:
    """dense_weight * minmax(dense) + (1 - dense_weight) * minmax(sparse), per document.

    Each list is min-max normalised over its own candidates, because cosine similarities and
    BM25 scores live on unrelated scales. A document missing from a list gets 0 for that part;
    a list whose scores are all equal normalises to 1.0 (they are all equally its best).
    """
    dense_norm, sparse_norm = _min_max(dense), _min_max(sparse)
    return {
        doc: dense_weight * dense_norm.get(doc, 0.0)
        + (1 - dense_weight) * sparse_norm.get(doc, 0.0)
        for doc in {**dense_norm, **sparse_norm}
    }


def rrf_fusion(
    dense_ranked: Sequence[int], sparse_ranked: Sequence[int], k: int
) -> dict[int, float]:
    """Reciprocal rank fusion: the sum of 1 / (k + rank) over the lists a document is in."""
    fused: dict[int, float] = {}
    for ranked in (dense_ranked, sparse_ranked):
        for rank, doc in enumerate(ranked, start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


def _min_max(scores: Mapping[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0)
    return {doc: (score - low) / (high - low) for doc, score in scores.items()}
