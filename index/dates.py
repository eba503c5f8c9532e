"""Dates: the day a text names, in ISO 8601 or the written forms news uses."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as _parser

# Two different defaults: a field dateutil filled in from the default differs between the two
# parses, so "May 2013" or "2013" (no day) is not taken for a full date.
_DEFAULTS = (dt.datetime(1904, 1, 1), dt.datetime(1908, 2, 2))
_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.]")
_HAS_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_LONGEST = 60  # a date, with a weekday and a time; a longer line is a sentence about a date


def parse_date(text: str) -> dt.date | None:
    """The day `text` is, when all of it is one date with day, month and year; else None.

    Accepts ISO 8601 (`2023-01-05`, `2023-01-05T10:00:00Z`), `2023/01/05`, `5 January 2023`,
    `Jan. 5, 2023`, `Sunday, 7 April 2013`, RFC 2822 (`Thu, 05 Jan 2023 10:00:00 GMT`).
    All-number forms that do not start with the year are read day first (`05/01/2023` is
    5 January), as British and most non-US news write them.
    """
    text = text.strip()
    if not text or len(text) > _LONGEST or not _HAS_YEAR.search(text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    year_first = bool(_YEAR_FIRST.match(text))
    found = set()
    for default in _DEFAULTS:
        try:
            when = _parser.parse(text, default=default, dayfirst=not year_first)
        except (ValueError, OverflowError):
            return None
        found.add(when.date())
    return found.pop() if len(found) == 1 else None


def iso_date(text: str) -> str | None:
    """`text` as YYYY-MM-DD when it is a date (`parse_date`), else None."""
    day = parse_date(text)
    return day.isoformat() if day else None
