"""Language: telling whether a question is English, the only language Footnote reads."""

from __future__ import annotations

import re

from bot.answering.tuning import FOREIGN_WORDS, LANGUAGE_MIN_WORDS, LATIN_SHARE


def looks_english(text: str) -> bool:
    """False only for text that is plainly another language: mostly non-Latin letters, or three
    words or more with no English function word and at least two of another language's. The
    reader and embedder are English-only; a clear "English only" beats a confused refusal."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch <= "\u024f" for ch in letters) / len(letters) < LATIN_SHARE:
        return False
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < LANGUAGE_MIN_WORDS or any(word in _ENGLISH for word in words):
        return True
    return not any(sum(word in other for word in words) >= FOREIGN_WORDS for other in _OTHERS)


_ENGLISH_WORDS = (
    "a an the is are was were be been who whom whose what when where why how which of in on to "
    "for did does do and or it its by with at from that this has have had will would can could "
    "i you he she they we his her their there many much"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_OTHERS = tuple(
    frozenset(words.split())
    for words in (
        "le la les des est qui quand où pourquoi comment du une un et que quel quelle dans pour "
        "sur avec sont",  # French
        "el la los las es qué quién cuándo dónde por cómo una un y del en con para son está",
        "der die das ist wer wann wo warum wie und ein eine den dem mit für von nicht sind",
        "il lo la gli le è chi quando dove perché come una un e del della con per sono",
        "o os as é quem quando onde porque como uma um e do da com para são",
        "de het een is wie wanneer waar waarom hoe en van met voor zijn niet",
    )
)


__all__ = ["looks_english"]
