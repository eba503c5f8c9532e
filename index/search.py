"""Hybrid search: dense and BM25 candidates fused into ranked Hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.chunking import Chunk
from index.fusion import rrf_fusion, weighted_fusion
from index.tokens import terms

if TYPE_CHECKING:
    from index.aliases import Aliases
    from index.dense import DenseIndex
    from index.sparse import BM25Index

METHODS = ("weighted", "rrf", "dense", "bm25")


@dataclass(frozen=True)
class RetrievalConfig:
    """How a question is searched. Each default is defined here once; `Settings` composes it
    (`Settings.retrieval`), and its FOOTNOTE_* variables override it."""

    fusion: str = "weighted"  # "weighted" (min-max normalised sum), "rrf", or one retriever
    # The dense share of the weighted fusion, chosen held out by the retrieval calibration;
    # with chunk vectors pooled from their sentences: SQuAD hit@1/hit@5 81.0%/95.2% (README)
    dense_weight: float = 0.6
    rrf_k: int = 60  # reciprocal rank fusion's k (Cormack et al. 2009)
    candidates: int = 50  # per retriever, before fusion
    sentence_share: float = 0.7  # of a chunk's dense score that comes from its best sentence


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and each retriever's own score and 1-based rank."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    sparse_score: float | None = None
    sparse_rank: int | None = None


class Searcher:
    """Finds the chunks that best answer a query, by meaning (dense) and by words (BM25)."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        dense: DenseIndex,
        sparse: BM25Index,
        sentences: SentenceVectors | None = None,
        *,
        aliases: Aliases | None = None,
    ) -> None:
        self.chunks = chunks
        self.dense = dense
        self.sparse = sparse
        self.sentences = sentences
        self.aliases = aliases

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        config: RetrievalConfig = RetrievalConfig(),
        method: str | None = None,
        query_vector: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> list[Hit]:
        """The top `k` chunks for `query`, best first.

        `config` says how (RetrievalConfig); `method` overrides its fusion. "weighted" and
        "rrf" fuse the top `candidates` of each retriever; "dense" and "bm25" use one retriever
        and score hits by its own score. When BM25 has nothing to say (no query token is in the
        index) the fused methods fall back to dense alone.

        A candidate's dense score mixes the chunk's cosine with that of its best sentence
        (`sentence_share` of it): a question usually matches one sentence, which a 100-word
        chunk vector blurs. On the SQuAD dev half this lifts hybrid hit@5 by about a point.

        With `aliases`, BM25 also looks for the other form of each alias the query names, so
        "the RCN" finds "the Royal College of Nursing". The other form's words share the weight
        of one query word: they restate a concept the query named once, and "PCS" spelled out
        as four words would otherwise outweigh the rest of the question. The dense side is left
        as it is: callers encode the `query_vector` from the question as asked. Every method
        but "bm25" needs it; the engine encodes each question once for retrieval and reading.

        `allowed` (one bool per chunk, from `Index.allowed`) limits both retrievers to those
        chunks inside their own search, so k hits come back whenever k allowed ones match.
        """
        method = method or config.fusion
        if method not in METHODS:
            raise ValueError(
                f"unknown search method {method!r}; choose one of {', '.join(METHODS)}"
            )
        candidates = max(config.candidates, k)
        sentence_share = config.sentence_share
        if method != "bm25" and query_vector is None:
            raise ValueError(f"search method {method!r} needs the query_vector of the query")
        dense = {} if method == "bm25" else self._dense(query_vector, candidates, allowed)
        sparse = {} if method == "dense" else self._sparse(query, candidates, allowed)
        if dense and self.sentences is not None and sentence_share > 0:
            dense = self._with_sentences(query_vector, [*dense, *sparse], sentence_share)
        if method == "dense" or (method != "bm25" and not sparse):
            fused = {doc: score for doc, (score, _) in dense.items()}
        elif method == "bm25":
            fused = {doc: score for doc, (score, _) in sparse.items()}
        elif method == "rrf":
            fused = rrf_fusion(_ranked(dense), _ranked(sparse), config.rrf_k)
        else:
            fused = weighted_fusion(
                {doc: s for doc, (s, _) in dense.items()},
                {doc: s for doc, (s, _) in sparse.items()},
                config.dense_weight,
            )
        best = sorted(fused, key=lambda doc: (-fused[doc], doc))[:k]
        return [self._hit(doc, fused[doc], dense.get(doc), sparse.get(doc)) for doc in best]

    def _dense(
        self, query_vector: np.ndarray, candidates: int, allowed: np.ndarray | None
    ) -> dict[int, tuple[float, int]]:
        if self.dense.ntotal == 0:
            return {}
        scores, ids = self.dense.search(query_vector, candidates, allowed)
        ranked = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        return {doc: (score, rank) for rank, (doc, score) in enumerate(ranked, start=1)}

    def _with_sentences(
        self, query_vector: np.ndarray, docs: list[int], share: float
    ) -> dict[int, tuple[float, int]]:
        """Dense scores of `docs` (both retrievers' candidates) with the best sentence mixed in."""
        docs = list(dict.fromkeys(docs))
        chunk = self.dense.similarity(query_vector, np.asarray(docs))
        sentence = self.sentences.best(query_vector, docs)
        mixed = (1 - share) * chunk + share * np.where(np.isnan(sentence), chunk, sentence)
        order = np.argsort(-mixed, kind="stable")
        return {docs[i]: (float(mixed[i]), rank) for rank, i in enumerate(order, start=1)}

    def _sparse(
        self, query: str, candidates: int, allowed: np.ndarray | None
    ) -> dict[int, tuple[float, int]]:
        tokens = terms(query)
        weights = [1.0] * len(tokens)
        for other in self.aliases.others(query) if self.aliases else []:
            extra = terms(other)
            tokens += extra
            weights += [1 / len(extra)] * len(extra)
        if not tokens:
            return {}
        ids, scores = self.sparse.top(tokens, candidates, weights, allowed)
        # A zero BM25 score means no query word is in the chunk: not a candidate at all.
        ranked = [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if s > 0]
        return {doc: (score, rank) for rank, (doc, score) in enumerate(ranked, start=1)}

    def _hit(
        self,
        doc: int,
        score: float,
        dense: tuple[float, int] | None,
        sparse: tuple[float, int] | None,
    ) -> Hit:
        return Hit(
            chunk=self.chunks[doc],
            score=float(score),
            dense_score=dense[0] if dense else None,
            dense_rank=dense[1] if dense else None,
            sparse_score=sparse[0] if sparse else None,
            sparse_rank=sparse[1] if sparse else None,
        )


class SentenceVectors:
    """Each chunk's sentence vectors: rows [first, last) of `vectors` lie inside chunk i."""

    def __init__(self, vectors: np.ndarray, ranges: np.ndarray) -> None:
        self.vectors = vectors
        self.ranges = ranges

    def best(self, query_vector: np.ndarray, docs: Sequence[int]) -> np.ndarray:
        """The highest sentence cosine inside each chunk of `docs`; NaN for a chunk with none."""
        rows = [np.arange(*self.ranges[doc]) for doc in docs]
        if not any(len(r) for r in rows):
            return np.full(len(docs), np.nan)
        cosines = self.vectors[np.concatenate(rows)].astype(np.float32) @ query_vector
        best, at = np.full(len(docs), np.nan), 0
        for n, r in enumerate(rows):
            if len(r):
                best[n] = cosines[at : at + len(r)].max()
                at += len(r)
        return best


def _ranked(candidates: dict[int, tuple[float, int]]) -> list[int]:
    return sorted(candidates, key=lambda doc: candidates[doc][1])
