"""Dense vectors: inner-product search with FAISS, exact (flat) or approximate (IVF, HNSW).

Which one is chosen by corpus size (`choose_kind`) from `make bench-scale`'s measurements:
exact search until a query would cost more than a few milliseconds, then HNSW, whose graph
sits in memory while its vectors stay memory-mapped: recall@10 >= 0.97 well under 3 ms a
query at a million chunks here. IVF is there on request (`footnote index --dense ivf`): its
memory-mapped lists search about four times slower than in memory. Indexes open mapped, so a
large one is paged in as searched, not copied into memory.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

KINDS = ("flat", "ivf", "hnsw")
# Flat search costs ~0.15 us per vector per query here: 40,000 chunks is ~6 ms, about 5% of a
# warm answer; past it, HNSW is faster at recall@10 >= 0.97 (README, Scale).
FLAT_UP_TO = 40_000
IVF_PROBES = 32  # lists searched per query: recall@10 0.98 at 100k and 1M chunks (README)
IVF_TRAIN_PER_LIST = 40  # training points per list, FAISS's own advice (30-256)
HNSW_LINKS = 32
HNSW_BUILD_DEPTH = 64
HNSW_SEARCH_DEPTH = 96  # recall@10 0.98 at ef 32, 1.0 at 64 on 200k benchmark vectors
# An HNSW graph cannot drop a node, so a rebuild that removes chunks relabels theirs as dead
# (ids from DEAD up, skipped by every search) and adds only the new ones; past this share
# of dead nodes the graph is built afresh.
DEAD = 1 << 62
MOST_DEAD = 0.25
# A filtered search (a date range, an outlet) over at most this many allowed vectors scores
# them all exactly: an approximate index explores its usual neighbourhood and, when few of
# its nodes are allowed, comes back with fewer than k. 20,000 dot products cost ~3 ms.
EXACT_WITHIN = 20_000


def choose_kind(n_vectors: int, requested: str = "auto") -> str:
    """`requested` if it names a kind, else flat up to FLAT_UP_TO vectors and HNSW past it."""
    if requested in KINDS:
        return requested
    if requested != "auto":
        raise ValueError(
            f"dense index must be auto or one of {', '.join(KINDS)}, not {requested!r}"
        )
    return "flat" if n_vectors <= FLAT_UP_TO else "hnsw"


class DenseIndex:
    """Inner-product search over unit vectors, i.e. cosine similarity; `kind` says how."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexFlatIP(dim)
        _tune(self._index)
        self._ids = None  # for an HNSW with ids: node -> chunk id (dead from DEAD up)
        self._live = None
        if isinstance(self._index, faiss.IndexIDMap2):
            self._ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            self._live = self._ids < DEAD
            self._params = faiss.SearchParametersHNSW()
            self._params.efSearch = HNSW_SEARCH_DEPTH
            self._selector = faiss.IDSelectorRange(0, DEAD)
            if not self._live.all():
                self._params.sel = self._selector

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, kind: str = "flat") -> DenseIndex:
        """An index of `kind` over `vectors` (ids are their positions), trained if it needs it."""
        matrix = _as_matrix(vectors, dim)
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            graph = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = HNSW_BUILD_DEPTH
            # Ids of its own, so a later build can renumber chunks and add to the graph.
            index = faiss.IndexIDMap2(graph)
            index.add_with_ids(matrix, np.arange(len(matrix), dtype=np.int64))
            return cls(dim, index)
        elif kind == "ivf":
            lists = ivf_lists(len(matrix))
            index = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT
            )
            index.train(_training_sample(matrix, lists))
        else:
            raise ValueError(f"unknown dense index kind {kind!r}")
        index.add(matrix)
        return cls(dim, index)

    @property
    def kind(self) -> str:
        if isinstance(self._index, faiss.IndexIVF):
            return "ivf"
        if isinstance(self._index, faiss.IndexHNSW | faiss.IndexIDMap2):
            return "hnsw"
        return "flat"

    @property
    def ntotal(self) -> int:
        """Number of (live) vectors stored."""
        if self._live is not None:
            return int(self._live.sum())
        return int(self._index.ntotal)

    def updated(
        self, renumber: np.ndarray, vectors: np.ndarray, ids: np.ndarray
    ) -> DenseIndex | None:
        """This HNSW index with chunk i renamed `renumber[i]` (-1: dropped) and `vectors` added
        as `ids`, without rebuilding the graph; None when a rebuild is due instead (not an
        HNSW with ids, or too many dead nodes)."""
        if self._ids is None:
            return None
        old = self._ids
        dead_after = int((~self._live).sum() + (renumber < 0).sum())
        if dead_after > MOST_DEAD * (len(old) + len(vectors)):
            return None
        # An owned copy in memory (a mapped index cannot grow); the file stays as it was.
        index = faiss.deserialize_index(faiss.serialize_index(self._index))
        nodes = np.arange(len(old), dtype=np.int64)
        new = np.where(self._live, renumber[np.where(self._live, old, 0)], -1)
        new = np.where(new >= 0, new, DEAD + nodes)
        faiss.copy_array_to_vector(new.astype(np.int64), index.id_map)
        index.construct_rev_map()
        if len(vectors):
            graph = faiss.downcast_index(index.index)
            graph.hnsw.efConstruction = HNSW_BUILD_DEPTH
            index.add_with_ids(_as_matrix(vectors, self.dim), np.asarray(ids, dtype=np.int64))
        return DenseIndex(self.dim, index)

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids are their positions, in order of adding."""
        self._index.add(_as_matrix(vectors, self.dim))

    def search(
        self, query_vectors: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k), best first; id -1 pads when k > ntotal.

        `allowed` (one bool per id) restricts the search to those ids inside FAISS, so a
        filter never leaves fewer than k hits while more allowed ones exist.
        """
        queries = _as_matrix(query_vectors, self.dim)
        if self.ntotal == 0 or k <= 0:
            shape = (len(queries), max(k, 0))
            return np.zeros(shape, dtype=np.float32), np.full(shape, -1, dtype=np.int64)
        if allowed is not None:
            return self._search_within(queries, k, allowed)
        if len(queries) > 1:
            return self._search(queries, k)
        # One query: FAISS's threads cost more than they save (100k flat: 18 ms on one
        # thread, 22 ms on two, here); builds and batches keep them all.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._search(queries, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def _search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._ids is None:
            return self._index.search(queries, k)
        return self._index.search(queries, k, params=self._params)

    def _search_within(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        allowed = np.asarray(allowed, dtype=bool)
        inner = faiss.downcast_index(self._index.index) if self._ids is not None else self._index
        count = int(np.count_nonzero(allowed))
        if count <= EXACT_WITHIN and not isinstance(inner, faiss.IndexFlat):
            return self._exact_within(queries, k, np.flatnonzero(allowed))
        bits = np.packbits(allowed, bitorder="little")
        # Dead HNSW nodes (ids from DEAD up) lie past the bitmap, so it skips them too.
        selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
        # The rarer the allowed vectors, the wider the search must look to meet k of them.
        widen = max(1.0, len(allowed) / max(count, 1))
        if isinstance(inner, faiss.IndexIVF):
            probes = min(inner.nlist, math.ceil(inner.nprobe * widen))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=probes)
        elif isinstance(inner, faiss.IndexHNSW):
            depth = min(4096, math.ceil(HNSW_SEARCH_DEPTH * widen))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=depth)
        else:
            params = faiss.SearchParameters(sel=selector)
        return self._index.search(queries, k, params=params)  # `bits` lives until it returns

    def _exact_within(
        self, queries: np.ndarray, k: int, ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        found = np.full((len(queries), k), -1, dtype=np.int64)
        if len(ids) == 0:
            return scores, found
        products = queries @ self._index.reconstruct_batch(ids.astype(np.int64)).T
        top = min(k, len(ids))
        best = np.argsort(-products, axis=1, kind="stable")[:, :top]
        scores[:, :top] = np.take_along_axis(products, best, axis=1)
        found[:, :top] = ids[best]
        return scores, found

    def similarity(self, query_vector: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Inner products of the query with the stored vectors `ids`, in that order."""
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        stored = self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
        return stored @ _as_matrix(query_vector, self.dim)[0]

    def vectors(self) -> np.ndarray:
        """All stored vectors in id order, (ntotal, dim) float32, so a rebuild can reuse them."""
        if self.ntotal == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._ids is None:
            return self._index.reconstruct_n(0, self.ntotal)
        graph = faiss.downcast_index(self._index.index)
        stored = graph.reconstruct_n(0, graph.ntotal)
        out = np.zeros((self.ntotal, self.dim), dtype=np.float32)
        out[self._ids[self._live]] = stored[self._live]
        return out

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, mapped: bool = True) -> DenseIndex:
        """Open memory-mapped (the vectors stay in the file and are paged in as searched), or
        with `mapped` False read whole into memory."""
        if not mapped:
            index = faiss.read_index(str(path))
            return cls(index.d, index)
        # FAISS maps IVF lists with one flag and flat storage (flat, HNSW) with another, and
        # refuses both at once: the file's four-byte tag says which it holds ("Iw..": IVF).
        with open(path, "rb") as stream:
            tag = stream.read(4)
        flag = faiss.IO_FLAG_MMAP if tag.startswith(b"Iw") else faiss.IO_FLAG_MMAP_IFC
        index = faiss.read_index(str(path), faiss.IO_FLAG_READ_ONLY | flag)
        return cls(index.d, index)


def ivf_lists(n_vectors: int) -> int:
    """About 4 sqrt(n) lists, FAISS's rule of thumb, but never fewer points than training needs."""
    return max(1, min(int(4 * math.sqrt(n_vectors)), n_vectors // IVF_TRAIN_PER_LIST))


def _training_sample(matrix: np.ndarray, lists: int) -> np.ndarray:
    wanted = min(len(matrix), lists * IVF_TRAIN_PER_LIST * 2)
    if wanted == len(matrix):
        return matrix
    rows = np.random.default_rng(0).choice(len(matrix), wanted, replace=False)  # reproducible
    return matrix[np.sort(rows)]


def _tune(index: faiss.Index) -> None:
    """Search-time settings are not all saved with the index: set them on every open."""
    if isinstance(index, faiss.IndexIVF):
        index.nprobe = min(IVF_PROBES, index.nlist)
        index.make_direct_map()  # similarity() and vectors() look vectors up by id
    elif isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_SEARCH_DEPTH
    elif isinstance(index, faiss.IndexIDMap2):
        _tune(faiss.downcast_index(index.index))


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
    return matrix
