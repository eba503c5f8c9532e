"""Scope: which articles may be evidence for a question, by its time and the user's filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.articles import Article
from index.dates import parse_date
from index.errors import FootnoteError

UNDATED = -1  # the day number of an article that gives no date


@dataclass(frozen=True)
class Scope:
    """The question's now and the filters asked for.

    `as_of`: articles dated after it are never evidence; undated ones are kept, since nothing
    says they are later. `since`/`until` (inclusive) ask for a period, so an undated article,
    which cannot be shown to lie in it, is left out. `outlets`: an article's outlet must
    contain one of them, ignoring case ("bbc" keeps "BBC News" and "bbc.co.uk").
    """

    as_of: dt.date | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    outlets: tuple[str, ...] = ()
    # The period the question's own words name ("in 2013", index/time_words.py): read from
    # the question, not asked for, so it leaves out dated articles outside it but keeps the
    # undated, which may be of that time (a corpus without dates answers as before).
    period: tuple[dt.date | None, dt.date | None] = (None, None)

    @classmethod
    def parse(
        cls,
        *,
        as_of: str | None = None,
        since: str | None = None,
        until: str | None = None,
        outlets: Sequence[str] = (),
        names: tuple[str, str, str] = ("as_of", "since", "until"),
    ) -> Scope:
        """A Scope from what a user typed; ScopeError names the field (`names`: how this front
        end spells them, e.g. "--as-of") when a date can't be read or the period is empty."""
        as_of_day, since_day, until_day = (
            _user_date(value, name)
            for value, name in zip((as_of, since, until), names, strict=True)
        )
        if since_day and until_day and since_day > until_day:
            raise ScopeError(f"{names[1]} ({since_day}) is after {names[2]} ({until_day}).")
        wanted = tuple(o.strip() for o in outlets if o and o.strip())
        return cls(as_of_day, since_day, until_day, wanted)

    @property
    def unbounded(self) -> bool:
        return (
            self.since is None
            and self.until is None
            and not self.outlets
            and self.period == (None, None)
        )


class ArticleFacts:
    """Every article's day number and outlet as arrays, so a scope is a few numpy compares."""

    def __init__(self, articles: Sequence[Article], chunk_articles: np.ndarray) -> None:
        self.days = np.array([_day(a.date) for a in articles], dtype=np.int64)
        names = [(a.outlet or "").casefold() for a in articles]
        self.outlet_names, self.outlet_codes = np.unique(
            np.array(names, dtype=str), return_inverse=True
        )
        self.chunk_articles = chunk_articles  # article number of each chunk
        self.newest = int(self.days.max()) if len(self.days) else UNDATED

    def allowed(self, scope: Scope) -> np.ndarray | None:
        """One bool per chunk: may it be evidence? None when every chunk may (the usual case,
        which then costs the search nothing)."""
        if scope.unbounded and (scope.as_of is None or scope.as_of.toordinal() >= self.newest):
            return None
        keep = np.ones(len(self.days), dtype=bool)
        if scope.as_of is not None:
            keep &= self.days <= scope.as_of.toordinal()  # undated (-1) stays
        if scope.since is not None:
            keep &= self.days >= scope.since.toordinal()
        if scope.until is not None:
            keep &= (self.days != UNDATED) & (self.days <= scope.until.toordinal())
        if scope.outlets:
            wanted = [o.casefold() for o in scope.outlets]
            named = [
                n
                for n, name in enumerate(self.outlet_names)
                if name and any(w in name for w in wanted)
            ]
            keep &= np.isin(self.outlet_codes, named)
        first, last = scope.period
        if first is not None:
            keep &= (self.days == UNDATED) | (self.days >= first.toordinal())
        if last is not None:
            keep &= self.days <= last.toordinal()  # undated (-1) stays
        if keep.all():
            return None  # nothing left out: the search is the unscoped one, exactly
        return keep[self.chunk_articles]


class ScopeError(FootnoteError):
    """A date or filter a user gave that can't be used, said in one line."""


def _user_date(value: str | None, name: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    day = parse_date(value)
    if day is None:
        raise ScopeError(
            f"{name}: {value.strip()[:40]!r} is not a date; write it like 2023-01-05, "
            "5 January 2023 or Jan. 5, 2023."
        )
    return day


def _day(date: str | None) -> int:
    try:
        return dt.date.fromisoformat(date).toordinal() if date else UNDATED
    except ValueError:
        return UNDATED
