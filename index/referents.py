"""Referents: whom each sentence's "she", "it" or "the union" most likely means.

No parser: regexes find the names in an article (people as runs of capitalised words, bodies
as acronyms, alias long forms and names built on "Union", "College", "Office" ...), and each
pronoun or definite description is given the most recent name of its kind before it. Cheap
enough to run over every article on every build, and right often enough to help scoring.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from index.aliases import Alias, find_aliases
from index.vocabulary import MONTHS, REFERENT_RUN, TITLED_WORD, WEEKDAYS, normalise

# A capitalised word ("Mr." keeps its dot), and runs of them with small joining words.
_RUN = re.compile(REFERENT_RUN)
_RUN_WORD = re.compile(rf"{TITLED_WORD}|of|and|for|the|&")
_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|his|her|hers|himself|herself)\b", re.IGNORECASE)
_ORG_REFERENCE = re.compile(
    r"\b(?:its|itself|it|the[ \t]+(union|college|body|organisation|organization|group|department))"
    r"\b",
    re.IGNORECASE,
)
# "It is thought ...", "It comes after ...": an "it" that stands for no body at all.
_EXPLETIVE = re.compile(
    r"(?:[ \t]+(?:is|was|has[ \t]+been|had[ \t]+been|seems|seemed|appears|appeared|comes|came|"
    r"remains|remained|would[ \t]+be|will[ \t]+be))[ \t]+(?:not[ \t]+|also[ \t]+|now[ \t]+)?"
    r"(?:thought|understood|believed|expected|said|reported|claimed|feared|hoped|known|clear|"
    r"unclear|likely|unlikely|possible|impossible|important|necessary|vital|true|time|after|"
    r"worth|hard|difficult|easy)\b",
    re.IGNORECASE,
)
# A word of a person's name: "Cullen", "McDonnell", "O'Brien", "Jean-Luc".
_NAME_WORD = re.compile(r"[A-Z][a-z]*(?:[A-Z][a-z]+)?(?:[-'’][A-Z]?[a-z]+)*")
# Quotations, to the closing mark or the end of the paragraph (news quotes run on unclosed).
_QUOTED = re.compile(r"“[^”\n]*(?:”|$)|\"[^\"\n]*(?:\"|$)", re.MULTILINE)

_TITLES_TEXT = "mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady"
_TITLES = frozenset(_TITLES_TEXT.split())
# Singular words that make a capitalised run the name of a body: "Home Office", "Labour Party".
_ORG_HEADS_TEXT = """
    union college congress department office council party association service services agency
    ministry committee commission authority board trust bank company corporation institute
    institution university school hospital court parliament government federation society
    foundation league police force network confederation executive treasury
    assembly alliance organisation organization group
    """
_ORG_HEADS = frozenset(_ORG_HEADS_TEXT.split())
# What a description's head noun accepts, beyond a body of unknown kind (a bare acronym).
_HEAD_KINDS = {
    "union": frozenset({"union", "congress", "federation", "confederation"}),
    "college": frozenset({"college"}),
    "department": frozenset({"department", "office", "ministry", "treasury"}),
}
# Capitalised words that open a sentence or a run without being part of any name.
_OPENERS_TEXT = """
    the a an but and or so yet on in at for from by with as if when while after before since
    until under over of to this that these those there here it its he she they we i you his her
    their our my your meanwhile however also last next posted updated both some many most all
    every each no not only even now then yesterday today tomorrow earlier later
    """
_OPENERS = frozenset(_OPENERS_TEXT.split()) | {day.lower() for day in (*WEEKDAYS, *MONTHS)}
# Capitalised words that are not part of a person's name either: roles, places, media. A
# person's name is what follows the last of them in a run ("Health Secretary Steve Barclay").
_NOT_NAME_TEXT = """
    unions workers prime minister secretary chancellor president leader chief general deputy
    shadow chair chairman chairwoman spokesperson spokesman spokeswoman mp mps news radio times
    post telegraph guardian independent mail express herald journal press channel tv television
    street road square kingdom states city county island north south east west northern
    southern eastern western new great greater british english scottish welsh irish european
    scotland england wales britain ireland london europe uk us eu nhs labour conservative
    conservatives tory tories budget christmas easter
    """
_NOT_NAME = _OPENERS | frozenset(_NOT_NAME_TEXT.split())
# Capitals that are words, places or currencies, not bodies "it" could mean.
_NOT_ORG_ACRONYMS_TEXT = (
    "UK US USA GB EU TV AM PM OK PAYE VAT GDP CEO MP MPS MSP ID PR COVID BST GMT UN I"
)
_NOT_ORG_ACRONYMS = frozenset(_NOT_ORG_ACRONYMS_TEXT.split())


_Word = tuple[int, int, str]  # start, end and text of a word of a run


@dataclass(frozen=True)
class _Mention:
    """A name (`is_name`) or a reference to one, at text[start:end]."""

    start: int
    end: int
    person: bool  # a person, or a body
    is_name: bool
    name: str = ""  # the name as it will be given as a referent
    head: str = ""  # a description's head noun ("union"); "" for "it" and the pronouns


@dataclass(frozen=True)
class _Body:
    name: str
    words: frozenset[str]
    bare: bool  # an acronym nothing spells out: of any kind


def name_runs(text: str) -> list[str]:
    """The runs of capitalised words in `text` ("the Royal College of Nursing" -> "Royal College
    of Nursing", "RCN"), in order; a run never ends on a joining word."""
    runs = []
    for match in _RUN.finditer(text):
        words = match.group().split()
        while words and words[-1] in {"of", "and", "for", "the", "&"}:
            words.pop()
        if words:
            runs.append(" ".join(words))
    return runs


def resolve_referents(
    text: str, sentences: Sequence[tuple[int, int]], aliases: Sequence[Alias] | None = None
) -> list[tuple[str, ...]]:
    """For each sentence span of `text`, the names its pronouns and descriptions refer to.

    "he", "she", "his", "her" and "him" go to the latest person named before them in the
    article (a run of two or three capitalised words such as "Pat Cullen", or a title and a
    name, "Mr Serwotka", which is given as the full name once the article has used it). "it",
    "its", "the union", "the college", "the body", "the organisation", "the group" and "the
    department" go to the latest body of a fitting kind: an acronym, an alias long form, or a
    capitalised name built on a word such as Union, College or Office. A body with an alias is
    given as "Royal College of Nursing (RCN)". Each sentence's names are in order of first use,
    without repeats; a sentence with nothing resolved has the empty tuple. `aliases` default to
    those `find_aliases` reads from `text`.
    """
    reader = _Reader(text, find_aliases(text) if aliases is None else aliases)
    return [reader.sentence(start, end) for start, end in sentences]


class _Reader:
    """Reads one article in order, remembering who and what it has named so far."""

    def __init__(self, text: str, aliases: Sequence[Alias]) -> None:
        self.text = text
        self.forms: dict[str, str] = {}  # lowercased short or long form -> its referent
        for alias in aliases:
            named = f"{alias.long} ({alias.short})"
            self.forms[alias.short.lower()] = self.forms[normalise(alias.long)] = named
        self.long_forms = {normalise(alias.long) for alias in aliases}
        # Word counts of the long forms, longest first: the only lengths worth looking up.
        self.long_sizes = sorted({len(form.split()) for form in self.long_forms}, reverse=True)
        self.quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        self.full_names: dict[str, str] = {}  # surname -> the full name first used
        self.person: str | None = None
        self.bodies: dict[str, _Body] = {}  # by name, most recently named last

    def sentence(self, start: int, end: int) -> tuple[str, ...]:
        resolved: list[str] = []
        for mention in self._mentions(start, end):
            if mention.is_name:
                self._remember(mention)
                continue
            referent = self._resolve(mention)
            if referent is None:
                continue
            if mention.person:
                self.person = referent
            else:
                self._remember_body(referent)  # a body referred to is the salient one again
            if referent not in resolved:
                resolved.append(referent)
        return tuple(resolved)

    def _mentions(self, start: int, end: int) -> list[_Mention]:
        mentions = []
        for run in _RUN.finditer(self.text, start, end):
            mentions += self._names_in(run)
        taken = [(m.start, m.end) for m in mentions]
        for match in _PERSON_PRONOUN.finditer(self.text, start, end):
            if not _inside(match.start(), taken):
                mentions.append(_Mention(match.start(), match.end(), True, False))
        for match in _ORG_REFERENCE.finditer(self.text, start, end):
            if _inside(match.start(), taken) or self._stands_for_nothing(match):
                continue
            head = (match.group(1) or "").lower()
            mentions.append(_Mention(match.start(), match.end(), False, False, head=head))
        return sorted(mentions, key=lambda m: m.start)

    def _stands_for_nothing(self, match: re.Match[str]) -> bool:
        if match.group(1):
            return False
        # Inside a quotation "it" is mostly an event or an idea, not the speaker's body.
        at = bisect_right(self.quoted, (match.start(), len(self.text))) - 1
        if at >= 0 and self.quoted[at][0] <= match.start() < self.quoted[at][1]:
            return True
        return match.group().lower() == "it" and bool(_EXPLETIVE.match(self.text, match.end()))

    def _names_in(self, run: re.Match[str]) -> list[_Mention]:
        """The bodies and the person named in one run of capitalised words."""
        words = [
            (m.start(), m.start() + len(_bare(m.group())), _bare(m.group()))
            for m in _RUN_WORD.finditer(run.group())
        ]
        words = [(run.start() + s, run.start() + e, w) for s, e, w in words]
        while words and words[0][2].lower() in _OPENERS and words[0][2].lower() not in self.forms:
            words = words[1:]  # "The Royal College ...", "But Pat Cullen ..."
        if not words:
            return []
        phrase = self._phrase(words)
        if phrase in self.forms:
            return [_Mention(words[0][0], words[-1][1], False, True, self.forms[phrase])]
        mentions, rest = self._body_in(words)
        person = self._person_in(rest)
        return mentions + ([person] if person else [])

    def _body_in(self, words: list[_Word]) -> tuple[list[_Mention], list[_Word]]:
        """The bodies a run names (an alias long form anywhere in it, else a name built on a
        head word, else its acronyms), and the words after them, left for a person's name."""
        mentions: list[_Mention] = []
        lowered = [w.lower() for _, _, w in words]
        for first in range(len(words) if self.long_forms else 0):
            for size in self.long_sizes:
                phrase = " ".join(lowered[first : first + size])
                if first + size <= len(words) and phrase in self.long_forms:
                    last = first + size
                    body = _Mention(
                        words[first][0], words[last - 1][1], False, True, self.forms[phrase]
                    )
                    return [body], words[last:]
        last_head = max((n for n, w in enumerate(lowered) if w in _ORG_HEADS), default=-1)
        last = last_head + 1
        # "College of Nursing", "Department for Work and Pensions": the joined words belong.
        while last_head >= 0 and last + 1 < len(words) and lowered[last] in ("of", "for", "and"):
            last += 2
        if last >= 2:  # a lone "Union" or "Office" names nothing in particular
            name = " ".join(w for _, _, w in words[:last])
            mentions.append(_Mention(words[0][0], words[last - 1][1], False, True, name))
            return mentions, words[last:]
        for start, end, word in words:
            acronym = word.lower() in self.forms or (
                len(word) >= 2 and word.isupper() and word.isalpha()
            )
            if acronym and word not in _NOT_ORG_ACRONYMS:
                name = self.forms.get(word.lower(), word)
                mentions.append(_Mention(start, end, False, True, name))
        return mentions, words

    def _person_in(self, words: list[_Word]) -> _Mention | None:
        """The person a run ends with: the title-case words after its last non-name word."""
        tail: list[_Word] = []
        for word in reversed(words):
            if word[2].lower() in _NOT_NAME or word[2].lower() in _TITLES:
                break
            if not _title_case(word[2]) or word[2].lower() in _ORG_HEADS:
                break
            tail.insert(0, word)
        if not tail:
            return None
        titled = len(tail) < len(words) and words[len(words) - len(tail) - 1][2].lower() in _TITLES
        start, end = tail[0][0], tail[-1][1]
        names = [w for _, _, w in tail]
        if 2 <= len(names) <= 3:
            return _Mention(start, end, True, True, " ".join(names))
        if len(names) == 1 and names[0] in self.full_names:
            return _Mention(start, end, True, True, self.full_names[names[0]])
        if len(names) == 1 and titled:
            title = words[len(words) - 2]
            return _Mention(title[0], end, True, True, f"{title[2]} {names[0]}")
        return None

    def _remember(self, mention: _Mention) -> None:
        if mention.person:
            surname = mention.name.rsplit(" ", 1)[-1]
            self.full_names.setdefault(surname, mention.name)
            self.person = mention.name
        else:
            self._remember_body(mention.name)

    def _remember_body(self, name: str) -> None:
        self.bodies.pop(name, None)
        words = frozenset(re.findall(r"\w+", name.lower()))
        bare = " " not in name and name.lower() not in self.forms
        self.bodies[name] = _Body(name, words, bare)

    def _resolve(self, mention: _Mention) -> str | None:
        if mention.person:
            return self.person
        kinds = _HEAD_KINDS.get(mention.head)
        for body in reversed(self.bodies.values()):
            if kinds is None or body.bare or body.words & kinds:
                return body.name
        return None

    @staticmethod
    def _phrase(words: Sequence[_Word]) -> str:
        return " ".join(w.lower() for _, _, w in words)


def _bare(word: str) -> str:
    """A word without its possessive: "UK's" -> "UK"."""
    return re.sub(r"['’]s?$", "", word) or word


def _title_case(word: str) -> bool:
    return _NAME_WORD.fullmatch(word) is not None


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)
