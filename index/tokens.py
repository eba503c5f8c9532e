"""Tokens: lowercase words for lexical overlap, and their stems, which BM25 indexes."""

from __future__ import annotations

import functools
import re
import unicodedata

# A word, optionally joined by apostrophes ("don't", "o'brien"). A trailing apostrophe
# ("nurses'") is not part of the match, so the plural possessive folds into the plural.
_WORD = re.compile(r"\w+(?:['’]\w+)*")

# The usual short English stopword list. Numbers are kept on purpose: "24-hour" and "2013"
# are often what a question hinges on.
_STOPWORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't can't
    couldn't shouldn't i'm i've i'll i'd you're you've we're we've they're they've it'll that'll
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of `text`, possessive 's folded away, stopwords dropped."""
    tokens = []
    for match in _WORD.finditer(text.lower()):
        token = match.group().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if token not in STOPWORDS:
            tokens.append(token)
    return tokens


def terms(text: str) -> list[str]:
    """The stems of `tokenize(text)`: what BM25 indexes, so "strikes" finds "striking"."""
    return [stem(token) for token in tokenize(text)]


@functools.lru_cache(maxsize=1 << 18)  # a corpus repeats a small vocabulary endlessly
def stem(word: str) -> str:
    """A light suffix stripper: nurses/nurse, striking/strike, unions/union, agreed/agree."""
    w = word.lower()
    if not w.isascii():
        # Fold accents so that "fiancée" meets "fiancee" and "Zürich" meets "Zurich".
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if w.endswith("ing") and len(w) > 5:
        return w[:-3]
    if w.endswith("ed") and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    # Drop a final e so that strike/striking and agree/agreed meet at "strik" and "agre".
    if w.endswith("e") and len(w) > 4:  # not "paye" -> "pay"
        w = w[:-1]
    return w
