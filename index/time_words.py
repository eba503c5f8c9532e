"""Time words: "this week", "in 2013", "latest" in a question, read as a period or a wish for
the newest report, relative to the question's now.

A small grammar finds the phrases (with the month names of index/vocabulary.py) and dateutil
does the calendar (relativedelta for "last month"). dateparser's `search_dates` was tried first
and left out: it gives a point in time where a question means a period ("last year" came back
as 14 March 2024, not 2024), reads the verb in "Who may lead the union?" as the month of May,
and took about 20 ms a question against a budget of 250 ms for the whole answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta

from index.scope import Scope
from index.vocabulary import CALENDAR_UNITS, MONTH_NUMBERS, units_pattern


@dataclass(frozen=True)
class TimeWords:
    """What a question's time words ask for.

    `since`/`until` (inclusive): the period the question is about, None for an open end;
    `recent`: the question wants the newest report ("latest", "now", "currently").
    `phrase`: the words as written, for saying what was read.
    """

    phrase: str
    since: dt.date | None = None
    until: dt.date | None = None
    recent: bool = False

    @property
    def period(self) -> bool:
        return self.since is not None or self.until is not None

    def about_past(self, now: dt.date) -> bool:
        """A period that ended before `now`: the question wants that time's report."""
        return self.until is not None and self.until < now

    def holds(self, day: dt.date | None) -> bool:
        """Whether an article of `day` lies in the period (an undated one never does)."""
        if not self.period:
            return True
        if day is None:
            return False
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


_MONTH = "|".join(
    sorted((m for m in MONTH_NUMBERS if len(m) > 3 or m == "may"), key=len, reverse=True)
)
_YEAR = r"(?:19|20)\d\d"
# "in May" but not "Who may lead": a month needs a preposition before it (or a year after it).
_IN = r"(?:in|during|of|for|from|since|before|after|until|by|early|late|mid-?)"
_MONTH_PHRASE = re.compile(
    rf"\b(?P<prep>{_IN})\s+(?:(?:early|late|mid-?)\s*)?(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?\b"
    rf"|\b(?P<month2>{_MONTH})\s+(?P<year2>{_YEAR})\b",
    re.IGNORECASE,
)
_YEAR_PHRASE = re.compile(
    rf"\b(?P<prep>{_IN})\s+(?:(?:early|late|mid-?)\s*)?(?P<year>{_YEAR})\b", re.I
)
_RELATIVE = re.compile(
    r"\b(?P<phrase>today|tonight|yesterday|(?:this|last|past|previous) (?:week|month|year)"
    r"|(?:the )?(?:past|last) (?P<n>\d+|two|three|four|five|six|seven) "
    rf"(?P<unit>{units_pattern(CALENDAR_UNITS)}))\b",
    re.IGNORECASE,
)
_RECENT = re.compile(
    r"\b(?:now|nowadays|currently|current|recently|recent|latest|newest|most recent|"
    r"these days|at the moment|at present|presently|right now|so far|still)\b",
    re.IGNORECASE,
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def read_time_words(question: str, now: dt.date) -> TimeWords | None:
    """The period or recency `question` asks about, relative to `now`; None when it names none.

    "this week" runs from Monday to `now`, "last week" is the Monday-to-Sunday before it;
    "in January" is the latest January that has begun by `now`; "in 2013" the year; "since
    2020" and "before 2015" are open on one side. "latest", "now", "recently" and the like set
    `recent`. Only the first period named counts.
    """
    found = _relative(question, now) or _month(question, now) or _year(question)
    recent = _RECENT.search(question)
    if found is None:
        return TimeWords(recent.group(0), recent=True) if recent else None
    if recent:
        return replace(found, recent=True)
    return found


def within(scope: Scope, words: TimeWords | None) -> Scope:
    """`scope` with the period of `words` as its `period`: dated articles outside it are left
    out, undated ones kept (`Scope.period`)."""
    if words is None or not words.period:
        return scope
    return replace(scope, period=(words.since, words.until))


def _relative(question: str, now: dt.date) -> TimeWords | None:
    match = _RELATIVE.search(question)
    if not match:
        return None
    phrase = match.group("phrase").casefold()
    if match.group("unit"):
        n = match.group("n")
        count = int(n) if n.isdigit() else _NUMBERS[n.casefold()]
        unit = match.group("unit").casefold().rstrip("s") + "s"
        return TimeWords(match.group(0), now - relativedelta(**{unit: count}), now)
    if phrase in ("today", "tonight"):
        return TimeWords(match.group(0), now, now)
    if phrase == "yesterday":
        return TimeWords(match.group(0), now - dt.timedelta(days=1), now - dt.timedelta(days=1))
    which, unit = phrase.split()
    if which == "past":  # "the past week": the seven days to now, not a calendar week
        return TimeWords(match.group(0), now - relativedelta(**{unit + "s": 1}), now)
    start = _start_of(unit, now)
    if which == "this":
        return TimeWords(match.group(0), start, now)
    previous = start - relativedelta(**{unit + "s": 1})
    return TimeWords(match.group(0), previous, start - dt.timedelta(days=1))


def _start_of(unit: str, day: dt.date) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _month(question: str, now: dt.date) -> TimeWords | None:
    match = _MONTH_PHRASE.search(question)
    if not match:
        return None
    month = MONTH_NUMBERS[(match.group("month") or match.group("month2")).casefold()]
    year_text = match.group("year") or match.group("year2")
    year = int(year_text) if year_text else now.year - (month > now.month)
    first = dt.date(year, month, 1)
    last = first + relativedelta(months=1) - dt.timedelta(days=1)
    return _open(match.group(0), match.group("prep"), first, last)


def _year(question: str) -> TimeWords | None:
    match = _YEAR_PHRASE.search(question)
    if not match:
        return None
    year = int(match.group("year"))
    return _open(match.group(0), match.group("prep"), dt.date(year, 1, 1), dt.date(year, 12, 31))


def _open(phrase: str, prep: str | None, first: dt.date, last: dt.date) -> TimeWords:
    """The period a preposition makes of [first, last]: "since" and "after" open its end,
    "before", "until" and "by" its start."""
    prep = (prep or "").casefold()
    if prep in ("since", "from"):
        return TimeWords(phrase, first, None)
    if prep == "after":
        return TimeWords(phrase, last + dt.timedelta(days=1), None)
    if prep == "before":
        return TimeWords(phrase, None, first - dt.timedelta(days=1))
    if prep in ("until", "by"):
        return TimeWords(phrase, None, last)
    return TimeWords(phrase, first, last)


__all__ = ["TimeWords", "read_time_words", "within"]
