"""Shared normalisation (Clark and Gardner 2018): a question's own windows and windows of other
passages like it, scored in one softmax, so span scores compare across passages.

Answering takes the best span over windows of several retrieved passages, most of them not the
one holding the answer, and compares the raw start + end logits across them. Trained window by
window, the reader only learns where the answer is inside each window; nothing makes a span in
the right passage outscore one in a wrong passage. Here every answerable question is also read
beside `distractors` windows of the training passages nearest to it (`hard_negatives`, so no
held-out text is seen), and a second loss puts the softmax over the passage tokens of all of
them together, with the gold start (and end) as the target. Distractor windows are trained by
that loss only: they are not taught "no answer", which an earlier trial (independent hard
negatives) found costs F1.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.windows import WindowTokenizer
from bot.training.examples import QAExample
from bot.training.features import Feature, featurize


def distractor_features(
    examples: Sequence[QAExample],
    negatives: Sequence[QAExample],
    tokenizer: WindowTokenizer,
) -> list[Feature]:
    """For each negative (a question beside a passage not holding its answer, made by
    `hard_negatives` from `examples`), its window sharing the most distinct tokens with the
    question, as a distractor Feature of the example that asked it."""
    number = {e.id: i for i, e in enumerate(examples)}
    windows = featurize(negatives, tokenizer)
    best: dict[int, Feature] = {}
    overlap: dict[int, int] = {}
    for feature in windows:
        negative = negatives[feature.example]
        question = set(feature.window.ids[1 : feature.window.first - 1].tolist())
        shared = len(question & set(feature.window.ids[feature.window.first : -1].tolist()))
        if shared > overlap.get(feature.example, -1):
            overlap[feature.example] = shared
            owner = number[negative.id.rsplit("#negative", 1)[0]]
            best[feature.example] = Feature(owner, feature.window, 0, 0, distractor=True)
    return [best[i] for i in sorted(best)]


def group_batches(
    features: Sequence[Feature], batch_size: int, epochs: float, seed: int
) -> list[list[int]]:
    """The run's batches as lists of feature indices, each example's windows (its own and its
    distractors) kept in one batch, examples shuffled by `seed` every epoch."""
    import random

    groups: dict[int, list[int]] = {}
    for i, f in enumerate(features):
        groups.setdefault(f.example, []).append(i)
    keys = list(groups)
    rng = random.Random(seed)
    order: list[int] = []
    for _ in range(int(epochs) + (1 if epochs % 1 else 0)):
        epoch = list(keys)
        rng.shuffle(epoch)
        order.extend(epoch)
    order = order[: int(round(len(keys) * epochs))]
    batches: list[list[int]] = []
    current: list[int] = []
    for key in order:
        if current and len(current) + len(groups[key]) > batch_size:
            batches.append(current)
            current = []
        current.extend(groups[key])
    if current:
        batches.append(current)
    return batches


def shared_loss(start_logits, end_logits, batch: Sequence[Feature]):
    """Mean over the batch's answerable examples of the cross-entropy of the gold start (and
    end) among the passage tokens of all that example's windows; None when none is answerable.

    `start_logits` and `end_logits` are (len(batch), n) torch tensors. An answer that sits in two
    overlapping windows counts at both places (their probabilities are summed)."""
    import torch

    by_example: dict[int, list[int]] = {}
    for row, f in enumerate(batch):
        by_example.setdefault(f.example, []).append(row)
    losses = []
    for rows in by_example.values():
        gold = [r for r in rows if not batch[r].distractor and batch[r].start > 0]
        if not gold:
            continue
        for logits, target in ((start_logits, "start"), (end_logits, "end")):
            every = torch.cat(
                [logits[r, batch[r].window.first : batch[r].window.last] for r in rows]
            )
            right = torch.stack([logits[r, getattr(batch[r], target)] for r in gold])
            losses.append(torch.logsumexp(every, 0) - torch.logsumexp(right, 0))
    if not losses:
        return None
    return torch.stack(losses).mean()


__all__ = ["distractor_features", "group_batches", "shared_loss"]
