"""What retrieval hands to reading: a question's passages, each read from the index once, and
the small lexicon of the corpus they came from.

Answering reads a hit's sentences three times (candidates, windows, quotes) and its article's
text, title and date besides; `passages_of` fetches them once, so the answering stages take
`Passages` and never reach back into the `Index`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.articles import Article
from index.chunking import Chunk
from index.search import Hit
from index.sentences import Sentence

if TYPE_CHECKING:
    from index.index import Index


class Lexicon(Protocol):
    """What answering asks of the corpus besides its passages: how rare a word is, how many
    documents there are, the aliases a question uses, and whom a sentence's pronouns mean."""

    @property
    def n_docs(self) -> int:
        """The number of documents (chunks) the IDFs are counted over."""
        ...

    def idf(self, stem: str) -> float | None:
        """The BM25 IDF of `stem`; None for a stem the corpus has never seen."""
        ...

    def expand(self, text: str) -> str:
        """`text` with each alias it mentions followed once by its other form in brackets."""
        ...

    def referents(self, sentence: Sentence) -> tuple[str, ...]:
        """The names `sentence` refers to by "she", "it", "the union"; () for none."""
        ...


class IndexLexicon:
    """The Lexicon of an opened Index: its BM25 statistics, aliases and referents."""

    def __init__(self, index: Index) -> None:
        self._index = index

    @property
    def n_docs(self) -> int:
        return self._index.sparse.n_docs

    def idf(self, stem: str) -> float | None:
        sparse = self._index.sparse
        return sparse.idf(stem) if stem in sparse.vocab else None

    def expand(self, text: str) -> str:
        return self._index.expand(text)

    def referents(self, sentence: Sentence) -> tuple[str, ...]:
        return self._index.referents(sentence)


# eq=False: passages are told apart by identity (one per hit), as comparing their vectors
# element by element would be neither cheap nor a truth value.
@dataclass(frozen=True, eq=False)
class Passage:
    """One retrieved passage: its hit, the sentences inside it in order with their (n, dim)
    float32 vectors, and the article it is from (text, title, date, outlet)."""

    hit: Hit
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray
    article: Article

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk


@dataclass(frozen=True, eq=False)
class Passages:
    """A question's passages in the order retrieval ranked them, and the corpus's lexicon."""

    items: tuple[Passage, ...]
    lexicon: Lexicon

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Passage]:
        return iter(self.items)

    def __getitem__(self, position: int) -> Passage:
        return self.items[position]

    @property
    def hits(self) -> list[Hit]:
        return [p.hit for p in self.items]

    def article(self, article_id: str) -> Article:
        """The article `article_id`, one of the passages' own."""
        for passage in self.items:
            if passage.article.id == article_id:
                return passage.article
        raise KeyError(article_id)


def passages_of(index: Index, hits: Sequence[Hit]) -> Passages:
    """The passages of `hits` (chunks of `index`), read from the index once, in their order."""
    items = []
    for hit in hits:
        sentences, vectors = index.sentences_in(hit.chunk)
        article = index.articles[hit.chunk.article_id]
        items.append(Passage(hit, tuple(sentences), vectors, article))
    return Passages(tuple(items), IndexLexicon(index))


__all__ = ["IndexLexicon", "Lexicon", "Passage", "Passages", "passages_of"]
