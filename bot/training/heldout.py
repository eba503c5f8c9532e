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
    """EM/F1 of the best span over each answerable example's windows, how often that span
    lies in the sentence holding a gold answer, and (when unanswerable examples are given) how
    well the reader's no-answer margin tells the two apart; `logits` maps windows to (start,
    end) logits."""
    answerable = {i for i, e in enumerate(examples) if e.answerable}
    best: dict[int, tuple[float, int, int]] = {}
    null: dict[int, float] = {}  # the lowest no-answer score over an example's windows
    for feature, (start, end) in zip(features, logits([f.window for f in features]), strict=True):
        number = feature.example
        null[number] = min(null.get(number, np.inf), float(start[0] + end[0]))
        for span in window_spans(start, end, feature.window, 0, top=1):
            if number not in best or span.score > best[number][0]:
                best[number] = (span.score, span.start, span.end)
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
    margins = {n: best[n][0] - null[n] for n in best}
    return {
        **no_answer_figures(
            [margins[n] for n in answerable if n in margins],
            [margins[n] for n in margins if n not in answerable],
        ),
        "questions": len(answerable),
        "exact_match": round(100 * float(np.mean(em)), 1) if em else 0.0,
        "f1": round(100 * float(np.mean(f1)), 1) if f1 else 0.0,
        "answer_sentence": round(100 * float(np.mean(sentence)), 1) if sentence else 0.0,
    }


def no_answer_figures(answerable: Sequence[float], unanswerable: Sequence[float]) -> dict:
    """How well the reader's margin (best span over no answer) ranks answerable questions above
    unanswerable ones on their own passage: the AUC, and the share of unanswerables refused
    when the threshold still answers 92% of the answerable (the end-to-end target's rate)."""
    if not len(answerable) or not len(unanswerable):
        return {}
    yes, no = np.asarray(answerable), np.asarray(unanswerable)
    above = (yes[:, None] > no[None, :]).mean() + 0.5 * (yes[:, None] == no[None, :]).mean()
    threshold = np.quantile(yes, 0.08)
    return {
        "unanswerable": len(no),
        "no_answer_auc": round(100 * float(above), 1),
        "refused_at_92": round(100 * float((no < threshold).mean()), 1),
    }


def _same_sentence(example: QAExample, start: int) -> bool:
    for a, b in split_sentences(example.context):
        if a <= start < b:
            return any(a <= at < b for at, _ in example.answers)
    return False


__all__ = ["gold_passage_scores", "no_answer_figures"]
