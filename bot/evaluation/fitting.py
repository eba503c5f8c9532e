"""Small numpy fits for calibration: article-grouped folds, a sentence ranker, logistic
regression and the refusal threshold."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize


def group_folds(strata: Sequence[str], groups: Sequence[str], n_folds: int) -> np.ndarray:
    """A fold per item: within each stratum, whole groups (articles) are dealt round-robin.

    Dealing per stratum keeps every fold holding some of each kind (say, out-of-corpus
    titles), which one round-robin over all groups would not when the kinds are periodic.
    """
    order: dict[str, dict[str, int]] = {}
    folds = np.empty(len(groups), dtype=np.int64)
    for i, (stratum, group) in enumerate(zip(strata, groups, strict=True)):
        seen = order.setdefault(stratum, {})
        folds[i] = seen.setdefault(group, len(seen)) % n_folds
    return folds


def fit_ranker(
    features: Sequence[np.ndarray],
    correct: Sequence[np.ndarray],
    l2: float = 1.0,
    signs: Sequence[int] | None = None,
    fixed: Sequence[bool] | None = None,
) -> np.ndarray:
    """Weights w maximising, over questions, the softmax probability of the correct candidates.

    `signs` bound each weight's sign (+1, -1, 0 free); `fixed` holds a weight at 0.

    A conditional-logit (listwise) fit: it rewards exactly what answering does, taking the
    argmax of features @ w among one question's candidates. Questions without a correct
    candidate carry no signal and are skipped.
    """
    usable = [(f, c) for f, c in zip(features, correct, strict=True) if len(f) and c.any()]
    if not usable:
        raise ValueError("no question has a correct candidate to learn from")
    x = np.concatenate([f for f, _ in usable])
    y = np.concatenate([c for _, c in usable]).astype(bool)
    starts = np.cumsum([0] + [len(f) for f, _ in usable[:-1]])
    owner = np.repeat(np.arange(len(usable)), [len(f) for f, _ in usable])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        top = np.maximum.reduceat(z, starts)
        e = np.exp(z - top[owner])
        all_sum = np.add.reduceat(e, starts)
        pos_sum = np.add.reduceat(np.where(y, e, 0.0), starts)
        value = -np.sum(np.log(pos_sum) - np.log(all_sum)) + l2 * w @ w
        p_all = e / all_sum[owner]
        p_pos = np.where(y, e, 0.0) / pos_sum[owner]
        grad = -(p_pos - p_all) @ x + 2 * l2 * w
        return float(value), grad

    bounds = _bounds(signs) if signs else [(None, None)] * x.shape[1]
    if fixed is not None:
        bounds = [(0.0, 0.0) if f else b for b, f in zip(bounds, fixed, strict=True)]
    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    return result.x


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1e-3,
    balanced: bool = True,
    signs: Sequence[int] | None = None,
) -> tuple[float, np.ndarray]:
    """Logistic regression (bias, coefficients) by L-BFGS; balanced weights each class equally;
    `signs` fixes coefficients' signs as in `fit_ranker`."""
    y = np.asarray(y, dtype=np.float64)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    if n_pos == 0 or n_neg == 0:
        raise ValueError("logistic regression needs examples of both classes")
    sample = np.where(y == 1, len(y) / (2 * n_pos), len(y) / (2 * n_neg)) if balanced else 1.0
    xb = np.hstack([np.ones((len(x), 1)), x])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ w
        # log(1 + e^z) - y z, computed without overflow
        value = np.sum(sample * (np.logaddexp(0.0, z) - y * z)) / len(y) + l2 * w[1:] @ w[1:]
        grad = xb.T @ (sample * (_sigmoid(z) - y)) / len(y)
        grad[1:] += 2 * l2 * w[1:]
        return float(value), grad

    bounds = [(None, None), *_bounds(signs)] if signs else None
    result = minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0]), result.x[1:]


def _bounds(signs: Sequence[int]) -> list[tuple[float | None, float | None]]:
    """+1 keeps a weight >= 0, -1 keeps it <= 0, 0 leaves it free."""
    return [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def refusal_threshold(scores: Sequence[float], target: float = 1.0, decimals: int = 4) -> float:
    """The lowest threshold t, on a grid of `decimals`, that refuses (score < t) at least a
    `target` share of `scores`: refusing the rest would cost answerable questions for nothing."""
    values = np.sort(np.asarray(scores, dtype=np.float64))
    if len(values) == 0:
        return -math.inf
    needed = max(1, math.ceil(target * len(values) - 1e-9))
    highest_refused = values[needed - 1]
    step = 10.0**-decimals
    # strictly above the highest score to refuse, rounded to the grid
    return round(math.floor(highest_refused / step + 1e-9) * step + step, decimals)


# How far transferred_refusal_threshold may raise the pooled share, and in what steps.
_SHARE_STEP = 0.0025
_SHARE_CAP = 0.999


def transferred_refusal_threshold(
    scores: Sequence[float], groups: Sequence[str], target: float, decimals: int = 4
) -> float:
    """The refusal threshold on `scores` pooled, its share raised from `target` until, chosen
    without each group (an article) in turn, it still refuses `target` of that group's scores.

    Refusing 97% of the out-of-corpus questions one has seen refuses fewer of an article one
    has not: its questions sit nearer to, or farther from, the indexed ones. Leaving each
    article out measures that shortfall on the articles at hand, and the share is raised until
    an article left out gets its `target` back, as an unseen article would need.
    """
    values = np.asarray(scores, dtype=np.float64)
    names = np.asarray(groups)
    distinct = sorted(set(groups))
    share = target
    while len(distinct) > 1 and share < _SHARE_CAP:
        refused = [
            values[names == g] < refusal_threshold(values[names != g], share, decimals)
            for g in distinct
        ]
        if np.concatenate(refused).mean() >= target - 1e-9:
            break
        share = min(share + _SHARE_STEP, _SHARE_CAP)
    return refusal_threshold(values, share, decimals)


__all__ = [
    "fit_logistic",
    "fit_ranker",
    "group_folds",
    "refusal_threshold",
    "transferred_refusal_threshold",
]
