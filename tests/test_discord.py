"""The Discord bot end to end: the real discord.py client against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.answering import ABSTAIN_TEXT, Answer, Citation
from bot.answering.follow_up import Turn
from bot.frontends.conversations import Conversations
from bot.frontends.discord import bot as discord_bot
from bot.frontends.discord.bot import (
    FOLLOW_UP_ID,
    NO_PERMISSION,
    NOT_HERE,
    ScrubbingFormatter,
    intents,
    run_discord,
)
from bot.frontends.discord.cooldown import Cooldown
from bot.frontends.feedback import hash_user, vote_for
from bot.frontends.state import StateStore
from tests.discord_harness import (
    EPHEMERAL,
    NO_MENTIONS,
    assert_pings_nobody,
    callback,
    embed_text,
    followup,
    message_id_of,
    posted_in,
)
from tests.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    TOKEN,
    USER_ID,
    too_long,
)

ROOT = Path(__file__).resolve().parent.parent


# Connecting.


def test_login_identifies_without_the_message_content_intent(fake, start_bot):
    start_bot()
    login = fake.wait_for("GET", "/users/@me")
    assert login.headers["Authorization"] == f"Bot {TOKEN}"
    sent = fake.identify["intents"]
    assert sent == intents().value
    assert not sent & (1 << 15), "message_content is privileged and not needed"
    for bit in (0, 9, 10, 12):  # guilds, guild messages, guild reactions, direct messages
        assert sent & (1 << bit)
    commands = {c["name"]: c for c in fake.wait_for("PUT", r"/applications/.*/commands").body}
    assert set(commands) == {"ask", "timeline", "reindex"}
    assert commands["ask"]["options"][0]["name"] == "question"
    assert int(commands["reindex"]["default_member_permissions"]) == 1 << 5  # manage_guild


# /ask


def test_ask_defers_then_follows_up_with_numbered_citations(fake, start_bot):
    start_bot()
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    assert callback(fake, token)["type"] == 5  # deferred: the 3-second rule is met before answering
    body = followup(fake, token)
    [embed] = body["embeds"]
    assert "1 February" in embed["description"]
    assert embed["description"].startswith("**")  # the short answer, in bold, over the quote
    assert embed["fields"] and embed["fields"][0]["name"].startswith("[1] ")
    assert "004" in embed["fields"][0]["value"]  # the article id of the TUC article
    assert embed["footer"]["text"].startswith("Answered in ")
    assert body["allowed_mentions"] == NO_MENTIONS
    [row] = body["components"]
    assert row["components"][0]["custom_id"] == FOLLOW_UP_ID


# The fake's ids are snowflakes of late January 2024: that is when its questions are asked.
FAILED_TALKS = "When will rail workers strike, after talks with the train companies failed?"


def test_a_question_is_answered_as_of_when_it_was_sent(fake, start_bot, news_engine):
    assert news_engine.ask(FAILED_TALKS).citations[0].article_id == "rail-2024"  # asked today
    start_bot(footnote=news_engine)
    fake.send_message(f"<@{APP_ID}> {FAILED_TALKS}")
    text = embed_text(posted_in(fake, CHANNEL_ID))
    assert "3 February" in text and "The Guardian" in text and "5 January 2023" in text
    assert "rail-2024" not in text and "March" not in text  # published after it was asked
    token = fake.send_interaction("ask", {"question": FAILED_TALKS})
    assert "rail-2024" not in embed_text(followup(fake, token))


def test_ask_options_filter_by_date_and_outlet(fake, start_bot, news_engine):
    start_bot(footnote=news_engine)
    commands = {c["name"]: c for c in fake.wait_for("PUT", r"/applications/.*/commands").body}
    options = [o["name"] for o in commands["ask"]["options"]]
    assert options == ["question", "since", "until", "source"]
    question = "When will rail workers strike?"
    token = fake.send_interaction("ask", {"question": question, "source": "bbc"})
    [field] = followup(fake, token)["embeds"][0]["fields"]
    assert field["name"] == "[1] Rail workers to strike in April — BBC News — 2 April 2013"
    token = fake.send_interaction(
        "ask", {"question": question, "since": "Jan. 1, 2023", "until": "2023/12/31"}
    )
    assert "rail-2023" in embed_text(followup(fake, token))


def test_a_date_option_that_cannot_be_read_is_explained_to_the_asker_alone(fake, start_bot):
    start_bot()
    token = fake.send_interaction("ask", {"question": "When is it?", "since": "next-ish"})
    body = callback(fake, token)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "since: 'next-ish' is not a date" in body["data"]["content"]


def test_abstention_says_so_without_sources(fake, start_bot):
    start_bot()
    token = fake.send_interaction("ask", {"question": "Who won the 2022 football World Cup?"})
    [embed] = followup(fake, token)["embeds"]
    assert embed["description"] == ABSTAIN_TEXT
    assert not embed.get("fields")


def test_a_bad_question_gets_an_ephemeral_explanation(fake, start_bot):
    start_bot()
    token = fake.send_interaction("ask", {"question": "x" * 5000})
    body = callback(fake, token)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "limit" in body["data"]["content"]
    assert body["data"]["allowed_mentions"] == NO_MENTIONS


def test_a_rate_limited_followup_is_retried(fake, start_bot):
    start_bot()
    fake.rate_limit_next("POST", rf"/webhooks/{APP_ID}/.+", retry_after=0.2)
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    assert "1 February" in embed_text(followup(fake, token))
    attempts = fake.find("POST", rf"/webhooks/{APP_ID}/{token}")
    assert [r.status for r in attempts] == [429, 200]


def test_questions_are_logged_as_one_structured_line(fake, start_bot, caplog):
    caplog.set_level(logging.INFO, logger="footnote.discord")
    start_bot()
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    followup(fake, token)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("answer ")]
    fields = json.loads(line.removeprefix("answer "))
    assert fields["via"] == "slash" and fields["channel"] == "channel"
    assert fields["abstained"] is False and fields["latency_ms"] >= 0
    assert fields["top_articles"][0].startswith("004")
    assert TOKEN not in caplog.text


# Mentions, replies and follow-up threads.


def test_a_mention_is_answered_in_a_reply_to_it(fake, start_bot):
    start_bot()
    fake.send_message("When is the TUC day of protest?", mentions_bot=False)  # not for the bot
    fake.send_message(f"<@{APP_ID}> When is the TUC day of protest?", author_is_bot=True)
    asked = fake.send_message(f"<@!{APP_ID}> When is the TUC day of protest?")
    body = posted_in(fake, CHANNEL_ID)
    assert int(body["message_reference"]["message_id"]) == asked
    assert_pings_nobody(body)
    assert "1 February" in embed_text(body)
    time.sleep(0.3)
    assert len(fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")) == 1  # others ignored


def test_follow_up_thread_uses_the_earlier_question(fake, start_bot, caplog):
    caplog.set_level(logging.INFO, logger="footnote.discord")
    start_bot()
    question = "Who is the head of the PCS?"
    token = fake.send_interaction("ask", {"question": question})
    answer_id = message_id_of(fake, followup(fake, token))
    click = fake.click(answer_id, FOLLOW_UP_ID)
    assert callback(fake, click)["type"] == 6  # the click is acknowledged silently
    thread = fake.wait_for("POST", rf"/channels/{CHANNEL_ID}/messages/{answer_id}/threads")
    assert question in thread.body["name"]
    assert "mention" in posted_in(fake, answer_id)["content"]  # the thread has the answer's id

    fake.send_message(f"<@{APP_ID}> and how many members does it have?", channel_id=answer_id)
    body = posted_in(fake, answer_id, count=2)
    assert '"context_turns": 1' in caplog.text
    assert "270,000" in embed_text(body)


def test_a_reply_to_an_answer_carries_the_conversation(fake, start_bot, caplog):
    caplog.set_level(logging.INFO, logger="footnote.discord")
    start_bot()
    fake.send_message(f"<@{APP_ID}> Who is the head of the PCS?")
    answer_id = message_id_of(fake, posted_in(fake, CHANNEL_ID))
    fake.send_message(f"<@{APP_ID}> and how many members does it have?", reply_to=answer_id)
    body = posted_in(fake, CHANNEL_ID, count=2)
    assert int(body["message_reference"]["message_id"]) != answer_id  # replies to the new one
    assert '"context_turns": 1' in caplog.text
    assert "270,000" in embed_text(body)


# Safety and limits.


@pytest.fixture(scope="module")
def pinging_engine(tmp_path_factory, embedder):
    """An engine over one article that tries to ping everyone and a role, in markdown."""
    from bot.footnote import Footnote
    from bot.settings import Settings

    folder = tmp_path_factory.mktemp("pinging")
    (folder / "fete.txt").write_text(
        "The village fete will be held on 3 March on the green. "
        "The organisers wrote @everyone come along, and <@&1100000000000000300> **bring cakes**.\n"
        "Tickets cost five pounds at the gate.\n",
        encoding="utf-8",
    )
    settings = Settings(index_dir=folder / "index", corpus=(folder,))
    return Footnote.open(settings, embedder=embedder)


def test_article_text_cannot_ping_anyone(fake, start_bot, pinging_engine):
    start_bot(pinging_engine)
    token = fake.send_interaction("ask", {"question": "When will the village fete be held?"})
    body = followup(fake, token)
    text = embed_text(body)
    assert body["allowed_mentions"] == NO_MENTIONS
    assert "@\u200beveryone" in text and "@everyone" not in text
    assert "<@&1100000000000000300>" not in text
    assert "\\*\\*bring cakes\\*\\*" in text


def _huge_answer(question: str) -> Answer:
    passage = "A very long sentence about trade unions, " * 200  # ~8,000 characters
    citations = tuple(
        Citation(n, f"article-{n}.txt", "T" * 300, "2023-01-10", 0, len(passage), passage, 0.5)
        for n in range(1, 41)
    )
    return Answer(question, passage, "S" * 1000, False, citations, 0.9, {"total": 12.0})


class HugeAnswers:
    """Stands in for the engine: every answer is over every Discord limit."""

    def ask(self, question, *, k=None, context=(), scope=None):
        return _huge_answer(question)


def test_an_oversized_answer_is_split_into_messages_discord_accepts(fake, start_bot):
    start_bot(HugeAnswers())
    token = fake.send_interaction("ask", {"question": "Q" * 900})
    first = followup(fake, token)
    fake.wait_until(lambda: len(fake.find("POST", rf"/webhooks/{APP_ID}/{token}")) >= 3)
    time.sleep(0.5)  # let the rest of the continuation messages arrive
    sent = fake.find("POST", rf"/webhooks/{APP_ID}/{token}")
    assert all(r.status == 200 for r in sent)  # the fake refuses (400) whatever Discord would
    assert all(too_long(r.body) is None for r in sent)
    assert "[1]" in first["embeds"][0]["fields"][0]["name"]
    names = [f["name"] for r in sent for f in r.body["embeds"][0].get("fields", [])]
    assert len(names) == 40 and names[-1].startswith("[40]")


# Cooldown, channels, permissions.


def test_cooldown_asks_the_same_user_to_wait(fake, start_bot):
    start_bot(discord_cooldown_seconds=60.0)
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    again = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    body = callback(fake, again)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == "Please wait — try again in 60 s."
    other = fake.send_interaction("ask", {"question": "When is it?"}, user_id=USER_ID + 1)
    assert callback(fake, other)["type"] == 5
    followup(fake, token), followup(fake, other)


def test_outside_the_allowed_channels_ask_is_refused_and_mentions_ignored(fake, start_bot):
    start_bot(discord_channels=(CHANNEL_ID + 1,))
    fake.send_message(f"<@{APP_ID}> When is the TUC day of protest?")
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    body = callback(fake, token)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == NOT_HERE
    time.sleep(0.3)
    assert not fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")


class SlowReindex:
    """The real engine, but reindex waits for a go-ahead, to ask questions while it runs."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.go = threading.Event()

    def ask(self, question, *, k=None, context=(), scope=None):
        return self.engine.ask(question, k=k, context=context, scope=scope)

    def reindex(self):
        assert self.go.wait(timeout=30)
        return self.engine.reindex()


