"""Follow-up questions resolve against the conversation and find what the user meant."""

from __future__ import annotations

import pytest

from bot.answering.follow_up import Turn, is_follow_up, resolve

RCN_SENTENCE = (
    "The Royal College of Nursing (RCN) has made clear that it is not involved in any "
    "coordination around striking on 1 February."
)


@pytest.mark.parametrize(
    ("turn", "question", "standalone"),
    [
        (Turn("What is the RCN?", None, RCN_SENTENCE), "and who leads it?", "Who leads the RCN?"),
        (
            Turn(
                "Which union is staying out of the 1 February strikes?",
                "The Royal College of Nursing",
                RCN_SENTENCE,
            ),
            "and who leads it?",
            "Who leads The Royal College of Nursing?",
        ),
        (
            Turn("Who is the head of the PCS?", "Mark Serwotka", "Mark Serwotka, head of ..."),
            "and how many members does it have?",
            "How many members does the PCS have?",
        ),
        (
            Turn("Who is the head of the PCS?", "Mark Serwotka", "Mark Serwotka, head of ..."),
            "what did he tell Sky News?",
            "What did Mark Serwotka tell Sky News?",
        ),
        (
            Turn("When is the TUC day of protest?", "1 February", "A national day ..."),
            "what is it against?",
            "What is the TUC day of protest against?",
        ),
    ],
)
def test_a_pronoun_is_replaced_by_what_the_last_turn_was_about(turn, question, standalone):
    query = resolve(question, [turn])
    assert query.text == standalone
    assert query.shown == (turn.answer,) and query.context == ()
    assert query.said == ((turn.short_answer,) if turn.short_answer else ())


def test_self_contained_questions_are_searched_as_they_are():
    last = Turn("What is the RCN?", None, RCN_SENTENCE)
    assert resolve("Who leads the RCN?", [last]).text == "Who leads the RCN?"
    assert resolve("and who leads it?", []).text == "and who leads it?"
    assert not is_follow_up("How many members does the PCS have?")


def test_an_unresolvable_follow_up_keeps_the_last_question_as_context():
    query = resolve("And Unite?", [Turn("How many members does PCS have?", "270,000", "PCS ...")])
    assert query.text == "And Unite?"
    assert query.context == ("How many members does PCS have?",)


@pytest.mark.parametrize(
    ("first", "follow_up", "expected"),
    [
        ("Who is the head of the PCS?", "and how many members does it have?", "270,000"),
        # The sentence already shown can answer a new typed question about the same thing.
        ("When will the national day of protest be held?", "who announced it?", "Trades Union"),
    ],
)
def test_the_engine_answers_follow_ups_from_the_conversation(engine, first, follow_up, expected):
    earlier = engine.ask(first)
    answer = engine.ask(follow_up, context=[Turn.of(earlier)])
    assert answer.question == follow_up
    assert not answer.abstained
    assert expected in answer.answer
