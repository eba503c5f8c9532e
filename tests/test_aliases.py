"""Aliases: acronyms read from the seeds, stored in the index, and used to widen BM25 queries."""

from __future__ import annotations

import pytest

from index import Alias, Aliases, Searcher, find_aliases, open_index, terms
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def index(seeds_index_dir, embedder):
    return open_index(seeds_index_dir, embedder)


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_the_seeds_define_their_unions_and_departments():
    assert find_aliases(seed("000")) == [
        Alias("PCS", "Public and Commercial Services Union"),
        # Never bracketed: both forms stand alone in the text and the initials agree.
        Alias("HMRC", "HM Revenue and Customs"),
    ]
    assert find_aliases(seed("004")) == [
        Alias("TUC", "Trades Union Congress"),
        Alias("RCN", "Royal College of Nursing"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Royal College of Nursing (RCN) said so.", [("RCN", "Royal College of Nursing")]),
        (
            "Staff at HM Revenue and Customs (HMRC) will strike.",
            [("HMRC", "HM Revenue and Customs")],
        ),
        (
            "a day of action, the Trades Union Congress (TUC), the",
            [("TUC", "Trades Union Congress")],
        ),
        ("The Department for Transport (DfT) agreed.", [("DfT", "Department for Transport")]),
        ("Shares in Marks & Spencer (M&S) rose.", [("M&S", "Marks & Spencer")]),
        ("The RCN (Royal College of Nursing) said so.", [("RCN", "Royal College of Nursing")]),
        ("The RCN (the Royal College of Nursing) said so.", [("RCN", "Royal College of Nursing")]),
        ("Talks with the US (United States) stalled.", [("US", "United States")]),
        # Nothing before the bracket spells it, so nothing is guessed.
        ("Nurses in the union (RCN) voted to strike.", []),
        ("Nurses at the Royal College (RCN) voted.", []),
        ("The strike of that year (2013) was the largest.", []),
        ("Pat Cullen (RCN leader) spoke.", []),
        ("A report on TV (Sky) said so.", []),
    ],
)
def test_tricky_brackets(text, expected):
    assert [(a.short, a.long) for a in find_aliases(text)] == [tuple(e) for e in expected]


def test_the_index_maps_lowercased_short_forms_to_long_forms(index):
    assert dict(index.aliases) == {
        "pcs": "Public and Commercial Services Union",
        "hmrc": "HM Revenue and Customs",
        "tuc": "Trades Union Congress",
        "rcn": "Royal College of Nursing",
    }
    assert index.aliases["RCN"] == "Royal College of Nursing"


def test_expand_adds_the_other_form_once(index):
    assert index.expand("Who leads the RCN?") == "Who leads the RCN (Royal College of Nursing)?"
    assert index.expand("Who leads the royal college of nursing?") == (
        "Who leads the royal college of nursing (RCN)?"
    )
    assert index.expand("Did the rcn join the TUC?") == (
        "Did the rcn (Royal College of Nursing) join the TUC (Trades Union Congress)?"
    )
    assert index.expand("The RCN and the RCN again") == (
        "The RCN (Royal College of Nursing) and the RCN again"
    )
    assert index.expand("the RCN's leader") == "the RCN's (Royal College of Nursing) leader"
    # Already in both forms, or only inside longer words: nothing to add.
    both = "Royal College of Nursing (RCN) members"
    assert index.expand(both) == both
    assert index.expand("RCNs and PCSX") == "RCNs and PCSX"


def test_a_two_letter_short_form_must_match_its_capitals():
    aliases = Aliases([Alias("US", "United States"), Alias("US", "Union Squad")])
    assert aliases["us"] == "United States"  # the most common long form; ties go to the first
    assert aliases.expand("Tell us about the US") == "Tell us about the US (United States)"
    assert aliases.expand("Tell us") == "Tell us"


def test_bm25_finds_a_chunk_by_either_form(index):
    plain = Searcher(index.chunks, index.dense, index.sparse)

    def top(searcher, question):
        return searcher.search(question, k=3, method="bm25")

    # The question's "RCN" alone leads BM25 to "Unions want"; the alias adds the long form.
    question = "What does the RCN want?"
    assert "Royal College of Nursing" not in top(plain, question)[0].chunk.text
    hits = top(index.searcher, question)
    assert "Pat Cullen, the leader of the RCN" in hits[0].chunk.text

    # The long form in the question reaches the chunk that only says "RCN" through the alias.
    question = "Who leads the Royal College of Nursing?"
    hits = top(index.searcher, question)
    assert "Pat Cullen, the leader of the RCN" in hits[0].chunk.text
    acronym_only = next(
        h for h in hits if "RCN" in h.chunk.text and "Royal College" not in h.chunk.text
    )
    before = next(h for h in top(plain, question) if h.chunk == acronym_only.chunk)
    assert acronym_only.sparse_score > before.sparse_score


def test_the_other_form_weighs_as_one_query_word(index):
    question = "How many belong to the PCS?"
    long = terms("Public and Commercial Services Union")
    assert index.aliases.others(question) == ["Public and Commercial Services Union"]
    plain = index.sparse.scores(terms(question))
    expanded = plain + index.sparse.scores(long) / len(long)
    hits = index.searcher.search(question, k=5, method="bm25")
    assert [hit.sparse_score for hit in hits] == pytest.approx(
        sorted(expanded, reverse=True)[: len(hits)]
    )
    for hit in hits:
        assert hit.sparse_score == pytest.approx(expanded[index.chunks.index(hit.chunk)])
