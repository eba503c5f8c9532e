"""Short answers: reader spans cleaned of stray punctuation, and the typed values a text holds."""

from __future__ import annotations

import pytest

from bot.answering.answer_types import AnswerType, answer_type
from bot.answering.short_answer import (
    clean_span,
    has_new_value,
    is_only_value,
    leads_with_value,
    pattern_values,
)
from bot.answering.terms import content_stems

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


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        (CULLEN, "Pat Cullen,", "Pat Cullen"),
        (PCS, " 270,000 members.", "270,000 members"),
        (TUC, "(TUC),", "TUC"),
        (UNITE, "Unite,", "Unite"),
        ('He said: "nothing was agreed".', '"nothing was agreed', "nothing was agreed"),
        (TUC, "1 February", "1 February"),
    ],
)
def test_clean_span_trims_stray_punctuation_and_unbalanced_quotes(text, span, expected):
    assert cleaned(text, span) == expected


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        (PCS, "fifth", "fifth-largest"),
        (PCS, "270", "270,000"),
        (PCS, "000 members", "270,000 members"),
        (UNITE, "1.", "1.4"),
        (UNITE, "24", "24-hour"),
        (UNITE, "UK", "UK"),  # "UK's": the possessive is not part of the name
        (HMRC, "Revenue and Custom", "HM Revenue and Customs"),  # and names whole
    ],
)
def test_clean_span_never_cuts_a_word(text, span, expected):
    assert cleaned(text, span) == expected


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        (CULLEN, "Pat", "Pat Cullen"),
        (CULLEN, "Cullen", "Pat Cullen"),
        (CULLEN, "Independent", "The Independent"),
        (CULLEN, "leader of the RCN", "leader of the RCN"),
        (TUC, "1 February", "1 February"),
    ],
)
def test_clean_span_never_cuts_a_name(text, span, expected):
    assert cleaned(text, span) == expected


def test_clean_span_keeps_balanced_brackets():
    span = "Trades Union Congress (TUC)"
    assert cleaned("the Trades Union Congress (TUC) said", span) == span


def cleaned(text: str, span: str) -> str:
    """What clean_span makes of the first occurrence of `span` in `text`."""
    start = text.index(span)
    a, b = clean_span(text, start, start + len(span))
    return text[a:b]


def test_type_of_the_question_finds_values_of_that_type():
    assert answer_type("When is the TUC day of protest?") is AnswerType.DATE
    assert has_new_value(TUC, AnswerType.DATE, content_stems("When is the day of protest?"))
    assert not has_new_value(HMRC, AnswerType.NUMBER, content_stems("How many strike?"))


def test_patterns_find_dates_and_numbers_that_ner_may_miss():
    text = "Up to 55,000 workers, 12% of staff and £3.5bn were affected on 24 April 2013 at 16:56."
    dates = {text[v.start : v.end] for v in pattern_values(text, AnswerType.DATE)}
    numbers = {text[v.start : v.end] for v in pattern_values(text, AnswerType.NUMBER)}
    assert "24 April 2013" in dates and "16:56" in dates
    assert {"55,000", "12%", "£3.5bn"} <= numbers


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("two", AnswerType.NUMBER),  # "How many subtypes of B cells exist?"
        ("dozens of cases", AnswerType.NUMBER),
        ("half-day", AnswerType.DURATION),
        ("a week-long series", AnswerType.DURATION),
        ("in a fortnight's time", AnswerType.DURATION),
        ("later this month", AnswerType.DATE),
        ("on the day of the Budget", AnswerType.DATE),
        ("at the weekend", AnswerType.DATE),
    ],
)
def test_values_written_in_words_are_of_their_type(value, kind):
    assert has_new_value(value, kind, set())


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("ambulance staff", AnswerType.NUMBER),
        ("either Unison", AnswerType.NUMBER),
        ("a half-day strike", AnswerType.NUMBER),  # "half" is no count
        ("two days", AnswerType.DATE),
        ("while the talks went on", AnswerType.DURATION),
    ],
)
def test_values_of_another_type_are_not(value, kind):
    assert not has_new_value(value, kind, set())


def test_has_new_value_ignores_values_the_question_contains():
    q = content_stems("What happened on 1 February?")
    assert not has_new_value("The protest is on 1 February.", AnswerType.DATE, q)
    assert has_new_value("The protest is on 2 March.", AnswerType.DATE, q)


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("1 February", True),
        ("on 1 February", True),
        ("On Wednesday", True),
        ("later this month", True),
        ("the plan for 1 February", False),
        ("Pat Cullen", False),
        ("", False),
    ],
)
def test_a_span_is_only_a_date_when_nothing_but_the_date_is_in_it(text, only):
    assert is_only_value(text, AnswerType.DATE) is only


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        # The reader's run-on spans for "What is the national day of protest against?"
        ("1 February, the Trades Union Congress (TUC)", True),
        ("1 February. Strike dates are set by individual unions", True),
        ("on 1 February, the TUC", True),
        ("1 February", False),  # only a date: is_only_value's case
        ("1974, 1978 and 1994", False),  # a list of dates
        ("July, August, and September", False),
        ("the plan for 1 February, the TUC", False),
        ("", False),
    ],
)
def test_a_span_leads_with_a_date_when_the_next_clause_runs_on_after_it(text, leads):
    assert leads_with_value(text, AnswerType.DATE) is leads
