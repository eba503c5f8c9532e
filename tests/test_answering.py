"""Answering over the real seeds index with the shipped reader: verbatim quotes, short answers
that are reader spans, citations, abstention."""

from __future__ import annotations

import pytest

from bot.answering import ABSTAIN_TEXT, AnsweringConfig, answer_question
from bot.answering.terms import content_stems
from index import passages_of

TUC_SENTENCE = (
    "A national day of protest will be held on 1 February, the Trades Union Congress (TUC), "
    "the umbrella body for the movement, has announced."
)
SEED_2023 = "004_ae9d525e8a820230.txt"
SEED_2013 = "000_df60e9438eb2eb2e.txt"

ANSWERABLE = [
    "When is the TUC day of protest?",
    "Who leads the RCN?",
    "How many members does PCS have?",
    "Who heads the PCS?",
    "When will the TUC discuss a general strike?",
    "Who is in charge of the RCN?",
    "Which department was the 24-hour strike planned at?",
]
OUT_OF_CORPUS = [
    "Who won the 2022 football World Cup?",
    "What is the capital of France?",
    "asdfgh qwerty",
    "What is the weather tomorrow?",
]


def test_tuc_question_quotes_the_sentence_and_highlights_the_date(engine):
    answer = engine.ask("When is the TUC day of protest?")
    assert not answer.abstained
    assert answer.short_answer == "1 February"
    assert TUC_SENTENCE in answer.answer
    first = answer.citations[0]
    assert first.n == 1 and first.article_id == SEED_2023
    text = engine.index.articles[first.article_id].text
    assert text[first.start : first.end] == first.text
    assert answer.answer in first.text
    start, end = answer.span
    assert text[start:end] == answer.short_answer


@pytest.mark.parametrize(
    ("question", "short", "article"),
    [
        ("Who leads the RCN?", "Pat Cullen", SEED_2023),
        # not "Royal College of Nursing", the name the question's own "RCN" spells out
        ("Who is in charge of the RCN?", "Pat Cullen", SEED_2023),
        ("How many members does PCS have?", "270,000", SEED_2013),
        ("Who heads the PCS?", "Mark Serwotka", SEED_2013),
        ("When will the TUC discuss a general strike?", "24 April", SEED_2013),
        ("Which department was the 24-hour strike planned at?", "Home Office", SEED_2013),
    ],
)
def test_easy_questions_get_the_span_they_ask_for(engine, question, short, article):
    answer = engine.ask(question)
    assert not answer.abstained, f"{question!r} refused at {answer.confidence:.2f}"
    assert short in answer.short_answer
    assert answer.short_answer in answer.answer
    assert answer.citations[0].article_id == article


@pytest.mark.parametrize("question", ANSWERABLE)
def test_answer_and_short_answer_are_verbatim_inside_the_first_citation(engine, question):
    answer = engine.ask(question)
    assert not answer.abstained, f"{question!r} refused at {answer.confidence:.2f}"
    assert answer.answer and answer.answer.strip() == answer.answer
    assert answer.answer in answer.citations[0].text
    assert answer.short_answer and answer.short_answer in answer.answer
    assert answer.short_answer == answer.short_answer.strip(" ,.;:")
    assert 0.0 <= answer.confidence <= 1.0
    for citation in answer.citations:
        text = engine.index.articles[citation.article_id].text
        assert text[citation.start : citation.end] == citation.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question", ANSWERABLE)
def test_short_answer_is_never_just_words_of_the_question(engine, question):
    answer = engine.ask(question)
    assert not content_stems(answer.short_answer) <= content_stems(question)


def test_supporting_citations_are_distinct_non_overlapping_passages(engine, settings):
    for question in ANSWERABLE:
        citations = engine.ask(question).citations
        assert 1 <= len(citations) <= settings.max_citations
        spans = [(c.article_id, c.start, c.end) for c in citations]
        for i, (a, s, e) in enumerate(spans):
            for b, s2, e2 in spans[i + 1 :]:
                assert not (a == b and s < e2 and s2 < e), f"{question!r} cites overlapping text"


