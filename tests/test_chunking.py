"""Chunking: exact offsets, sentence overlap, and windows that always move forward."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index import Article, chunk_article, read_articles, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def random_text(seed: int, n_sentences: int = 300) -> str:
    rng = random.Random(seed)
    words = ["strike", "union", "Mr.", "pay", "nurses'", "“talks”", "3.5", "U.S.", "é", "co-op"]
    parts = []
    for _ in range(n_sentences):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 60)))
        parts.append(sentence.capitalize() + rng.choice([".", "!", "?", ".\n", "\n\n", ". "]))
    return rng.choice(["", "  ", "\n"]) + " ".join(parts) + rng.choice(["", " \n"])


def check_windows(article: Article, max_words: int, overlap: int) -> None:
    chunks = chunk_article(article, max_words, overlap)
    spans = split_sentences(article.text)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.article_id == article.id
        assert chunk.start in starts and chunk.end in ends  # whole sentences only
        inside = [s for s in spans if chunk.start <= s[0] and s[1] <= chunk.end]
        assert len(inside) == 1 or len(chunk.text.split()) <= max_words
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.start < after.start and before.end < after.end  # never a subset
    # Every sentence is in some chunk.
    assert all(any(c.start <= s and e <= c.end for c in chunks) for s, e in spans)


def test_seed_chunks_round_trip_and_overlap():
    articles, _ = read_articles([SEEDS])
    for article in articles:
        chunks = chunk_article(article, max_words=100, overlap_sentences=1)
        assert len(chunks) > 1
        check_windows(article, 100, 1)
        for before, after in zip(chunks, chunks[1:], strict=False):
            shared = article.text[after.start : before.end]
            assert after.start < before.end and split_sentences(shared)  # one sentence repeats


@pytest.mark.parametrize(("max_words", "overlap"), [(100, 1), (40, 2), (10, 0), (5, 3), (500, 1)])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_text_round_trips(seed, max_words, overlap):
    check_windows(Article("random", random_text(seed)), max_words, overlap)


def test_an_overlong_sentence_is_a_chunk_of_its_own():
    long = "Word " + " ".join(["word"] * 150) + "."
    text = f"Short one. {long} Short two. Short three."
    chunks = chunk_article(Article("a", text), max_words=100)
    # The overlap sentence is dropped where keeping it would leave no room for a new one.
    assert [c.text for c in chunks] == ["Short one.", long, "Short two. Short three."]


def test_overlap_of_zero_gives_disjoint_chunks():
    text = " ".join(f"Sentence number {i} is here." for i in range(50))
    chunks = chunk_article(Article("a", text), max_words=20, overlap_sentences=0)
    assert all(a.end < b.start for a, b in zip(chunks, chunks[1:], strict=False))
    assert " ".join(c.text for c in chunks) == text


def test_empty_article_has_no_chunks():
    assert chunk_article(Article("a", " \n ")) == []
