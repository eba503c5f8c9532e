"""Question cleaning and answer-type detection."""

from __future__ import annotations

import pytest

from bot.answering.answer_types import AnswerType, answer_type
from bot.answering.question import QuestionError, clean_question
from index.errors import FootnoteError


def test_collapses_whitespace_and_strips_the_ends():
    assert clean_question("  When is\tthe TUC\n\nday of protest?  ", 1000) == (
        "When is the TUC day of protest?"
    )


def test_removes_control_and_invisible_characters():
    raw = "Who\x00 leads\x1b the\u200b RCN?\x07"
    assert clean_question(raw, 1000) == "Who leads the RCN?"


def test_lone_surrogates_are_dropped_so_the_tokenizers_can_read_the_question():
    # as JSON "\ud800" decodes, and as argv bytes that are not UTF-8 arrive
    cleaned = clean_question("When is the TUC day \ud800of protest\udcff?", 1000)
    assert cleaned == "When is the TUC day of protest?"
    cleaned.encode("utf-8")  # strict: nothing unencodable is left
    assert clean_question("Who leads the 😀 RCN?", 1000) == "Who leads the 😀 RCN?"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t  \r\n", "\x00\x1b\u200b"])
def test_empty_or_blank_question_is_refused_with_a_plain_message(raw):
    with pytest.raises(QuestionError) as caught:
        clean_question(raw, 1000)
    assert "empty" in str(caught.value)


def test_too_long_question_names_its_length_and_the_limit():
    with pytest.raises(QuestionError) as caught:
        clean_question("a" * 10_000, 1000)
    assert str(caught.value) == (
        "Your question is 10,000 characters long; the limit is 1,000. Please ask something shorter."
    )


def test_length_is_counted_after_cleaning():
    # Padding that cleaning removes must not push a question over the limit.
    assert clean_question(" " * 5000 + "Who leads the RCN?" + "\x00" * 5000, 100) == (
        "Who leads the RCN?"
    )
    assert clean_question("x" * 100, 100) == "x" * 100


def test_question_error_is_a_footnote_error():
    assert issubclass(QuestionError, FootnoteError)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When is the TUC day of protest?", AnswerType.DATE),
        ("In what year did the strike begin?", AnswerType.DATE),
        ("What date is the protest?", AnswerType.DATE),
        ("How many members does PCS have?", AnswerType.NUMBER),
        ("How much did Unite ask for?", AnswerType.NUMBER),
        ("What percentage of nurses voted?", AnswerType.NUMBER),
        ("How many years did the dispute last?", AnswerType.DURATION),
        ("How long will the strike last?", AnswerType.DURATION),
        ("Who leads the RCN?", AnswerType.PERSON),
        ("Whose members will strike on Wednesday?", AnswerType.PERSON),
        ("Which union is the largest in the UK?", AnswerType.PERSON),
        ("Where will the half-day strike be held?", AnswerType.PLACE),
        ("In which country is Normandy?", AnswerType.PLACE),
        ("What is the protest against?", AnswerType.OTHER),
        ("Why are nurses striking?", AnswerType.OTHER),
        # A "who" in a relative clause does not make the question ask for a person.
        ("What did the workers who walked out want?", AnswerType.OTHER),
        ("asdfgh qwerty", AnswerType.OTHER),
        # An opening "when" clause is not the question: the wh-word after it is.
        ("When a pathogen has been eaten, it is trapped in what vesicle?", AnswerType.OTHER),
        ("When B cells replicate, who do their offspring become?", AnswerType.PERSON),
        ("When's the big nationwide demo?", AnswerType.DATE),
        ("When will the strike end, and who decides?", AnswerType.DATE),
    ],
)
def test_answer_type_comes_from_the_wh_phrase(question, expected):
    assert answer_type(question) is expected


def test_elliptical_follow_up_takes_the_type_of_the_question_before():
    assert answer_type("And Unite?", ["How many members does PCS have?"]) is AnswerType.NUMBER
    # A follow-up with its own wh-word keeps its own type.
    assert answer_type("and who leads it?", ["What is the RCN?"]) is AnswerType.PERSON
    assert answer_type("And why?", ["When is the protest?"]) is AnswerType.OTHER


@pytest.mark.parametrize(
    "text",
    [
        "¿Dónde está la biblioteca?",
        "Wer führt die RCN?",
        "Quand est la journée de protestation ?",
        "抗议日是什么时候?",
    ],
)
def test_a_question_plainly_in_another_language_is_told_english_only(text):
    with pytest.raises(QuestionError, match="English"):
        clean_question(text, 1000)


@pytest.mark.parametrize("text", ["👍🎉", "???", "... !!"])
def test_a_question_with_no_letters_or_numbers_is_asked_for_words(text):
    with pytest.raises(QuestionError, match="in words"):
        clean_question(text, 1000)


@pytest.mark.parametrize(
    "text", ["TUC protest date", "Pat Cullen?", "Who is de la Cruz?", "Was ist das? asked who"]
)
def test_english_questions_with_foreign_names_pass(text):
    assert clean_question(text, 1000) == text
