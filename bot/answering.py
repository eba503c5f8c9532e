"""Answering: pick the verbatim sentence(s) answering a question from retrieved Hits, or abstain."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.question import AnswerType, answer_type
from bot.sentence_scoring import (
    FEATURES,
    ConfidenceWeights,
    Weights,
    question_terms,
    scores,
    sentence_features,
)
from bot.short_answer import has_new_value, short_answer
from bot.terms import content_stems
from index.tokens import stem, tokenize

if TYPE_CHECKING:
    from bot.settings import Settings
    from index import Embedder, Index
    from index.chunking import Chunk
    from index.search import Hit
    from index.sentences import Sentence

ABSTAIN_TEXT = "I couldn't find that in the sources."


@dataclass(frozen=True)
class Citation:
    """A numbered source: the cited passage, with its place in the article."""

    n: int
    article_id: str
    title: str | None
    date: str | None
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    """What every front end renders. `answer` is quoted verbatim from citations[0].text."""

    question: str
    answer: str | None
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)


# A sentence opening like this leans on the one before it for its meaning ("It will stage...").
_DEPENDENT_OPENING = re.compile(
    r"^[\"'“‘]?(?!It (?:is|was|has been) (?:understood|thought|said|expected|believed|reported|"
    r"likely|unclear|clear|known|hoped|feared|claimed)\b)"
    r"(?:It|Its|This|That|These|Those|He|She|They|His|Her|Their|Them|But|And|Or|So|However|Also|"
    r"Then|Yet|Still|Instead|Meanwhile|Such|The latter|The former)\b"
)
_MIN_WORDS = 6  # a shorter best sentence (a heading, a fragment) gets its successor appended
_LEANS_BACK = 0.25  # window minus own coverage from which the sentence before is quoted too


@dataclass(frozen=True)
class _Candidate:
    sentence: Sentence
    vector: np.ndarray
    hits: tuple[int, ...]  # positions in `hits` of every passage that contains the sentence
    previous: tuple[str, int, int] | None  # (article_id, start, end) of the sentence before it


@dataclass(frozen=True)
class CandidateFeatures:
    """The candidate sentences of one question and their feature rows (FEATURES columns)."""

    candidates: list[_Candidate]
    features: np.ndarray  # (len(candidates), len(FEATURES))
    top_dense: float  # embedding similarity of the best retrieved passage
    kind: AnswerType

    @property
    def sentences(self) -> list[Sentence]:
        return [c.sentence for c in self.candidates]

    def confidence(self, best: int, weights: ConfidenceWeights) -> float:
        """How likely candidate `best` answers the question, by the confidence model."""
        return weights.confidence(self.features[best], self.top_dense)


def candidate_features(
    question: str,
    hits: Sequence[Hit],
    index: Index,
    question_vector: np.ndarray,
    *,
    context: Sequence[str] = (),
) -> CandidateFeatures:
    """Every distinct sentence inside `hits` with its features; what calibration tunes on."""
    kind = answer_type(question, context)
    candidates = _candidates(hits, index)
    if not candidates:
        return CandidateFeatures([], np.zeros((0, len(FEATURES))), 0.0, kind)
    sparse = index.sparse
    terms = question_terms(
        question,
        kind,
        tokenize,
        lambda token: sparse.idf(stem(token)) if stem(token) in sparse.vocab else None,
        _unseen_idf(index),
        context=context,
    )
    cosines = np.stack([c.vector for c in candidates]) @ np.asarray(question_vector)
    relevance = _relevance(hits)
    tokens = [tokenize(c.sentence.text) for c in candidates]
    previous = _previous(candidates)
    features = np.stack(
        [
            sentence_features(
                terms,
                c.sentence.text,
                tokens[i],
                float(cosines[i]),
                max(relevance[h] for h in c.hits),
                previous=tokens[previous[i]] if previous[i] is not None else (),
            )
            for i, c in enumerate(candidates)
        ]
    )
    return CandidateFeatures(candidates, features, _top_dense(hits, float(cosines.max())), kind)


def answer_question(
    question: str,
    hits: Sequence[Hit],
    index: Index,
    embedder: Embedder,
    settings: Settings,
    *,
    question_vector: np.ndarray | None = None,
    context: Sequence[str] = (),
    avoid: Sequence[str] = (),
    weights: Weights | None = None,
    confidence_weights: ConfidenceWeights | None = None,
) -> Answer:
    """Answer `question` with a verbatim sentence from one of `hits`, or abstain.

    `context` holds earlier questions of a conversation, oldest first: they join the question
    for similarity and word overlap (down-weighted), while the answer type comes from
    `question` (or, if it has no wh-word, as in "And Unite?", from the last of them).
    `avoid` holds answers already shown in the conversation; they are not given again.
    `question_vector`, if given, must embed the same text the default would encode: the context
    and question joined by spaces (the engine retrieves with it, so it can pass it on).
    """
    started = time.perf_counter()
    weights = weights or Weights()
    confidence_weights = confidence_weights or ConfidenceWeights()
    if not hits:
        return _abstain(question, 0.0, started)
    if question_vector is None:
        question_vector = embedder.encode([" ".join([*context, question])])[0]
    found = candidate_features(question, hits, index, question_vector, context=context)
    if not found.candidates:
        return _abstain(question, 0.0, started)
    sentence_scores = scores(found.features, weights)
    if avoid:
        # A follow-up asks for something new: an answer the user has just been shown is not
        # the answer to "and who leads it?".
        sentence_scores = _avoiding(sentence_scores, found, question, avoid)
    best = int(np.argmax(sentence_scores))
    confidence = found.confidence(best, confidence_weights)
    if confidence < settings.abstain_threshold:
        return _abstain(question, confidence, started)

    row = dict(zip(FEATURES, found.features[best], strict=True))
    # When the sentence before carried the question's words, the quote must show it too.
    leans_back = row["window"] - row["coverage"] >= _LEANS_BACK
    cited, span = _answer_span(found.candidates[best], hits, index, leans_back)
    answer = index.articles[cited.chunk.article_id].text[span[0] : span[1]]
    best_sentence = found.candidates[best].sentence
    focus = (best_sentence.start - span[0], best_sentence.end - span[0])
    short = short_answer(question, answer, found.kind, focus=focus)
    supporting = _supporting(found, sentence_scores, best, hits, cited, span, short, settings)
    citations = tuple(
        _citation(n, hit, index) for n, hit in enumerate([cited, *supporting], start=1)
    )
    return Answer(
        question=question,
        answer=answer,
        short_answer=short,
        abstained=False,
        citations=citations,
        confidence=confidence,
        timings_ms={"answer": _ms(started)},
    )


def _avoiding(
    sentence_scores: np.ndarray,
    found: CandidateFeatures,
    question: str,
    avoid: Sequence[str],
) -> np.ndarray:
    """Scores with sentences already shown as answers ruled out, while any other remains.

    A shown sentence stays in when it holds a new value of the asked type: "who announced it?"
    may well be answered by the very sentence that said when.
    """
    stems = content_stems(question)
    shown = [
        any(c.sentence.text in text for text in avoid)
        and not (
            found.kind is not AnswerType.OTHER and has_new_value(c.sentence.text, found.kind, stems)
        )
        for c in found.candidates
    ]
    if all(shown):
        return sentence_scores
    return np.where(shown, -np.inf, sentence_scores)


def _candidates(hits: Sequence[Hit], index: Index) -> list[_Candidate]:
    """Every sentence inside the hits, once each, with the hits (passages) that contain it."""
    found: dict[tuple[str, int, int], _Candidate] = {}
    for position, hit in enumerate(hits):
        sentences, vectors = index.sentences_in(hit.chunk)
        for at, (sentence, vector) in enumerate(zip(sentences, vectors, strict=True)):
            key = _key(sentence)
            seen = found.get(key)
            # A chunk's sentences are contiguous, so the one before in it is the one before.
            previous = _key(sentences[at - 1]) if at > 0 else seen.previous if seen else None
            owners = (*seen.hits, position) if seen else (position,)
            found[key] = _Candidate(sentence, vector, owners, previous)
    return list(found.values())


def _previous(candidates: list[_Candidate]) -> list[int | None]:
    """For each candidate, the position of the candidate sentence just before it, if any."""
    position = {_key(c.sentence): i for i, c in enumerate(candidates)}
    return [position.get(c.previous) if c.previous else None for c in candidates]


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


def _unseen_idf(index: Index) -> float:
    """The weight of a question word no passage contains: that of the rarest indexed word.

    A word the corpus has never seen is at least as telling as its rarest one ("2022",
    "football"); weighing it more would let one paraphrased word sink an answerable question.
    """
    n = index.sparse.n_docs
    return max(math.log((n - 0.5) / 1.5), 1.0)


def _answer_span(
    candidate: _Candidate, hits: Sequence[Hit], index: Index, leans_back: bool
) -> tuple[Hit, tuple[int, int]]:
    """The cited hit and the answer's article span: the sentence, or it and a neighbour.

    A sentence that leans on its predecessor ("It will stage...", or one chosen because the
    sentence before it matched the question) gets that sentence prepended, and a fragment gets
    its successor appended, when some retrieved passage holds both: the answer must stay one
    contiguous span inside citation [1].
    """
    sentence = candidate.sentence
    owners = [hits[i] for i in candidate.hits]
    short = len(sentence.text.split()) < _MIN_WORDS
    back = leans_back or bool(_DEPENDENT_OPENING.match(sentence.text))
    if short or back:
        for hit in owners:
            neighbours, _ = index.sentences_in(hit.chunk)
            at = next(
                i
                for i, s in enumerate(neighbours)
                if (s.start, s.end) == (sentence.start, sentence.end)
            )
            if back and at > 0:
                return hit, (neighbours[at - 1].start, sentence.end)
            if short and not back and at + 1 < len(neighbours):
                return hit, (sentence.start, neighbours[at + 1].end)
    return owners[0], (sentence.start, sentence.end)


def _supporting(
    found: CandidateFeatures,
    sentence_scores: np.ndarray,
    best: int,
    hits: Sequence[Hit],
    cited: Hit,
    span: tuple[int, int],
    short: str | None,
    settings: Settings,
) -> list[Hit]:
    """Other retrieved passages that also support the answer, best first.

    A passage qualifies through a sentence other than the answer that scores within
    settings.citation_margin of it and says the same thing: it holds the same short answer,
    or (for untyped questions) its meaning is close (cosine >= settings.citation_similarity).
    Passages overlapping an already cited one, or near-copies of it, are left out.
    """
    floor = sentence_scores[best] - settings.citation_margin
    answer_vector = found.candidates[best].vector
    article_id = cited.chunk.article_id
    support: dict[int, float] = {}
    for c, score in zip(found.candidates, sentence_scores, strict=True):
        s = c.sentence
        if score < floor or (s.article_id == article_id and span[0] <= s.start < span[1]):
            continue
        if short is not None:
            agrees = short in s.text
        else:
            agrees = float(c.vector @ answer_vector) >= settings.citation_similarity
        if agrees:
            for h in c.hits:
                support[h] = max(support.get(h, -np.inf), float(score))
    chosen: list[Hit] = []
    for position in sorted(support, key=lambda h: (-support[h], h)):
        hit = hits[position]
        if len(chosen) + 1 >= settings.max_citations:
            break
        if not any(_overlapping(hit.chunk, other.chunk) for other in [cited, *chosen]):
            chosen.append(hit)
    return chosen


def _overlapping(a: Chunk, b: Chunk) -> bool:
    """The same article's passages sharing text, or two passages with near-identical words."""
    if a.article_id == b.article_id and a.start < b.end and b.start < a.end:
        return True
    words_a, words_b = set(tokenize(a.text)), set(tokenize(b.text))
    union = words_a | words_b
    return bool(union) and len(words_a & words_b) / len(union) > 0.8


def _citation(n: int, hit: Hit, index: Index) -> Citation:
    chunk = hit.chunk
    article = index.articles[chunk.article_id]
    return Citation(
        n=n,
        article_id=chunk.article_id,
        title=article.title,
        date=article.date,
        start=chunk.start,
        end=chunk.end,
        text=chunk.text,
        score=float(hit.score),
    )


def _abstain(question: str, confidence: float, started: float) -> Answer:
    return Answer(
        question=question,
        answer=None,
        short_answer=None,
        abstained=True,
        citations=(),
        confidence=confidence,
        timings_ms={"answer": _ms(started)},
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


__all__ = [
    "ABSTAIN_TEXT",
    "Answer",
    "CandidateFeatures",
    "Citation",
    "answer_question",
    "candidate_features",
]
