"""A Timeline for people and programs: its JSON (the CLI's --json and the API) and its text."""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict
from typing import Any

from bot.frontends.labels import readable_date, source_label
from bot.timeline import Timeline

NOTHING_FOUND = "I couldn't find anything about that in the sources."
UNDATED_HEADING = "Undated"


def timeline_payload(timeline: Timeline) -> dict[str, Any]:
    """The object `footnote timeline --json` prints and /api/timeline returns.

    Entries are oldest first, the undated last; `date` is null for those, and `when` says
    "undated". Each entry's `quote` is `sources[0].text`, verbatim; `outlets` lists every outlet
    whose article carried the same report.
    """
    return {
        "topic": timeline.topic,
        "found": timeline.found,
        "entries": [
            {
                "date": entry.date,
                "when": readable_date(entry.date),
                "quote": entry.quote,
                "outlets": list(entry.outlets),
                "sources": [{**asdict(c), "label": source_label(c)} for c in entry.sources],
            }
            for entry in timeline.entries
        ],
        "timings_ms": timeline.timings_ms,
    }


def render_timeline_json(timeline: Timeline) -> str:
    return json.dumps(timeline_payload(timeline), ensure_ascii=False)


def render_timeline_text(timeline: Timeline, *, width: int = 88) -> str:
    """Each report under its date, quoted and numbered, its sources listed below it:

    7 April 2013
      “The proposal will be discussed at a TUC meeting on 24 April.” [1]
      [1] Unions consider general strike · BBC News · 7 April 2013
    """
    if not timeline.found:
        return NOTHING_FOUND
    count = len(timeline.entries)
    lines = [f"Timeline: {timeline.topic} ({count} report{'s' * (count != 1)}, oldest first)"]
    for entry in timeline.entries:
        numbers = "".join(f"[{c.n}]" for c in entry.sources)
        lines += ["", readable_date(entry.date) if entry.date else UNDATED_HEADING]
        lines.append(_wrap(f"“{entry.quote}” {numbers}", width, "  "))
        if len(entry.outlets) > 1:
            lines.append(_wrap(f"Reported by {', '.join(entry.outlets)}", width, "  "))
        for c in entry.sources:
            where = f" ({c.article_id})" if c.title else ""
            lines.append(_wrap(f"[{c.n}] {source_label(c)}{where}", width, "  "))
    return "\n".join(lines)


def _wrap(text: str, width: int, indent: str) -> str:
    return textwrap.fill(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
    )
