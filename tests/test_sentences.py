"""Sentence splitting: abbreviations and quotes kept whole, spans exact and trimmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr. Smith met Dr. Jones at St. Paul's on Friday.",
        'Mr Serwotka told Sky News: "We are definitely having a discussion."',
        "Mrs. Patel and Prof. Lee spoke about the U.S. economy in detail.",
        "J. R. Hartley wrote the book, e.g. the one on fishing, etc. and more.",
        "The Prime Minister lives at No. 10 Downing Street.",
        "Growth was 2.5 percent, up from 1.9 percent.",
    ],
)
def test_abbreviations_initials_and_numbers_do_not_split(sentence):
    text = f"It began. {sentence} Then it ended."
    assert sentences(text) == ["It began.", sentence, "Then it ended."]


def test_splits_on_end_punctuation_before_capitals_digits_and_quotes():
    text = (
        'Is it over? Not yet! The vote was 55 to 3. 2013 was a hard year. "Fight back," he said. '
        "“We will win.” ‘They know it.’ The end"
    )
    assert sentences(text) == [
        "Is it over?",
        "Not yet!",
        "The vote was 55 to 3.",
        "2013 was a hard year.",
        '"Fight back," he said.',
        "“We will win.”",
        "‘They know it.’",
        "The end",
    ]


def test_no_split_before_a_lowercase_word_or_inside_a_quote():
    text = '"Stop!" he shouted. She asked "why?" and left.'
    assert sentences(text) == ['"Stop!" he shouted.', 'She asked "why?" and left.']


def test_newlines_are_boundaries_and_spans_are_trimmed():
    text = "  Headline without a stop\n\n   First sentence.   Second one.  \n\t\nByline\n"
    spans = split_sentences(text)
    assert sentences(text) == [
        "Headline without a stop",
        "First sentence.",
        "Second one.",
        "Byline",
    ]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_empty_and_blank_text_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\t \n") == []


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name)
def test_seed_spans_are_ordered_disjoint_and_cover_every_word(path):
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert all(s < e for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))
    bounds = [0, *(i for span in spans for i in span), len(text)]
    gaps = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    assert all(not gap.strip() for gap in gaps)  # nothing but whitespace falls outside


def test_seed_quotes_by_mr_serwotka_are_whole_sentences():
    text = (SEEDS / "000_df60e9438eb2eb2e.txt").read_text(encoding="utf-8")
    found = sentences(text)
    assert found[:2] == ["Sunday, 7 April 2013", "7 April 2013 Last updated at 15:01"]
    quote = 'Mr Serwotka told Sky News: "We are definitely having a discussion about generalised'
    assert quote + " strike action." in found
    head = "Mark Serwotka, head of the Public and Commercial Services Union (PCS), confirmed he"
    assert head + " was holding talks with other unions." in found
