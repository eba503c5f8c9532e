"""Building: articles in, a complete index directory out, swapped into place atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.aliases import find_aliases
from index.articles import Article, Skipped, content_hash, read_articles
from index.chunking import sentence_windows
from index.embedder import Embedder
from index.errors import FootnoteError
from index.referents import resolve_referents
from index.sentences import split_sentences
from index.sparse import BM25Index
from index.store import (
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
    Index,
    file_digest,
    open_index,
)
from index.tokens import terms

BATCH_SIZE = 64


class IndexWriteError(FootnoteError):
    """The new index could not be written (a full disk, say); the previous one is intact."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did. `embedded` and `reused` count texts (chunks plus sentences)."""

    articles: int
    chunks: int
    sentences: int
    embedded: int
    reused: int
    skipped: list[Skipped]
    seconds: float
    dense: str = "flat"  # the FAISS index kind built


@dataclass(frozen=True)
class Planned:
    """One article's chunks and sentences, with their vectors once known (from the previous
    index, or from embed_plans)."""

    article: Article
    hash: str
    chunk_spans: list[tuple[int, int]]
    sentence_spans: list[tuple[int, int]]
    chunk_vectors: np.ndarray | None
    sentence_vectors: np.ndarray | None


def build_index(
    paths: Sequence[Path],
    index_dir: Path,
    embedder: Embedder,
    *,
    chunk_words: int = 100,
    overlap_sentences: int = 1,
    dense: str = "auto",
    progress: bool = False,
) -> BuildReport:
    """Index the articles under `paths` into `index_dir`, replacing what was there.

    `dense` is the FAISS index: "flat" (exact), "ivf" or "hnsw"; "auto" chooses by size
    (index.dense.choose_kind).

    Articles whose text is unchanged since the index at `index_dir` was built (same model and
    chunking) keep their stored vectors; only new text is encoded, in one batched call. The
    new index is written to a temporary directory beside `index_dir` and renamed into place,
    so an interrupted build leaves the previous index as it was.
    """
    started = time.perf_counter()
    prepare_index_dir(index_dir)  # refuse a foreign folder before any slow work
    articles, skipped = read_articles(paths, exclude=[Path(index_dir)])
    previous = previous_vectors(index_dir, embedder, chunk_words, overlap_sentences)
    plans = [plan_article(a, previous, chunk_words, overlap_sentences) for a in articles]
    plans, embedded = embed_plans(plans, embedder, progress)
    return write_index(
        plans,
        index_dir,
        embedder,
        sources=paths,
        skipped=skipped,
        embedded=embedded,
        chunk_words=chunk_words,
        overlap_sentences=overlap_sentences,
        dense=dense,
        started=started,
    )


