"""Building: articles in, a complete index directory out, swapped into place atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.aliases import Alias, find_aliases
from index.articles import Article, Skipped, content_hash, read_articles
from index.chunking import sentence_windows
from index.embedder import Embedder
from index.errors import FootnoteError, IndexMissingError, NoArticlesError
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

if TYPE_CHECKING:
    from index.dense import DenseIndex

# How chunk vectors are made, recorded in the manifest: vectors are reused only between
# builds that made them the same way.
CHUNK_VECTORS = "pooled-sentences"
TEXT_RULES = (
    "index.sentences",
    "index.chunking",
    "index.aliases",
    "index.referents",
    "index.tokens",
)


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
    # Article ids against the index this one replaced; `compared` is False when there was one
    # but it could not be read (damaged, another model), so what changed is unknown.
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    compared: bool = True

    def changes(self) -> str:
        """What the build changed, for a summary line: "1 added, 2 changed, 1 removed"."""
        if not self.compared:
            return "changes unknown: the previous index could not be read"
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"


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
    windows: list[tuple[int, int]]  # per chunk, its (first, last) sentence, inclusive
    # Kept from the previous index when the text and the text rules are unchanged; None:
    # computed while writing.
    aliases: list[Alias] | None = None
    referents: list[tuple[str, ...]] | None = None
    previous_chunks: list[int] | None = None  # its chunks' numbers in the previous index


@dataclass(frozen=True)
class Previous:
    """The previous index's articles as plans, by content hash, to reuse rather than redo.

    Vectors are reused whenever the chunking matches; spans, aliases, referents and BM25
    counts only when the rules that make them (TEXT_RULES) were the same code (`same_rules`).
    """

    by_hash: dict[str, Planned] = field(default_factory=dict)
    same_rules: bool = False
    # Its BM25 and dense index, numbered by chunk as previous_chunks counts.
    sparse: BM25Index | None = None
    dense: DenseIndex | None = None
    # Every article of the previous index, id -> content hash, even when nothing can be reused:
    # what a build reports as added, changed and removed. None: there was one, unreadable.
    articles: dict[str, str] | None = field(default_factory=dict)


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
    require_sources(paths, index_dir)
    prepare_index_dir(index_dir)  # refuse a foreign folder before any slow work
    articles, skipped = read_articles(paths, exclude=[Path(index_dir)])
    require_articles(articles, skipped, paths, index_dir)
    previous = previous_index(index_dir, embedder, chunk_words, overlap_sentences)
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
        previous=previous,
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
    previous: Previous | None = None,
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
    try:
        staging.mkdir()
    except OSError as error:
        # The staging folder's name means nothing to the user: name the folder they chose.
        raise IndexWriteError(
            f"could not write the index at {index_dir}: {error.strerror or error} in "
            f"{index_dir.parent}. Choose another index folder (--index-dir or FOOTNOTE_INDEX_DIR)."
        ) from None
    try:
        source_names = [str(Path(p).resolve()) for p in sources]
        counts, dense_kind = _write(
            staging,
            plans,
            embedder,
            chunk_words,
            overlap_sentences,
            source_names,
            dense,
            previous or Previous(),
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
    added, changed, removed = _changes(plans, (previous or Previous()).articles)
    return BuildReport(
        articles=counts["articles"],
        chunks=counts["chunks"],
        sentences=counts["sentences"],
        embedded=embedded,
        reused=total - embedded,
        skipped=skipped,
        seconds=time.perf_counter() - started,
        dense=dense_kind,
        added=added,
        changed=changed,
        removed=removed,
        compared=(previous or Previous()).articles is not None,
    )


def require_sources(paths: Sequence[Path], index_dir: Path) -> None:
    """NoArticlesError unless every path exists: a build from a missing folder would write an
    index of nothing, which refuses every question."""
    if not paths:
        raise NoArticlesError(f"No files or folders of articles to index; {_untouched(index_dir)}.")
    missing = [str(p) for p in map(Path, paths) if not (p.exists() or p.is_symlink())]
    if missing:
        raise NoArticlesError(
            f"No such file or folder: {', '.join(missing)}; {_untouched(index_dir)}."
        )


def require_articles(
    articles: Sequence[Article], skipped: Sequence[Skipped], paths: Sequence[Path], index_dir: Path
) -> None:
    """NoArticlesError when `paths` held no article at all, saying why their files were not."""
    if articles:
        return
    why = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    found = f" ({len(skipped)} files skipped: {why}{more})" if skipped else ""
    raise NoArticlesError(
        f"Found no articles in {', '.join(str(p) for p in paths)}{found}; {_untouched(index_dir)}."
    )


def _untouched(index_dir: Path) -> str:
    if (Path(index_dir) / MANIFEST).exists():
        return f"the index at {index_dir} is unchanged"
    return "no index was written"


def _changes(
    plans: Sequence[Planned], before: dict[str, str] | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Article ids added, changed (same id, other text) and removed since `before`."""
    if before is None:
        return (), (), ()
    now = {plan.article.id: plan.hash for plan in plans}
    added = tuple(i for i in now if i not in before)
    changed = tuple(i for i in now if i in before and before[i] != now[i])
    removed = tuple(i for i in before if i not in now)
    return added, changed, removed


