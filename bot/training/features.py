"""Training features: each example's reader windows with their gold start and end positions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.answering.windows import Window, WindowTokenizer
from bot.training.examples import QAExample


@dataclass(frozen=True)
class Feature:
    """One window to learn from; start = end = 0 ([CLS]) when its passage holds no answer."""

    example: int  # position of its example in the list featurized
    window: Window
    start: int
    end: int
    # A window of another passage, read with this example's question: trained only through
    # shared normalisation (bot/training/shared_norm), never as "no answer".
    distractor: bool = False


def featurize(examples: Sequence[QAExample], tokenizer: WindowTokenizer) -> list[Feature]:
    """Every window of every example, labelled with the first gold answer it wholly contains."""
    features: list[Feature] = []
    contexts = list(dict.fromkeys(e.context for e in examples))  # each passage tokenized once
    by_context = dict(zip(contexts, tokenizer.tokens(contexts), strict=True))
    for number, example in enumerate(examples):
        ids, offsets = by_context[example.context]
        question = tokenizer.question_ids(example.question)
        for window in tokenizer.windows(question, ids, offsets):
            start, end = _label(window, example.answers)
            features.append(Feature(number, window, start, end))
    return features


def _label(window: Window, answers: tuple[tuple[int, str], ...]) -> tuple[int, int]:
    for at, text in answers:
        begin, finish = at, at + len(text)
        starts, ends = window.offsets[:, 0], window.offsets[:, 1]
        if len(starts) == 0 or starts[0] > begin or ends[-1] < finish:
            continue
        first = int(np.searchsorted(ends, begin, side="right"))
        last = int(np.searchsorted(starts, finish, side="left")) - 1
        if first <= last:
            return window.first + first, window.first + last
    return 0, 0


__all__ = ["Feature", "featurize"]
