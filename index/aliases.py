"""Aliases: acronyms an article defines ("Royal College of Nursing (RCN)"), and text expanded
with the other form, so that a query naming either one finds both."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from index.vocabulary import ALIAS_RUN, BM25_STOPWORDS, normalise


@dataclass(frozen=True)
class Alias:
    """A short form and the long form an article gives it: RCN = Royal College of Nursing."""

    short: str
    long: str


_SHORT = r"[A-Z][A-Za-z&]{1,11}"
_LONG_THEN_SHORT = re.compile(rf"\(({_SHORT})\)")
_SHORT_THEN_LONG = re.compile(rf"\b({_SHORT})[ \t]*\(([^()\n]{{3,120}})\)")
_STANDALONE_SHORT = re.compile(rf"(?<![\w&])({_SHORT})(?![\w&])")
# Capitalised words, with small words between them: "HM Revenue and Customs on Monday".
_CAPITALISED_RUN = re.compile(ALIAS_RUN)
# What a long form may not reach back across: clause and sentence punctuation, brackets.
_BOUNDARY = re.compile(r"[.,;:!?()\[\]\"“”\n]")
_WORD = re.compile(r"[A-Za-z][\w'’&-]*|&")
# Words an acronym usually skips (or, as in "BoE", keeps): "Department for Work and Pensions".
_SMALL = frozenset({"of", "and", "the", "for", "in", "on", "at", "to", "de", "du", "la", "&"})
# Generic last words an acronym often leaves out: "Public and Commercial Services Union (PCS)".
_UNSPELLED_TAIL = frozenset({"union", "party", "group", "plc", "ltd", "limited", "inc"})
_LOOKBACK = 120  # characters: a long form is a handful of words
# Each bare acronym is sought in every capitalised run: cap them, for text written in capitals.
_MAX_STANDALONE = 25


def find_aliases(text: str) -> list[Alias]:
    """The acronyms `text` defines, each with its long form, in order of first appearance.

    A parenthesised short form of two or more capitals is matched to the capitalised words just
    before it whose initials spell it: "of", "and", "the" and the like may be skipped, an
    all-capitals word such as "HM" may give all its letters, and a last "Union" or "Party" may
    go unspelled. "RCN (Royal College of Nursing)" is read the same way round. Without brackets,
    an acronym of three or more letters standing alone in `text` is paired with a run of
    capitalised words elsewhere in it that spells it ("HMRC", "HM Revenue and Customs").
    Nothing is found for a bracket its neighbours don't spell, such as a year or a lone "(RCN)".
    """
    found: dict[str, Alias] = {}
    for match in _LONG_THEN_SHORT.finditer(text):
        short = match.group(1)
        long = _long_before(text, match.start(), short) if _is_short_form(short) else None
        if long:
            found.setdefault(short.lower(), Alias(short, long))
    for match in _SHORT_THEN_LONG.finditer(text):
        short, inside = match.group(1), match.group(2).strip()
        inside = " ".join(re.sub(r"^the\s+", "", inside, flags=re.IGNORECASE).split())
        words = _WORD.findall(inside)
        if _is_short_form(short) and " ".join(words) == inside and _spells_all(short, words):
            found.setdefault(short.lower(), Alias(short, inside))
    for short in _standalone_shorts(text, skip=found):
        long = _spelled_elsewhere(text, short)
        if long:
            found[short.lower()] = Alias(short, long)
    return sorted(found.values(), key=lambda alias: _first_use(text, alias))


class Aliases(Mapping[str, str]):
    """A corpus's aliases, lowercased short form -> long form, and text expansion with them."""

    def __init__(self, aliases: Iterable[Alias] = ()) -> None:
        votes: dict[str, Counter[str]] = {}
        self._short: dict[str, str] = {}  # lowercased -> as first written: "dft" -> "DfT"
        for alias in aliases:
            key = alias.short.lower()
            self._short.setdefault(key, alias.short)
            votes.setdefault(key, Counter())[alias.long] += 1
        # Where articles disagree the most common long form wins; Counter keeps first-seen order
        # among equals, so a tie goes to the earliest article.
        self._long = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
        self._key_of_long = {normalise(long): key for key, long in self._long.items()}
        self._pattern: re.Pattern[str] | None = None  # compiled on first use

    def __getitem__(self, short: str) -> str:
        return self._long[short.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._long)

    def __len__(self) -> int:
        return len(self._long)

    def __repr__(self) -> str:
        return f"Aliases({self._long!r})"

    def expand(self, text: str) -> str:
        """`text` with the other form in brackets after the first mention of each alias.

        "Who leads the RCN?" becomes "Who leads the RCN (Royal College of Nursing)?", and
        "the Royal College of Nursing's leader" becomes "the Royal College of Nursing's (RCN)
        leader". Forms match as whole words, ignoring case, except a short form of two letters
        or one that is also a common word ("US", "IT"), which must match its capitals. An alias
        whose other form the text already holds is left as it is.
        """
        pieces, at = [], 0
        for end, other in self._mentions(text):
            pieces += [text[at:end], f" ({other})"]
            at = end
        return "".join(pieces) + text[at:]

    def others(self, text: str) -> list[str]:
        """The other forms `expand` adds to `text`, in order."""
        return [other for _, other in self._mentions(text)]

    def _mentions(self, text: str) -> list[tuple[int, str]]:
        """(end of the first mention, other form) of each alias `text` names in one form only."""
        if not self._long:
            return []
        found, done = [], set()
        normal = normalise(text)
        for match in self._compiled().finditer(text):
            mentioned = normalise(match.group("form"))
            key = mentioned if mentioned in self._long else self._key_of_long.get(mentioned)
            if key is None or key in done:
                continue
            done.add(key)
            other = self._long[key] if mentioned == key else self._short[key]
            if not _holds(normal, other):
                found.append((match.end(), other))
        return found

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            forms = [_short_pattern(short) for short in self._short.values()]
            forms += [r"\s+".join(map(re.escape, long.split())) for long in self._long.values()]
            # Longest first, so that one long form is not cut short by another it starts with.
            forms.sort(key=len, reverse=True)
            self._pattern = re.compile(
                rf"(?<![\w&])(?P<form>{'|'.join(forms)})(?:['’]s)?(?![\w&])", re.IGNORECASE
            )
        return self._pattern