def test_reindex_needs_manage_server_and_answers_go_on_meanwhile(fake, start_bot, engine):
    slow = SlowReindex(engine)
    start_bot(slow)
    refused = fake.send_interaction("reindex")
    body = callback(fake, refused)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == NO_PERMISSION

    reindex = fake.send_interaction("reindex", manage_guild=True, user_id=USER_ID + 7)
    assert callback(fake, reindex)["type"] == 5
    ask = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    assert "1 February" in embed_text(followup(fake, ask))  # answered while reindexing
    slow.go.set()
    assert re.match(r"Reindexed \d+ articles into \d+ chunks", followup(fake, reindex)["content"])


# Feedback.


def test_thumbs_reactions_on_answers_are_logged(fake, start_bot, tmp_path):
    bot = start_bot()
    token = fake.send_interaction("ask", {"question": "When is the TUC day of protest?"})
    answer_id = message_id_of(fake, followup(fake, token))
    fake.send_reaction(answer_id, "🙂")  # not a vote
    fake.send_reaction(answer_id + 999, "👍")  # not an answer
    fake.send_reaction(answer_id, "👍")
    fake.send_reaction(answer_id, "👎🏽", user_id=USER_ID + 2)
    log = bot.settings.feedback_log
    fake.wait_until(lambda: log.exists() and len(log.read_text().splitlines()) >= 2)
    time.sleep(0.2)
    up, down = (json.loads(line) for line in log.read_text().splitlines())
    assert (up["vote"], down["vote"]) == ("up", "down")
    assert up["question"] == "When is the TUC day of protest?"
    assert up["short_answer"] and "1 February" in up["answer"]
    assert up["citations"][0]["article_id"].startswith("004")
    assert set(up["citations"][0]) == {"article_id", "start", "end"}
    assert up["user"] == hash_user(USER_ID) and str(USER_ID) not in log.read_text()
    assert up["timestamp"]


