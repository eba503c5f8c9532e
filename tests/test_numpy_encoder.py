"""The numpy query encoder must give the very vectors sentence-transformers gives."""

from __future__ import annotations

import numpy as np

from index import Embedder
from index.embedder import _packaged_path
from index.numpy_encoder import NumpyEncoder, supports

TEXTS = [
    "When is the TUC day of protest?",
    "and who leads it?",
    "¿Dónde está la biblioteca? 日本の首都は?",
    "strike " * 400,  # longer than the model's 256-token window: truncated the same way
]


def test_numpy_encoder_matches_sentence_transformers(embedder):
    quick = NumpyEncoder(_packaged_path()).encode(TEXTS)
    model = embedder._load()  # the sentence-transformers model itself, not the quick path
    full = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert quick.shape == full.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(quick, axis=1), 1.0, atol=1e-5)
    assert np.abs(quick - full).max() < 1e-4


def test_a_fresh_embedder_encodes_a_question_without_loading_torch():
    fresh = Embedder()
    vector = fresh.encode(["Who leads the RCN?"])
    assert vector.shape == (1, 384) and fresh._model is None


def test_unsupported_model_folders_are_not_run_by_numpy(tmp_path):
    assert supports(_packaged_path())
    assert not supports(tmp_path)
