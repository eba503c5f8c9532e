"""Candidates: every sentence of the retrieved passages, with the features that say how well it
matches the question. Their linear score (the prior) picks which sentences the reader reads."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.answer_types import AnswerType, answer_type
from bot.answering.rarity import unseen_share
from bot.answering.short_answer import has_new_value
from bot.answering.terms import is_content
from bot.answering.tuning import (
    CONTEXT_WEIGHT,
    LENGTH_CAP,
    MIN_WEIGHT_SHARE,
    NOVELTY_CAP,
    PREFIX_CREDIT,
    PREFIX_LETTERS,
    PRIOR_WEIGHTS,
)
from index.tokens import tokenize
from index.vocabulary import stem

if TYPE_CHECKING:
    from index.passages import Lexicon, Passages
    from index.search import Hit
    from index.sentences import Sentence

# The columns of sentence_features(), in order; tuning.PRIOR_WEIGHTS has one weight per name.
FEATURES = (
    "cosine",
    "coverage",
    "coverage_with_previous",  # coverage over the sentence and the one before it
    "bigrams",
    "retrieval",
    "type_match",
    "novelty",
    "length",
)


# The prior's linear weights, one per FEATURES column: the hand-fitted sentence scorer Footnote
# answered with before it had a reader (76.8% of answer sentences held out; tuning.PRIOR_WEIGHTS).
PRIOR = np.array([PRIOR_WEIGHTS[name] for name in FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class Candidate:
    """One distinct sentence of the retrieved passages."""

    sentence: Sentence
    vector: np.ndarray
    hits: tuple[int, ...]  # positions in `passages` of every passage that contains the sentence
    previous: tuple[str, int, int] | None  # (article_id, start, end) of the sentence before it


@dataclass(frozen=True)
class Candidates:
    """The candidate sentences of one question, their FEATURES rows and prior scores."""

    items: list[Candidate]
    features: np.ndarray  # (len(items), len(FEATURES))
    prior: np.ndarray  # (len(items),) the PRIOR score of each row
    top_dense: float  # embedding similarity of the best retrieved passage
    kind: AnswerType

    def row(self, i: int) -> dict[str, float]:
        return dict(zip(FEATURES, self.features[i], strict=True))

    def containing(self, article_id: str, at: int) -> int | None:
        """The candidate whose sentence holds character `at` of the article, if any."""
        for i, c in enumerate(self.items):
            s = c.sentence
            if s.article_id == article_id and s.start <= at < s.end:
                return i
        return None


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


def find_candidates(
    question: str,
    passages: Passages,
    question_vector: np.ndarray,
    *,
    context: Sequence[str] = (),
    expanded: str | None = None,
) -> Candidates:
    """Every distinct sentence inside `passages` with its features and prior score.

    `expanded` is the question with its aliases spelled out (`Lexicon.expand`), when the
    caller has it already.
    """
    kind = answer_type(question, context)
    items = _candidates(passages)
    if not items:
        return Candidates([], np.zeros((0, len(FEATURES))), np.zeros(0), 0.0, kind)
    lexicon = passages.lexicon
    terms = question_terms(
        lexicon.expand(question) if expanded is None else expanded,
        kind,
        tokenize,
        lambda token: lexicon.idf(stem(token)),
        _unseen_idf(lexicon),
        context=context,
    )
    cosines = np.stack([c.vector for c in items]) @ np.asarray(question_vector)
    hits = passages.hits
    relevance = _relevance(hits)
    tokens = [tokenize(c.sentence.text) for c in items]
    previous = _previous(items)
    features = np.stack(
        [
            sentence_features(
                terms,
                c.sentence.text,
                tokens[i],
                float(cosines[i]),
                max(relevance[h] for h in c.hits),
                previous=tokens[previous[i]] if previous[i] is not None else (),
                referents=lexicon.referents(c.sentence),
            )
            for i, c in enumerate(items)
        ]
    )
    prior = features @ PRIOR
    return Candidates(items, features, prior, _top_dense(hits, float(cosines.max())), kind)


def question_terms(
    question: str,
    kind: AnswerType,
    tokenize: Callable[[str], list[str]],
    idf: Callable[[str], float | None],
    unseen_idf: float,
    *,
    context: Sequence[str] = (),
    context_weight: float = CONTEXT_WEIGHT,
) -> QuestionTerms:
    """Stems of the question (and, down-weighted, its context) with their IDF weights.

    `idf` gives None for a word the corpus has never seen; such a word weighs `unseen_idf` when
    English rarely uses it: when a question hinges on it ("2022", "sourdough"), a sentence
    without it is unlikely to be the answer. One English uses everywhere ("boss", "demo")
    weighs less (`rarity.unseen_share`): a small corpus lacks it because its articles word the
    same thing otherwise. No word weighs less than a quarter of `unseen_idf`: in a small corpus
    BM25 gives words found in half the passages ("TUC" in a TUC story) an IDF of zero, yet they
    still matter.
    """
    floor = unseen_idf * MIN_WEIGHT_SHARE
    weights: dict[str, float] = {}
    bigrams: set[tuple[str, str]] = set()
    for text, scale in [*((c, context_weight) for c in context), (question, 1.0)]:
        tokens = [t for t in tokenize(text) if is_content(t)]
        stems = [stem(t) for t in tokens]
        for token, s in zip(tokens, stems, strict=True):
            known = idf(token)
            weight = unseen_idf * unseen_share(token) if known is None else max(known, floor)
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
    referents: Sequence[str] = (),
) -> np.ndarray:
    """One row of FEATURES for a candidate sentence.

    `tokens` is the sentence tokenized like the question, `cosine` its embedding similarity to
    the question, `retrieval` the fused score of the passage it came from relative to the best,
    `previous` the tokens of the sentence before it (when retrieved too), `referents` what its
    pronouns stand for ("she" -> "Pat Cullen"), which count as words of the sentence.
    """
    stems = [stem(t) for t in tokens if is_content(t)]
    present = set(stems) | {stem(t) for r in referents for t in tokenize(r) if is_content(t)}
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
    novelty = min(len(present - terms.stems), NOVELTY_CAP) / NOVELTY_CAP
    length = min(len(tokens), LENGTH_CAP) / LENGTH_CAP
    return np.array(
        [cosine, coverage, window, bigrams, retrieval, type_match, novelty, length],
        dtype=np.float64,
    )


def _coverage(terms: QuestionTerms, present: set[str]) -> float:
    """IDF-weighted share of the question's stems found among `present`."""
    if terms.total <= 0:
        return 0.0
    return sum(w * _match(s, present) for s, w in terms.weights.items()) / terms.total