def _is_short_form(short: str) -> bool:
    letters = short.replace("&", "")
    capitals = sum(c.isupper() for c in letters)
    return capitals >= 2 and capitals * 2 >= len(letters)


def _long_before(text: str, paren: int, short: str) -> str | None:
    """The shortest run of two or more words ending just before `paren` that spells `short`."""
    low = max(0, paren - _LOOKBACK)
    boundaries = [m.end() for m in _BOUNDARY.finditer(text, low, paren)]
    words = list(_WORD.finditer(text, boundaries[-1] if boundaries else low, paren))
    if not words or text[words[-1].end() : paren].strip():
        return None
    for first in range(len(words) - 1, -1, -1):
        word = words[first].group()
        if word.lower() not in _SMALL and not word[0].isupper():
            return None  # a lowercase word ends the run of capitalised ones
        if first < len(words) - 1 and _spells_all(short, [w.group() for w in words[first:]]):
            return " ".join(text[words[first].start() : words[-1].end()].split())
    return None


def _standalone_shorts(text: str, skip: Mapping[str, Alias]) -> list[str]:
    letters = sum(c.isalpha() for c in text)
    if sum(c.isupper() for c in text) * 2 > letters:
        return []  # text set in capitals: every word looks like an acronym or a name
    shorts = {}
    for match in _STANDALONE_SHORT.finditer(text):
        short = match.group(1)
        letters = short.replace("&", "")
        key = short.lower()
        if (
            len(letters) >= 3
            and letters.isupper()
            and key not in skip
            and key not in BM25_STOPWORDS
        ):
            shorts.setdefault(key, short)
    return list(shorts.values())[:_MAX_STANDALONE]


def _spelled_elsewhere(text: str, short: str) -> str | None:
    """The first run of capitalised words in `text` spelling `short`, trimmed to the spelling."""
    initial = short[0].lower()
    longest = 2 * len(short) + 1  # each letter's word, a small word after each, one tail word
    for run in _CAPITALISED_RUN.finditer(text):
        words = _WORD.findall(run.group())
        for first in range(len(words)):
            if words[first][0].lower() != initial:
                continue
            for last in range(min(len(words), first + longest), first + 1, -1):
                part = words[first:last]
                if part[-1][0].isupper() and _spells_all(short, part):
                    return " ".join(part)
    return None


def _spells_all(short: str, words: list[str]) -> bool:
    """Whether `words`, all of them, spell `short`, starting at a capitalised word."""
    if len(words) < 2 or not words[0][0].isupper() or words[0].lower() in _SMALL:
        return False
    return _spells(short.replace("&", "").lower(), words)


def _spells(letters: str, words: list[str]) -> bool:
    if not letters:
        return all(word.lower() in _UNSPELLED_TAIL for word in words)
    if not words:
        return False
    return any(
        letters.startswith(part) and _spells(letters[len(part) :], words[1:])
        for part in _contributions(words[0])
    )


def _contributions(word: str) -> list[str]:
    """The letters one word may add to an acronym, most likely first."""
    if word.lower() in _SMALL:
        return [""] if word == "&" else ["", word[0].lower()]
    if not word[0].isupper():
        return []
    parts = [word[0].lower()]
    capitals = "".join(c for c in word if c.isupper()).lower()
    if len(capitals) > 1:
        parts.append(capitals)  # the "HM" of "HM Revenue and Customs (HMRC)"
    pieces = [piece for piece in word.split("-") if piece]
    if len(pieces) > 1:
        parts.append("".join(piece[0].lower() for piece in pieces))  # "Anti-Slavery" gives "as"
    return parts


def _first_use(text: str, alias: Alias) -> int:
    return min(i for i in (text.find(alias.short), text.find(alias.long), len(text)) if i >= 0)


def _short_pattern(short: str) -> str:
    if len(short) <= 2 or short.lower() in BM25_STOPWORDS:
        return f"(?-i:{re.escape(short)})"
    return re.escape(short)


def _holds(normal_text: str, form: str) -> bool:
    return re.search(rf"(?<![\w&]){re.escape(normalise(form))}(?![\w&])", normal_text) is not None
