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
    best: dict[int, tuple[int, Feature]] = {}  # by negative: (tokens shared, its window)
    for feature in windows:
        question = set(feature.window.ids[1 : feature.window.first - 1].tolist())
        shared = len(question & set(feature.window.ids[feature.window.first : -1].tolist()))
        if feature.example not in best or shared > best[feature.example][0]:
            best[feature.example] = (shared, feature)
    out = []
    for at in sorted(best):
        owner = number[negatives[at].id.rsplit("#negative", 1)[0]]
        out.append(Feature(owner, best[at][1].window, 0, 0, distractor=True))
    return out


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


__all__ = ["distractor_features", "shared_loss"]
