"""Fusion on small hand-computed cases."""

from __future__ import annotations

import pytest

from index import rrf_fusion, weighted_fusion


def test_weighted_fusion_min_max_normalises_each_list():
    dense = {1: 0.9, 2: 0.7, 3: 0.5}  # -> 1.0, 0.5, 0.0
    sparse = {2: 10.0, 4: 2.0}  # -> 1.0, 0.0
    fused = weighted_fusion(dense, sparse, dense_weight=0.5)
    assert fused == pytest.approx({1: 0.5, 2: 0.75, 3: 0.0, 4: 0.0})
    fused = weighted_fusion(dense, sparse, dense_weight=0.8)
    assert fused == pytest.approx({1: 0.8, 2: 0.6, 3: 0.0, 4: 0.0})


def test_weighted_fusion_equal_scores_normalise_to_one_and_empty_lists():
    assert weighted_fusion({1: 0.3, 2: 0.3}, {2: 4.0}, 0.25) == pytest.approx({1: 0.25, 2: 1.0})
    assert weighted_fusion({}, {5: 1.0, 6: 3.0}, 0.5) == pytest.approx({5: 0.0, 6: 0.5})
    assert weighted_fusion({}, {}, 0.5) == {}


def test_rrf_fusion_sums_reciprocal_ranks():
    fused = rrf_fusion([7, 8, 9], [9, 10], k=60)
    assert fused == pytest.approx(
        {7: 1 / 61, 8: 1 / 62, 9: 1 / 63 + 1 / 61, 10: 1 / 62},
    )
    assert max(fused, key=fused.get) == 9
    assert rrf_fusion([1, 2], [], k=1) == pytest.approx({1: 0.5, 2: 1 / 3})
