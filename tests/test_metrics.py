"""Metric functions against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.evaluation.fitting import group_folds, refusal_threshold
from bot.evaluation.metrics import (
    contains_answer,
    exact_match,
    f1_score,
    first_relevant_rank,
    hit_at_k,
    mean,
    mrr_at_k,
    normalize_answer,
    percentile,
    share,
    spans_overlap,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Eiffel Tower!", "eiffel tower"),
        ("  a  cat,\tan  owl and THE dog. ", "cat owl and dog"),
        ("theatre another", "theatre another"),  # articles only as whole words
        ("Up to 55,000", "up to 55000"),
        ("the", ""),
    ],
)
def test_normalize_answer(text, expected):
    assert normalize_answer(text) == expected


def test_exact_match_takes_the_best_gold():
    assert exact_match("the Normans.", ["Vikings", "Normans"]) == 1.0
    assert exact_match("Normans in France", ["Normans"]) == 0.0
    assert exact_match("", ["Normans"]) == 0.0


def test_f1_by_hand():
    # pred tokens: [10th, 11th, centuries]; gold: [in, 10th, and, 11th, centuries]
    # common 3: precision 3/3, recall 3/5, F1 = 2 * 1 * 0.6 / 1.6 = 0.75
    assert f1_score("10th, 11th centuries", ["in the 10th and 11th centuries"]) == pytest.approx(
        0.75
    )
    assert f1_score("10th, 11th centuries", ["nothing alike", "10th 11th centuries"]) == 1.0
    assert f1_score("France", ["Italy"]) == 0.0
    # repeated tokens count once per occurrence in both: pred [a1 a1 b], gold [a1 b]
    assert f1_score("x x y", ["x y"]) == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert f1_score("anything", []) == 0.0


def test_contains_answer_is_token_level_and_normalised():
    sentence = "Up to 55,000 workers at HMRC will take part on Monday."
    assert contains_answer(sentence, ["55,000 workers"])
    assert contains_answer(sentence, ["the HMRC"])  # article dropped on both sides
    assert contains_answer("It is in France.", ["France"])
    assert not contains_answer("Francesca spoke.", ["France"])
    assert not contains_answer(sentence, ["workers on Monday"])  # not contiguous
    assert not contains_answer(sentence, ["the"])  # normalises to nothing


def test_spans_overlap_is_half_open():
    assert spans_overlap(0, 10, 9, 12)
    assert not spans_overlap(0, 10, 10, 12)
    assert spans_overlap(5, 6, 0, 100)
    assert not spans_overlap(20, 30, 0, 20)


def test_ranks_hit_at_k_and_mrr():
    assert first_relevant_rank([False, False, True, True]) == 3
    assert first_relevant_rank([False, False]) is None
    ranks = [1, 3, None, 6, 2]
    assert hit_at_k(ranks, 1) == pytest.approx(1 / 5)
    assert hit_at_k(ranks, 3) == pytest.approx(3 / 5)
    assert hit_at_k(ranks, 5) == pytest.approx(3 / 5)
    assert hit_at_k(ranks, 10) == pytest.approx(4 / 5)
    assert mrr_at_k(ranks, 10) == pytest.approx((1 + 1 / 3 + 0 + 1 / 6 + 1 / 2) / 5)
    assert mrr_at_k(ranks, 5) == pytest.approx((1 + 1 / 3 + 1 / 2) / 5)
    assert hit_at_k([], 5) is None and mrr_at_k([]) is None


def test_abstention_shares():
    answered = [True, True, False, True]  # on answerable questions: 3 of 4 answered
    assert share(answered) == 0.75
    abstained_on_unanswerable = [not a for a in [False, False, True]]
    assert share(abstained_on_unanswerable) == pytest.approx(2 / 3)
    assert share([]) is None
    assert mean([1.0, 0.0, 0.5]) == 0.5 and mean([]) is None


def test_percentiles_interpolate_linearly():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 50) == 30.0
    assert percentile(values, 95) == pytest.approx(48.0)  # 40 + 0.8 * (50 - 40)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_refusal_threshold_refuses_the_target_share():
    scores = [0.10, 0.42, 0.30]
    t = refusal_threshold(scores)
    assert t == 0.4201 and all(s < t for s in scores)
    assert refusal_threshold(scores, target=2 / 3) == 0.3001
    assert refusal_threshold([0.3], decimals=2) == 0.31  # strictly above, even on the grid
    assert refusal_threshold([]) == -math.inf


def test_a_transferred_threshold_still_refuses_the_target_of_an_article_left_out():
    from bot.evaluation.fitting import transferred_refusal_threshold

    # Article "b"'s out-of-corpus questions score higher than "a"'s: a threshold chosen on "a"
    # alone lets most of "b" through, so the pooled share must rise for "b" to be refused.
    a = [0.01 * i for i in range(1, 21)]  # 0.01 .. 0.20
    b = [0.15 + 0.01 * i for i in range(1, 21)]  # 0.16 .. 0.35
    scores, groups = a + b, ["a"] * 20 + ["b"] * 20
    pooled = refusal_threshold(scores, 0.9)
    moved = transferred_refusal_threshold(scores, groups, 0.9)
    assert moved > pooled
    assert np.mean([s < moved for s in scores]) > 0.9
    # one group (or groups alike) leaves it where the pooled share puts it
    assert transferred_refusal_threshold(a, ["a"] * 20, 0.9) == refusal_threshold(a, 0.9)
    assert transferred_refusal_threshold(a + a, ["a"] * 20 + ["c"] * 20, 0.9) == refusal_threshold(
        a + a, 0.9
    )


def test_group_folds_keep_articles_together_and_spread_each_kind():
    strata = ["in", "in", "in", "out", "out", "in", "out"]
    groups = ["A", "A", "B", "X", "Y", "C", "X"]
    folds = list(group_folds(strata, groups, 2))
    assert folds == [0, 0, 1, 0, 1, 0, 0]
