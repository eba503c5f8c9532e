"""The hand-off from retrieval to reading: each hit's passage read from the index once."""

from __future__ import annotations

import numpy as np
import pytest

from index import passages_of
from index.sentences import Sentence


def test_each_passage_holds_its_hit_sentences_vectors_and_article(engine):
    index = engine.index
    vector = engine.embedder.encode(["Who leads the RCN?"])[0]
    hits = index.searcher.search("Who leads the RCN?", k=5, query_vector=vector)
    passages = passages_of(index, hits)
    assert passages.hits == hits and len(passages) == len(hits)
    for passage, hit in zip(passages, hits, strict=True):
        sentences, vectors = index.sentences_in(hit.chunk)
        assert passage.chunk == hit.chunk and list(passage.sentences) == sentences
        assert np.array_equal(passage.vectors, vectors)
        assert passage.article is index.articles[hit.chunk.article_id]
        assert passages.article(hit.chunk.article_id) is passage.article
    with pytest.raises(KeyError):
        passages.article("no-such-article")
    assert not passages_of(index, [])


def test_the_lexicon_answers_from_the_index(engine):
    index = engine.index
    lexicon = passages_of(index, []).lexicon
    assert lexicon.n_docs == index.sparse.n_docs
    known = next(iter(index.sparse.vocab))
    assert lexicon.idf(known) == index.sparse.idf(known)
    assert lexicon.idf("zzzunseen") is None
    assert lexicon.expand("Who leads the RCN?") == index.expand("Who leads the RCN?")
    assert lexicon.referents(Sentence("no-such-article", 0, 5, "")) == ()
