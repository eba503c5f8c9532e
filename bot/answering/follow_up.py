"""Follow-up questions: turning "and who leads it?" into a question that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.answer import Answer
from bot.answering.question import AnswerType, answer_type


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what was asked and what was answered."""

    question: str
    short_answer: str | None = None
    answer: str | None = None

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        return cls(answer.question, answer.short_answer, answer.answer)


@dataclass(frozen=True)
class Query:
    """What to search and score for a question: `text`, plus earlier questions it still leans on."""

    text: str
    context: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # answers already quoted in this conversation
    said: tuple[str, ...] = ()  # short answers already given


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
_POSSESSIVE = {"its", "their", "his", "her"}
_NAMEABLE = (AnswerType.PERSON, AnswerType.PLACE, AnswerType.OTHER)


def is_follow_up(question: str) -> bool:
    """True when a short question opens with "and"/"what about" or points back with a pronoun."""
    return len(question.split()) <= 12 and bool(
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
    return Query(text[:1].upper() + text[1:], shown=shown, said=said)


def _referent(last: Turn, pronoun: str) -> str | None:
    """What `pronoun` most likely points at in the last turn, or None."""
    kind = answer_type(last.question)
    wants_person = pronoun in {"he", "she", "his", "her", "him"}
    asked_who = re.match(r"\s*(?:who|whom|whose)\b", last.question, re.IGNORECASE) is not None
    # "Which union ...?" -> it = "The Royal College of Nursing"; "Who leads it?" -> he = the name.
    # A date or a number is never what "it" points at.
    if last.short_answer and asked_who == wants_person and kind in _NAMEABLE:
        return last.short_answer
    subject = _SUBJECT.match(last.question)
    if subject is None:
        return None
    phrase = subject.group("subject").strip()
    part = _OF_PART.match(phrase)
    # "Who is the head of the PCS?" then "how many members does it have?": "it" is the PCS.
    return part.group("whole") if part and not wants_person else phrase
