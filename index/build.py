"""Building: articles in, a complete index folder out, swapped into place atomically.

`build_index` reads the articles, then runs the stages, each in its own module:

    plan   (index/planning.py)   each article's sentences and chunks, and what the previous
                                 index can lend them
    embed  (index/planning.py)   vectors for the text the previous index could not lend
    write  (index/writing.py)    the files of index/index_folder.py, into a staging folder
    swap   (index/swapping.py)   the staging folder renamed into place

`write_index` is the last two, shared with the Ray build (index/distributed.py), so every
builder writes the same format.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.articles import Article, Skipped, read_articles
from index.embedder import Embedder
from index.errors import FootnoteError, NoArticlesError
from index.index_folder import MANIFEST
from index.planning import Planned, Previous, embed_plans, plan_article, previous_index
from index.swapping import prepare_index_dir, staging_dir, swap_in
from index.writing import write_files


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
    staging = staging_dir(index_dir)
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
        counts, dense_kind = write_files(
            staging,
            plans,
            embedder,
            chunk_words,
            overlap_sentences,
            source_names,
            dense,
            previous or Previous(),
        )
        swap_in(staging, index_dir)
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
