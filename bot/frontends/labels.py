"""How a citation names its source for a reader: title, outlet and date, or "undated"."""

from __future__ import annotations

import datetime as dt

from bot.answering import Citation

UNDATED = "undated"


def readable_date(date: str | None) -> str:
    """ "2013-04-07" -> "7 April 2013"; None -> "undated" (never a made-up date)."""
    if not date:
        return UNDATED
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{day.day} {day:%B %Y}"


def source_label(citation: Citation, separator: str = " · ") -> str:
    """ "Title · Outlet · 7 April 2013"; the article's file name stands in only for a missing
    title, and an unknown outlet is left out rather than guessed."""
    parts = [citation.title or citation.article_id, citation.outlet, readable_date(citation.date)]
    return separator.join(part for part in parts if part)
