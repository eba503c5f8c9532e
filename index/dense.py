"""Dense vectors: exact inner-product search with FAISS (IndexFlatIP)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    """Exact inner-product search over unit vectors, i.e. cosine similarity.

    Flat search is exact and fast enough to a few hundred thousand chunks; an approximate
    backend (IVF, HNSW) for larger corpora would be another class with these same methods.
    """

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexFlatIP(dim)

    @property
    def ntotal(self) -> int:
        """Number of vectors stored."""
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids are their positions, in order of adding."""
        self._index.add(_as_matrix(vectors, self.dim))

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k), best first; id -1 pads when k > ntotal."""
        queries = _as_matrix(query_vectors, self.dim)
        if self.ntotal == 0 or k <= 0:
            shape = (len(queries), max(k, 0))
            return np.zeros(shape, dtype=np.float32), np.full(shape, -1, dtype=np.int64)
        return self._index.search(queries, k)

    def similarity(self, query_vector: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Inner products of the query with the stored vectors `ids`, in that order."""
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        stored = self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
        return stored @ _as_matrix(query_vector, self.dim)[0]

    def vectors(self) -> np.ndarray:
        """All stored vectors, (ntotal, dim) float32, so a rebuild can reuse them."""
        if self.ntotal == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_n(0, self.ntotal)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
    return matrix
