"""Calibration's small fits: a weight whose sign is fixed stays on its side, whatever the data."""

from __future__ import annotations

import numpy as np

from bot.evaluation.fitting import fit_logistic, fit_ranker


def _data() -> tuple[np.ndarray, np.ndarray]:
    # Column 0 predicts the label; column 1 is anti-correlated with it, as word overlap is with
    # SQuAD 2.0's answerability (its near misses were written to echo their paragraph).
    rng = np.random.default_rng(7)
    y = rng.random(400) < 0.5
    x = np.column_stack([y + rng.normal(0, 0.7, 400), -1.0 * y + rng.normal(0, 0.7, 400)])
    return x, y


def test_logistic_with_signs_keeps_a_weight_from_going_negative():
    x, y = _data()
    _, free = fit_logistic(x, y)
    _, signed = fit_logistic(x, y, signs=[1, 1])
    assert free[1] < -0.5  # the data alone pull it below zero
    assert signed[1] >= 0.0 and signed[0] > 0.5  # held at zero; the real evidence still counts


def test_ranker_with_signs_keeps_the_type_weight_from_going_negative():
    # Two options per question: the right one has the lower "type" value but the higher reader
    # score, so a free fit gives "type" a negative weight.
    rng = np.random.default_rng(3)
    features, correct = [], []
    for _ in range(100):
        right = [rng.normal(2, 1), 0.0]
        wrong = [rng.normal(0, 1), 1.0]
        features.append(np.array([right, wrong]))
        correct.append(np.array([True, False]))
    free = fit_ranker(features, correct, l2=0.1)
    signed = fit_ranker(features, correct, l2=0.1, signs=[1, 1])
    assert free[1] < 0
    assert signed[1] >= 0.0 and signed[0] > 0
    assert np.mean([np.argmax(f @ signed) == 0 for f in features]) > 0.8
