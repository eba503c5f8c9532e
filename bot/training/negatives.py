"""Hard negatives: each answerable question beside a passage that resembles its own but does not
hold its answer, so the reader learns to say "no answer here" about the wrong passage too.

In answering, the reader reads windows from several retrieved passages, most of them not the one
a question was written on (and, for a question the articles do not cover, none of them). SQuAD
only ever pairs a question with its own paragraph. The passages given here are the training
set's own, most similar to the question by the embedder, so no held-out text is seen.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from bot.training.examples import QAExample
from index.tokens import terms

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


def same_article_negatives(
    examples: Sequence[QAExample], share: float, seed: int
) -> list[QAExample]:
    """For `share` of the answerable examples (drawn with `seed`), the other passage of the same
    article most like the question, as an unanswerable example.

    SQuAD 2.0's training unanswerables cannot be reached, so the no-answer signal is mined: a
    passage of the same article shares the question's topic and names, and the one sharing most
    of its rarer words (tf-idf cosine over the article's passages) is the passage a retriever
    would also bring, the one whose echo of the question's words misleads a reader. A passage
    holding one of the gold answers is skipped (the fact may be told twice).
    """
    if share <= 0:
        return []
    rng = random.Random(seed)
    by_article: dict[str, list[QAExample]] = {}
    for example in examples:
        by_article.setdefault(example.article, []).append(example)
    negatives: list[QAExample] = []
    for article_examples in by_article.values():
        contexts = list(dict.fromkeys(e.context for e in article_examples))
        if len(contexts) < 2:
            continue
        rows, idf = _tfidf(contexts)
        for example in article_examples:
            if not example.answerable or rng.random() >= share:
                continue
            query = _vector(Counter(terms(example.question)), idf)
            ranked = sorted(range(len(contexts)), key=lambda i: -_cosine(query, rows[i]))
            for at in ranked:
                context = contexts[at]
                if context == example.context or any(t in context for _, t in example.answers):
                    continue
                negatives.append(
                    QAExample(
                        f"{example.id}#same-article", example.question, context, (), example.article
                    )
                )
                break
    return negatives


def _tfidf(contexts: Sequence[str]) -> tuple[list[dict[str, float]], dict[str, float]]:
    """Each context's unit tf-idf vector (term -> weight), and the idf they share."""
    counts = [Counter(terms(c)) for c in contexts]
    frequency = Counter(t for c in counts for t in c)
    n = len(contexts)
    idf = {t: math.log((1 + n) / (1 + df)) + 1 for t, df in frequency.items()}
    return [_vector(c, idf) for c in counts], idf


def _vector(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    weights = {t: (1 + math.log(k)) * idf.get(t, 0.0) for t, k in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


__all__ = ["hard_negatives", "same_article_negatives"]
