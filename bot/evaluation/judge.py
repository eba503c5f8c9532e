"""Judging retrieved passages and answers against a question's gold answers."""

from __future__ import annotations

from bot.answering import Answer
from bot.evaluation.datasets import EvalQuestion
from bot.evaluation.metrics import contains_answer, exact_match, f1_score, spans_overlap
from index import Index


def passage_is_relevant(q: EvalQuestion, article_id: str, start: int, end: int, text: str) -> bool:
    """A retrieved passage counts when it overlaps a gold span or, without offsets, holds an answer.

    Offsets are stricter than text: SQuAD's "France" or "1973" appears in many paragraphs, but
    only the gold one is the passage the question was written against.
    """
    if q.spans:
        return any(
            s.article_id == article_id and spans_overlap(start, end, s.start, s.end)
            for s in q.spans
        )
    return passage_answers(q, article_id, text)


def passage_answers(q: EvalQuestion, article_id: str, text: str) -> bool:
    """Text from `article_id` answers `q`: it contains a gold answer (normalised) and, when the set
    names the answer's article, comes from that article (the seeds' disambiguation questions need
    the right one of two articles that both mention strikes and dates)."""
    if q.article_id is not None and article_id != q.article_id:
        return False
    return contains_answer(text, q.answers)


def prediction_text(answer: Answer) -> str:
    """What EM/F1 score: the short answer, or the quoted sentence when there is none, or ""."""
    if answer.abstained:
        return ""
    return answer.short_answer or answer.answer or ""


def em_f1(q: EvalQuestion, answer: Answer) -> tuple[float, float]:
    """SQuAD v2 scoring: against the gold answers; a question to refuse scores 1 for abstaining."""
    if not q.answerable:
        refused = float(answer.abstained)
        return refused, refused
    prediction = prediction_text(answer)
    return exact_match(prediction, q.answers), f1_score(prediction, q.answers)


def quote_is_faithful(answer: Answer, index: Index) -> bool:
    """The quote lies in citation [1], and every citation is its article's text at its offsets."""
    if answer.abstained or not answer.citations or not answer.answer:
        return False
    for c in answer.citations:
        article = index.articles.get(c.article_id)
        if article is None or article.text[c.start : c.end] != c.text:
            return False
    return answer.answer in answer.citations[0].text


__all__ = [
    "em_f1",
    "passage_answers",
    "passage_is_relevant",
    "prediction_text",
    "quote_is_faithful",
]
