"""Writing an index folder: a build's plans, embedded, as the files `index/index_folder.py`
names, with a manifest of their sizes and checksums.

It writes into an empty staging folder; `index/swapping.py` puts that folder in place.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.checksums import file_digest
from index.embedder import Embedder
from index.index_folder import (
    ALIASES,
    ARTICLES,
    BM25_MATRIX,
    BM25_VOCAB,
    CHUNKS,
    DATA_FILES,
    DENSE,
    FORMAT_VERSION,
    MANIFEST,
    REFERENTS,
    SENTENCE_SPANS,
    SENTENCE_VECTORS,
)
from index.planning import (
    CHUNK_VECTORS,
    Planned,
    Previous,
    aliases_and_referents,
    bm25_documents,
    text_rules,
)
from index.sparse import BM25Index
from index.swapping import fsync

if TYPE_CHECKING:
    from index.dense import DenseIndex


def write_files(
    staging: Path,
    plans: list[Planned],
    embedder: Embedder,
    chunk_words: int,
    overlap: int,
    sources: list[str],
    dense_kind: str,
    previous: Previous,
) -> tuple[dict[str, int], str]:
    """Every file of an index of `plans` into the empty folder `staging`, the manifest last,
    each synced to disk so that a swapped-in folder is whole; its counts and dense kind."""
    dim = embedder.dim
    with (staging / ARTICLES).open("w", encoding="utf-8") as stream:
        for plan in plans:
            article = plan.article
            record = {
                "id": article.id,
                "title": article.title,
                "date": article.date,
                "source": article.source,
                "outlet": article.outlet,
                "hash": plan.hash,
                "text": article.text,
            }
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    chunk_rows = _rows([(n, plan.chunk_spans) for n, plan in enumerate(plans)])
    sentence_rows = _rows([(n, plan.sentence_spans) for n, plan in enumerate(plans)])
    np.save(staging / CHUNKS, chunk_rows)
    np.save(staging / SENTENCE_SPANS, sentence_rows)
    np.save(
        staging / SENTENCE_VECTORS,
        _stack([p.sentence_vectors for p in plans], dim, np.float16),
    )
    dense = _dense_index(plans, dim, dense_kind, previous)
    dense.save(staging / DENSE)
    BM25Index.build_reusing(bm25_documents(plans, previous.sparse), previous.sparse).save(
        staging / BM25_MATRIX, staging / BM25_VOCAB
    )
    _write_aliases_and_referents(staging, plans)
    counts = {"articles": len(plans), "chunks": len(chunk_rows), "sentences": len(sentence_rows)}
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "dim": dim,
        "chunk_words": chunk_words,
        "overlap_sentences": overlap,
        "dense": dense.kind,
        "chunk_vectors": CHUNK_VECTORS,
        "text_rules": text_rules(),
        "counts": counts,
        "sources": sources,  # what a rebuild without paths reads again
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {
            name: {"bytes": (staging / name).stat().st_size, "sha256": file_digest(staging / name)}
            for name in DATA_FILES
        },
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for name in (*DATA_FILES, MANIFEST):
        fsync(staging / name)
    fsync(staging)
    return counts, dense.kind


def _dense_index(plans: list[Planned], dim: int, kind: str, previous: Previous) -> DenseIndex:
    """The FAISS index over every chunk vector, in row order.

    An HNSW graph costs minutes to build at a million chunks, so when the previous index is
    one and this build is too, its graph is kept: unchanged chunks are renumbered, removed
    ones marked dead, and only new chunks are added (DenseIndex.updated).
    """
    from index.dense import DenseIndex, choose_kind  # faiss is heavy: only to build or search

    total = sum(len(plan.chunk_spans) for plan in plans)
    kind = choose_kind(total, kind)
    if kind == "hnsw" and previous.dense is not None and previous.dense.kind == "hnsw":
        renumber = np.full(previous.dense.ntotal, -1, dtype=np.int64)
        added, added_rows, row = [], [], 0
        for plan in plans:
            rows = np.arange(row, row + len(plan.chunk_spans), dtype=np.int64)
            if plan.previous_chunks is not None:
                renumber[plan.previous_chunks] = rows
            else:
                added.append(plan.chunk_vectors)
                added_rows.append(rows)
            row += len(rows)
        vectors = _stack(added, dim)
        ids = np.concatenate(added_rows) if added_rows else np.zeros(0, dtype=np.int64)
        updated = previous.dense.updated(renumber, vectors, ids)
        if updated is not None:
            return updated
    return DenseIndex.build(_stack([p.chunk_vectors for p in plans], dim), dim, kind)


def _write_aliases_and_referents(staging: Path, plans: list[Planned]) -> None:
    """Each article's aliases as [short, long] pairs, and each sentence's referents in
    sentence-row order."""
    found, referents = aliases_and_referents(plans)
    aliases = [[[alias.short, alias.long] for alias in article] for article in found]
    for name, value in ((ALIASES, aliases), (REFERENTS, referents)):
        (staging / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _rows(spans_by_article: list[tuple[int, list[tuple[int, int]]]]) -> np.ndarray:
    rows = [(n, start, end) for n, spans in spans_by_article for start, end in spans]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def _stack(parts: list[np.ndarray | None], dim: int, dtype=np.float32) -> np.ndarray:
    arrays = [np.asarray(part, dtype=dtype) for part in parts if part is not None and len(part)]
    if not arrays:
        return np.zeros((0, dim), dtype=dtype)
    return np.ascontiguousarray(np.concatenate(arrays), dtype=dtype)
