"""BM25: scores equal to rank_bm25's BM25Okapi, fast top-k, idf, save/load; and tokenize."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import BM25Index, tokenize


def zipf_corpus(rng: np.random.Generator, n_docs: int, vocab: int, max_len: int) -> list[list[str]]:
    words = np.array([f"w{i}" for i in range(vocab)])
    lengths = rng.integers(0, max_len, size=n_docs)
    ids = (rng.zipf(1.3, size=int(lengths.sum())) - 1) % vocab
    tokens = words[ids].tolist()
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [tokens[bounds[i] : bounds[i + 1]] for i in range(n_docs)]


def test_tokenize_lowercases_drops_stopwords_and_folds_apostrophes():
    text = "The nurses' union’s boss said: don't stop the 24-hour strikes in 2013, O'Brien!"
    assert tokenize(text) == [
        "nurses",
        "union",
        "boss",
        "said",
        "stop",
        "24",
        "hour",
        "strikes",
    ] + [
        "2013",
        "o'brien",
    ]
    assert tokenize("Café Zürich") == ["café", "zürich"]
    assert tokenize("the of and") == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_equal_rank_bm25(seed):
    rng = np.random.default_rng(seed)
    corpus = zipf_corpus(rng, n_docs=300, vocab=400, max_len=50)
    oracle = BM25Okapi(corpus)
    index = BM25Index.build(corpus)
    vocabulary = sorted({t for doc in corpus for t in doc})
    queries = [list(rng.choice(vocabulary, size=rng.integers(1, 8))) for _ in range(10)]
    queries += [["w0", "w0", "w3"], ["w1", "unknown-token"], ["unknown-token"], []]
    for query in queries:
        np.testing.assert_allclose(index.scores(query), oracle.get_scores(query), rtol=1e-9)
    # The most common words have negative raw idf: both floor them to eps * average idf.
    for token in ["w0", "w1", "w5", vocabulary[-1]]:
        assert index.idf(token) == pytest.approx(oracle.idf[token])
    assert index.idf("unknown-token") == 0.0


def test_top_is_the_best_k_with_ties_to_the_lower_id():
    corpus = [["a"], ["b", "b"], ["a", "c"], ["a"], [], ["c", "c", "c"], ["d"], ["e"]]
    index = BM25Index.build(corpus)
    ids, scores = index.top(["a"], 2)
    all_scores = index.scores(["a"])
    assert ids.tolist() == [0, 3]  # docs 0 and 3 tie; doc 2 is longer
    np.testing.assert_allclose(scores, all_scores[[0, 3]])
    ids, _ = index.top(["a", "c"], 10)
    assert sorted(ids.tolist()) == list(range(8))
    assert index.top(["a"], 0)[0].size == 0


def test_save_and_load_round_trip(tmp_path):
    corpus = zipf_corpus(np.random.default_rng(3), n_docs=50, vocab=80, max_len=20)
    index = BM25Index.build(corpus)
    index.save(tmp_path / "bm25.npz", tmp_path / "vocab.json")
    loaded = BM25Index.load(tmp_path / "bm25.npz", tmp_path / "vocab.json")
    for query in (["w0", "w2"], ["w7", "w7", "w40"]):
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
    assert loaded.idf("w2") == index.idf("w2")


def test_empty_corpus_scores_nothing():
    index = BM25Index.build([])
    assert index.scores(["a"]).shape == (0,)
    assert index.top(["a"], 5)[0].size == 0


def test_a_100k_document_index_finds_the_best_document():
    # Timing is measured by the benchmark script; here the large index must simply be right.
    rng = np.random.default_rng(7)
    corpus = zipf_corpus(rng, n_docs=100_000, vocab=30_000, max_len=30)
    index = BM25Index.build(corpus)
    assert index.n_docs == 100_000
    for query in (["w5", "w900"], ["w12", "w12", "w29999", "w250"], ["w3"]):
        scores = index.scores(query)
        ids, top_scores = index.top(query, 10)
        assert ids[0] == int(np.argmax(scores))
        assert np.all(np.diff(top_scores) <= 0)
        np.testing.assert_allclose(top_scores, np.sort(scores)[::-1][:10])


def test_a_rebuild_keeping_documents_scores_as_a_fresh_build():
    old = [["strike", "nurses", "pay"], ["rail", "strike", "strike"], ["school", "vote"]]
    previous = BM25Index.build(old)
    # Keep documents 2 and 0 (in that order), drop 1, add two new ones.
    corpus = [2, ["union", "vote", "pay"], 0, ["rail", "rail", "talks"]]
    reused = BM25Index.build_reusing(corpus, previous)
    fresh = BM25Index.build([old[2], corpus[1], old[0], corpus[3]])
    for query in (["strike"], ["vote", "pay"], ["rail", "talks"], ["school"]):
        assert np.allclose(reused.scores(query), fresh.scores(query))
    assert "strike" in reused.vocab and reused.idf("rail") == fresh.idf("rail")
    assert sorted(reused.vocab) == sorted(fresh.vocab)  # nothing of the dropped one lingers


def test_term_counts_survive_saving(tmp_path):
    index = BM25Index.build([["strike", "strike", "pay"], ["vote"]])
    index.save(tmp_path / "m.npz", tmp_path / "v.json")
    loaded = BM25Index.load(tmp_path / "m.npz", tmp_path / "v.json")
    assert sorted(loaded.counts.tolist()) == [1.0, 1.0, 2.0]
    again = BM25Index.build_reusing([1, 0], loaded)
    assert np.allclose(
        again.scores(["strike"]),
        BM25Index.build([["vote"], ["strike", "strike", "pay"]]).scores(["strike"]),
    )


def test_top_within_allowed_documents_ranks_only_them():
    corpus = [["a"], ["a", "b"], ["a"], ["c"], ["a", "a"]]
    index = BM25Index.build(corpus)
    allowed = np.array([False, True, False, True, False])
    ids, scores = index.top(["a"], 2, allowed=allowed)
    assert ids.tolist() == [1, 3] and scores[1] == 0  # the best allowed, then padding
    assert index.top(["a"], 3, allowed=np.zeros(5, dtype=bool))[0].size == 0
