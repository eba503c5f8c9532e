"""Opening an index folder: check its manifest and every file's checksum, read each file
(memory-mapping the large vector files), check they agree with each other, and hand back an
`Index`.

What the folder holds is `index/index_folder.py`; what an opened index offers is
`index/index.py`. Building (`index/build.py`) writes the folder this reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.aliases import Alias
from index.articles import Article
from index.errors import IndexCorruptError, ModelMismatchError
from index.index import Index, IndexParts
from index.index_folder import (
    ALIASES,
    ARTICLES,
    BM25_MATRIX,
    BM25_VOCAB,
    CHUNKS,
    DENSE,
    REFERENTS,
    SENTENCE_SPANS,
    SENTENCE_VECTORS,
    damaged,
    read_manifest,
    verify_files,
)
from index.mapping import MAP_FROM_BYTES, load_array, mapped_file
from index.sparse import BM25Index

if TYPE_CHECKING:
    from index.embedder import Embedder


def open_index(index_dir: Path, embedder: Embedder, *, map_from: int = MAP_FROM_BYTES) -> Index:
    """Open and verify the index at `index_dir` for use with `embedder`; its vector files from
    `map_from` bytes are memory-mapped, smaller ones read into memory (`index.mapping`).

    Raises IndexMissingError, IndexCorruptError (a file missing, truncated or altered since
    the build) or ModelMismatchError, each saying how to rebuild.
    """
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    if manifest["model"] != embedder.name:
        raise ModelMismatchError(
            f"The index at {index_dir} was built with embedder {manifest['model']}, but the "
            f"configured embedder is {embedder.name}. Rebuild with `footnote index`, or set "
            f"FOOTNOTE_EMBEDDER={manifest['model']}."
        )
    verify_files(index_dir, manifest)
    try:
        return _load(index_dir, manifest, map_from)
    except IndexCorruptError:
        raise
    except Exception as error:  # any parse failure of a checksummed file is damage
        raise damaged(index_dir, f"could not read it: {error}") from error


def _load(index_dir: Path, manifest: dict[str, Any], map_from: int) -> Index:
    from index.dense import DenseIndex  # faiss is heavy: imported when an index is opened

    articles, hashes = [], []
    with (index_dir / ARTICLES).open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            articles.append(
                Article(
                    record["id"],
                    record["text"],
                    record["title"],
                    record["date"],
                    record["source"],
                    record["outlet"],
                )
            )
            hashes.append(record["hash"])
    chunk_rows = _load_rows(index_dir / CHUNKS)
    sentence_rows = _load_rows(index_dir / SENTENCE_SPANS)
    # A large index is memory-mapped, paged in as used rather than copied; a small one is read.
    files = manifest["files"]
    sentence_handle = mapped_file(
        index_dir / SENTENCE_VECTORS, files[SENTENCE_VECTORS]["bytes"], map_from
    )
    dense_handle = mapped_file(index_dir / DENSE, files[DENSE]["bytes"], map_from)
    sentence_vectors = load_array(index_dir / SENTENCE_VECTORS, sentence_handle)
    dense = DenseIndex.load(index_dir / DENSE, mapped=dense_handle is not None)
    mapped = [handle for handle in (sentence_handle, dense_handle) if handle is not None]
    for handle in mapped:  # truncated since verify_files read it?
        if reason := handle.damage():
            raise damaged(index_dir, reason)
    sparse = BM25Index.load(index_dir / BM25_MATRIX, index_dir / BM25_VOCAB)
    aliases = [
        [Alias(str(short), str(long)) for short, long in pairs]
        for pairs in json.loads((index_dir / ALIASES).read_text(encoding="utf-8"))
    ]
    referents = [
        tuple(str(name) for name in names)
        for names in json.loads((index_dir / REFERENTS).read_text(encoding="utf-8"))
    ]
    counts = manifest.get("counts", {})
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("article count", lambda: len(articles) == counts.get("articles")),
        ("chunk count", lambda: len(chunk_rows) == counts.get("chunks") == dense.ntotal),
        ("BM25 document count", lambda: sparse.n_docs == len(chunk_rows)),
        (
            "sentence count",
            lambda: len(sentence_rows) == len(sentence_vectors) == counts.get("sentences"),
        ),
        ("vector size", lambda: dense.dim == manifest["dim"] == sentence_vectors.shape[1]),
        ("dense index type", lambda: dense.kind == manifest.get("dense", "flat")),
        ("alias list count", lambda: len(aliases) == len(articles)),
        ("referent list count", lambda: len(referents) == len(sentence_rows)),
        (
            "article numbers",
            lambda: (
                _rows_in_range(chunk_rows, articles) and _rows_in_range(sentence_rows, articles)
            ),
        ),
    ]
    for what, check in checks:
        if not check():
            raise damaged(index_dir, f"its {what} does not match the manifest")
    parts = IndexParts(
        articles,
        hashes,
        chunk_rows,
        dense,
        sparse,
        sentence_rows,
        sentence_vectors,
        aliases,
        referents,
        tuple(mapped),
    )
    return Index(index_dir, manifest, parts)


def _load_rows(path: Path) -> np.ndarray:
    rows = np.load(path, allow_pickle=False)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise ValueError(f"{path.name} has shape {rows.shape}")
    return rows.astype(np.int64, copy=False)


def _rows_in_range(rows: np.ndarray, articles: list[Article]) -> bool:
    if len(rows) == 0:
        return True
    lengths = np.array([len(article.text) for article in articles])
    numbers = rows[:, 0]
    if numbers.min() < 0 or numbers.max() >= len(articles) or np.any(np.diff(numbers) < 0):
        return False
    return bool(np.all(rows[:, 1] <= rows[:, 2]) and np.all(rows[:, 2] <= lengths[numbers]))
