"""Span options: only spans that one retrieved passage holds whole can be chosen and quoted."""

from __future__ import annotations

from bot.answering.candidates import find_candidates
from bot.answering.choice import span_options
from bot.answering.spans import Reading, Span
from index import Hit, passages_of


def test_a_span_reaching_past_every_retrieved_passage_is_not_an_option(engine):
    # The reader's windows can run past a retrieved chunk (neighbouring sentences of one article
    # merge); a span starting before the only retrieved chunk once crashed quote() with
    # UnboundLocalError, ending `footnote eval` and giving the API a 500.
    question = "When is the TUC day of protest?"
    vector = engine.embedder.encode([question])[0]
    hits = engine.index.searcher.search(question, k=5, query_vector=vector)
    index = engine.index
    later = next(h for h in hits if h.chunk.start > 0)  # a chunk with text before it
    chunk = later.chunk
    text = index.articles[chunk.article_id].text
    retrieved = passages_of(index, [later])
    candidates = find_candidates(question, retrieved, vector)
    # word-aligned: from the word before the chunk to the end of the chunk's first words
    before = text.rfind(" ", 0, chunk.start - 1) + 1
    inside = chunk.start + text[chunk.start :].find(" ", 1)
    crossing = Span(before, inside, 9.0, 0.0, 0, chunk.article_id)
    held = Span(chunk.start, inside, 5.0, 0.0, 0, chunk.article_id)
    reading = Reading([], [crossing, held])
    options = span_options(question, candidates, reading, retrieved)
    assert [(o.start, o.end) for o in options.items] == [(chunk.start, inside)]
    assert options.features.shape[0] == 1
    # the same span is an option when a retrieved passage holds it whole
    every = [Hit(c, 0.0) for c in index.chunks if c.article_id == chunk.article_id]
    wide = span_options(question, candidates, Reading([], [crossing]), passages_of(index, every))
    assert [(o.start, o.end) for o in wide.items] == [(before, inside)]