def _match(question_stem: str, present: set[str]) -> float:
    """1 for the same stem, 0.5 for a shared prefix of 4+ letters (lead/leader), else 0."""
    if question_stem in present:
        return 1.0
    if len(question_stem) >= PREFIX_LETTERS:
        for s in present:
            if len(s) >= PREFIX_LETTERS and (
                s.startswith(question_stem) or question_stem.startswith(s)
            ):
                return PREFIX_CREDIT
    return 0.0


def _candidates(passages: Passages) -> list[Candidate]:
    """Every sentence inside the passages, once each, with the passages that contain it."""
    found: dict[tuple[str, int, int], Candidate] = {}
    for position, passage in enumerate(passages):
        sentences, vectors = passage.sentences, passage.vectors
        for at, (sentence, vector) in enumerate(zip(sentences, vectors, strict=True)):
            key = _key(sentence)
            seen = found.get(key)
            # A chunk's sentences are contiguous, so the one before in it is the one before.
            previous = _key(sentences[at - 1]) if at > 0 else seen.previous if seen else None
            owners = (*seen.hits, position) if seen else (position,)
            found[key] = Candidate(sentence, vector, owners, previous)
    return list(found.values())


def _previous(items: list[Candidate]) -> list[int | None]:
    """For each candidate, the position of the candidate sentence just before it, if any."""
    position = {_key(c.sentence): i for i, c in enumerate(items)}
    return [position.get(c.previous) if c.previous else None for c in items]


def _key(sentence: Sentence) -> tuple[str, int, int]:
    return (sentence.article_id, sentence.start, sentence.end)


def _relevance(hits: Sequence[Hit]) -> list[float]:
    """Each hit's fused score relative to the best (1.0 for the top hit)."""
    top = max(h.score for h in hits)
    if top <= 0:
        return [1.0 / (rank + 1) for rank in range(len(hits))]
    return [max(h.score, 0.0) / top for h in hits]


def _top_dense(hits: Sequence[Hit], fallback: float) -> float:
    """The best passage's embedding similarity (a BM25-only search has none: use the sentence's)."""
    dense = [h.dense_score for h in hits if h.dense_score is not None]
    return max(dense) if dense else fallback


def _unseen_idf(lexicon: Lexicon) -> float:
    """The weight of a question word no passage contains: that of the rarest indexed word.

    A word the corpus has never seen is at least as telling as its rarest one ("2022",
    "football"); weighing it more would let one paraphrased word sink an answerable question.
    """
    n = lexicon.n_docs
    return max(math.log((n - 0.5) / 1.5), 1.0)


assert tuple(PRIOR_WEIGHTS) == FEATURES

__all__ = [
    "FEATURES",
    "PRIOR",
    "Candidate",
    "Candidates",
    "QuestionTerms",
    "find_candidates",
    "question_terms",
    "sentence_features",
]
