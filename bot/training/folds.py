"""Folds by article: every article's questions fall wholly on one side of a split."""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.training.examples import QAExample

# With the SQuAD dev half's 16 articles these hold out articles 1, 3, 9 and 11: two that
# `footnote eval` indexes (their answerable and near-miss questions) and two it keeps out of the
# index (out-of-corpus questions), so every figure of the shipped reader can be reported held out.
FOLDS = 8
HOLD_OUT = (1, 3)


def articles_in_order(examples: Sequence[QAExample]) -> list[str]:
    """Each article once, in order of its first question."""
    return list(dict.fromkeys(e.article for e in examples))


def split_by_article(
    examples: Sequence[QAExample], folds: int = FOLDS, hold_out: Sequence[int] = HOLD_OUT
) -> tuple[list[QAExample], list[QAExample]]:
    """(train, held out): article number i is held out when i % folds is in `hold_out`."""
    held = held_out_articles(articles_in_order(examples), folds, hold_out)
    train = [e for e in examples if e.article not in held]
    test = [e for e in examples if e.article in held]
    return train, test


def keep_unanswerable(examples: Sequence[QAExample], share: float, seed: int) -> list[QAExample]:
    """Every answerable example and `share` of the unanswerable ones, drawn with `seed`, in
    their original order: the no-answer position needs fewer examples than the spans do."""
    if share >= 1.0:
        return list(examples)
    rng = random.Random(seed)
    return [e for e in examples if e.answerable or rng.random() < share]


def held_out_articles(articles: Sequence[str], folds: int, hold_out: Sequence[int]) -> set[str]:
    return {a for i, a in enumerate(articles) if i % folds in set(hold_out)}


__all__ = [
    "FOLDS",
    "HOLD_OUT",
    "articles_in_order",
    "held_out_articles",
    "keep_unanswerable",
    "split_by_article",
]