def write_index(
    plans: list[Planned],
    index_dir: Path,
    embedder: Embedder,
    *,
    sources: Sequence[Path],
    skipped: list[Skipped],
    embedded: int,
    chunk_words: int,
    overlap_sentences: int,
    dense: str = "auto",
    started: float | None = None,
) -> BuildReport:
    """Write embedded `plans` as a complete index and swap it in for `index_dir` atomically.

    Every builder ends here (this machine's and index.distributed's), so the format is one.
    The new index is written to a temporary directory beside `index_dir` and renamed into
    place: a build interrupted at any point leaves the previous index as it was.
    """
    started = time.perf_counter() if started is None else started
    index_dir = Path(index_dir)
    prepare_index_dir(index_dir)
    staging = index_dir.parent / f".{index_dir.name}.build-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        source_names = [str(Path(p).resolve()) for p in sources]
        counts, dense_kind = _write(
            staging, plans, embedder, chunk_words, overlap_sentences, source_names, dense
        )
        _swap_in(staging, index_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        # A full disk (or a file-size limit) mid-build: the old index was never touched.
        kept = "is unchanged and still serves" if index_dir.exists() else "was not created"
        raise IndexWriteError(
            f"could not write the new index ({error.strerror or error}); "
            f"the index at {index_dir} {kept}. Free some space and run `footnote index` again."
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = counts["chunks"] + counts["sentences"]
    return BuildReport(
        articles=counts["articles"],
        chunks=counts["chunks"],
        sentences=counts["sentences"],
        embedded=embedded,
        reused=total - embedded,
        skipped=skipped,
        seconds=time.perf_counter() - started,
        dense=dense_kind,
    )


def prepare_index_dir(index_dir: Path) -> None:
    """Make `index_dir`'s parent, tidy up after killed builds, and refuse a folder that is not
    a Footnote index (replacing it would delete someone's files)."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover_and_clean(index_dir)
    _refuse_foreign_directory(index_dir)


def previous_vectors(
    index_dir: Path, embedder: Embedder, chunk_words: int, overlap_sentences: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Content hash -> (chunk vectors, sentence vectors) from a usable previous index."""
    try:
        index = open_index(index_dir, embedder)
    except FootnoteError:
        return {}  # missing, damaged or another model: everything is encoded afresh
    params = index.manifest
    if params["chunk_words"] != chunk_words or params["overlap_sentences"] != overlap_sentences:
        return {}
    return _vectors_by_hash(index)


def _vectors_by_hash(index: Index) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    chunk_vectors = index.dense.vectors()
    sentence_vectors = index.sentence_vectors.astype(np.float32)
    stored = {}
    for number, digest in enumerate(index.hashes):
        chunk_low, chunk_high = index.chunk_range(number)
        sentence_low, sentence_high = index.sentence_range(number)
        stored[digest] = (
            chunk_vectors[chunk_low:chunk_high],
            sentence_vectors[sentence_low:sentence_high],
        )
    return stored


def plan_article(
    article: Article,
    previous: dict[str, tuple[np.ndarray, np.ndarray]],
    chunk_words: int,
    overlap_sentences: int,
) -> Planned:
    digest = content_hash(article.text)
    sentences = split_sentences(article.text)
    # The same windows chunk_article makes, without splitting the text into sentences twice.
    windows = sentence_windows(article.text, sentences, chunk_words, overlap_sentences)
    chunks = [(sentences[first][0], sentences[last][1]) for first, last in windows]
    chunk_vectors, sentence_vectors = previous.get(digest, (None, None))
    if chunk_vectors is not None and (
        len(chunk_vectors) != len(chunks) or len(sentence_vectors) != len(sentences)
    ):
        chunk_vectors = sentence_vectors = None  # splitting rules changed since: re-encode
    return Planned(article, digest, chunks, sentences, chunk_vectors, sentence_vectors)


def embed_plans(
    plans: list[Planned], embedder: Embedder, progress: bool = False
) -> tuple[list[Planned], int]:
    """`plans` with every missing chunk and sentence vector encoded, in one call, and how many
    texts that encoded.

    One call lets sentence-transformers sort all texts by length, so batches carry little
    padding and encoding dominates the build time.
    """
    texts = []
    for plan in plans:
        if plan.chunk_vectors is None:
            text = plan.article.text
            texts += [text[s:e] for s, e in plan.chunk_spans]
            texts += [text[s:e] for s, e in plan.sentence_spans]
    vectors = embedder.encode(texts, batch_size=BATCH_SIZE, progress=progress)
    plans = list(plans)
    offset = 0
    for n, plan in enumerate(plans):
        if plan.chunk_vectors is None:
            n_chunks, n_sentences = len(plan.chunk_spans), len(plan.sentence_spans)
            chunk_vectors = vectors[offset : offset + n_chunks]
            sentence_vectors = vectors[offset + n_chunks : offset + n_chunks + n_sentences]
            offset += n_chunks + n_sentences
            plans[n] = Planned(
                plan.article,
                plan.hash,
                plan.chunk_spans,
                plan.sentence_spans,
                chunk_vectors,
                sentence_vectors,
            )
    return plans, len(texts)


def _write(
    staging: Path,
    plans: list[Planned],
    embedder: Embedder,
    chunk_words: int,
    overlap: int,
    sources: list[str],
    dense_kind: str,
) -> tuple[dict[str, int], str]:
    from index.dense import DenseIndex, choose_kind  # faiss is heavy: only to build or search

    dim = embedder.dim
    with (staging / ARTICLES).open("w", encoding="utf-8") as stream:
        for plan in plans:
            article = plan.article
            record = {
                "id": article.id,
                "title": article.title,
                "date": article.date,
                "source": article.source,
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
        _stack([p.sentence_vectors for p in plans], dim).astype(np.float16),
    )
    chunk_vectors = _stack([p.chunk_vectors for p in plans], dim)
    dense = DenseIndex.build(chunk_vectors, dim, choose_kind(len(chunk_vectors), dense_kind))
    dense.save(staging / DENSE)
    texts = [plan.article.text for plan in plans]
    BM25Index.build([terms(texts[a][s:e]) for a, s, e in chunk_rows]).save(
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
        _fsync(staging / name)
    _fsync(staging)
    return counts, dense.kind


def _write_aliases_and_referents(staging: Path, plans: list[Planned]) -> None:
    """Each article's aliases, and each sentence's referents in sentence-row order.

    Both are read afresh from every article on every build, reused vectors or not: a few
    milliseconds of regexes an article, and never stale when their rules change.
    """
    aliases, referents = [], []
    for plan in plans:
        found = find_aliases(plan.article.text)
        aliases.append([[alias.short, alias.long] for alias in found])
        referents += resolve_referents(plan.article.text, plan.sentence_spans, found)
    for name, value in ((ALIASES, aliases), (REFERENTS, referents)):
        (staging / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _rows(spans_by_article: list[tuple[int, list[tuple[int, int]]]]) -> np.ndarray:
    rows = [(n, start, end) for n, spans in spans_by_article for start, end in spans]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def _stack(parts: list[np.ndarray | None], dim: int) -> np.ndarray:
    arrays = [part for part in parts if part is not None and len(part)]
    if not arrays:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(arrays), dtype=np.float32)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _swap_in(staging: Path, index_dir: Path) -> None:
    """Replace `index_dir` by `staging`: two renames, so the gap without an index is tiny."""
    if index_dir.exists():
        retired = index_dir.parent / f".{index_dir.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(index_dir, retired)
        os.rename(staging, index_dir)
        _fsync(index_dir.parent)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, index_dir)
        _fsync(index_dir.parent)


def _recover_and_clean(index_dir: Path) -> None:
    """Tidy up after builds that were killed: drop their staging directories and, if one died
    between its two renames, put the previous index back."""
    for path in sorted(index_dir.parent.glob(f".{index_dir.name}.old-*")):
        if _owner_alive(path):
            continue
        if not index_dir.exists() and (path / MANIFEST).exists():
            os.rename(path, index_dir)
        else:
            shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.parent.glob(f".{index_dir.name}.build-*"):
        if not _owner_alive(path):
            shutil.rmtree(path, ignore_errors=True)


def _owner_alive(path: Path) -> bool:
    """Whether the build process named in a staging directory's name is still running."""
    try:
        pid = int(path.name.rsplit("-", 2)[-2])
    except (ValueError, IndexError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse_foreign_directory(index_dir: Path) -> None:
    # Replacing index_dir deletes it; never do that to a folder Footnote did not make.
    if index_dir.is_dir():
        ours = {*DATA_FILES, MANIFEST}
        foreign = [p.name for p in index_dir.iterdir() if p.name not in ours]
        if foreign:
            raise FootnoteError(
                f"{index_dir} exists and holds files that are not part of a Footnote index "
                f"({', '.join(sorted(foreign)[:3])}); choose another index directory."
            )
    elif index_dir.exists():
        raise FootnoteError(f"{index_dir} is a file; choose another index directory.")
