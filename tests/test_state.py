"""The state database: conversations and sent answers that outlive the process."""

from __future__ import annotations

import sqlite3

import pytest

from bot.answering import Answer, Citation
from bot.answering.follow_up import Turn
from bot.frontends.conversations import Conversations
from bot.frontends.feedback import SentAnswers
from bot.frontends.state import StateError, StateStore

ANSWER = Answer(
    "When is the protest?",
    "It is on 1 February.",
    "1 February",
    False,
    (Citation(1, "a.txt", "Title", "2023-01-10", 10, 40, "Unions say: It is on 1 February.", 0.9),),
    0.81,
    {"total": 120.5},
    (25, 35),
)


def test_conversations_and_answers_come_back_in_a_new_process(tmp_path):
    path = tmp_path / "state.sqlite3"
    store = StateStore(path)
    Conversations(store=store, namespace="discord").remember([7, 8], (), ANSWER)
    SentAnswers(store=store, namespace="discord").add(7, ANSWER)
    store.close()

    reopened = StateStore(path)
    conversations = Conversations(store=reopened, namespace="discord")
    assert conversations.context(None, 8) == (Turn.of(ANSWER),)
    assert conversations.knows(7) and not conversations.knows(9)
    assert SentAnswers(store=reopened, namespace="discord").get(7) == ANSWER
    # Namespaces keep front ends apart: a web conversation id is not a Discord message id.
    assert Conversations(store=reopened, namespace="web").context(7) == ()
    assert SentAnswers(store=reopened, namespace="web").get(7) is None


def test_the_database_uses_wal_and_stays_bounded(tmp_path):
    store = StateStore(tmp_path / "state.sqlite3", keep=100)
    answers = SentAnswers(limit=10, store=store)
    for n in range(1000):
        answers.add(n, ANSWER)
    assert store.count("answer") <= 100 + 256  # trimmed every 256 writes
    assert answers.get(999) == ANSWER
    mode = sqlite3.connect(tmp_path / "state.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_a_damaged_database_is_named_and_left_in_place(tmp_path):
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list" * 100)
    with pytest.raises(StateError, match="state.sqlite3.*Move the file aside"):
        StateStore(path)
    assert path.read_bytes().startswith(b"this is not a database")  # nothing lost
