"""Tokens: the lowercase word tokens shared by BM25 and lexical-overlap scoring."""

from __future__ import annotations

import re

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
