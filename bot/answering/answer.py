"""What answering returns: an Answer with its numbered Citations; every front end renders it."""

from __future__ import annotations

from dataclasses import dataclass, field

ABSTAIN_TEXT = "I couldn't find that in the sources."


@dataclass(frozen=True)
class Citation:
    """A numbered source: the cited passage, with its place in the article, and the article's
    title, date (YYYY-MM-DD; None: undated) and outlet (None: unknown)."""

    n: int
    article_id: str
    title: str | None
    date: str | None
    start: int
    end: int
    text: str
    score: float
    outlet: str | None = None


@dataclass(frozen=True)
class Earlier:
    """An older report that answered otherwise: its quote, verbatim from citation `n`'s
    article, its short answer, and the day that article was published (YYYY-MM-DD)."""

    n: int
    date: str
    answer: str
    short_answer: str | None = None


@dataclass(frozen=True)
class Answer:
    """`answer` is quoted verbatim from citations[0].text, and `short_answer` from `answer`.

    `span` is where the short answer sits in citations[0]'s article: (start, end) characters.
    `resolved` is the question as it was read when a follow-up's pronoun was resolved from the
    conversation ("Who leads it?" -> "Who leads the RCN?"), else None; `about` is what the
    pronoun was read as ("the RCN").
    `earlier` holds older reports that answered otherwise, newest first, when the passages of
    different dates disagree: the answer is then the newest report (of the period asked about).
    """

    question: str
    answer: str | None
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    span: tuple[int, int] | None = None
    resolved: str | None = None
    about: str | None = None
    earlier: tuple[Earlier, ...] = ()


def abstention(question: str, confidence: float = 0.0) -> Answer:
    """The answer that says the sources do not hold one, and cites nothing."""
    return Answer(question, None, None, True, (), confidence)


__all__ = ["ABSTAIN_TEXT", "Answer", "Citation", "Earlier", "abstention"]
