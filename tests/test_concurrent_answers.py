"""Questions asked at once share the reader's runs and get exactly the answers they get alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

QUESTIONS = (
    "When is the TUC day of protest?",
    "Who leads the RCN?",
    "How many members does the PCS have?",
    "Who is the head of the PCS?",
    "Which union is the largest in the UK?",
    "What is the boiling point of tungsten?",
)


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_questions_at_once_share_runs_and_answer_as_alone(settings, precision):
    from bot.footnote import Footnote
    from index import Embedder

    own = replace(settings, engine_precision=precision)
    engine = Footnote.open(own, embedder=Embedder(own.embedder, own.encoding))  # ONNX encoder too
    alone = [engine.ask(q) for q in QUESTIONS]
    runs_alone = engine.reader.batches.batches
    assert engine.reader.batches.largest == 1

    asked = list(QUESTIONS) * 4
    with ThreadPoolExecutor(12) as pool:
        together = list(pool.map(engine.ask, asked, timeout=300))

    for question, mine, theirs in zip(asked, alone * 4, together, strict=True):
        assert (theirs.short_answer, theirs.answer) == (mine.short_answer, mine.answer), question
        assert [c.text for c in theirs.citations] == [c.text for c in mine.citations]
        assert theirs.confidence == pytest.approx(mine.confidence, abs=1e-4)
    stats = engine.reader.batches
    assert stats.largest > 1  # some runs read several questions' windows
    assert stats.batches - runs_alone < len(asked)  # fewer runs than questions
