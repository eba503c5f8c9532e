"""Referents: whom each stored sentence's pronouns and descriptions mean, over the seeds."""

from __future__ import annotations

import json

import pytest

from index import Sentence, build_index, open_index, resolve_referents, split_sentences
from index.checksums import file_digest
from index.index_folder import MANIFEST, REFERENTS

PCS = "Public and Commercial Services Union (PCS)"


@pytest.fixture(scope="module")
def index(seeds_index_dir, embedder):
    return open_index(seeds_index_dir, embedder)


def sentence(index, opening: str) -> Sentence:
    """The stored sentence that starts with `opening`."""
    for number, article in enumerate(index.article_order):
        low, high = index.sentence_range(number)
        for _, start, end in index.sentence_rows[low:high]:
            text = article.text[start:end]
            if text.startswith(opening):
                return Sentence(article.id, int(start), int(end), text)
    raise AssertionError(f"no sentence starts with {opening!r}")


def referents(text: str) -> list[tuple[str, ...]]:
    return resolve_referents(text, split_sentences(text))


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        # "Pat Cullen, the leader of the RCN, told The Independent ..." comes just before.
        ("But she played down", ("Pat Cullen",)),
        (
            "The Royal College of Nursing (RCN) has made clear that it",
            ("Royal College of Nursing (RCN)",),
        ),
        ("The union body says", ("Trades Union Congress (TUC)",)),
        # Named as "The PCS union" in the line before, spelled out only in the next sentence.
        ("The union that represents government workers", (PCS,)),
        ("Mark Serwotka, head of the Public", ("Mark Serwotka",)),
        ("It will stage a half-day strike", (PCS,)),
        # Sky News, Border Agency and the TUC come between; "the union" still means the PCS.
        ("The union began its strike action", (PCS,)),
        ("The protest will now be", ("Home Office",)),  # "... parts of the department ..."
    ],
)
def test_seed_sentences_resolve(index, opening, expected):
    assert index.referents(sentence(index, opening)) == expected


@pytest.mark.parametrize(
    "opening",
    [
        "Pat Cullen, the leader of the RCN",  # names, but no pronoun
        "Nurses have already unveiled plans",
        "It is thought some unions",  # "it" standing for nothing
        "It is understood that nothing",
        '"It would show that people',  # "it" inside a quotation: an idea, not a body
        "Britannia Radio",
    ],
)
def test_sentences_without_a_resolvable_reference_have_none(index, opening):
    assert index.referents(sentence(index, opening)) == ()


def test_a_span_that_is_not_a_stored_sentence_has_none(index):
    stored = sentence(index, "But she played down")
    assert index.referents(Sentence(stored.article_id, stored.start + 1, stored.end, "")) == ()
    assert index.referents(Sentence("no-such-article", 0, 5, "")) == ()


def test_every_stored_sentence_has_a_tuple_of_strings(index):
    found = [
        index.referents(Sentence(index.article_order[a].id, int(s), int(e), ""))
        for a, s, e in index.sentence_rows
    ]
    assert len(found) == len(index.sentence_rows)
    assert all(isinstance(r, tuple) and all(isinstance(n, str) for n in r) for r in found)
    assert sum(bool(r) for r in found) >= 8


def test_people_are_the_latest_full_name_and_titles_find_it():
    text = (
        "Mark Serwotka leads the union. Mr Serwotka told Sky News he would fight. "
        "The Home Office said it would appeal. Prime Minister Rishi Sunak said his door was open."
    )
    assert referents(text) == [
        (),
        ("Mark Serwotka",),  # not "Sky News", and not "Mr Serwotka"
        ("Home Office",),
        ("Rishi Sunak",),
    ]


def test_nothing_is_resolved_before_anything_is_named():
    assert referents("She said it would go ahead. The union agreed.") == [(), ()]
    assert referents("Mr Jones said he was sorry.") == [("Mr Jones",)]


def test_a_description_takes_the_latest_body_of_its_kind():
    text = (
        "The Royal College of Nursing (RCN) and the Home Office met. "
        "The college said the department had refused. It left."
    )
    assert referents(text) == [
        (),
        ("Royal College of Nursing (RCN)", "Home Office"),
        ("Home Office",),
    ]


def test_a_rebuild_under_changed_rules_recomputes_referents(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "nurses.txt").write_text(
        "Pat Cullen leads the Royal College of Nursing (RCN). She wants a pay rise.\n"
    )
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, embedder)
    # Spoil the stored referents, checksum and all, as a build under older rules might have
    # left them, and say so in the manifest (its text_rules digest is of other code).
    (index_dir / REFERENTS).write_text(json.dumps([["Someone Else"], ["Someone Else"]]))
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["text_rules"] = "older-rules"
    manifest["files"][REFERENTS] = {
        "bytes": (index_dir / REFERENTS).stat().st_size,
        "sha256": file_digest(index_dir / REFERENTS),
    }
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    assert open_index(index_dir, embedder).referents(
        sentence(open_index(index_dir, embedder), "She wants")
    ) == ("Someone Else",)

    report = build_index([corpus], index_dir, embedder)
    assert report.embedded == 0  # every vector reused ...
    index = open_index(index_dir, embedder)
    assert index.referents(sentence(index, "She wants")) == ("Pat Cullen",)  # ... none of these
    assert index.aliases["rcn"] == "Royal College of Nursing"
