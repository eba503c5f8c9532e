"""Terminal rendering of an Answer: the short answer highlighted, then numbered sources."""

from __future__ import annotations

import json
import os
import textwrap

from bot.answering import ABSTAIN_TEXT, Answer
from bot.answering.answer import Earlier
from bot.frontends.labels import readable_date, source_label
from bot.frontends.payload import answer_payload

_BOLD, _YELLOW, _DIM, _RESET = "\033[1m", "\033[33m", "\033[2m", "\033[0m"
PASSAGE_CHARS = 320  # enough to see the quoted sentence in context without flooding the screen


def render_text(answer: Answer, *, color: bool = False, width: int = 88) -> str:
    """A readable answer: short answer, the quote with the short answer highlighted, sources."""
    if answer.abstained:
        return ABSTAIN_TEXT
    quote = answer.answer or ""
    if answer.short_answer and color:
        quote = quote.replace(
            answer.short_answer, f"{_BOLD}{_YELLOW}{answer.short_answer}{_RESET}", 1
        )
    lines = []
    if answer.short_answer:
        short = f"{_BOLD}{answer.short_answer}{_RESET}" if color else answer.short_answer
        lines += [f"Answer: {short}", ""]
    lines += [_wrap(f"“{quote}” [1]", width), ""]
    for report in answer.earlier:  # older reports that said otherwise, newest first
        lines += [_wrap(earlier_line(report), width), ""]
    lines.append("Sources:")
    for c in answer.citations:
        head = f"[{c.n}] {source_label(c)}" + (f" ({c.article_id})" if c.title else "")
        lines.append(f"{head}, characters {c.start}-{c.end}, score {c.score:.2f}")
        passage = _excerpt(c.text, answer.answer if c.n == 1 else None, PASSAGE_CHARS)
        body = _wrap(f"“{passage}”", width, indent="    ")
        lines.append(f"{_DIM}{body}{_RESET}" if color else body)
    return "\n".join(lines)


def earlier_line(report: Earlier) -> str:
    """ "Earlier (5 March 2025): “…quote…” [2]": an older report, quoted and cited."""
    return f"Earlier ({readable_date(report.date)}): “{report.answer}” [{report.n}]"


def render_json(answer: Answer) -> str:
    """Exactly one JSON object, the schema `footnote ask --json` promises."""
    return json.dumps(answer_payload(answer), ensure_ascii=False)


def use_color(stream) -> bool:
    """Colour only on a real terminal, and never when NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ


def _excerpt(text: str, quote: str | None, limit: int) -> str:
    """Up to `limit` characters of a passage, centred on the quote so the cited words show."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    at = text.find(" ".join(quote.split())) if quote else -1
    start = 0 if at < 0 else max(0, min(at - (limit - len(quote)) // 2, len(text) - limit))
    piece = text[start : start + limit]
    if start > 0:
        piece = "…" + piece.split(" ", 1)[-1]
    if start + limit < len(text):
        piece = piece.rsplit(" ", 1)[0] + "…"
    return piece


def _wrap(text: str, width: int, indent: str = "") -> str:
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)
