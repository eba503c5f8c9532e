"""Dense search and the embedder: FAISS inner products equal numpy's, vectors are unit length."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest

from index import DenseIndex, Embedder, ModelLoadError
from index.dense import EXACT_WITHIN
from tests.imports import heavy_loaded_by


def unit_vectors(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_inner_product_search_equals_numpy_dot():
    rng = np.random.default_rng(0)
    vectors, queries = unit_vectors(rng, 500, 32), unit_vectors(rng, 7, 32)
    index = DenseIndex(32)
    index.add(vectors[:200])
    index.add(vectors[200:])
    assert index.ntotal == 500
    scores, ids = index.search(queries, 10)
    exact = queries @ vectors.T
    for row in range(len(queries)):
        expected = np.argsort(-exact[row])[:10]
        assert ids[row].tolist() == expected.tolist()
        np.testing.assert_allclose(scores[row], exact[row, expected], rtol=1e-5, atol=1e-6)


def test_more_neighbours_than_vectors_pads_with_minus_one_and_empty_index_answers():
    index = DenseIndex(4)
    assert index.search(np.ones(4), 3)[1].tolist() == [[-1, -1, -1]]
    index.add(np.eye(4)[:2])
    scores, ids = index.search(np.array([1, 0, 0, 0]), 3)
    assert ids.tolist() == [[0, 1, -1]]
    assert scores[0, 0] == pytest.approx(1.0)


def test_save_load_and_vectors_round_trip(tmp_path):
    vectors = unit_vectors(np.random.default_rng(1), 20, 8)
    index = DenseIndex(8)
    index.add(vectors)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert (loaded.dim, loaded.ntotal) == (8, 20)
    np.testing.assert_array_equal(loaded.vectors(), vectors)


def clustered(rng: np.random.Generator, n: int, dim: int, spread: float = 0.6) -> np.ndarray:
    """Unit vectors around n // 100 centres: nearer real embeddings than uniform noise."""
    centres = rng.standard_normal((max(n // 100, 2), dim)).astype(np.float32)
    points = centres[rng.integers(0, len(centres), n)]
    points += spread * rng.standard_normal((n, dim)).astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_each_kind_finds_the_exact_neighbours_and_survives_save_and_load(kind, tmp_path):
    rng = np.random.default_rng(2)
    vectors = clustered(rng, 20_000, 64)
    queries = vectors[rng.integers(0, len(vectors), 100)]
    queries = queries + 0.3 / np.sqrt(64) * rng.standard_normal(queries.shape).astype(np.float32)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    built = DenseIndex.build(vectors, 64, kind)
    built.save(tmp_path / "dense.faiss")
    index = DenseIndex.load(tmp_path / "dense.faiss")
    assert (index.kind, index.ntotal) == (kind, 20_000)
    _, ids = index.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact, strict=True)])
    assert recall >= (1.0 if kind == "flat" else 0.95), recall
    some = np.array([5, 17, 19_999])
    np.testing.assert_allclose(
        index.similarity(queries[0], some), vectors[some] @ queries[0], rtol=1e-5
    )
    np.testing.assert_array_equal(index.vectors()[some], vectors[some])


def test_auto_is_exact_for_small_corpora_and_hnsw_past_the_crossover():
    from index.dense import FLAT_UP_TO, choose_kind

    assert choose_kind(10, "auto") == "flat" and choose_kind(FLAT_UP_TO, "auto") == "flat"
    assert choose_kind(FLAT_UP_TO + 1, "auto") == "hnsw"
    assert choose_kind(10, "ivf") == "ivf"
    with pytest.raises(ValueError, match="flat, ivf, hnsw"):
        choose_kind(10, "annoy")


def test_opening_a_large_index_maps_it_rather_than_copying_it(tmp_path):
    vectors = unit_vectors(np.random.default_rng(3), 100_000, 128)  # 51 MB of float32
    DenseIndex.build(vectors, 128, "flat").save(tmp_path / "dense.faiss")
    del vectors

    def resident_mib() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20

    before = resident_mib()
    index = DenseIndex.load(tmp_path / "dense.faiss")
    assert resident_mib() - before < 10, "the vectors were read into memory at open"
    assert index.search(np.ones(128), 3)[1].shape == (1, 3)


def test_embedder_returns_unit_float32_vectors_that_rank_by_meaning(embedder):
    texts = [
        "Nurses went on strike over pay.",
        "Medical staff walked out.",
        "The cat sat on a mat.",
    ]
    vectors = embedder.encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (3, embedder.dim) == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.encode([]).shape == (0, 384)


def test_embedder_names_and_lazy_loading():
    assert Embedder().name == "all-MiniLM-L6-v2"
    assert Embedder("sentence-transformers/all-MiniLM-L6-v2").name == "all-MiniLM-L6-v2"
    assert Embedder("some/other-model").name == "some/other-model"  # nothing loaded yet


def test_an_unloadable_model_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError) as raised:
        Embedder("footnote-test/no-such-model").encode(["x"])
    message = str(raised.value)
    assert message.startswith("could not load embedding model footnote-test/no-such-model")
    assert "set FOOTNOTE_EMBEDDER to a local path" in message


def test_importing_the_package_loads_no_heavy_library():
    heavy = ("torch", "faiss", "sentence_transformers", "scipy", "trafilatura", "onnxruntime")
    assert heavy_loaded_by("index", (*heavy, "onnx")) == []


@pytest.mark.parametrize("exact_within", [0, EXACT_WITHIN])
@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_a_search_within_allowed_ids_returns_only_them_and_k_of_them(kind, exact_within):
    rng = np.random.default_rng(3)
    vectors = clustered(rng, 4_000, 32)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[::50] = True  # 80 of 4,000: the unfiltered top 10 would hold almost none
    index = DenseIndex.build(vectors, 32, kind)
    with patch("index.dense.EXACT_WITHIN", exact_within):  # 0: through FAISS's own filter
        scores, ids = index.search(vectors[7], 10, allowed)
    assert len(ids[0]) == 10 and allowed[ids[0]].all()
    exact = np.flatnonzero(allowed)[np.argsort(-(vectors[allowed] @ vectors[7]))[:10]]
    assert len(set(ids[0]) & set(exact)) >= (10 if kind == "flat" else 8)


def test_a_filtered_hnsw_search_still_skips_dead_nodes():
    rng = np.random.default_rng(4)
    vectors = unit_vectors(rng, 500, 16)
    built = DenseIndex.build(vectors, 16, "hnsw")
    renumber = np.arange(500)
    renumber[:100] = -1  # dropped: dead nodes, ids from DEAD up, nearest the query
    renumber[100:] -= 100
    index = built.updated(renumber, np.zeros((0, 16), dtype=np.float32), np.zeros(0))
    for exact_within in (0, EXACT_WITHIN):
        with patch("index.dense.EXACT_WITHIN", exact_within):
            _, ids = index.search(vectors[0], 20, np.ones(400, dtype=bool))
        assert ((ids[0] >= 0) & (ids[0] < 400)).all()
