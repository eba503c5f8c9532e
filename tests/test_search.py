"""Hybrid search over the seeds index: fusion finds what either retriever alone gets wrong."""

from __future__ import annotations

import pytest

from index import RetrievalConfig, open_index
from tests.encoded_search import search


@pytest.fixture(scope="module")
def index(seeds_index_dir, embedder):
    return open_index(seeds_index_dir, embedder)


def top_text(index, embedder, question: str, method: str) -> str:
    hits = search(index.searcher, embedder, question, k=3, method=method)
    return hits[0].chunk.text if hits else ""


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # BM25 ranks the chunk that repeats "PCS" most first; the membership figure is elsewhere.
        (
            "How many belong to the PCS?",
            "PCS is the fifth-largest trade union in the UK with 270,000",
        ),
        # No word of the question occurs in the corpus at all, so BM25 has no candidate.
        ("Why was the stoppage at the interior ministry delayed for now?", "legal challenge"),
    ],
)
def test_a_paraphrase_bm25_misses_is_found_by_hybrid(index, embedder, question, answer):
    assert answer not in top_text(index, embedder, question, "bm25")
    assert answer in top_text(index, embedder, question, "weighted")


@pytest.mark.parametrize(
    ("question", "answer", "methods"),
    [
        ("PAYE", "PAYE tax system", ("weighted", "rrf")),
        ("Sky", "Sky News", ("weighted", "rrf")),
        ("driving test instructors", "driving test instructors", ("weighted", "rrf")),
    ],
)
def test_an_exact_keyword_dense_misranks_is_found_by_hybrid(
    index, embedder, question, answer, methods
):
    assert answer not in top_text(index, embedder, question, "dense")
    assert answer in top_text(index, embedder, question, "bm25")
    for method in methods:
        assert answer in top_text(index, embedder, question, method)


def test_hits_carry_both_scores_and_one_based_ranks(index, embedder):
    hits = search(
        index.searcher, embedder, "Who is the leader of the Royal College of Nursing?", k=5
    )
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    for hit in hits:
        assert hit.dense_rank is not None or hit.sparse_rank is not None
        assert (hit.dense_rank is None) == (hit.dense_score is None)
        assert (hit.sparse_rank is None) == (hit.sparse_score is None)
        assert hit.dense_rank is None or hit.dense_rank >= 1
        assert hit.sparse_score is None or hit.sparse_score > 0
        article = index.articles[hit.chunk.article_id]
        assert article.text[hit.chunk.start : hit.chunk.end] == hit.chunk.text
    assert "Pat Cullen" in hits[0].chunk.text


def test_single_retriever_methods_score_by_their_own_retriever(index, embedder):
    dense = search(index.searcher, embedder, "nurses strike", k=4, method="dense")
    assert [h.dense_rank for h in dense] == [1, 2, 3, 4]
    assert all(h.score == h.dense_score and h.sparse_rank is None for h in dense)
    bm25 = search(index.searcher, embedder, "nurses strike", k=4, method="bm25")
    assert [h.sparse_rank for h in bm25] == [1, 2, 3, 4]
    assert all(h.score == h.sparse_score and h.dense_rank is None for h in bm25)
    rrf = search(index.searcher, embedder, "nurses strike", k=4, method="rrf")
    assert rrf[0].score == pytest.approx(
        1 / (60 + (rrf[0].dense_rank or 10**9)) + 1 / (60 + (rrf[0].sparse_rank or 10**9))
    )


def test_a_query_with_no_indexed_words_falls_back_to_dense(index, embedder):
    hits = search(index.searcher, embedder, "the of and", k=3)
    assert hits and all(h.sparse_rank is None and h.score == h.dense_score for h in hits)
    assert search(index.searcher, embedder, "the of and", k=3, method="bm25") == []


def test_a_precomputed_query_vector_gives_the_same_hits(index, embedder):
    question = "When is the national day of protest?"
    vector = embedder.encode([question])[0]
    assert index.searcher.search(question, query_vector=vector) == search(
        index.searcher, embedder, question
    )


def test_searching_with_no_settings_searches_as_footnote_is_configured(index, embedder):
    """One default per tunable: the searcher's own defaults are the ones Footnote answers with
    (they once disagreed: dense weight 0.5 against 0.6, sentence share 0.5 against 0.7)."""
    from bot.footnote import retrieve
    from bot.settings import Settings

    settings = Settings()
    assert settings.retrieval == RetrievalConfig()
    for question in ("When is the national day of protest?", "How many members does PCS have?"):
        vector = embedder.encode([question])[0]
        configured = retrieve(index, question, vector, settings, 5)
        assert index.searcher.search(question, 5, query_vector=vector) == configured
        other = RetrievalConfig(dense_weight=0.2, sentence_share=0.0)
        scores = [
            h.score for h in index.searcher.search(question, 5, config=other, query_vector=vector)
        ]
        assert scores != [h.score for h in configured]  # the config is what searches


def test_k_and_method_are_checked(index, embedder):
    assert len(search(index.searcher, embedder, "strike", k=2)) == 2
    assert len(search(index.searcher, embedder, "strike", k=100)) == len(index.chunks)
    with pytest.raises(ValueError, match="unknown search method"):
        search(index.searcher, embedder, "strike", method="magic")
    with pytest.raises(ValueError, match="needs the query_vector"):
        index.searcher.search("strike")


def test_sentences_in_a_chunk_come_with_their_vectors(index, embedder):
    chunk = index.chunks[0]
    sentences, vectors = index.sentences_in(chunk)
    assert sentences[0].start == chunk.start and sentences[-1].end == chunk.end
    assert all(chunk.start <= s.start < s.end <= chunk.end for s in sentences)
    text = index.articles[chunk.article_id].text
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert vectors.shape == (len(sentences), 384) and vectors.dtype.name == "float32"
    fresh = embedder.encode([s.text for s in sentences])
    assert float(min((fresh * vectors).sum(axis=1))) > 0.999  # stored as float16


def test_dense_score_mixes_the_chunk_with_its_best_sentence(index, embedder):
    question = "Who is the leader of the Royal College of Nursing?"
    vector = embedder.encode([question])[0]
    hits = index.searcher.search(
        question,
        k=5,
        method="dense",
        config=RetrievalConfig(sentence_share=0.5),
        query_vector=vector,
    )
    for hit in hits:
        chunk_vector = index.dense.vectors()[index.chunks.index(hit.chunk)]
        _, sentence_vectors = index.sentences_in(hit.chunk)
        expected = 0.5 * chunk_vector @ vector + 0.5 * (sentence_vectors @ vector).max()
        assert hit.dense_score == pytest.approx(float(expected), abs=1e-3)
    plain = index.searcher.search(
        question,
        k=1,
        method="dense",
        config=RetrievalConfig(sentence_share=0.0),
        query_vector=vector,
    )
    assert plain[0].dense_score == pytest.approx(float((index.dense.vectors() @ vector).max()))
