"""A cited passage with the text around it, for a citation's click-through."""

from __future__ import annotations

from typing import Any

from index import Article

CONTEXT_CHARS = 600  # on each side: a paragraph or two, enough to read the quote in place


class RangeError(ValueError):
    """A start/end that does not lie inside the article; the message is for users."""


def passage_view(
    article: Article, start: int | None, end: int | None, context: int = CONTEXT_CHARS
) -> dict[str, Any]:
    """article.text[start:end] as `passage`, with up to `context` characters before and after,
    cut at whitespace so no word is split. No start/end: the article's opening."""
    text = article.text
    start = 0 if start is None else start
    end = min(len(text), start + context) if end is None else end
    if not 0 <= start <= end <= len(text):
        raise RangeError(
            f"start and end must satisfy 0 <= start <= end <= {len(text):,} (the article's "
            f"length), not start={start}, end={end}"
        )
    before_at = _word_boundary(text, max(0, start - context), forward=True, limit=start)
    after_at = _word_boundary(text, min(len(text), end + context), forward=False, limit=end)
    return {
        "article_id": article.id,
        "title": article.title,
        "date": article.date,
        "length": len(text),
        "start": start,
        "end": end,
        "context_start": before_at,
        "context_end": after_at,
        "before": text[before_at:start],
        "passage": text[start:end],
        "after": text[end:after_at],
    }


def _word_boundary(text: str, at: int, *, forward: bool, limit: int) -> int:
    """`at` moved towards `limit` (never past it) until it starts a word (forward) or ends one."""
    if at in (0, len(text)):
        return at
    if forward:
        while at < limit and not text[at - 1].isspace():
            at += 1
    else:
        while at > limit and not text[at].isspace():
            at -= 1
    return at
