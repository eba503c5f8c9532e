"""Search as the engine does: encode the query with the real embedder, then search with its
vector. Searcher.search takes the vector; only the tests start from text alone."""

from __future__ import annotations

from typing import Any

from index.embedder import Embedder
from index.search import Hit, Searcher


def search(
    searcher: Searcher, embedder: Embedder, query: str, k: int = 5, **options: Any
) -> list[Hit]:
    """`searcher.search(query, k, **options)` with the query's vector; none for "bm25" alone."""
    vector = None if options.get("method") == "bm25" else embedder.encode([query])[0]
    return searcher.search(query, k, query_vector=vector, **options)
