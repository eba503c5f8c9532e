"""Reports: when passages of different dates answer differently, the newest report first and
the older ones as "Earlier (date): ...", each quoted verbatim and cited.

News changes: a fare rises, a union elects a new leader, a reopening slips. The choice model
scores spans by how well they answer, not by when they were true, so two reports of different
days often score within a point of each other and the older may win. Among the spans that
answer nearly as well as the best, one per dated article, the newest (or, for a question about
a period, the newest inside it) becomes the answer and the others its earlier reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answering.choice import Options
from bot.answering.terms import content_stems


@dataclass(frozen=True)
class Reports:
    """Option indices: `newest` answers, `earlier` are the older reports, newest first."""

    newest: int
    earlier: tuple[int, ...]


def order_reports(
    chosen: int,
    options: Options,
    scores: Sequence[float],
    date_of: Callable[[str], dt.date | None],
    *,
    margin: float,
    limit: int,
    in_period: Callable[[dt.date], bool] = lambda day: True,
) -> Reports:
    """The reports that answer nearly as well as the chosen option: the best option of each
    dated article (inside the period, when `in_period` says) scoring within `margin` of it.
    The newest of them answers, even when it says the same as the chosen one (the latest
    report of a fact is the one to quote); up to `limit` older ones that say something else
    (other content words), each once, follow newest first. An undated article cannot be
    placed in time and takes no part: with one, the chosen option stands alone."""
    if date_of(options.items[chosen].article_id) is None:
        return Reports(chosen, ())
    best_of: dict[str, int] = {}
    for i in sorted(range(len(options.items)), key=lambda j: (j != chosen, -scores[j])):
        article = options.items[i].article_id
        if scores[i] >= scores[chosen] - margin and article not in best_of:
            best_of[article] = i
    days = {i: date_of(article) for article, i in best_of.items()}
    dated = {i: day for i, day in days.items() if day is not None and in_period(day)}
    if len(dated) < 2:
        return Reports(chosen, ())
    by_date = sorted(dated, key=lambda i: (dated[i], scores[i]), reverse=True)
    newest = by_date[0]
    shown = [content_stems(options.items[newest].text)]
    earlier = []
    for i in by_date[1:]:
        said = content_stems(options.items[i].text)
        if dated[i] < dated[newest] and said not in shown:
            earlier.append(i)
            shown.append(said)
    return Reports(newest, tuple(earlier[:limit]))


__all__ = ["Reports", "order_reports"]
