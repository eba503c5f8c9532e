"""The index folder on disk: the name of every file in it, its manifest, and its checks.

Building writes the folder (`index/writing.py`), `index/opening.py` reads it, and
`index/swapping.py` refuses to replace a folder holding anything else; all three name its
files from here:

    manifest.json       format version, model, chunking, counts, the sources it was built
                        from, and every other file's size and sha256
    articles.jsonl      one article a line: id, title, date, source, outlet, hash, text
    chunks.npy          int64 (n, 3): article number, start, end
    dense.faiss         the chunk vectors (FAISS: flat, IVF or HNSW)
    sentence_spans.npy  int64 (m, 3): article number, start, end
    sentences.npy       float16 (m, dim): a vector per sentence
    bm25.npz            BM25 weights (sparse, a term a row, a chunk a column), idf, parameters
    bm25_vocab.json     the BM25 terms, in row order
    aliases.json        per article, its [short, long] pairs
    referents.json      per sentence row, the names its pronouns refer to
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.checksums import file_digest
from index.errors import IndexCorruptError, IndexMissingError

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


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The parsed manifest, or IndexMissingError / IndexCorruptError."""
    if not index_dir.exists() or (index_dir.is_dir() and not any(index_dir.iterdir())):
        raise IndexMissingError(
            f"No index at {index_dir}. Build one with `footnote index [PATH ...]`."
        )
    if not index_dir.is_dir():
        raise damaged(index_dir, "it is a file, not a directory")
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise damaged(index_dir, f"{MANIFEST} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise damaged(index_dir, f"{MANIFEST} is unreadable: {error}") from None
    required = ("format_version", "model", "dim", "chunk_words", "overlap_sentences", "files")
    if not isinstance(manifest, dict) or any(key not in manifest for key in required):
        raise damaged(index_dir, f"{MANIFEST} is incomplete")
    if manifest["format_version"] != FORMAT_VERSION:
        raise damaged(
            index_dir,
            f"format version {manifest['format_version']}, this Footnote reads {FORMAT_VERSION}",
        )
    return manifest


def index_sources(index_dir: Path) -> list[Path]:
    """The files and folders the index at `index_dir` was built from; [] if unknown."""
    try:
        return [Path(p) for p in read_manifest(index_dir).get("sources", [])]
    except (IndexMissingError, IndexCorruptError):
        return []


def verify_files(index_dir: Path, manifest: dict[str, Any]) -> None:
    """IndexCorruptError unless every data file is there with the size and sha256 that
    `manifest` lists for it."""
    files = manifest["files"]
    for name in DATA_FILES:
        expected = files.get(name) if isinstance(files, dict) else None
        path = index_dir / name
        if not isinstance(expected, dict):
            raise damaged(index_dir, f"{MANIFEST} does not list {name}")
        if not path.is_file():
            raise damaged(index_dir, f"{name} is missing")
        size = path.stat().st_size
        if size != expected.get("bytes"):
            raise damaged(index_dir, f"{name} is {size} bytes, expected {expected.get('bytes')}")
        if file_digest(path) != expected.get("sha256"):
            raise damaged(index_dir, f"{name} does not match its checksum")


def damaged(index_dir: Path, reason: str) -> IndexCorruptError:
    """The error for a damaged index folder, saying why and how to rebuild it."""
    return IndexCorruptError(f"The index at {index_dir} is damaged ({reason}). {REBUILD_HINT}")
