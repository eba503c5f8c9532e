"""Index store: the on-disk index directory, verified against its manifest when opened."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.aliases import Alias, Aliases
from index.articles import Article
from index.chunking import Chunk
from index.errors import IndexCorruptError, IndexMissingError, ModelMismatchError
from index.mapping import MAP_FROM_BYTES, MappedFile, load_array, mapped_file
from index.scope import ArticleFacts, Scope
from index.search import Searcher, SentenceVectors
from index.sentences import Sentence
from index.sparse import BM25Index

if TYPE_CHECKING:
    from index.dense import DenseIndex
    from index.embedder import Embedder

FORMAT_VERSION = 4  # 2: BM25 indexes stems; 3: aliases and referents; 4: outlets
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"
CHUNKS = "chunks.npy"  # int64 (n, 3): article number, start, end
DENSE = "dense.faiss"  # chunk vectors
SENTENCE_SPANS = "sentence_spans.npy"  # int64 (m, 3): article number, start, end
SENTENCE_VECTORS = "sentences.npy"  # float16 (m, dim): half the disk, ample for cosines
BM25_MATRIX = "bm25.npz"
BM25_VOCAB = "bm25_vocab.json"
ALIASES = "aliases.json"  # per article, its [short, long] pairs
REFERENTS = "referents.json"  # per sentence row, the names its pronouns refer to
DATA_FILES = (
    ARTICLES,
    CHUNKS,
    DENSE,
    SENTENCE_SPANS,
    SENTENCE_VECTORS,
    BM25_MATRIX,
    BM25_VOCAB,
    ALIASES,
    REFERENTS,
)
REBUILD_HINT = "Rebuild it with `footnote index`."


class Index:
    """An opened index: articles, chunks, both retrievers, the per-sentence vectors, and what
    the text says besides: the aliases it defines and whom each sentence's pronouns mean."""

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        articles: list[Article],
        hashes: list[str],
        chunk_rows: np.ndarray,
        dense: DenseIndex,
        sparse: BM25Index,
        sentence_rows: np.ndarray,
        sentence_vectors: np.ndarray,
        article_aliases: list[list[Alias]],
        sentence_referents: list[tuple[str, ...]],
        embedder: Embedder,
        mapped: Sequence[MappedFile] = (),
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.articles: dict[str, Article] = {article.id: article for article in articles}
        self.article_order = articles
        self.hashes = hashes  # content hash of article_order[i]
        self.chunk_rows = chunk_rows
        self.chunks: list[Chunk] = [
            Chunk(articles[a].id, int(s), int(e), articles[a].text[s:e]) for a, s, e in chunk_rows
        ]
        self.dense = dense
        self.sparse = sparse
        self.sentence_rows = sentence_rows
        self.sentence_vectors = sentence_vectors
        self.chunk_sentences = _sentences_of_chunks(chunk_rows, sentence_rows)
        self.article_aliases = article_aliases  # article_order[i]'s own aliases
        self.aliases = Aliases(alias for aliases in article_aliases for alias in aliases)
        self.searcher = Searcher(
            self.chunks,
            dense,
            sparse,
            embedder,
            SentenceVectors(sentence_vectors, self.chunk_sentences),
            aliases=self.aliases,
        )
        self._chunk_number = {(c.article_id, c.start, c.end): n for n, c in enumerate(self.chunks)}
        self._article_number = {article.id: n for n, article in enumerate(articles)}
        self.sentence_referents = sentence_referents  # per sentence row
        self.mapped = tuple(mapped)  # the files read through memory maps, not copied
        self.facts = ArticleFacts(articles, chunk_rows[:, 0])

    def allowed(self, scope: Scope) -> np.ndarray | None:
        """Per chunk, whether it may be evidence within `scope`; None: every chunk may."""
        return self.facts.allowed(scope)

    def check_files(self) -> None:
        """IndexCorruptError if a memory-mapped file has changed size since it was opened:
        reading it could end the process with a Bus error. Cheap (a stat a file): call it
        before each question."""
        for handle in self.mapped:
            if reason := handle.damage():
                raise _corrupt(self.path, reason)

    def expand(self, text: str) -> str:
        """`text` with each alias it mentions followed once by its other form in brackets:
        "Who leads the RCN?" -> "Who leads the RCN (Royal College of Nursing)?"."""
        return self.aliases.expand(text)

    def referents(self, sentence: Sentence) -> tuple[str, ...]:
        """The names `sentence` (one of the stored sentences) refers to by "she", "it", "the
        union" and the like, as `index.referents.resolve_referents` finds them; () for none,
        or for a span that is not a stored sentence."""
        number = self._article_number.get(sentence.article_id)
        if number is None:
            return ()
        low, high = self.sentence_range(number)
        row = low + int(np.searchsorted(self.sentence_rows[low:high, 1], sentence.start))
        if row < high and tuple(self.sentence_rows[row, 1:]) == (sentence.start, sentence.end):
            return self.sentence_referents[row]
        return ()

    def sentences_in(self, chunk: Chunk) -> tuple[list[Sentence], np.ndarray]:
        """The sentences lying inside `chunk` (one of self.chunks), in order, and their (n, dim)
        float32 vectors."""
        first, last = self.chunk_sentences[
            self._chunk_number[chunk.article_id, chunk.start, chunk.end]
        ]
        text = self.articles[chunk.article_id].text
        sentences = [
            Sentence(chunk.article_id, int(s), int(e), text[s:e])
            for _, s, e in self.sentence_rows[first:last]
        ]
        return sentences, self.sentence_vectors[first:last].astype(np.float32)

    def sentence_range(self, article_number: int) -> tuple[int, int]:
        """Rows [low, high) of the sentence arrays that belong to one article."""
        column = self.sentence_rows[:, 0]
        low = int(np.searchsorted(column, article_number, side="left"))
        high = int(np.searchsorted(column, article_number, side="right"))
        return low, high

    def chunk_range(self, article_number: int) -> tuple[int, int]:
        """Rows [low, high) of the chunk arrays that belong to one article."""
        column = self.chunk_rows[:, 0]
        low = int(np.searchsorted(column, article_number, side="left"))
        high = int(np.searchsorted(column, article_number, side="right"))
        return low, high

    def __repr__(self) -> str:
        counts = self.manifest.get("counts", {})
        return f"Index({str(self.path)!r}, {counts})"


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
            f"The index at {index_dir} was built with model {manifest['model']}, but the "
            f"configured model is {embedder.name}. Rebuild with `footnote index`, or set "
            f"FOOTNOTE_MODEL={manifest['model']}."
        )
    _verify_files(index_dir, manifest)
    try:
        return _load(index_dir, manifest, embedder, map_from)
    except IndexCorruptError:
        raise
    except Exception as error:  # any parse failure of a checksummed file is damage
        raise _corrupt(index_dir, f"could not read it: {error}") from error


