"""Footnote's index: articles in, chunks, vectors and BM25 out, searched by Searcher.

Importing this package is cheap: modules that pull in torch, sentence-transformers or FAISS
are imported on first use of the name that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from index.aliases import Alias, Aliases, find_aliases
from index.articles import Article, Skipped, read_articles
from index.chunking import Chunk, chunk_article
from index.errors import (
    FootnoteError,
    IndexCorruptError,
    IndexMissingError,
    ModelLoadError,
    ModelMismatchError,
    NoArticlesError,
)
from index.fusion import rrf_fusion, weighted_fusion
from index.passages import Lexicon, Passage, Passages, passages_of
from index.referents import resolve_referents
from index.search import Hit, RetrievalConfig, Searcher
from index.sentences import Sentence, split_sentences
from index.tokens import terms, tokenize

if TYPE_CHECKING:
    from index.build import BuildReport, build_index
    from index.dense import DenseIndex
    from index.distributed import build_index_on_ray
    from index.embedder import Embedder
    from index.index import Index
    from index.opening import open_index
    from index.planning import CHUNK_VECTORS
    from index.sparse import BM25Index

_LAZY = {
    "CHUNK_VECTORS": "index.planning",
    "BuildReport": "index.build",
    "build_index": "index.build",
    "build_index_on_ray": "index.distributed",
    "DenseIndex": "index.dense",
    "Embedder": "index.embedder",
    "BM25Index": "index.sparse",
    "Index": "index.index",
    "open_index": "index.opening",
}

__all__ = [
    "Alias",
    "Aliases",
    "Article",
    "BM25Index",
    "BuildReport",
    "CHUNK_VECTORS",
    "Chunk",
    "DenseIndex",
    "Embedder",
    "FootnoteError",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexMissingError",
    "Lexicon",
    "ModelLoadError",
    "ModelMismatchError",
    "NoArticlesError",
    "Passage",
    "Passages",
    "RetrievalConfig",
    "Searcher",
    "Sentence",
    "Skipped",
    "build_index",
    "build_index_on_ray",
    "chunk_article",
    "find_aliases",
    "open_index",
    "passages_of",
    "read_articles",
    "resolve_referents",
    "rrf_fusion",
    "split_sentences",
    "terms",
    "tokenize",
    "weighted_fusion",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