# Start-up and shutdown: run_discord, as `footnote discord` calls it.


def test_a_heartbeat_file_is_touched_while_connected(fake, start_bot, tmp_path):
    alive = tmp_path / "alive"
    start_bot(discord_heartbeat_file=alive)
    fake.wait_until(alive.exists, timeout=10)


def test_missing_token_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "discord"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DISCORD_TOKEN is not set" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_rejected_token_is_a_clear_error(fake, settings, capsys):
    code = run_discord(settings, env={"DISCORD_TOKEN": "not-the-token"})
    err = capsys.readouterr().err
    assert code == 1
    assert "rejected the token" in err and "Traceback" not in err
    assert "not-the-token" not in err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_shuts_the_bot_down_cleanly(fake, settings, embedder, signum, capsys):
    def stop_when_connected() -> None:
        fake.wait_until(lambda: fake.identify, timeout=60)
        os.kill(os.getpid(), signum)

    stopper = threading.Thread(target=stop_when_connected, daemon=True)
    stopper.start()
    code = run_discord(settings, embedder=embedder, env={"DISCORD_TOKEN": TOKEN})
    stopper.join(timeout=5)
    assert code == 0 and fake.identify is not None and not stopper.is_alive()
    assert TOKEN not in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_question_in_hand_at_a_signal_is_answered_and_kept(
    fake, settings, embedder, tmp_path, monkeypatch, signum
):
    from bot.footnote import Footnote

    question = "When is the TUC day of protest?"
    settings = settings.replace(feedback_log=tmp_path / "votes.jsonl", discord_cooldown_seconds=0.0)
    ask = Footnote.ask

    def stopped_while_answering(self, text, **options):
        if text == question:  # not the warm-up: the bot is stopped while it works this out
            os.kill(os.getpid(), signum)
        return ask(self, text, **options)

    monkeypatch.setattr(Footnote, "ask", stopped_while_answering)
    # An answer takes about a second, but many on a loaded test machine: wait for this one.
    monkeypatch.setattr(discord_bot, "SHUTDOWN_GRACE_SECONDS", 300.0)

    def ask_when_ready() -> None:
        fake.wait_for("PUT", rf"/applications/{APP_ID}/guilds/\d+/commands", timeout=120)
        fake.send_message(f"<@{APP_ID}> {question}")

    asker = threading.Thread(target=ask_when_ready, daemon=True)
    asker.start()
    code = run_discord(settings, embedder=embedder, env={"DISCORD_TOKEN": TOKEN})
    asker.join(timeout=5)
    assert code == 0
    replies = fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert len(replies) == 1 and "1 February" in embed_text(replies[0].body)
    # The database was closed (its WAL folded in), and the turn is there after the restart.
    assert not Path(f"{settings.state_path}-wal").exists()
    store = StateStore(settings.state_path)
    try:
        turns = json.loads(store.get("turns", f"discord:{replies[0].reply['id']}") or "[]")
    finally:
        store.close()
    assert [turn["question"] for turn in turns] == [question]


