"""Reader windows and span decoding: what the reader is shown and how its logits become text."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering.spans import window_spans
from bot.answering.windows import WindowTokenizer, around, pad
from index.embedder import _packaged_path

TEXT = (
    "Trade unions have discussed coordinating strike action. A national day of protest will be "
    "held on 1 February, the Trades Union Congress (TUC) has announced. " * 6
)


@pytest.fixture(scope="module")
def tokenizer() -> WindowTokenizer:
    return WindowTokenizer(_packaged_path() / "tokenizer.json", max_length=64, stride=16)


def test_windows_are_a_question_and_passage_pair_with_offsets_into_the_article(tokenizer):
    question = tokenizer.question_ids("When is the day of protest?")
    [(ids, offsets)] = tokenizer.tokens([TEXT])
    windows = tokenizer.windows(question, ids, offsets, base=1000, source="a.txt")
    assert len(windows) > 1
    for w in windows:
        assert len(w.ids) <= 64
        assert w.ids[0] == tokenizer.cls and w.ids[w.first - 1] == tokenizer.sep
        assert w.ids[-1] == tokenizer.sep and w.last == len(w.ids) - 1
        assert (w.type_ids[: w.first] == 0).all() and (w.type_ids[w.first :] == 1).all()
        assert w.source == "a.txt"
        # every passage token maps back to the characters it came from
        for start, end in w.offsets[:5]:
            assert TEXT[start - 1000 : end - 1000].strip()
    # consecutive windows share `stride` tokens, and together they cover the whole passage
    first, second = windows[0], windows[1]
    assert (first.offsets[-16:] == second.offsets[:16]).all()
    assert windows[-1].offsets[-1, 1] - 1000 == len(TEXT.rstrip())


def test_a_long_question_keeps_its_end(tokenizer):
    question = tokenizer.question_ids("word " * 100 + "when is the protest?")
    assert len(question) == tokenizer.max_question_tokens
    assert tokenizer.tokens(["when is the protest?"])[0][0] == question[-5:]


def test_pad_masks_the_padding(tokenizer):
    question = tokenizer.question_ids("When?")
    short = tokenizer.windows(question, *tokenizer.tokens(["One two."])[0])[0]
    long = tokenizer.windows(question, *tokenizer.tokens([TEXT])[0])[0]
    ids, types, mask = pad([short, long])
    assert ids.shape == (2, len(long.ids)) and mask[0].sum() == len(short.ids)
    assert (ids[0, len(short.ids) :] == 0).all() and mask[1].all()


def test_window_spans_stay_inside_the_passage_and_follow_the_logits(tokenizer):
    question = tokenizer.question_ids("When is the day of protest?")
    window = tokenizer.windows(question, *tokenizer.tokens([TEXT])[0])[0]
    n = len(window.ids)
    start, end = np.zeros(n), np.zeros(n)
    target = TEXT.index("1 February")
    a = window.first + int(np.searchsorted(window.offsets[:, 1], target, side="right"))
    start[a], end[a + 1] = 8.0, 8.0  # "1" and "february"
    start[0], end[0] = 1.0, 1.0  # a weak no-answer
    best = window_spans(start, end, window, 0)[0]
    assert TEXT[best.start : best.end] == "1 February"
    assert best.score == 16.0 and best.no_answer == 2.0
    spans = window_spans(np.ones(n), np.ones(n), window, 3, top=50, max_tokens=4)
    assert all(window.first <= 0 or s.start >= window.offsets[0, 0] for s in spans)
    assert all(s.end <= window.offsets[-1, 1] for s in spans) and {s.window for s in spans} == {3}


def test_around_widens_and_merges_neighbouring_sentences():
    sentences = [("a", 10, 20), ("a", 20, 30), ("b", 0, 5), ("a", 100, 110)]
    spans = {0: (0, 30), 1: (10, 40), 2: (0, 9), 3: (90, 120)}
    ranges = around(sentences, spans.__getitem__, limit=2)
    assert ranges == [("a", 0, 40), ("b", 0, 9)]
