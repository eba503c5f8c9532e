"""Follow-up questions: turning "and who leads it?" into a question that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.answer import Answer
from bot.answering.answer_types import AnswerType, answer_type
from bot.answering.tuning import FOLLOW_UP_WORDS
from index.referents import name_runs


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what was asked and what was answered."""

    question: str
    short_answer: str | None = None
    answer: str | None = None
    about: str | None = None  # what its pronoun was read as, when it was a follow-up

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        """The turn as the conversation goes on from it: the question as it was read (its
        pronouns resolved), so a third turn's "it" still finds what the first was about."""
        return cls(
            answer.resolved or answer.question, answer.short_answer, answer.answer, answer.about
        )


@dataclass(frozen=True)
class Conversation:
    """What the earlier turns of a conversation leave for answering the next question.

    `context` holds the earlier questions it still leans on, oldest first: they are searched
    and scored with it. `shown` holds the answers already quoted: their sentences are always
    read (a follow-up is often answered by the sentence just shown). `avoid` holds the short
    answers already given, which a follow-up does not ask for again.
    """

    context: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """What to search and score for a question: `text`, plus earlier questions it still leans on."""

    text: str
    about: str | None = None  # what the pronoun was read as
    context: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # answers already quoted in this conversation
    said: tuple[str, ...] = ()  # short answers already given

    @property
    def conversation(self) -> Conversation:
        """What answering needs of the conversation so far to answer this question."""
        return Conversation(self.context, self.shown, self.said)


_OPENER = re.compile(r"^\s*(?:and|but|so|also|then|what about|how about)\b[\s,]*", re.IGNORECASE)
_THING = r"it|its|they|them|their|this|that"
_PERSON = r"he|she|his|her|him"
_PRONOUN = re.compile(rf"\b({_THING}|{_PERSON})\b", re.IGNORECASE)
# "When is the TUC day of protest?" -> "the TUC day of protest": what a question is about.
_SUBJECT = re.compile(
    r"^\s*(?:what|when|where|who|whom|why|which(?: \w+)?|how(?: \w+)?)\s+"
    r"(?:is|are|was|were|does|do|did|will|has|have|had|can|could|should|would)\s+"
    r"(?P<subject>.+?)"
    r"(?:\s+(?:be|been|being|have|has|do|take|get|say|said|mean|means)\b.*)?\s*[?.!]*$",
    re.IGNORECASE,
)
_OF_PART = re.compile(
    r"^(?:the )?(?:head|leader|chief|boss|members?|size|role)\s+of\s+(?P<whole>.+)$"
)
# "Who leads the RCN?": a wh-word, a main verb, and what the question is about after it.
_OBJECT = re.compile(
    r"^\s*(?:who|what|which)\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|will\b|has\b|"
    r"have\b|had\b|can\b)\w+\s+(?P<subject>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
# "Which union ...?", "What union ...?": the answer names the thing a later "it" points at.
_SELECTS = re.compile(
    r"^\s*(?:which\b|what\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|will\b|has\b|"
    r"have\b|had\b|can\b|about\b)\w+)",
    re.IGNORECASE,
)
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|will|has|have|had|can|could|should|would)\b",
    re.IGNORECASE,
)
_POSSESSIVE = {"its", "their", "his", "her"}
_PERSONS = {"he", "she", "his", "her", "him"}
_NAMEABLE = (AnswerType.PERSON, AnswerType.PLACE, AnswerType.OTHER)


def is_follow_up(question: str) -> bool:
    """True when a short question opens with "and"/"what about" or points back with a pronoun."""
    return len(question.split()) <= FOLLOW_UP_WORDS and bool(
        _OPENER.search(question) or _PRONOUN.search(question)
    )


def resolve(question: str, turns: Sequence[Turn]) -> Query:
    """The query for `question` after `turns`: its pronoun replaced by what the last turn was about.

    A question that doesn't lean on the conversation is searched as it is. One that does, but
    whose pronoun can't be resolved ("And Unite?"), keeps the last question as context.
    """
    if not turns or not is_follow_up(question):
        return Query(question)
    last = turns[-1]
    shown = tuple(t.answer for t in turns if t.answer)
    said = tuple(t.short_answer for t in turns if t.short_answer)
    match = _PRONOUN.search(question)
    referent = _referent(last, match.group(1).lower()) if match else None
    if match is None or referent is None:
        return Query(question, context=(last.question,), shown=shown, said=said)
    pronoun = match.group(1).lower()
    replacement = f"{referent}'s" if pronoun in _POSSESSIVE else referent
    text = question[: match.start()] + replacement + question[match.end() :]
    text = _OPENER.sub("", text, count=1)
    # The thing the conversation is about carries on past a question about a person.
    about = _thing(last) if pronoun in _PERSONS else referent
    return Query(text[:1].upper() + text[1:], about, shown=shown, said=said)


def _referent(last: Turn, pronoun: str) -> str | None:
    """What `pronoun` most likely points at in the last turn, or None.

    The answer, when the last question asked for a person ("Who leads it?" -> "he") or picked a
    thing ("Which union ...?" -> "it"); otherwise what the last question was about: "Is the
    Royal College of Nursing involved ...?" then "who leads it?" asks about the college, not
    about the answer. A date or a number is never what a pronoun points at.
    """
    kind = answer_type(last.question)
    if pronoun in _PERSONS:
        asked_who = re.match(r"\s*(?:who|whom|whose)\b", last.question, re.IGNORECASE)
        if last.short_answer and asked_who and kind in _NAMEABLE:
            return last.short_answer
        return _subject(last.question)
    if last.short_answer and _SELECTS.match(last.question) and kind in _NAMEABLE:
        return last.short_answer
    return _thing(last)


def _thing(last: Turn) -> str | None:
    """What a later "it" points at: what the last turn's own "it" was read as, else what its
    question was about ("Who is the head of the PCS?" -> "the PCS")."""
    if last.about:
        return last.about
    phrase = _subject(last.question)
    part = _OF_PART.match(phrase) if phrase else None
    return part.group("whole") if part else phrase


def _subject(question: str) -> str | None:
    """What a question is about: "When is the TUC day of protest?" -> "the TUC day of protest",
    "Who leads the RCN?" -> "the RCN", "Is the Royal College of Nursing involved in the
    strikes?" -> "the Royal College of Nursing" (its first name)."""
    for pattern in (_SUBJECT, _OBJECT):
        match = pattern.match(question)
        if match:
            return match.group("subject").strip()
    # A yes/no question ("Is the Royal College of Nursing involved ...?") is about the first
    # name after its opening verb; any other shape is left to the last question as context.
    opening = _YES_NO.match(question)
    rest = question[opening.end() :] if opening else ""
    names = name_runs(rest)
    if not names:
        return None
    # With its "the": "Who leads the Royal College of Nursing?" reads as a person writes it,
    # and is answered as surely as when asked so.
    the = re.search(rf"\b(the)\s+{re.escape(names[0])}\b", rest, re.IGNORECASE)
    return f"{the.group(1)} {names[0]}" if the else names[0]