# Small pieces.


def test_the_token_is_scrubbed_from_log_lines_and_tracebacks():
    formatter = ScrubbingFormatter(TOKEN, "%(message)s")
    try:
        raise RuntimeError(f"bad header Bot {TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "sent %s", (TOKEN,), sys.exc_info())
    text = formatter.format(record)
    assert TOKEN not in text and "[DISCORD_TOKEN]" in text and "Traceback" in text


def test_cooldown_counts_per_user_and_expires():
    now = [100.0]
    cooldown = Cooldown(10.0, clock=lambda: now[0])
    assert cooldown.wait(1) == 0.0
    assert cooldown.wait(1) == pytest.approx(10.0) and cooldown.wait(2) == 0.0
    now[0] += 9.5
    assert cooldown.wait(1) == pytest.approx(0.5)
    now[0] += 0.5
    assert cooldown.wait(1) == 0.0


def test_conversations_grow_per_thread_and_stay_bounded():
    def said(question: str) -> Answer:
        return Answer(question, f"answer to {question}", None, abstained=False)

    def asked(key: int) -> list[str]:
        return [turn.question for turn in conversations.context(key)]

    conversations = Conversations(limit=2, turns=3)
    conversations.remember([10], (), said("q1"))
    assert conversations.context(None, 10) == (Turn("q1", None, "answer to q1"),)
    conversations.remember([11, 10], conversations.context(10), said("q2"))
    assert asked(11) == asked(10) == ["q1", "q2"]
    conversations.remember([12], tuple(Turn(q) for q in ("q1", "q2", "q3")), said("q4"))
    assert asked(12) == ["q2", "q3", "q4"]  # only the last `turns` turns
    assert asked(11) == [] and asked(99) == []  # evicted


def test_votes_are_thumbs_of_any_skin_tone():
    assert [vote_for(e) for e in ("👍", "👍🏿", "👎", "👎🏻", "👍\ufe0f")] == ["up", "up"] + [
        "down",
        "down",
        "up",
    ]
    assert vote_for("🙂") is None and vote_for("❤️") is None
