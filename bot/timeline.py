"""Timelines: what the articles reported about a topic, one dated verbatim quote per report,
oldest first, with copies of the same report from several outlets merged into one entry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from bot.answering import Citation
from bot.answering.terms import content_stems

if TYPE_CHECKING:
    from index.passages import Lexicon, Passages

# A sentence is about the topic when it holds most of the topic's words (weighed by IDF), or
# half of them and is close to it in meaning, or is very close in meaning alone (a report may
# name the topic in other words). Half the words alone is not enough: on the test articles,
# "nurses pay" would list every rail dispute "over pay" (cosines 0.23 to 0.30), and "nurses
# strike" a civil servants' strike (0.48); "general strike" keeps "coordinated strike action
# between unions" (0.52).
FULL_COVERAGE = 0.75
HALF_COVERAGE, HALF_COSINE = 0.5, 0.5
MIN_COSINE = 0.6
# Two quotes are one report told by several outlets (a wire story, a press release) when their
# content words nearly coincide and they were published within a few days of each other.
SAME_REPORT_OVERLAP = 0.8
SAME_REPORT_DAYS = 3
MIN_QUOTE_WORDS = 4  # shorter "sentences" are headings, bylines and date lines

# "What happened with X?", "What's been happening with X", "Timeline of X". Not "What happened
# to X?": that asks one fact ("What happened to the planned Home Office strike?" - postponed).
_ASKS_TIMELINE = re.compile(
    r"^(?:so\s+)?(?:(?:what(?:'s|’s| has| have)?\s+(?:been\s+)?(?:happened|happening|going\s+on)"
    r"|what\s+went\s+on)\s+(?:with|over|around|regarding)"
    r"|(?:give\s+me\s+|show\s+me\s+)?(?:a\s+|the\s+)?timeline\s+(?:of|for|on))\s+"
    r"(?P<topic>.+?)[\s?.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimelineEntry:
    """One report: its date (YYYY-MM-DD; None: undated), the quote, verbatim, and each article
    that carries it, the first being the one quoted (`sources[0].text == quote`)."""

    date: str | None
    quote: str
    sources: tuple[Citation, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets that carried this report, each once, in the order of `sources`."""
        return tuple(dict.fromkeys(c.outlet for c in self.sources if c.outlet))


@dataclass(frozen=True)
class Timeline:
    """What the articles reported about `topic`: dated entries oldest first, then the undated
    ones (nothing says where they fall, so they are listed last rather than given a date)."""

    topic: str
    entries: tuple[TimelineEntry, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.entries)


def timeline_topic(question: str) -> str | None:
    """The topic of a question asking for a timeline ("What happened with the rail strikes?"
    -> "the rail strikes"), else None."""
    match = _ASKS_TIMELINE.match(" ".join(question.split()))
    topic = match.group("topic").strip() if match else ""
    return topic if any(ch.isalnum() for ch in topic) else None


def build_timeline(
    topic: str,
    passages: Passages,
    topic_vector: np.ndarray,
    *,
    limit: int,
) -> Timeline:
    """At most `limit` entries about `topic` from the retrieved `passages`: each article's
    sentence most about the topic, when it is about it enough, near-identical reports merged."""
    weights = _topic_weights(topic, passages.lexicon)
    quotes = [q for q in _best_quotes(passages, topic_vector, weights) if q.relevant]
    groups = _merge(sorted(quotes, key=lambda q: -q.score))[:limit]
    entries = sorted((_entry(group) for group in groups), key=_chronological)
    numbered, n = [], 0
    for entry in entries:
        sources = tuple(replace(c, n=n + i + 1) for i, c in enumerate(entry.sources))
        n += len(sources)
        numbered.append(replace(entry, sources=sources))
    return Timeline(topic, tuple(numbered))


@dataclass(frozen=True)
class _Quote:
    citation: Citation
    stems: frozenset[str]
    vector: np.ndarray
    coverage: float
    cosine: float

    @property
    def score(self) -> float:
        return self.cosine + self.coverage

    @property
    def relevant(self) -> bool:
        return (
            self.coverage >= FULL_COVERAGE
            or (self.coverage >= HALF_COVERAGE and self.cosine >= HALF_COSINE)
            or self.cosine >= MIN_COSINE
        )

    @property
    def day(self) -> dt.date | None:
        date = self.citation.date
        return dt.date.fromisoformat(date) if date else None


def _topic_weights(topic: str, lexicon: Lexicon) -> dict[str, float]:
    """The topic's content stems, each weighed by its IDF (at least 1: in a small corpus a word
    in half the passages has an IDF near zero, yet it is still what the topic names; an unseen
    word weighs 1 too)."""
    return {s: max(lexicon.idf(s) or 0.0, 1.0) for s in content_stems(topic)}


def _best_quotes(
    passages: Passages, topic_vector: np.ndarray, weights: dict[str, float]
) -> list[_Quote]:
    """Each article's one sentence most about the topic, among the sentences of its passages."""
    total = sum(weights.values()) or 1.0
    best: dict[str, _Quote] = {}
    for passage in passages:
        sentences, vectors, article = passage.sentences, passage.vectors, passage.article
        cosines = vectors @ np.asarray(topic_vector, dtype=np.float32) if len(vectors) else []
        for sentence, vector, cosine in zip(sentences, vectors, cosines, strict=True):
            if len(sentence.text.split()) < MIN_QUOTE_WORDS:
                continue
            stems = frozenset(content_stems(sentence.text))
            coverage = sum(w for s, w in weights.items() if s in stems) / total
            citation = Citation(
                n=0,
                article_id=article.id,
                title=article.title,
                date=article.date,
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                score=round(float(cosine) + coverage, 4),
                outlet=article.outlet,
            )
            quote = _Quote(citation, stems, vector, coverage, float(cosine))
            held = best.get(article.id)
            if held is None or quote.score > held.score:
                best[article.id] = quote
    return list(best.values())


def _merge(quotes: Sequence[_Quote]) -> list[list[_Quote]]:
    """Quotes grouped by report, best-scoring group first; each quote joins the first group
    whose best quote tells the same thing within SAME_REPORT_DAYS of it."""
    groups: list[list[_Quote]] = []
    for quote in quotes:
        for group in groups:
            if _same_report(group[0], quote):
                group.append(quote)
                break
        else:
            groups.append([quote])
    return groups


def _same_report(a: _Quote, b: _Quote) -> bool:
    union = a.stems | b.stems
    if not union or len(a.stems & b.stems) / len(union) < SAME_REPORT_OVERLAP:
        return False
    # An undated copy of a dated report is the same report: it joins it rather than stand
    # alone as a second, undated entry. Two dated ones must be days apart at most.
    if a.day is None or b.day is None:
        return True
    return abs((a.day - b.day).days) <= SAME_REPORT_DAYS


def _entry(group: list[_Quote]) -> TimelineEntry:
    """The group's earliest dated article is quoted (the first report), its copies after it."""
    ordered = sorted(group, key=lambda q: (q.day is None, q.day or dt.date.min, -q.score))
    sources = tuple(q.citation for q in ordered)
    return TimelineEntry(sources[0].date, sources[0].text, sources)


def _chronological(entry: TimelineEntry) -> tuple[bool, str, float]:
    # Undated entries last, the most relevant first among them; dated ones by day.
    return (entry.date is None, entry.date or "", -entry.sources[0].score)


__all__ = ["Timeline", "TimelineEntry", "build_timeline", "timeline_topic"]
