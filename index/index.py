"""An opened index: the Index every search and every answer reads from.

`index.opening.open_index` makes one from a verified index folder (`index/index_folder.py`);
nothing else constructs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.aliases import Alias, Aliases
from index.articles import Article
from index.chunking import Chunk
from index.index_folder import damaged
from index.mapping import MappedFile
from index.scope import ArticleFacts, Scope
from index.search import Searcher, SentenceVectors
from index.sentences import Sentence
from index.sparse import BM25Index

if TYPE_CHECKING:
    from index.dense import DenseIndex


@dataclass(frozen=True)
class IndexParts:
    """What an index folder holds, read and verified by `index.opening.open_index`: the
    articles with their content hashes, the chunk and sentence rows (article number, start,
    end), both retrievers, the sentence vectors, each article's aliases and each sentence's
    referents, and the files read through memory maps rather than copied."""

    articles: list[Article]
    hashes: list[str]
    chunk_rows: np.ndarray  # (chunks, 3)
    dense: DenseIndex
    sparse: BM25Index
    sentence_rows: np.ndarray  # (sentences, 3)
    sentence_vectors: np.ndarray  # (sentences, dim) float16
    article_aliases: list[list[Alias]]
    sentence_referents: list[tuple[str, ...]]
    mapped: tuple[MappedFile, ...] = ()


class Index:
    """An opened index: articles, chunks, both retrievers, the per-sentence vectors, and what
    the text says besides: the aliases it defines and whom each sentence's pronouns mean."""

    def __init__(self, path: Path, manifest: dict[str, Any], parts: IndexParts) -> None:
        self.path = path
        self.manifest = manifest
        articles, chunk_rows, sentence_rows = parts.articles, parts.chunk_rows, parts.sentence_rows
        self.articles: dict[str, Article] = {article.id: article for article in articles}
        self.article_order = articles
        self.hashes = parts.hashes  # content hash of article_order[i]
        self.chunk_rows = chunk_rows
        self.chunks: list[Chunk] = [
            Chunk(articles[a].id, int(s), int(e), articles[a].text[s:e]) for a, s, e in chunk_rows
        ]
        self.dense = parts.dense
        self.sparse = parts.sparse
        self.sentence_rows = sentence_rows
        self.sentence_vectors = parts.sentence_vectors
        self.chunk_sentences = _sentences_of_chunks(chunk_rows, sentence_rows)
        self.article_aliases = parts.article_aliases  # article_order[i]'s own aliases
        self.aliases = Aliases(alias for aliases in parts.article_aliases for alias in aliases)
        self.searcher = Searcher(
            self.chunks,
            parts.dense,
            parts.sparse,
            SentenceVectors(parts.sentence_vectors, self.chunk_sentences),
            aliases=self.aliases,
        )
        self._chunk_number = {(c.article_id, c.start, c.end): n for n, c in enumerate(self.chunks)}
        self._article_number = {article.id: n for n, article in enumerate(articles)}
        self.sentence_referents = parts.sentence_referents  # per sentence row
        self.mapped = parts.mapped  # the files read through memory maps, not copied
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
                raise damaged(self.path, reason)

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
