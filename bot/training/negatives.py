"""Hard negatives: each answerable question beside a passage that resembles its own but does not
hold its answer, so the reader learns to say "no answer here" about the wrong passage too.

In answering, the reader reads windows from several retrieved passages, most of them not the one
a question was written on (and, for a question the articles do not cover, none of them). SQuAD
only ever pairs a question with its own paragraph. The passages given here are the training
set's own, most similar to the question by the embedder, so no held-out text is seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.training.examples import QAExample

Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) unit vectors


def hard_negatives(
    examples: Sequence[QAExample], encode: Encode, per_question: int = 1
) -> list[QAExample]:
    """For each answerable example, the `per_question` other passages of `examples` nearest to
    its question, as unanswerable examples. A passage that contains one of the question's gold
    answers (the same fact told twice) is skipped rather than taught as a negative."""
    if per_question <= 0:
        return []
    answerable = [e for e in examples if e.answerable]
    contexts = list(dict.fromkeys(e.context for e in examples))
    if not answerable or len(contexts) < 2:
        return []
    similarity = encode([e.question for e in answerable]) @ encode(contexts).T
    negatives: list[QAExample] = []
    for example, row in zip(answerable, similarity, strict=True):
        found = 0
        for at in np.argsort(-row):
            context = contexts[int(at)]
            if context == example.context or any(text in context for _, text in example.answers):
                continue
            negatives.append(
                QAExample(
                    f"{example.id}#negative{found}", example.question, context, (), example.article
                )
            )
            found += 1
            if found == per_question:
                break
    return negatives


__all__ = ["hard_negatives"]
