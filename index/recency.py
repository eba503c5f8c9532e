"""Recency: retrieved hits re-ordered by when their article was published, for a question
that wants the newest report or names a period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.search import Hit
from index.time_words import TimeWords


@dataclass(frozen=True)
class Recency:
    """How much a date may move a hit: fused scores lie in [0, 1] (min-max normalised), so a
    bonus of `newest` lifts the newest hit of the pool over any hit scoring up to that much
    more, and `in_period` does the same for a hit inside the period asked about."""

    newest: float = 0.3
    in_period: float = 1.0


def rerank(
    hits: Sequence[Hit],
    date_of: Callable[[str], dt.date | None],
    words: TimeWords,
    weights: Recency = Recency(),
    *,
    period: bool = True,
) -> list[Hit]:
    """`hits` best first once each has its bonus: for `words.recent`, up to `weights.newest`
    by its article's place between the oldest (0) and newest (1) dated article of the pool
    (undated: 0, as nothing says it is recent); with `period`, `weights.in_period` when its
    article lies in the period of `words`. Ties keep the search's order; scores are kept."""
    days = [date_of(h.chunk.article_id) for h in hits]
    dated = [d.toordinal() for d in days if d is not None]
    oldest, newest = (min(dated), max(dated)) if dated else (0, 0)
    span = max(newest - oldest, 1)

    def bonus(n: int) -> float:
        day, extra = days[n], 0.0
        if words.recent and day is not None and newest > oldest:
            extra += weights.newest * (day.toordinal() - oldest) / span
        if period and words.period and words.holds(day):
            extra += weights.in_period
        return hits[n].score + extra

    order = sorted(range(len(hits)), key=lambda n: (-bonus(n), n))
    return [hits[n] for n in order]


__all__ = ["Recency", "rerank"]