def index_sources(index_dir: Path) -> list[Path]:
    """The files and folders the index at `index_dir` was built from; [] if unknown."""
    try:
        return [Path(p) for p in read_manifest(index_dir).get("sources", [])]
    except (IndexMissingError, IndexCorruptError):
        return []


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The parsed manifest, or IndexMissingError / IndexCorruptError."""
    if not index_dir.exists() or (index_dir.is_dir() and not any(index_dir.iterdir())):
        raise IndexMissingError(
            f"No index at {index_dir}. Build one with `footnote index [PATH ...]`."
        )
    if not index_dir.is_dir():
        raise _corrupt(index_dir, "it is a file, not a directory")
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _corrupt(index_dir, f"{MANIFEST} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _corrupt(index_dir, f"{MANIFEST} is unreadable: {error}") from None
    required = ("format_version", "model", "dim", "chunk_words", "overlap_sentences", "files")
    if not isinstance(manifest, dict) or any(key not in manifest for key in required):
        raise _corrupt(index_dir, f"{MANIFEST} is incomplete")
    if manifest["format_version"] != FORMAT_VERSION:
        raise _corrupt(
            index_dir,
            f"format version {manifest['format_version']}, this Footnote reads {FORMAT_VERSION}",
        )
    return manifest


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_files(index_dir: Path, manifest: dict[str, Any]) -> None:
    files = manifest["files"]
    for name in DATA_FILES:
        expected = files.get(name) if isinstance(files, dict) else None
        path = index_dir / name
        if not isinstance(expected, dict):
            raise _corrupt(index_dir, f"{MANIFEST} does not list {name}")
        if not path.is_file():
            raise _corrupt(index_dir, f"{name} is missing")
        size = path.stat().st_size
        if size != expected.get("bytes"):
            raise _corrupt(index_dir, f"{name} is {size} bytes, expected {expected.get('bytes')}")
        if file_digest(path) != expected.get("sha256"):
            raise _corrupt(index_dir, f"{name} does not match its checksum")


def _load(index_dir: Path, manifest: dict[str, Any], embedder: Embedder, map_from: int) -> Index:
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
    for handle in mapped:  # truncated since _verify_files read it?
        if reason := handle.damage():
            raise _corrupt(index_dir, reason)
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
            raise _corrupt(index_dir, f"its {what} does not match the manifest")
    return Index(
        index_dir,
        manifest,
        articles,
        hashes,
        chunk_rows,
        dense,
        sparse,
        sentence_rows,
        sentence_vectors,
        aliases,
        referents,
        embedder,
        mapped,
    )


def _sentences_of_chunks(chunk_rows: np.ndarray, sentence_rows: np.ndarray) -> np.ndarray:
    """(n_chunks, 2): the rows [first, last) of the sentences lying inside each chunk.

    Rows are sorted by (article, start) and sentences don't overlap, so one key per row orders
    both starts and ends, and two binary searches find every chunk's sentences at once.
    """
    shift = np.int64(1) << 40  # beyond any character offset
    starts = sentence_rows[:, 0] * shift + sentence_rows[:, 1]
    ends = sentence_rows[:, 0] * shift + sentence_rows[:, 2]
    first = np.searchsorted(starts, chunk_rows[:, 0] * shift + chunk_rows[:, 1], side="left")
    last = np.searchsorted(ends, chunk_rows[:, 0] * shift + chunk_rows[:, 2], side="right")
    return np.stack([first, np.maximum(first, last)], axis=1)


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


def _corrupt(index_dir: Path, reason: str) -> IndexCorruptError:
    return IndexCorruptError(f"The index at {index_dir} is damaged ({reason}). {REBUILD_HINT}")
