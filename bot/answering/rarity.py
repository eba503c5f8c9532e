"""Rarity: how common a word is in English at large, for question words the articles never use.

In a small corpus most ordinary words are unseen: "Who's the boss of the union?" finds no
"boss" in articles that say "leader". Weighing such a word like the corpus's rarest one made
paraphrases look off topic. A word English uses everywhere says little about the topic; one
English rarely uses ("caliphate", "sourdough") still weighs in full.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.answering.tuning import COMMON, LEAST, RARE

# Zipf frequencies (log10 of uses per billion words) of the 28,917 English words used at least
# once per million, from wordfreq 3.1.1 (see data/README.md for its sources and licence).
FREQUENCY_FILE = Path(__file__).parent / "data" / "english_frequency.tsv"


@cache
def _frequencies() -> dict[str, float]:
    frequencies: dict[str, float] = {}
    for line in FREQUENCY_FILE.read_text(encoding="utf-8").splitlines():
        zipf, _, words = line.partition("\t")
        for word in words.split():
            frequencies[word] = float(zipf)
    return frequencies


def zipf_frequency(word: str) -> float:
    """The English Zipf frequency of `word` (case-insensitive); RARE when it is not listed."""
    return _frequencies().get(word.lower(), RARE)


def unseen_share(word: str) -> float:
    """The share of full weight an unseen question word keeps: 1 for a word used less than
    once per ten million words, falling linearly to LEAST at Zipf COMMON."""
    share = (COMMON + 1 - zipf_frequency(word)) / (COMMON + 1 - 3)
    return min(1.0, max(LEAST, share))


__all__ = ["FREQUENCY_FILE", "unseen_share", "zipf_frequency"]
