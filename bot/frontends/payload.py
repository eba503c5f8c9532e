"""The JSON shape of an Answer, one for every front end: `footnote ask --json` and the HTTP API."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from bot.answering import Answer, Citation
from bot.answering.answer import Earlier
from bot.frontends.labels import readable_date, source_label

_CITATION_FIELDS = {f.name for f in fields(Citation)}
_EARLIER_FIELDS = {f.name for f in fields(Earlier)}


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The object `footnote ask --json` prints; the API's answers add their ids to it."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "short_answer": answer.short_answer,
        "abstained": answer.abstained,
        # `label` is how every front end names the source: "Title · Outlet · 7 April 2013",
        # "undated" when the article gives no date (`date` is then null).
        "citations": [{**asdict(c), "label": source_label(c)} for c in answer.citations],
        "confidence": round(answer.confidence, 4),
        # Older reports that answered otherwise, newest first: "Earlier (date): quote [n]".
        "earlier": [{**asdict(e), "label": readable_date(e.date)} for e in answer.earlier],
        "timings_ms": answer.timings_ms,
        "span": (
            None
            if answer.span is None
            else {
                "article_id": answer.citations[0].article_id,
                "start": answer.span[0],
                "end": answer.span[1],
            }
        ),
    }


def answer_from_payload(payload: dict[str, Any]) -> Answer:
    """The Answer an `answer_payload` was made from (ids a front end added are ignored)."""
    span = payload.get("span")
    return Answer(
        question=payload["question"],
        answer=payload["answer"],
        short_answer=payload["short_answer"],
        abstained=payload["abstained"],
        citations=tuple(
            Citation(**{k: v for k, v in c.items() if k in _CITATION_FIELDS})
            for c in payload["citations"]
        ),
        confidence=payload["confidence"],
        timings_ms=dict(payload.get("timings_ms") or {}),
        span=None if span is None else (span["start"], span["end"]),
        earlier=tuple(
            Earlier(**{k: v for k, v in e.items() if k in _EARLIER_FIELDS})
            for e in payload.get("earlier") or ()
        ),
    )
