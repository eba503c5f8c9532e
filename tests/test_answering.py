"""Answering over the real seeds index: verbatim quotes, short answers, citations, abstention."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from bot.answering import ABSTAIN_TEXT, Answer, answer_question, candidate_features
from bot.sentence_scoring import FEATURES, ConfidenceWeights, Weights
from bot.terms import content_stems

TUC_SENTENCE = (
    "A national day of protest will be held on 1 February, the Trades Union Congress (TUC), "
    "the umbrella body for the movement, has announced."
)

ANSWERABLE = [
    "When is the TUC day of protest?",
    "Who leads the RCN?",
    "How many members does PCS have?",
    "How many members does Unite have?",
    "Who heads the PCS?",
    "What is the protest against?",
    "When will the TUC discuss a general strike?",
    "Why are nurses striking?",
    "Where will the half-day strike be held?",
    "How many workers will take part in the HMRC strike?",
    "Who will strike on Wednesday?",
    "What did Mr Serwotka tell Sky News?",
]
OUT_OF_CORPUS = [
    "Who won the 2022 football World Cup?",
    "What is the capital of France?",
    "¿Dónde está la biblioteca?",
    "asdfgh qwerty",
    "What is the weather tomorrow?",
]


@pytest.fixture(scope="module")
def index(seeds_index_dir, embedder):
    from index import open_index

    return open_index(seeds_index_dir, embedder)


@pytest.fixture(scope="module")
def ask(index, embedder, settings):
    def ask(question: str, context: tuple[str, ...] = (), **changes) -> Answer:
        query = " ".join([*context, question])
        hits = index.searcher.search(query, k=settings.k)
        return answer_question(
            question, hits, index, embedder, settings.replace(**changes), context=context
        )

    return ask


def test_tuc_question_quotes_the_sentence_and_cites_its_passage(ask, index):
    answer = ask("When is the TUC day of protest?")
    assert not answer.abstained
    assert answer.short_answer == "1 February"
    assert TUC_SENTENCE in answer.answer
    first = answer.citations[0]
    assert first.n == 1
    assert first.article_id == "004_ae9d525e8a820230.txt"
    assert index.articles[first.article_id].text[first.start : first.end] == first.text
    assert answer.answer in first.text
    assert answer.short_answer in answer.answer


@pytest.mark.parametrize(
    ("question", "short", "article"),
    [
        ("Who leads the RCN?", "Pat Cullen", "004_ae9d525e8a820230.txt"),
        ("How many members does PCS have?", "270,000", "000_df60e9438eb2eb2e.txt"),
        ("How many members does Unite have?", "1.4 million", "000_df60e9438eb2eb2e.txt"),
        ("Who heads the PCS?", "Mark Serwotka", "000_df60e9438eb2eb2e.txt"),
        ("When will the TUC discuss a general strike?", "24 April", "000_df60e9438eb2eb2e.txt"),
    ],
)
def test_typed_questions_get_the_value_they_ask_for(ask, question, short, article):
    answer = ask(question)
    assert not answer.abstained
    assert answer.short_answer == short
    assert short in answer.answer
    assert answer.citations[0].article_id == article


@pytest.mark.parametrize("question", ANSWERABLE)
def test_answer_is_verbatim_inside_the_first_citation(ask, index, question):
    answer = ask(question)
    assert not answer.abstained, f"{question!r} abstained at confidence {answer.confidence:.2f}"
    assert answer.answer and answer.answer.strip() == answer.answer
    assert answer.answer in answer.citations[0].text
    assert 0.0 <= answer.confidence <= 1.0
    for citation in answer.citations:
        assert index.articles[citation.article_id].text[citation.start : citation.end] == (
            citation.text
        )
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question", ANSWERABLE)
def test_short_answer_is_never_a_value_from_the_question(ask, question):
    answer = ask(question)
    if answer.short_answer is not None:
        assert answer.short_answer in answer.answer
        assert not content_stems(answer.short_answer) <= content_stems(question)


def test_supporting_citations_are_distinct_non_overlapping_passages(ask, settings):
    for question in ANSWERABLE:
        citations = ask(question).citations
        assert 1 <= len(citations) <= settings.max_citations
        spans = [(c.article_id, c.start, c.end) for c in citations]
        for i, (a, s, e) in enumerate(spans):
            for b, s2, e2 in spans[i + 1 :]:
                assert not (a == b and s < e2 and s2 < e), f"{question!r} cites overlapping text"


def test_second_passage_stating_the_same_date_is_cited_too(ask):
    answer = ask("When is the national day of protest?")
    assert answer.short_answer == "1 February"
    assert len(answer.citations) >= 2
    assert all("1 February" in c.text for c in answer.citations)
    assert "nothing was agreed at the meeting except the plan" in answer.citations[1].text


def test_unrelated_passages_are_not_cited_as_support(ask):
    # Only one passage says what the protest is against; the others merely mention protests.
    answer = ask("What is the protest against?")
    assert "minimum service levels" in answer.answer
    assert len(answer.citations) == 1


@pytest.mark.parametrize("question", OUT_OF_CORPUS)
def test_out_of_corpus_and_nonsense_questions_abstain_without_citations(ask, question):
    answer = ask(question)
    assert answer.abstained
    assert answer.answer is None
    assert answer.short_answer is None
    assert answer.citations == ()
    assert answer.confidence < 0.5


def test_confidence_separates_answerable_from_out_of_corpus(ask):
    lowest_answerable = min(ask(q).confidence for q in ANSWERABLE)
    highest_unanswerable = max(ask(q).confidence for q in OUT_OF_CORPUS)
    assert lowest_answerable - highest_unanswerable > 0.3


def test_threshold_decides_abstention(ask):
    assert ask("When is the TUC day of protest?", abstain_threshold=1.0).abstained
    assert not ask("Who won the 2022 football World Cup?", abstain_threshold=0.0).abstained


def test_no_hits_abstains(index, embedder, settings):
    answer = answer_question("Who leads the RCN?", [], index, embedder, settings)
    assert answer.abstained and answer.citations == () and answer.answer is None
    assert ABSTAIN_TEXT  # what the front ends show instead


def test_follow_up_uses_the_conversation(ask):
    alone = ask("and who leads it?")
    followed = ask("and who leads it?", context=("What is the RCN?",))
    assert not followed.abstained
    assert followed.short_answer == "Pat Cullen"
    assert followed.confidence > alone.confidence


def test_dependent_sentence_is_quoted_with_the_one_before(ask):
    # "It will stage..." means nothing alone; the quote must say who "it" is.
    answer = ask("Which union will stage a half-day strike at HM Revenue and Customs?")
    assert answer.answer.startswith("The PCS has already staged walkouts")
    assert answer.answer.endswith("HM Revenue and Customs on Monday.")
    assert answer.answer in answer.citations[0].text


def test_question_vector_gives_the_same_answer_as_encoding(ask, index, embedder, settings):
    question = "How many members does PCS have?"
    hits = index.searcher.search(question, k=settings.k)
    vector = embedder.encode([question])[0]
    given = answer_question(question, hits, index, embedder, settings, question_vector=vector)
    assert given.answer == ask(question).answer


def test_features_have_one_column_per_weight(index, embedder, settings):
    question = "When is the TUC day of protest?"
    vector = embedder.encode([question])[0]
    hits = index.searcher.search(question, k=settings.k)
    found = candidate_features(question, hits, index, vector)
    assert found.features.shape == (len(found.candidates), len(FEATURES))
    assert len(Weights().vector()) == len(FEATURES)
    keys = [(s.article_id, s.start, s.end) for s in found.sentences]
    assert len(keys) == len(set(keys)), "overlapping chunks must not duplicate sentences"


def test_confidence_rises_with_each_evidence_feature():
    weights = ConfidenceWeights()
    base = np.zeros(len(FEATURES))
    low = weights.confidence(base, dense=0.2)
    for name in ("cosine", "coverage", "window"):
        row = base.copy()
        row[FEATURES.index(name)] = 0.8
        assert weights.confidence(row, dense=0.2) > low
    assert weights.confidence(base, dense=0.8) > low


def test_answering_after_retrieval_is_fast(index, embedder, settings):
    questions = ANSWERABLE + OUT_OF_CORPUS
    vectors = embedder.encode(questions)
    hits = [
        index.searcher.search(q, k=settings.k, query_vector=v)
        for q, v in zip(questions, vectors, strict=True)
    ]
    answer_question(questions[0], hits[0], index, embedder, settings, question_vector=vectors[0])
    took = []
    for question, vector, found in zip(questions, vectors, hits, strict=True):
        started = time.perf_counter()
        answer_question(question, found, index, embedder, settings, question_vector=vector)
        took.append((time.perf_counter() - started) * 1000)
    assert statistics.median(took) < 50, f"median {statistics.median(took):.1f} ms"
