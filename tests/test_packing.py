"""Packed encoding gives each text the vector it gets alone, and pools spans of texts."""

from __future__ import annotations

import numpy as np

from index.packing import supports

TEXTS = [
    "Unions are planning a national day of protest on 1 February.",
    "Pat Cullen, the leader of the RCN, told The Independent the government must act.",
    "Strike.",
    "Up to 55,000 workers at call centres and tax offices will take part on Monday. " * 30,
    "Mr Serwotka told Sky News the union would coordinate action with others.",
    "Whisk two eggs with a cup of flour and bake for twenty minutes.",
]


def test_the_packaged_model_is_packed(embedder):
    assert supports(embedder._load())


def test_packed_vectors_equal_those_of_each_text_alone(embedder):
    pooled = embedder.encode_pooled(TEXTS)
    alone = embedder.encode(TEXTS)
    assert pooled.vectors.shape == alone.shape
    assert np.abs(pooled.vectors - alone).max() < 1e-5
    # The long text is cut at the model's 256 tokens, as sentence-transformers cuts it.
    assert pooled.tokens[3] == 256 and pooled.tokens[2] < 10


def test_a_span_of_texts_pools_their_tokens(embedder):
    pooled = embedder.encode_pooled(TEXTS)
    single, pair = pooled.span_vectors([(1, 2), (0, 2)])
    assert np.abs(single - pooled.vectors[1]).max() < 1e-5
    # Two sentences pooled: the token-weighted mean of both, unit length, nearer to each of
    # them than to a sentence about something else.
    expected = pooled.sums[0] + pooled.sums[1]
    expected /= np.linalg.norm(expected)
    assert np.abs(pair - expected).max() < 1e-6
    assert abs(float(np.linalg.norm(pair)) - 1) < 1e-5
    unrelated = float(pair @ pooled.vectors[5])
    assert min(float(pair @ pooled.vectors[0]), float(pair @ pooled.vectors[1])) > unrelated


def test_nothing_to_encode_is_an_empty_result(embedder):
    pooled = embedder.encode_pooled([])
    assert pooled.vectors.shape == (0, 384) and len(pooled.tokens) == 0