def prepare_index_dir(index_dir: Path) -> None:
    """Make `index_dir`'s parent, tidy up after killed builds, and refuse a folder that is not
    a Footnote index (replacing it would delete someone's files)."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover_and_clean(index_dir)
    _refuse_foreign_directory(index_dir)


def previous_index(
    index_dir: Path, embedder: Embedder, chunk_words: int, overlap_sentences: int
) -> Previous:
    """What a usable previous index at `index_dir` offers for reuse; empty if none."""
    try:
        index = open_index(index_dir, embedder)
    except IndexMissingError:
        return Previous()
    except FootnoteError:
        return Previous(articles=None)  # damaged or another model: everything is made afresh
    pairs = zip(index.article_order, index.hashes, strict=True)
    articles = {article.id: digest for article, digest in pairs}
    params = index.manifest
    if params["chunk_words"] != chunk_words or params["overlap_sentences"] != overlap_sentences:
        return Previous(articles=articles)
    if params.get("chunk_vectors") != CHUNK_VECTORS:
        return Previous(articles=articles)  # an index whose chunk vectors were made another way
    same_rules = params.get("text_rules") == text_rules() and index.sparse.counts is not None
    plans = _plans_by_hash(index)
    if not same_rules:
        return Previous(plans, articles=articles)
    return Previous(plans, True, index.sparse, index.dense, articles)


def _plans_by_hash(index: Index) -> dict[str, Planned]:
    """Each stored article as the plan that made it, previous_chunks its chunk rows."""
    chunk_vectors = index.dense.vectors()
    sentence_vectors = index.sentence_vectors  # float16, mapped: copied only when written
    plans = {}
    for number, digest in enumerate(index.hashes):
        chunk_low, chunk_high = index.chunk_range(number)
        low, high = index.sentence_range(number)
        plans[digest] = Planned(
            index.article_order[number],
            digest,
            chunk_spans=[(int(s), int(e)) for _, s, e in index.chunk_rows[chunk_low:chunk_high]],
            sentence_spans=[(int(s), int(e)) for _, s, e in index.sentence_rows[low:high]],
            chunk_vectors=chunk_vectors[chunk_low:chunk_high],
            sentence_vectors=sentence_vectors[low:high],
            windows=[
                (int(first) - low, int(last) - 1 - low)
                for first, last in index.chunk_sentences[chunk_low:chunk_high]
            ],
            aliases=index.article_aliases[number],
            referents=index.sentence_referents[low:high],
            previous_chunks=list(range(chunk_low, chunk_high)),
        )
    return plans


@functools.cache
def text_rules() -> str:
    """A digest of the code that turns text into sentences, chunks, aliases, referents and
    BM25 terms: an index made under other rules has its spans and counts made anew."""
    digest = hashlib.sha256()
    for module in TEXT_RULES:
        digest.update(Path(importlib.util.find_spec(module).origin).read_bytes())
    return digest.hexdigest()[:16]


def plan_article(
    article: Article, previous: Previous, chunk_words: int, overlap_sentences: int
) -> Planned:
    """`article`'s sentences and chunks, with whatever the previous index can lend them."""
    digest = content_hash(article.text)
    stored = previous.by_hash.get(digest)
    if stored is not None and previous.same_rules:
        return dataclasses.replace(stored, article=article)  # its id or title may be new
    sentences = split_sentences(article.text)
    # The same windows chunk_article makes, without splitting the text into sentences twice.
    windows = sentence_windows(article.text, sentences, chunk_words, overlap_sentences)
    chunks = [(sentences[first][0], sentences[last][1]) for first, last in windows]
    chunk_vectors = sentence_vectors = None
    if stored is not None and (
        len(stored.chunk_vectors) == len(chunks) and len(stored.sentence_vectors) == len(sentences)
    ):
        chunk_vectors, sentence_vectors = stored.chunk_vectors, stored.sentence_vectors
    return Planned(article, digest, chunks, sentences, chunk_vectors, sentence_vectors, windows)


