"""Sparse retrieval: BM25 (Okapi, as rank_bm25 scores it) as one precomputed sparse matrix."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse


class BM25Index:
    """BM25 over token lists, scoring exactly like `rank_bm25.BM25Okapi`.

    Every (term, document) BM25 weight is computed once at build time into a term-by-document
    CSR matrix, so scoring a query is a weighted sum of a few matrix rows: no per-document
    Python loop. Repeated query tokens count repeatedly, as in rank_bm25.
    """

    def __init__(
        self,
        weights: sparse.csr_matrix,
        vocab: dict[str, int],
        idf: np.ndarray,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        counts: np.ndarray | None = None,
    ) -> None:
        self.weights = weights  # (n_terms, n_docs)
        self.vocab = vocab
        self.idfs = idf
        self.k1, self.b, self.epsilon = k1, b, epsilon
        # Term frequencies, entry for entry with weights.data: what a rebuild reuses for the
        # documents it keeps, instead of tokenizing them again. None in indexes built before.
        self.counts = counts

    @property
    def n_docs(self) -> int:
        return int(self.weights.shape[1])

    @classmethod
    def build(
        cls,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        """Index `corpus`, one token list per document (document id = position)."""
        return cls.build_reusing(corpus, None, k1, b, epsilon)

    @classmethod
    def build_reusing(
        cls,
        corpus: Sequence[Sequence[str] | int],
        previous: BM25Index | None,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        """Index `corpus`: per document its token list, or the number of a document of
        `previous` (which must hold counts) whose term counts it keeps untokenized.

        Only the new documents' tokens are looked at; the kept ones cost a column copy, and
        the weights of all are then recomputed at once (idf and average length change).
        """
        vocab: dict[str, int] = {}
        kept = [n for n, doc in enumerate(corpus) if isinstance(doc, int | np.integer)]
        fresh = [n for n, doc in enumerate(corpus) if not isinstance(doc, int | np.integer)]
        terms_parts, docs_parts, counts_parts = [], [], []
        if kept:
            if previous is None or previous.counts is None:
                raise ValueError("documents to keep, but no counts to keep them from")
            by_doc = sparse.csr_matrix(
                (previous.counts, previous.weights.indices, previous.weights.indptr),
                shape=previous.weights.shape,
            ).tocsc()
            columns = by_doc[:, [int(corpus[n]) for n in kept]].tocoo()
            names = sorted(previous.vocab, key=previous.vocab.__getitem__)
            used = np.unique(columns.row)
            remap = np.full(len(names), -1, dtype=np.int64)
            for term in used:
                remap[term] = vocab.setdefault(names[term], len(vocab))
            terms_parts.append(remap[columns.row])
            docs_parts.append(np.asarray(kept, dtype=np.int64)[columns.col])
            counts_parts.append(columns.data.astype(np.float64))
        lengths = np.fromiter((len(corpus[n]) for n in fresh), dtype=np.int64, count=len(fresh))
        terms_parts.append(
            np.fromiter(
                (vocab.setdefault(token, len(vocab)) for n in fresh for token in corpus[n]),
                dtype=np.int64,
                count=int(lengths.sum()),
            )
        )
        docs_parts.append(np.repeat(np.asarray(fresh, dtype=np.int64), lengths))
        counts_parts.append(np.ones(int(lengths.sum()), dtype=np.float64))
        # Duplicate (term, doc) pairs are summed into term frequencies by the conversion.
        tf = sparse.coo_matrix(
            (
                np.concatenate(counts_parts),
                (np.concatenate(terms_parts), np.concatenate(docs_parts)),
            ),
            shape=(len(vocab), len(corpus)),
        ).tocsr()
        tf.sum_duplicates()
        tf.sort_indices()
        counts = tf.data.astype(np.float32)
        idf = _idf(np.diff(tf.indptr), len(corpus), epsilon)
        if len(corpus):
            doc_lengths = np.bincount(tf.indices, weights=tf.data, minlength=len(corpus))
            avgdl = doc_lengths.mean()
            norm = k1 * (1 - b + b * doc_lengths / avgdl) if avgdl else np.full(len(corpus), k1)
            term_of_entry = np.repeat(np.arange(len(vocab)), np.diff(tf.indptr))
            tf.data = idf[term_of_entry] * tf.data * (k1 + 1) / (tf.data + norm[tf.indices])
        return cls(tf, vocab, idf, k1, b, epsilon, counts)

    def idf(self, token: str) -> float:
        """The BM25 inverse document frequency of `token`; 0 for a token never seen."""
        term = self.vocab.get(token)
        return 0.0 if term is None else float(self.idfs[term])

    def scores(
        self, query_tokens: Sequence[str], weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """BM25 score of every document for the query, shape (n_docs,).

        `weights`, one per token, scale each token's part of the score (default 1 each).
        """
        full = np.zeros(self.n_docs)
        docs, sums = self._matching(query_tokens, weights)
        full[docs] = sums
        return full

    def top(
        self,
        query_tokens: Sequence[str],
        k: int,
        weights: Sequence[float] | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(doc ids, scores) of the k best documents, best first; ties go to the lower id.

        Only the documents holding a query term are scored, so a query costs its posting lists,
        not the corpus size (a dense score vector over a million chunks costs ~10 ms alone).
        `allowed` (one bool per document) keeps the others out before ranking.
        """
        k = min(k, self.n_docs if allowed is None else int(np.count_nonzero(allowed)))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        docs, sums = self._matching(query_tokens, weights)
        if allowed is not None:
            keep = allowed[docs]
            docs, sums = docs[keep], sums[keep]
        if len(docs) > k:
            # argpartition breaks ties arbitrarily at the k-th place; widen to all tied with it.
            threshold = sums[np.argpartition(-sums, k - 1)[k - 1]]
            keep = sums >= threshold
            docs, sums = docs[keep], sums[keep]
        order = np.lexsort((docs, -sums))[:k]
        docs, sums = docs[order], sums[order]
        if len(docs) < k:  # fewer matches than asked: the rest score 0, lowest ids first
            wanted = k + len(docs)
            pool = np.arange(min(self.n_docs, wanted)) if allowed is None else None
            pool = np.flatnonzero(allowed)[:wanted] if pool is None else pool
            rest = np.setdiff1d(pool, docs)[: k - len(docs)]
            docs, sums = np.concatenate([docs, rest]), np.concatenate([sums, np.zeros(len(rest))])
        return docs.astype(np.int64), sums

    def _matching(
        self, query_tokens: Sequence[str], weights: Sequence[float] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(doc ids in increasing order, their scores) of the documents holding a query term."""
        counts: dict[int, float] = {}
        for n, token in enumerate(query_tokens):
            term = self.vocab.get(token)
            if term is not None:
                counts[term] = counts.get(term, 0) + (1 if weights is None else weights[n])
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = self.weights[np.fromiter(counts, dtype=np.int64)]
        multiplicity = np.fromiter(counts.values(), dtype=np.float64)
        data = rows.data * np.repeat(multiplicity, np.diff(rows.indptr))
        docs, where = np.unique(rows.indices, return_inverse=True)
        return docs.astype(np.int64), np.bincount(where, weights=data, minlength=len(docs))

    def save(self, matrix_path: Path, vocab_path: Path) -> None:
        np.savez(
            matrix_path,
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
            shape=np.array(self.weights.shape),
            idf=self.idfs,
            params=np.array([self.k1, self.b, self.epsilon]),
            **({} if self.counts is None else {"counts": self.counts}),
        )
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        vocab_path.write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, matrix_path: Path, vocab_path: Path) -> BM25Index:
        with np.load(matrix_path) as stored:
            shape = tuple(int(n) for n in stored["shape"])
            weights = sparse.csr_matrix(
                (stored["data"], stored["indices"], stored["indptr"]), shape=shape
            )
            idf = stored["idf"]
            k1, b, epsilon = (float(x) for x in stored["params"])
            counts = stored["counts"] if "counts" in stored.files else None
        if counts is not None and len(counts) != len(weights.data):
            raise ValueError("term counts and weights differ in length")
        terms = json.loads(vocab_path.read_text(encoding="utf-8"))
        if len(terms) != shape[0] or len(idf) != shape[0]:
            raise ValueError("vocabulary and matrix sizes differ")
        vocab = {term: i for i, term in enumerate(terms)}
        return cls(weights, vocab, idf, k1, b, epsilon, counts)


def _idf(document_frequency: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """rank_bm25's idf: log((N - n + 0.5) / (n + 0.5)), negatives floored to eps * mean idf."""
    df = document_frequency.astype(np.float64)
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        idf[idf < 0] = epsilon * idf.mean()
    return idf
