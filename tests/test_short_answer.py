"""Typed short answers: the value a question asks for, taken verbatim from the answer sentence."""

from __future__ import annotations

import pytest

from bot.question import AnswerType, answer_type
from bot.short_answer import has_new_value, pattern_values, short_answer
from bot.terms import content_stems

TUC = (
    "A national day of protest will be held on 1 February, the Trades Union Congress (TUC), "
    "the umbrella body for the movement, has announced."
)
CULLEN = (
    "Pat Cullen, the leader of the RCN, told The Independent at the weekend that action would "
    "have to intensify unless nurses are offered an acceptable pay rise."
)
PCS = "PCS is the fifth-largest trade union in the UK with 270,000 members."
UNITE = (
    "Unite, the UK's largest union with 1.4 million members, has submitted documents to the TUC "
    "union calling for a 24-hour general strike against the government's spending cuts, the BBC "
    "reported earlier this week."
)
HMRC = "It will stage a half-day strike at HM Revenue and Customs on Monday."

CASES = [
    ("When is the TUC day of protest?", TUC, "1 February"),
    ("Who leads the RCN?", CULLEN, "Pat Cullen"),
    ("How many members does PCS have?", PCS, "270,000"),
    ("How many members does Unite have?", UNITE, "1.4 million"),
    ("Which union is the largest in the UK?", UNITE, "Unite"),
    ("When will the PCS strike at HMRC?", HMRC, "Monday"),
    ("Where will the half-day strike be held?", HMRC, "HM Revenue and Customs"),
    ("Where is PCS the fifth-largest union?", PCS, "UK"),
]


@pytest.mark.parametrize(("question", "answer", "expected"), CASES)
def test_short_answer_is_the_asked_for_value(question, answer, expected):
    got = short_answer(question, answer, answer_type(question))
    assert got == expected
    assert got in answer


@pytest.mark.parametrize(("question", "answer", "_"), CASES)
def test_short_answer_never_repeats_what_the_question_says(question, answer, _):
    got = short_answer(question, answer, answer_type(question))
    assert got is not None
    assert not content_stems(got) <= content_stems(question)


def test_value_named_in_the_question_is_skipped_for_the_next_one():
    # "TUC" and "the Trades Union Congress" are organisations, but the question names the TUC.
    question = "Who announced the 1 February protest, according to the Trades Union Congress?"
    assert short_answer(question, TUC, AnswerType.PERSON) == "TUC"
    assert short_answer("When is the protest on 1 February?", TUC, AnswerType.DATE) is None


def test_untyped_question_has_no_short_answer():
    assert short_answer("What is the protest against?", TUC, AnswerType.OTHER) is None


def test_no_value_of_the_wanted_type_gives_none():
    assert short_answer("When did PCS grow?", "PCS is a trade union.", AnswerType.DATE) is None
    assert short_answer("How many?", "", AnswerType.NUMBER) is None


def test_focus_prefers_the_chosen_sentence_over_its_neighbour():
    answer = "The union met on 3 March. It will strike on 24 April."
    focus = (answer.index("It will"), len(answer))
    assert short_answer("When will it strike?", answer, AnswerType.DATE, focus=focus) == "24 April"


def test_patterns_find_dates_and_numbers_that_ner_may_miss():
    text = "Up to 55,000 workers, 12% of staff and £3.5bn were affected on 24 April 2013 at 16:56."
    dates = {text[v.start : v.end] for v in pattern_values(text, AnswerType.DATE)}
    numbers = {text[v.start : v.end] for v in pattern_values(text, AnswerType.NUMBER)}
    assert "24 April 2013" in dates and "16:56" in dates
    assert {"55,000", "12%", "£3.5bn"} <= numbers


def test_has_new_value_ignores_values_the_question_contains():
    q = content_stems("What happened on 1 February?")
    assert not has_new_value("The protest is on 1 February.", AnswerType.DATE, q)
    assert has_new_value("The protest is on 2 March.", AnswerType.DATE, q)
