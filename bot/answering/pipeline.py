"""The answering pipeline: question -> candidates -> reader scores -> choice -> answerability ->
citations. Each stage is a function of its own module; this one only runs them in order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.answer import Answer, Earlier, abstention
from bot.answering.answerability import confidence, covered_features
from bot.answering.answering_model import AnsweringModel
from bot.answering.candidates import Candidates, find_candidates
from bot.answering.choice import Options, ranked_scores, span_options
from bot.answering.citations import citation, quote, supporting
from bot.answering.config import AnsweringConfig
from bot.answering.follow_up import Conversation
from bot.answering.reports import order_reports
from bot.answering.spans import Reading, read
from bot.answering.tuning import EARLIER_REPORTS

if TYPE_CHECKING:
    from bot.answering.reader import Reader
    from index.passages import Passages
    from index.time_words import TimeWords

_DEFAULTS = AnsweringConfig()
_ALONE = Conversation()  # a question asked on its own, not in a conversation


@dataclass(frozen=True)
class Examined:
    """Everything the stages before the decision found for one question."""

    candidates: Candidates
    reading: Reading
    options: Options


@dataclass(frozen=True)
class Newest:
    """How answering weighs when a report was published: among answers scoring within the
    config's `report_margin` of the best, the newest report (inside `period`, when the question
    names one) answers and up to `limit` older ones follow as earlier reports."""

    period: TimeWords | None = None
    limit: int = EARLIER_REPORTS


@dataclass(frozen=True)
class Decision:
    """The chosen option, every option's choice score, and P(answerable)."""

    best: int
    scores: np.ndarray
    confidence: float


def examine(
    question: str,
    passages: Passages,
    reader: Reader,
    model: AnsweringModel,
    question_vector: np.ndarray,
    *,
    conversation: Conversation = _ALONE,
) -> Examined:
    """Candidates, the reader's spans and the span options of a question over `passages`, in
    the `conversation` so far (`Conversation` says what each of its parts does)."""
    # Spans are judged against the question with its aliases spelled out: "Royal College of
    # Nursing" only restates "Who is in charge of the RCN?", it does not answer it.
    expanded = passages.lexicon.expand(question)
    candidates = find_candidates(
        question, passages, question_vector, context=conversation.context, expanded=expanded
    )
    shown = conversation.shown
    must_read = [
        i for i, c in enumerate(candidates.items) if any(c.sentence.text in s for s in shown)
    ]
    reading = read(
        reader,
        question,
        candidates,
        passages,
        sentences=model.sentences,
        windows=model.windows,
        must_read=must_read,
    )
    options = span_options(expanded, candidates, reading, passages, avoid=conversation.avoid)
    return Examined(candidates, reading, options)


def decide(examined: Examined, model: AnsweringModel) -> Decision | None:
    """The best option by the choice model and its answerability; None when there is none."""
    if not examined.options.items:
        return None
    kind = examined.candidates.kind
    scores = ranked_scores(examined.options.features, model.choice, kind)
    best = int(np.argmax(scores))
    p = confidence(
        kind,
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
    passages: Passages,
    reader: Reader,
    model: AnsweringModel,
    question_vector: np.ndarray,
    *,
    config: AnsweringConfig = _DEFAULTS,
    conversation: Conversation = _ALONE,
    newest: Newest | None = None,
) -> Answer:
    """Answer `question` from its retrieved `passages` with a verbatim span and its sentence,
    or abstain.

    `config` tunes the abstention threshold and the citations; `conversation` is what earlier
    turns leave (see `Conversation`); with `newest`, passages of different dates that answer
    differently give the newest report first and the others as earlier ones
    (`reports.order_reports`).
    """
    if not passages:
        return abstention(question)
    examined = examine(
        question, passages, reader, model, question_vector, conversation=conversation
    )
    decision = decide(examined, model)
    threshold = config.abstain_threshold
    cut = model.threshold if threshold is None else threshold
    if decision is None:
        return abstention(question, 0.0)
    best, older, p = decision.best, (), decision.confidence
    if newest is not None:
        best, older, p = _newest_report(
            examined, decision, passages, model, newest, config.report_margin, cut
        )
    if p < cut:
        return abstention(question, p)
    option = examined.options.items[best]
    quoted = quote(option, passages)
    extra = supporting(
        best,
        examined.options,
        decision.scores,
        passages,
        quoted.passage,
        margin=config.citation_margin,
        limit=config.max_citations,
    )
    cited = [quoted.passage, *extra]
    earlier = []
    for i in older:
        report = quote(examined.options.items[i], passages)
        if report.passage not in cited:
            cited.append(report.passage)
        text = report.passage.article.text
        earlier.append(
            Earlier(
                n=cited.index(report.passage) + 1,
                date=report.passage.article.date,
                answer=text[report.start : report.end],
                short_answer=examined.options.items[i].text,
            )
        )
    article = quoted.passage.article
    answer = Answer(
        question=question,
        answer=article.text[quoted.start : quoted.end],
        short_answer=option.text,
        abstained=False,
        citations=tuple(citation(n, passage) for n, passage in enumerate(cited, 1)),
        confidence=p,
        span=(option.start, option.end),
        earlier=tuple(earlier),
    )
    return answer


def _newest_report(
    examined: Examined,
    decision: Decision,
    passages: Passages,
    model: AnsweringModel,
    newest: Newest,
    margin: float,
    cut: float,
) -> tuple[int, tuple[int, ...], float]:
    """The option to answer with, the earlier reports' options and P(answerable): the newest
    report within `margin` (`reports.order_reports`) when it is answerable on its own, judged
    as if chosen; else the chosen option alone, as without dates."""
    period = newest.period
    reports = order_reports(
        decision.best,
        examined.options,
        decision.scores,
        lambda article_id: _day(passages, article_id),
        margin=margin,
        limit=newest.limit,
        in_period=period.holds if period is not None and period.period else _anywhen,
    )
    if reports.newest == decision.best:
        return decision.best, reports.earlier, decision.confidence
    p = confidence(
        examined.candidates.kind,
        examined.options.features,
        decision.scores,
        reports.newest,
        examined.reading.best_null_margin,
        covered_features(examined.candidates),
        model.answerability,
    )
    if p >= cut:
        return reports.newest, reports.earlier, p
    return decision.best, (), decision.confidence


def _day(passages: Passages, article_id: str) -> dt.date | None:
    date = passages.article(article_id).date
    return dt.date.fromisoformat(date) if date else None


def _anywhen(day: dt.date | None) -> bool:
    return True


__all__ = ["Decision", "Examined", "Newest", "answer_question", "decide", "examine"]
