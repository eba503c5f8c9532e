"""The bot in a real community: ask channels, forum posts, many questions at once, restarts,
dropped gateway connections and bad input; the real discord.py client against the fake."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.answering.follow_up import Turn
from bot.frontends.discord.bot import (
    ATTACHMENTS_ONLY,
    BUSY,
    NEEDS_MESSAGE_CONTENT,
    intents,
    run_discord,
)
from tests.discord_harness import (
    assert_pings_nobody,
    callback,
    embed_text,
    followup,
    message_id_of,
)
from tests.fake_discord import (
    APP_ID,
    ASK_CHANNEL_ID,
    CHANNEL_ID,
    FORUM_ID,
    MESSAGE_CONTENT,
    TOKEN,
    USER_ID,
)

QUESTION = "When is the TUC day of protest?"


def replies_to(fake, message_id: int) -> list[dict]:
    """Every message the bot posted as a reply to `message_id`."""
    return [
        r.body
        for r in fake.find("POST", r"/channels/\d+/messages")
        if (r.body.get("message_reference") or {}).get("message_id")
        in (message_id, str(message_id))
    ]


def reply_to(fake, message_id: int, timeout: float = 60) -> dict:
    fake.wait_until(lambda: replies_to(fake, message_id), timeout=timeout)
    return replies_to(fake, message_id)[0]


# Ask channels.


def test_without_ask_channels_or_forums_the_privileged_intent_is_not_asked_for(settings):
    assert not intents(settings).message_content
    assert intents(settings.replace(discord_ask_channels=(1,))).message_content
    assert intents(settings.replace(discord_forums=(1,))).message_content


def test_every_message_in_an_ask_channel_is_a_question_answered_in_a_reply(fake, start_bot):
    start_bot(discord_ask_channels=(ASK_CHANNEL_ID,))
    assert fake.identify["intents"] & MESSAGE_CONTENT
    asked = fake.send_message(QUESTION, channel_id=ASK_CHANNEL_ID, mentions_bot=False)
    body = reply_to(fake, asked)
    assert "1 February" in embed_text(body)
    assert_pings_nobody(body)
    # Other bots, and plain messages in other channels, are left alone.
    by_bot = fake.send_message(
        QUESTION, channel_id=ASK_CHANNEL_ID, mentions_bot=False, author_is_bot=True
    )
    elsewhere = fake.send_message(QUESTION, channel_id=CHANNEL_ID, mentions_bot=False)
    time.sleep(1.0)
    assert not replies_to(fake, by_bot) and not replies_to(fake, elsewhere)


def test_without_the_intent_granted_start_up_fails_in_one_line_naming_the_switch(
    fake, settings, embedder, capsys
):
    fake.grant_message_content = False
    asking = settings.replace(discord_ask_channels=(ASK_CHANNEL_ID,))
    code = run_discord(asking, embedder=embedder, env={"DISCORD_TOKEN": TOKEN})
    err = capsys.readouterr().err
    assert code == 1
    assert NEEDS_MESSAGE_CONTENT in err and "MESSAGE CONTENT INTENT" in err
    assert "Traceback" not in err and TOKEN not in err


# Forums.


def test_a_new_forum_post_is_answered_in_the_post_and_follow_ups_keep_it(fake, start_bot, engine):
    start_bot(discord_forums=(FORUM_ID,))
    post = fake.send_forum_post("TUC day of protest", "When is it?")
    body = reply_to(fake, post)
    assert "1 February" in embed_text(body)
    assert fake.find("POST", rf"/channels/{post}/messages"), "answered inside the post"

    follow_up = fake.send_message(f"<@{APP_ID}> Who announced it?", channel_id=post)
    answer = reply_to(fake, follow_up)
    first = engine.ask("TUC day of protest. When is it?")
    expected = engine.ask("Who announced it?", context=[Turn.of(first)])
    assert expected.short_answer and expected.short_answer in embed_text(answer)
    # A message in the post that does not mention the bot is people talking: left alone.
    chat = fake.send_message("thanks!", channel_id=post, mentions_bot=False)
    time.sleep(1.0)
    assert not replies_to(fake, chat)


def test_forum_posts_in_other_forums_are_not_answered(fake, start_bot):
    start_bot(discord_forums=(FORUM_ID + 1,))
    post = fake.send_forum_post("TUC day of protest", "When is it?")
    time.sleep(1.5)
    assert not replies_to(fake, post)


# Many at once.


class HeldEngine:
    """The real engine, but once armed each answer waits until the test lets it go (the
    bot's warm-up question at start-up goes through)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.armed = False
        self.go = threading.Event()

    def ask(self, question, *, k=None, context=(), scope=None):
        if self.armed:
            assert self.go.wait(timeout=60)
        return self.engine.ask(question, k=k, context=context, scope=scope)


def test_every_interaction_is_acknowledged_at_once_and_past_the_queue_told_busy(
    fake, start_bot, engine
):
    held = HeldEngine(engine)
    start_bot(held, answer_workers=1, answer_queue=2)
    held.armed = True
    started = time.monotonic()
    tokens = [
        fake.send_interaction("ask", {"question": QUESTION}, user_id=USER_ID + n) for n in range(5)
    ]
    acks = [callback(fake, token) for token in tokens]
    assert all(ack["type"] == 5 for ack in acks)  # deferred: "Footnote is thinking..."
    assert time.monotonic() - started < 3.0

    # 1 answering + 2 waiting, then busy. Which two are turned away depends on which handlers
    # reach the queue first (each awaits its own acknowledgement), not on the order sent.
    def told_so_far() -> list[str]:
        return [t for t in tokens if any(r.path.endswith(f"/{t}") for r in fake.requests)]

    fake.wait_until(lambda: len(told_so_far()) >= 2, timeout=60)
    turned_away = told_so_far()
    assert len(turned_away) == 2
    assert [followup(fake, token)["content"] for token in turned_away] == [BUSY, BUSY]
    held.go.set()
    answered = [followup(fake, token) for token in tokens if token not in turned_away]
    assert len(answered) == 3 and all("1 February" in embed_text(body) for body in answered)


# Restarts and reconnects.


def test_a_restarted_bot_still_follows_up_old_answers_and_takes_votes_on_them(
    fake, start_bot, engine, tmp_path
):
    first = start_bot()
    asked = fake.send_message(f"<@{APP_ID}> {QUESTION}")
    answer = reply_to(fake, asked)
    answer_id = message_id_of(fake, answer)
    fake.wait_until(lambda: first.sent.get(answer_id), timeout=10)  # the reply came back
    start_bot.running[-1].stop()

    start_bot()  # the same settings: the same state database beside the feedback log
    fake.send_reaction(answer_id, "👍")
    log = tmp_path / "votes.jsonl"
    # The log file appears when it is opened for appending, a moment before the line lands.
    fake.wait_until(lambda: log.exists() and log.read_text(encoding="utf-8").strip(), timeout=10)
    vote = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert (vote["vote"], vote["question"]) == ("up", QUESTION)

    follow_up = fake.send_message(f"<@{APP_ID}> Who announced it?", reply_to=answer_id)
    body = reply_to(fake, follow_up)
    expected = engine.ask("Who announced it?", context=[Turn.of(engine.ask(QUESTION))])
    assert not expected.abstained and expected.short_answer in embed_text(body)


@pytest.mark.parametrize("duplicate", [False, True])
def test_a_dropped_gateway_resumes_and_questions_around_it_are_answered_once(
    fake, start_bot, duplicate
):
    fake.duplicate_on_resume = duplicate
    start_bot()
    before = fake.send_message(f"<@{APP_ID}> {QUESTION}")
    reply_to(fake, before)
    fake.drop_connection()
    during = fake.send_message(f"<@{APP_ID}> Who leads the RCN?")  # waits for the resume
    token = fake.send_interaction("ask", {"question": QUESTION})
    fake.wait_until(lambda: fake.resumes, timeout=30)
    assert fake.resumes[0]["session_id"] == "fake-session"
    reply_to(fake, during)
    followup(fake, token)
    time.sleep(1.5)  # room for a second answer, if one were coming
    assert len(replies_to(fake, before)) == 1 and len(replies_to(fake, during)) == 1
    assert len(fake.find("POST", rf"/interactions/\d+/{token}/callback")) == 1
    assert fake.connections == 2


# Bad input.


@pytest.mark.parametrize(
    "content, expected",
    [
        (f"<@{APP_ID}>", "empty"),
        (f"<@{APP_ID}> 👍🎉", "no letters"),
        (f"<@{APP_ID}> " + "why " * 1000, "limit"),
        (f"<@{APP_ID}> Quand est la journée de protestation des syndicats ?", "English"),
    ],
)
def test_bad_messages_get_a_short_reply_not_a_traceback(fake, start_bot, caplog, content, expected):
    start_bot()
    asked = fake.send_message(content)
    body = reply_to(fake, asked)
    assert expected in body["content"] and len(body["content"]) < 300
    assert_pings_nobody(body)
    assert "Traceback" not in caplog.text


def test_an_attachment_only_message_is_told_text_is_needed(fake, start_bot):
    start_bot(discord_ask_channels=(ASK_CHANNEL_ID,))
    asked = fake.send_message("", channel_id=ASK_CHANNEL_ID, mentions_bot=False, attachments=1)
    assert reply_to(fake, asked)["content"] == ATTACHMENTS_ONLY


def test_markdown_and_mention_spam_are_taken_out_and_ping_nobody(fake, start_bot):
    start_bot()
    spam = (
        f"<@{APP_ID}> @everyone @here <@&1100000000000000300> <@{USER_ID + 9}> "
        "**When** is the __TUC__ day of ||protest||?"
    )
    asked = fake.send_message(spam, mentions=(USER_ID + 9,))
    body = reply_to(fake, asked)
    assert "1 February" in embed_text(body)
    assert_pings_nobody(body)
    shown = embed_text(body)
    assert "@everyone" not in shown and "<@&" not in shown and "**When**" not in shown
