"""Sentence scoring: features of candidate answer sentences, their score, and answer confidence."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields

import numpy as np

from bot.question import AnswerType
from bot.short_answer import has_new_value
from bot.terms import is_content
from index.tokens import stem

# The columns of sentence_features(), in order; Weights has one field per name.
FEATURES = (
    "cosine",
    "coverage",
    "window",
    "bigrams",
    "retrieval",
    "type_match",
    "novelty",
    "length",
)


@dataclass(frozen=True)
class Weights:
    """Linear weights of the sentence score, one per FEATURES column.

    Fitted by coordinate ascent on 544 answerable SQuAD 2.0 dev questions over two 60-paragraph
    corpora, then rounded (sentence accuracy 87% against 76% for cosine alone).
    """

    cosine: float = 1.0  # embedding similarity of question and sentence
    coverage: float = 1.1  # IDF-weighted share of the question's words in the sentence
    window: float = 1.7  # the same share over the sentence and the one before it
    bigrams: float = 0.1  # share of the question's word pairs found in the sentence
    retrieval: float = 0.5  # fused score of its passage relative to the top passage
    type_match: float = 0.3  # +1 holds a value of the asked type, -1 does not, 0 untyped question
    novelty: float = 0.1  # it says something beyond the question's own words
    length: float = 0.1  # words, capped at 20: fragments and headings rarely answer

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)

    @classmethod
    def from_vector(cls, values: Sequence[float]) -> Weights:
        return cls(*(float(v) for v in values))


@dataclass(frozen=True)
class ConfidenceWeights:
    """Logistic model of P(the best sentence answers the question) from the best candidate.

    Fitted on SQuAD 2.0 dev: answerable questions against questions about articles that are
    not in the index (the answer type's presence earned no weight there).
    """

    bias: float = -6.9
    cosine: float = 5.4  # cosine of the best sentence
    coverage: float = 3.2  # its IDF-weighted coverage of the question
    window: float = 3.9  # the same over it and the sentence before it
    dense: float = 4.6  # dense score of the top retrieved passage
    type_match: float = 0.0

    def confidence(self, features: np.ndarray, dense: float) -> float:
        """Confidence in [0, 1] for one row of FEATURES and the top passage's dense score."""
        row = dict(zip(FEATURES, features, strict=True))
        z = (
            self.bias
            + self.cosine * row["cosine"]
            + self.coverage * row["coverage"]
            + self.window * row["window"]
            + self.dense * dense
            + self.type_match * row["type_match"]
        )
        return 1.0 / (1.0 + math.exp(-min(max(z, -50.0), 50.0)))


@dataclass(frozen=True)
class QuestionTerms:
    """What sentences are matched against: the question's weighted stems and stem bigrams."""

    weights: dict[str, float]  # stem -> IDF (context stems down-weighted)
    bigrams: frozenset[tuple[str, str]]
    stems: frozenset[str]  # every content stem of the question and its context
    kind: AnswerType

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def question_terms(
    question: str,
    kind: AnswerType,
    tokenize: Callable[[str], list[str]],
    idf: Callable[[str], float | None],
    unseen_idf: float,
    *,
    context: Sequence[str] = (),
    context_weight: float = 0.5,
) -> QuestionTerms:
    """Stems of the question (and, down-weighted, its context) with their IDF weights.

    `idf` gives None for a word the corpus has never seen; such a word weighs `unseen_idf`:
    when a question hinges on it ("2022", "football"), a sentence without it is unlikely to be
    the answer. No word weighs less than a quarter of that: in a small corpus BM25 gives words
    found in half the passages ("TUC" in a TUC story) an IDF of zero, yet they still matter.
    """
    floor = unseen_idf / 4
    weights: dict[str, float] = {}
    bigrams: set[tuple[str, str]] = set()
    for text, scale in [*((c, context_weight) for c in context), (question, 1.0)]:
        tokens = [t for t in tokenize(text) if is_content(t)]
        stems = [stem(t) for t in tokens]
        for token, s in zip(tokens, stems, strict=True):
            known = idf(token)
            weight = unseen_idf if known is None else max(known, floor)
            weights[s] = max(weights.get(s, 0.0), scale * weight)
        bigrams.update(zip(stems, stems[1:], strict=False))
    return QuestionTerms(weights, frozenset(bigrams), frozenset(weights), kind)


def sentence_features(
    terms: QuestionTerms,
    sentence: str,
    tokens: Sequence[str],
    cosine: float,
    retrieval: float,
    previous: Sequence[str] = (),
) -> np.ndarray:
    """One row of FEATURES for a candidate sentence.

    `tokens` is the sentence tokenized like the question, `cosine` its embedding similarity to
    the question, `retrieval` the fused score of the passage it came from relative to the best,
    `previous` the tokens of the sentence before it (when retrieved too).
    """
    stems = [stem(t) for t in tokens if is_content(t)]
    present = set(stems)
    coverage = _coverage(terms, present)
    # Questions are often written over two sentences: the answer follows the one that
    # names the topic ("...left Messina to reach Acre. But a storm dispersed the fleet.").
    window = _coverage(terms, present | {stem(t) for t in previous if is_content(t)})
    pairs = set(zip(stems, stems[1:], strict=False))
    bigrams = len(terms.bigrams & pairs) / len(terms.bigrams) if terms.bigrams else 0.0
    if terms.kind is AnswerType.OTHER:
        type_match = 0.0
    else:
        type_match = 1.0 if has_new_value(sentence, terms.kind, set(terms.stems)) else -1.0
    novelty = min(len(present - terms.stems), 4) / 4
    length = min(len(tokens), 20) / 20
    return np.array(
        [cosine, coverage, window, bigrams, retrieval, type_match, novelty, length],
        dtype=np.float64,
    )


def scores(features: np.ndarray, weights: Weights) -> np.ndarray:
    """The linear score of each row of a (n, len(FEATURES)) feature matrix."""
    return features @ weights.vector()


def _coverage(terms: QuestionTerms, present: set[str]) -> float:
    """IDF-weighted share of the question's stems found among `present`."""
    if terms.total <= 0:
        return 0.0
    return sum(w * _match(s, present) for s, w in terms.weights.items()) / terms.total


def _match(question_stem: str, present: set[str]) -> float:
    """1 for the same stem, 0.5 for a shared prefix of 4+ letters (lead/leader), else 0."""
    if question_stem in present:
        return 1.0
    if len(question_stem) >= 4:
        for s in present:
            if len(s) >= 4 and (s.startswith(question_stem) or question_stem.startswith(s)):
                return 0.5
    return 0.0


assert tuple(f.name for f in fields(Weights)) == FEATURES

__all__ = [
    "FEATURES",
    "ConfidenceWeights",
    "QuestionTerms",
    "Weights",
    "question_terms",
    "scores",
    "sentence_features",
]
