"""The answering pipeline: question -> candidates -> reader scores -> choice -> answerability ->
citations. Each stage is a function of its own module; this one only runs them in order."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.answer import Answer, abstention
from bot.answering.answerability import confidence, covered_features
from bot.answering.candidates import Candidates, find_candidates
from bot.answering.choice import Options, choice_scores, span_options
from bot.answering.citations import citation, quote, supporting
from bot.answering.model import AnsweringModel
from bot.answering.reading import Reading, read

if TYPE_CHECKING:
    from bot.answering.reader import Reader
    from index import Index
    from index.search import Hit


@dataclass(frozen=True)
class Examined:
    """Everything the stages before the decision found for one question."""

    candidates: Candidates
    reading: Reading
    options: Options


@dataclass(frozen=True)
class Decision:
    """The chosen option, every option's choice score, and P(answerable)."""

    best: int
    scores: np.ndarray
    confidence: float


def examine(
    question: str,
    hits: Sequence[Hit],
    index: Index,
    reader: Reader,
    model: AnsweringModel,
    question_vector: np.ndarray,
    *,
    context: Sequence[str] = (),
    shown: Sequence[str] = (),
    avoid: Sequence[str] = (),
) -> Examined:
    """Candidates, the reader's spans and the span options of a question over `hits`.

    `shown` holds answers the conversation has already quoted: their sentences are always read
    (a follow-up is often answered by the sentence just shown). `avoid` holds short answers
    already given, which a follow-up does not ask for again.
    """
    candidates = find_candidates(question, hits, index, question_vector, context=context)
    must_read = [
        i for i, c in enumerate(candidates.items) if any(c.sentence.text in s for s in shown)
    ]
    reading = read(
        reader,
        question,
        candidates,
        hits,
        index,
        sentences=model.sentences,
        windows=model.windows,
        must_read=must_read,
    )
    texts = {a: index.articles[a].text for a in {s.source for s in reading.spans}}
    # Spans are judged against the question with its aliases spelled out: "Royal College of
    # Nursing" only restates "Who is in charge of the RCN?", it does not answer it.
    passages = [h.chunk for h in hits]
    options = span_options(
        index.expand(question), candidates, reading, texts, passages, avoid=avoid
    )
    return Examined(candidates, reading, options)


def decide(examined: Examined, model: AnsweringModel) -> Decision | None:
    """The best option by the choice model and its answerability; None when there is none."""
    if not examined.options.items:
        return None
    scores = choice_scores(examined.options.features, model.choice)
    best = int(np.argmax(scores))
    p = confidence(
        examined.candidates.kind,
        examined.options.features,
        scores,
        best,
        examined.reading.best_null_margin,
        covered_features(examined.candidates),
        model.answerability,
    )
    return Decision(best, scores, p)


def answer_question(
    question: str,
    hits: Sequence[Hit],
    index: Index,
    reader: Reader,
    model: AnsweringModel,
    question_vector: np.ndarray,
    *,
    threshold: float | None = None,
    max_citations: int = 3,
    citation_margin: float = 1.0,
    context: Sequence[str] = (),
    shown: Sequence[str] = (),
    avoid: Sequence[str] = (),
) -> Answer:
    """Answer `question` from `hits` with a verbatim span and its sentence, or abstain.

    `threshold` overrides the model's abstention threshold; `context` holds earlier questions
    of a conversation, oldest first (see `examine` for `shown` and `avoid`).
    """
    started = time.perf_counter()
    if not hits:
        return _timed(abstention(question), started)
    examined = examine(
        question,
        hits,
        index,
        reader,
        model,
        question_vector,
        context=context,
        shown=shown,
        avoid=avoid,
    )
    decision = decide(examined, model)
    cut = model.threshold if threshold is None else threshold
    if decision is None or decision.confidence < cut:
        confidence = decision.confidence if decision else 0.0
        return _timed(abstention(question, confidence), started)
    option = examined.options.items[decision.best]
    quoted = quote(option, hits, index)
    extra = supporting(
        decision.best,
        examined.options,
        decision.scores,
        hits,
        quoted.hit,
        margin=citation_margin,
        limit=max_citations,
    )
    article = index.articles[quoted.hit.chunk.article_id]
    answer = Answer(
        question=question,
        answer=article.text[quoted.start : quoted.end],
        short_answer=option.text,
        abstained=False,
        citations=tuple(citation(n, h, index) for n, h in enumerate([quoted.hit, *extra], 1)),
        confidence=decision.confidence,
        span=(option.start, option.end),
    )
    return _timed(answer, started)


def _timed(answer: Answer, started: float) -> Answer:
    from dataclasses import replace

    return replace(answer, timings_ms={"answer": (time.perf_counter() - started) * 1000})


__all__ = ["Decision", "Examined", "answer_question", "decide", "examine"]
