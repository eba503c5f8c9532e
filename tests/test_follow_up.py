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
        # "it" is what a yes/no question was about, not its answer (issue 27: it was read as
        # "Who leads any coordination around striking?").
        (
            Turn(
                "Is the Royal College of Nursing involved in the 1 February strikes?",
                "any coordination around striking",
                RCN_SENTENCE,
            ),
            "who leads it?",
            "Who leads the Royal College of Nursing?",
        ),
        (
            Turn("Who leads the RCN?", "Pat Cullen", "Pat Cullen, the RCN's general secretary"),
            "and how many members does it have?",
            "How many members does the RCN have?",
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


def test_a_third_turn_still_finds_what_the_first_was_about():
    from dataclasses import replace

    from bot.answering.answer import Answer

    first = Turn("Which union is the fifth-largest in the UK?", "PCS", "PCS is the ...")
    second = resolve("Who leads it?", [first])
    assert second.text == "Who leads PCS?"
    answered = Answer("Who leads it?", "Mark Serwotka leads PCS.", "Mark Serwotka", False)
    turn = Turn.of(replace(answered, resolved=second.text))  # as the engine records it
    assert turn.question == "Who leads PCS?"
    assert resolve("How many members does it have?", [first, turn]).text == (
        "How many members does PCS have?"
    )


def test_the_thing_talked_about_carries_past_a_question_about_a_person():
    first = Turn("Who is the head of the PCS?", "Mark Serwotka", "Mark Serwotka, head of ...")
    second = resolve("what did he tell Sky News?", [first])
    assert second.text == "What did Mark Serwotka tell Sky News?" and second.about == "the PCS"
    turn = Turn(second.text, "that it would strike", "He told Sky News ...", second.about)
    third = resolve("and how many members does it have?", [first, turn])
    assert third.text == "How many members does the PCS have?"


def test_an_unresolvable_follow_up_keeps_the_last_question_as_context():
    query = resolve("And Unite?", [Turn("How many members does PCS have?", "270,000", "PCS ...")])
    assert query.text == "And Unite?"
    assert query.context == ("How many members does PCS have?",)
    # a forum post's title and body: no shape names its subject, so it stays as context
    titled = Turn("TUC day of protest. When is it?", "1 February", "A national day ...")
    query = resolve("Who announced it?", [titled])
    assert query.text == "Who announced it?" and query.context == (titled.question,)


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


def test_it_after_a_yes_no_question_is_what_that_question_was_about(engine):
    # Issue 27: "who leads it?" after a question about the college was read as "Who leads Royal
    # College of Nursing?" and refused; asked as a person writes it, it is answered.
    earlier = engine.ask("Is the Royal College of Nursing involved in the 1 February strikes?")
    answer = engine.ask("who leads it?", context=[Turn.of(earlier)])
    assert answer.resolved == "Who leads the Royal College of Nursing?"
    assert not answer.abstained and answer.short_answer == "Pat Cullen"


def test_three_turns_in_the_engine_keep_their_subject(engine):
    turns = []
    for question in ("Who is the head of the PCS?", "what did he tell Sky News?"):
        turns.append(Turn.of(engine.ask(question, context=turns)))
    third = engine.ask("and how many members does it have?", context=turns)
    assert third.resolved == "How many members does the PCS have?"
    assert not third.abstained and "270,000" in third.answer