def embed_plans(
    plans: list[Planned], embedder: Embedder, progress: bool = False
) -> tuple[list[Planned], int]:
    """`plans` with every missing vector filled in, and how many texts (chunks plus sentences)
    got new vectors.

    Only the sentences are encoded (packed, so each token goes through the encoder once); a
    chunk's vector is the mean token state over its sentences, since chunks are runs of whole
    sentences. Encoding chunks as well would cost a second pass, for held-out retrieval within
    0.5 point of this (README, Speed). Articles are encoded in groups of about GROUP_TEXTS
    sentences, so `progress` can count articles done, with an ETA, rather than encoder batches.
    """
    from tqdm import tqdm

    missing = [n for n, plan in enumerate(plans) if plan.chunk_vectors is None]
    plans = list(plans)
    bar = tqdm(
        total=len(missing),
        desc="Embedding new or changed articles",
        unit="article",
        disable=not progress or not missing,
    )
    with bar:
        for group in _groups(missing, [len(plan.sentence_spans) for plan in plans]):
            texts = [plans[n].article.text[s:e] for n in group for s, e in plans[n].sentence_spans]
            pooled = embedder.encode_pooled(texts)
            offset = 0
            for n in group:
                plan = plans[n]
                count = len(plan.sentence_spans)
                windows = [(offset + first, offset + last + 1) for first, last in plan.windows]
                plans[n] = dataclasses.replace(
                    plan,
                    chunk_vectors=pooled.span_vectors(windows),
                    sentence_vectors=pooled.vectors[offset : offset + count],
                )
                offset += count
            bar.update(len(group))
    return plans, sum(len(plans[n].chunk_spans) + len(plans[n].sentence_spans) for n in missing)


# Sentences encoded per call: enough to pack the encoder's batches full (2,048 sentences fill
# about 250 sequences of 256 tokens), few enough that progress moves every few seconds.
GROUP_TEXTS = 2048


def _groups(numbers: list[int], sizes: list[int]) -> list[list[int]]:
    """`numbers` in order, cut into runs of about GROUP_TEXTS texts (never splitting one)."""
    groups: list[list[int]] = []
    total = GROUP_TEXTS
    for n in numbers:
        if total >= GROUP_TEXTS:
            groups.append([])
            total = 0
        groups[-1].append(n)
        total += sizes[n]
    return groups


def _write(
    staging: Path,
    plans: list[Planned],
    embedder: Embedder,
    chunk_words: int,
    overlap: int,
    sources: list[str],
    dense_kind: str,
    previous: Previous,
) -> tuple[dict[str, int], str]:

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
    BM25Index.build_reusing(_bm25_documents(plans, previous.sparse), previous.sparse).save(
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
        _fsync(staging / name)
    _fsync(staging)
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


def _bm25_documents(
    plans: list[Planned], previous_sparse: BM25Index | None
) -> list[list[str] | int]:
    """Per chunk, in row order: its BM25 terms, or its document number in `previous_sparse`
    when its article is unchanged (its counts are kept rather than tokenized again)."""
    documents: list[list[str] | int] = []
    for plan in plans:
        if plan.previous_chunks is not None and previous_sparse is not None:
            documents += plan.previous_chunks
        else:
            documents += [terms(plan.article.text[s:e]) for s, e in plan.chunk_spans]
    return documents


def _write_aliases_and_referents(staging: Path, plans: list[Planned]) -> None:
    """Each article's aliases, and each sentence's referents in sentence-row order: kept from
    the previous index for unchanged articles under unchanged rules, else read afresh."""
    aliases, referents = [], []
    for plan in plans:
        if plan.aliases is not None and plan.referents is not None:
            found, resolved = plan.aliases, plan.referents
        else:
            found = find_aliases(plan.article.text)
            resolved = resolve_referents(plan.article.text, plan.sentence_spans, found)
        aliases.append([[alias.short, alias.long] for alias in found])
        referents += resolved
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
