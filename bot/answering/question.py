"""Questions: cleaning what a user typed before anything reads it."""

from __future__ import annotations

import re
import unicodedata

from bot.answering.language import looks_english
from index.errors import FootnoteError


class QuestionError(FootnoteError):
    """A question Footnote will not try to answer (empty or too long); the message is for users."""


def clean_question(text: str, max_chars: int) -> str:
    """Drop control characters and lone surrogates and collapse whitespace; QuestionError if
    empty or too long."""
    # Cc/Cf cover NUL, escape sequences and zero-width characters pasted in from chat clients;
    # Cs the lone surrogates of `\ud800` sent in JSON or argv bytes that are not UTF-8 (Python
    # keeps them as \udc80-\udcff), which the tokenizers refuse with a TypeError. Whitespace
    # controls (tab, newline) become plain spaces first so words don't fuse.
    spaced = re.sub(r"\s", " ", text)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise QuestionError("Please type a question; this one is empty.")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"Your question is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Please ask something shorter."
        )
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("Please ask in words; this has no letters or numbers in it.")
    if not looks_english(cleaned):
        raise QuestionError("I can only answer questions asked in English.")
    return cleaned


__all__ = ["QuestionError", "clean_question"]
