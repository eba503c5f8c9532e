"""The index an evaluation runs against: the configured one, or a cache for a set's own corpus."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from bot.evaluation.datasets import HOLD_OUT_EVERY, Dataset
from bot.footnote import corpus_of
from bot.settings import Settings
from index import (
    CHUNK_VECTORS,
    Embedder,
    Index,
    IndexCorruptError,
    IndexMissingError,
    ModelMismatchError,
    build_index,
    open_index,
)
from index.cache_folder import cache_folder

Announce = Callable[[str], None]


def default_cache_root() -> Path:
    """~/.cache/footnote/eval, or under $XDG_CACHE_HOME when that is set."""
    return cache_folder("eval")


def cache_dir_for(dataset: Dataset, settings: Settings, cache_root: Path) -> Path:
    """One folder per (set content, held-out titles, model, chunking, how chunk vectors are
    made), so reruns reuse the index."""
    key = "|".join(
        [
            dataset.sha256,
            str(HOLD_OUT_EVERY),
            settings.embedder,
            str(settings.chunk_words),
            str(settings.chunk_overlap_sentences),
            CHUNK_VECTORS,
        ]
    )
    return cache_root / hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def open_eval_index(
    dataset: Dataset,
    settings: Settings,
    embedder: Embedder,
    *,
    cache_root: Path | None = None,
    announce: Announce | None = None,
) -> tuple[Index, Path]:
    """The index to score `dataset` against, and where it lives; built when missing or stale."""
    if not dataset.brings_corpus:
        return _open_or_build(settings.index_dir, corpus_of(settings), settings, embedder, announce)
    folder = cache_dir_for(dataset, settings, cache_root or default_cache_root())
    corpus = folder / "corpus.jsonl"
    if not corpus.is_file():
        _write_corpus(dataset, corpus)
    return _open_or_build(folder / "index", [corpus], settings, embedder, announce)


def _open_or_build(
    index_dir: Path,
    paths: list[Path],
    settings: Settings,
    embedder: Embedder,
    announce: Announce | None,
) -> tuple[Index, Path]:
    try:
        return open_index(index_dir, embedder), index_dir
    except (IndexMissingError, IndexCorruptError, ModelMismatchError) as error:
        if announce:
            what = ", ".join(str(p) for p in paths)
            announce(f"Building the evaluation index at {index_dir} from {what} ({error}).")
    build_index(
        paths,
        index_dir,
        embedder,
        chunk_words=settings.chunk_words,
        overlap_sentences=settings.chunk_overlap_sentences,
        progress=announce is not None,
    )
    return open_index(index_dir, embedder), index_dir


def _write_corpus(dataset: Dataset, path: Path) -> None:
    """The set's articles as JSONL records, written whole then renamed so a crash leaves nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for article in dataset.articles:
            record = {"id": article.id, "title": article.title, "text": article.text}
            # Dates and outlets stay (eval/news asks about time); SQuAD's have none to add.
            extra = {"date": article.date, "source": article.outlet}
            record |= {key: value for key, value in extra.items() if value}
            out.write(json.dumps(record) + "\n")  # ASCII escapes keep one record per line
    tmp.replace(path)


__all__ = ["cache_dir_for", "default_cache_root", "open_eval_index"]
