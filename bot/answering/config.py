"""How answering answers: the tunables of the stages after retrieval, each defined once here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnsweringConfig:
    """What `answer_question` is tuned by; `Settings.answering` composes it from settings.

    `abstain_threshold` is the P(answerable) below which it abstains (None: the model's own,
    calibrated in answering.json). The answer cites its passage plus up to `max_citations`
    minus one supporting ones, each scoring at most `citation_margin` below the answer. With
    dates weighed (`Newest`), a report of another date answering otherwise within
    `report_margin` of the best span's choice score is weighed by date, the newest first
    (`reports.order_reports`).
    """

    abstain_threshold: float | None = None
    max_citations: int = 3
    citation_margin: float = 1.0
    report_margin: float = 2.0


__all__ = ["AnsweringConfig"]
