"""From a Discord message to a question, and the ids already handled."""

from __future__ import annotations

from bot.frontends.discord.messages import (
    Seen,
    forum_question,
    message_question,
    question_scope,
)

BOT = 1100000000000000001


def test_the_bots_mention_goes_and_other_peoples_become_their_names():
    assert message_question(f"<@{BOT}> Who? <@!{BOT}>", BOT) == "Who?"
    assert message_question("<@123> said what?", BOT, {123: "Ana"}) == "Ana said what?"
    assert message_question("<@123> said what?", BOT) == "said what?"


def test_roles_channels_everyone_custom_emoji_and_markdown_are_taken_out():
    spam = "@everyone <@&55> **When** is the `TUC` day of ||protest||? <#77> <:pog:1234> @here"
    assert message_question(spam, BOT) == "When is the TUC day of protest?"
    assert message_question("~~no~~ __who__ *leads* the RCN?", BOT) == "no who leads the RCN?"


def test_a_forum_post_joins_its_title_and_first_message():
    assert forum_question("TUC protest", "When is it?", BOT) == "TUC protest. When is it?"
    assert forum_question("When is the TUC protest?", "", BOT) == "When is the TUC protest?"
    assert forum_question("Question", "Question: who leads the RCN?", BOT) == (
        "Question: who leads the RCN?"
    )
    assert forum_question("Help:", "who leads the RCN?", BOT) == "Help: who leads the RCN?"


def test_seen_says_first_once_and_forgets_the_oldest():
    seen = Seen(limit=3)
    assert seen.first(1) and not seen.first(1)
    for n in (2, 3, 4):
        assert seen.first(n)
    assert seen.first(1)  # forgotten after three newer ones


def test_a_discord_question_is_asked_as_of_its_own_timestamp_in_utc():
    import datetime as dt

    from index.scope import Scope

    late_evening_in_new_york = dt.datetime(
        2023, 1, 5, 23, 30, tzinfo=dt.timezone(-dt.timedelta(hours=5))
    )
    assert question_scope(late_evening_in_new_york) == Scope(as_of=dt.date(2023, 1, 6))
    filtered = question_scope(late_evening_in_new_york, since="5 January 2022", source="BBC")
    assert filtered == Scope(dt.date(2023, 1, 6), dt.date(2022, 1, 5), None, ("BBC",))
