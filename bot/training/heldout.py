"""Held-out figures of a trained reader: the gold passage given, answer forced, as SQuAD scores."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.answering.spans import window_spans
from bot.evaluation.metrics import exact_match, f1_score
from bot.training.examples import QAExample
from bot.training.features import Feature
from index.sentences import split_sentences


def gold_passage_scores(
    examples: Sequence[QAExample],
    features: Sequence[Feature],
    logits: Callable[[list], list],
) -> dict[str, float]:
    """EM/F1 of the best span over each answerable example's windows, and how often that span
    lies in the sentence holding a gold answer; `logits` maps windows to (start, end) logits."""
    answerable = {i for i, e in enumerate(examples) if e.answerable}
    chosen = [f for f in features if f.example in answerable]
    best: dict[int, tuple[float, int, int]] = {}
    for feature, (start, end) in zip(chosen, logits([f.window for f in chosen]), strict=True):
        for span in window_spans(start, end, feature.window, 0, top=1):
            if feature.example not in best or span.score > best[feature.example][0]:
                best[feature.example] = (span.score, span.start, span.end)
    em, f1, sentence = [], [], []
    for number in sorted(answerable):
        example = examples[number]
        golds = [text for _, text in example.answers]
        if number not in best:
            em.append(0.0), f1.append(0.0), sentence.append(0.0)
            continue
        _, start, end = best[number]
        prediction = example.context[start:end]
        em.append(exact_match(prediction, golds))
        f1.append(f1_score(prediction, golds))
        sentence.append(float(_same_sentence(example, start)))
    return {
        "questions": len(answerable),
        "exact_match": round(100 * float(np.mean(em)), 1) if em else 0.0,
        "f1": round(100 * float(np.mean(f1)), 1) if f1 else 0.0,
        "answer_sentence": round(100 * float(np.mean(sentence)), 1) if sentence else 0.0,
    }


def _same_sentence(example: QAExample, start: int) -> bool:
    for a, b in split_sentences(example.context):
        if a <= start < b:
            return any(a <= at < b for at, _ in example.answers)
    return False


__all__ = ["gold_passage_scores"]