@pytest.mark.parametrize("question", OUT_OF_CORPUS)
def test_out_of_corpus_and_nonsense_questions_abstain_without_citations(engine, question):
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.answer is None and answer.short_answer is None and answer.span is None
    assert answer.citations == ()


def test_confidence_separates_answerable_from_out_of_corpus(engine):
    lowest_answerable = min(engine.ask(q).confidence for q in ANSWERABLE)
    highest_unanswerable = max(engine.ask(q).confidence for q in OUT_OF_CORPUS)
    assert lowest_answerable > highest_unanswerable


def test_threshold_decides_abstention(engine):
    question = "When is the TUC day of protest?"
    strict = answer_with(engine, question, threshold=1.0)
    assert strict.abstained and strict.confidence > 0.5
    lax = answer_with(engine, "Who won the 2022 football World Cup?", threshold=0.0)
    assert not lax.abstained and lax.answer in lax.citations[0].text


@pytest.mark.parametrize(
    "question",
    [
        "How many members does Unison have?",
        "How many ambulance workers will strike on Wednesday?",
        "How many members does the RCN have?",
        "When did the ambulance staff hold their first strike?",
        "How long will the nurses' strikes last?",
    ],
)
def test_a_typed_question_is_answered_with_a_value_of_its_type_or_refused(engine, question):
    # "How many members does Unison have?" -> "ambulance staff" was answered before.
    from bot.answering.answer_types import answer_type
    from bot.answering.short_answer import has_new_value

    answer = engine.ask(question)
    kind = answer_type(question)
    assert answer.abstained or has_new_value(answer.short_answer, kind, content_stems(question))


@pytest.mark.parametrize(
    ("question", "short"),
    [
        # The reader's best span is "two", which is no duration: this was refused (confidence 0)
        # though "two days", of the asked type, was the next option.
        ("How many days of strikes have nurses announced?", "two days"),
        # The best span was "1 February", which answers no "why".
        ("Why are unions planning a national day of protest?", "power of public pressure"),
    ],
)
def test_a_span_of_the_asked_type_answers_when_the_best_one_is_not(engine, question, short):
    answer = engine.ask(question)
    assert not answer.abstained, answer.confidence
    assert short in answer.short_answer
    assert answer.short_answer in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Why are unions planning a national day of protest?",
        "What is the national day of protest against?",
    ],
)
def test_a_question_that_asks_no_date_is_not_answered_with_a_date(engine, question):
    # Both were answered "1 February", the date of the day of protest.
    from bot.answering.answer_types import AnswerType
    from bot.answering.short_answer import is_only_value

    answer = engine.ask(question)
    assert answer.abstained or not is_only_value(answer.short_answer, AnswerType.DATE)


def test_no_hits_abstains(engine):
    answer = answer_question(
        "Who leads the RCN?",
        passages_of(engine.index, []),
        engine.reader,
        engine.model,
        engine.embedder.encode(["Who leads the RCN?"])[0],
    )
    assert answer.abstained and answer.citations == () and answer.answer is None
    assert ABSTAIN_TEXT  # what the front ends show instead


def test_follow_up_is_read_against_the_previous_turn(engine):
    from bot.answering.follow_up import Turn

    first = engine.ask("Who is the head of the PCS?")
    assert first.short_answer == "Mark Serwotka"
    followed = engine.ask("and how many members does it have?", context=[Turn.of(first)])
    assert not followed.abstained
    assert followed.short_answer == "270,000"


def test_dependent_sentence_is_quoted_with_the_one_before(engine):
    # "It will stage..." means nothing alone; the quote must say who "it" is.
    answer = engine.ask("Which union will stage a half-day strike at HM Revenue and Customs?")
    assert not answer.abstained
    assert "PCS" in answer.answer.split(".")[0]
    assert answer.answer in answer.citations[0].text


def answer_with(engine, question: str, *, threshold: float):
    vector = engine.embedder.encode([question])[0]
    hits = engine.index.searcher.search(question, k=engine.settings.k, query_vector=vector)
    passages = passages_of(engine.index, hits)
    config = AnsweringConfig(abstain_threshold=threshold)
    return answer_question(question, passages, engine.reader, engine.model, vector, config=config)
