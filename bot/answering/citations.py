"""Citations: the quote around the chosen span, the passage it is cited from, and other
retrieved passages that say the same."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answering.answer import Citation
from bot.answering.choice import Options, SpanOption
from bot.answering.terms import content_stems
from bot.answering.tuning import MIN_QUOTED_WORDS, SAME_QUOTE_OVERLAP
from index.tokens import tokenize

if TYPE_CHECKING:
    from index.chunking import Chunk
    from index.passages import Passage, Passages

# A sentence opening like this leans on the one before it for its meaning ("It will stage...").
_DEPENDENT_OPENING = re.compile(
    r"^[\"'“‘]?(?!It (?:is|was|has been) (?:understood|thought|said|expected|believed|reported|"
    r"likely|unclear|clear|known|hoped|feared|claimed)\b)"
    r"(?:It|Its|This|That|These|Those|He|She|They|His|Her|Their|Them|But|And|Or|So|However|Also|"
    r"Then|Yet|Still|Instead|Meanwhile|Such|The latter|The former)\b"
)


@dataclass(frozen=True)
class Quote:
    """The verbatim answer: characters [start, end) of the cited passage's article."""

    passage: Passage
    start: int
    end: int


def quote(option: SpanOption, passages: Passages) -> Quote:
    """The sentence(s) holding the span, inside one retrieved passage that holds them all.

    A quote that leans on its predecessor ("It will stage...") gets it prepended, and a
    fragment gets its successor appended, when the passage holds them: the quote must read on
    its own and stay one contiguous span inside citation [1].
    """
    owners = [
        p
        for p in passages
        if p.chunk.article_id == option.article_id
        and p.chunk.start <= option.start
        and option.end <= p.chunk.end
    ]
    for passage in owners:
        sentences = passage.sentences
        first = next(i for i, s in enumerate(sentences) if s.end > option.start)
        last = next(i for i, s in enumerate(sentences) if s.end >= option.end)
        dependent = bool(_DEPENDENT_OPENING.match(sentences[first].text))
        if not dependent or first > 0:
            break  # else a later passage may hold the sentence this one leans on
    if dependent and first > 0:
        first -= 1
    if first == last and len(sentences[first].text.split()) < MIN_QUOTED_WORDS:
        last = min(last + 1, len(sentences) - 1)
    return Quote(passage, sentences[first].start, sentences[last].end)


def supporting(
    chosen: int,
    options: Options,
    scores: Sequence[float],
    passages: Passages,
    cited: Passage,
    *,
    margin: float,
    limit: int,
) -> list[Passage]:
    """Other passages holding the same answer in an option that scores within `margin` of it.

    Passages overlapping an already cited one, or near-copies of it, are left out.
    """
    answer = content_stems(options.items[chosen].text)
    floor = scores[chosen] - margin
    chosen_passages: list[Passage] = []
    for i in sorted(range(len(options.items)), key=lambda j: -scores[j]):
        item = options.items[i]
        if i == chosen or scores[i] < floor or content_stems(item.text) != answer:
            continue
        for passage in passages:
            c = passage.chunk
            inside = c.article_id == item.article_id and c.start <= item.start < c.end
            if inside and not any(_overlapping(c, o.chunk) for o in [cited, *chosen_passages]):
                chosen_passages.append(passage)
                break
        if len(chosen_passages) + 1 >= limit:
            break
    return chosen_passages


def citation(n: int, passage: Passage) -> Citation:
    chunk, article = passage.chunk, passage.article
    return Citation(
        n=n,
        article_id=chunk.article_id,
        title=article.title,
        date=article.date,
        start=chunk.start,
        end=chunk.end,
        text=chunk.text,
        score=float(passage.hit.score),
        outlet=article.outlet,
    )


def _overlapping(a: Chunk, b: Chunk) -> bool:
    """The same article's passages sharing text, or two passages with near-identical words."""
    if a.article_id == b.article_id and a.start < b.end and b.start < a.end:
        return True
    words_a, words_b = set(tokenize(a.text)), set(tokenize(b.text))
    union = words_a | words_b
    return bool(union) and len(words_a & words_b) / len(union) > SAME_QUOTE_OVERLAP


__all__ = ["Quote", "citation", "quote", "supporting"]
