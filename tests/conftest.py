"""Session fixtures: the real embedder, and one real index over seeds/ built once per test run;
a small dated news index; and the fake Discord with a bot started against it."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Five reports of the same kind of news, years apart and from different outlets, each with its
# own strike date: which one answers shows which articles a scope let through.
NEWS = [
    {
        "id": "rail-2013",
        "title": "Rail workers to strike in April",
        "source": "BBC News",
        "date": "2 April 2013",
        "text": "Rail workers will strike on 20 April, the RMT union said. The walkout follows "
        "a dispute over pay and jobs. Trains across the south will be cancelled.",
    },
    {
        "id": "rail-2023",
        "title": "Rail strike called for February",
        "source": "The Guardian",
        "date": "Jan. 5, 2023",
        "text": "Rail workers will strike on 3 February, the RMT union announced. The union said "
        "the dispute over pay had not been settled. Most trains will not run that day.",
    },
    {
        "id": "rail-2024",
        "title": "Rail strike set for March",
        "url": "https://www.theguardian.com/uk/rail-2024",
        "date": "2024/03/01",
        "text": "Rail workers will strike on 12 March, the RMT union confirmed. The union said "
        "talks with the train companies had failed again. Few trains will run.",
    },
    {
        "id": "rail-2099",  # dated after any question's now: a scheduled post, a wrong clock
        "title": "Rail strike in 2099",
        "source": "Future Times",
        "date": "2099-01-01",
        "text": "Rail workers will strike on 1 June, the RMT union said in a statement. The "
        "union said the dispute over pay went on.",
    },
    {
        "id": "rail-undated",
        "text": "Rail workers will strike on 9 May, union members were told at a meeting. "
        "Members voted for the action by a large majority.",
    },
]


def need_shared(path: Path) -> Path:
    """`path`, a shared QA file; the test skips with the reason where it is absent, and fails
    where FOOTNOTE_REQUIRE_DATA is set (CI, where these tests must run)."""
    if path.is_file():
        return path
    reason = f"{path} is missing: the shared QA sets are read in place (FOOTNOTE_SHARED_DATA)"
    if os.environ.get("FOOTNOTE_REQUIRE_DATA"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def squad_dev_half() -> Path:
    """The SQuAD 2.0 dev half, from ../shared/data."""
    from bot.shared_data import dev_half

    return need_shared(dev_half())


@pytest.fixture(scope="session")
def embedder():
    from index import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def seeds_index_dir(tmp_path_factory, embedder) -> Path:
    from index import build_index

    index_dir = tmp_path_factory.mktemp("seeds-index") / "index"
    build_index([SEEDS], index_dir, embedder)
    return index_dir


@pytest.fixture(scope="session")
def news_index_dir(tmp_path_factory, embedder) -> Path:
    """An index of NEWS: dated articles from named outlets, and one undated."""
    from index import build_index

    folder = tmp_path_factory.mktemp("news")
    lines = "".join(json.dumps(article) + "\n" for article in NEWS)
    (folder / "news.jsonl").write_text(lines, encoding="utf-8")
    build_index([folder], folder / "index", embedder)
    return folder / "index"


@pytest.fixture(scope="session")
def dated_index(tmp_path_factory, embedder):
    """eval/news/articles: fifteen dated reports on five stories, 2013 to 2025 (opened)."""
    from index import build_index, open_index

    index_dir = tmp_path_factory.mktemp("dated-news") / "index"
    build_index([ROOT / "eval" / "news" / "articles"], index_dir, embedder)
    return open_index(index_dir, embedder)


@pytest.fixture(scope="session")
def news_engine(news_index_dir, embedder):
    from bot.footnote import Footnote
    from bot.settings import Settings

    return Footnote.open(Settings(index_dir=news_index_dir), embedder=embedder)


@pytest.fixture(scope="session")
def ferry_index_dir(tmp_path_factory, embedder) -> Path:
    """An index of tests/timeline_corpus.py's FERRY: one topic's reports over three years."""
    from index import build_index
    from tests.timeline_corpus import FERRY

    folder = tmp_path_factory.mktemp("ferry")
    lines = "".join(json.dumps(article) + "\n" for article in FERRY)
    (folder / "ferry.jsonl").write_text(lines, encoding="utf-8")
    build_index([folder], folder / "index", embedder)
    return folder / "index"


@pytest.fixture(scope="session")
def ferry_engine(ferry_index_dir, embedder):
    from bot.footnote import Footnote
    from bot.settings import Settings

    return Footnote.open(Settings(index_dir=ferry_index_dir), embedder=embedder)


@pytest.fixture(scope="session")
def settings(seeds_index_dir):
    from bot.settings import Settings

    return Settings(index_dir=seeds_index_dir, corpus=(SEEDS,))


@pytest.fixture(scope="session")
def engine(settings, embedder):
    from bot.footnote import Footnote

    return Footnote.open(settings, embedder=embedder)


@pytest.fixture
def fake():
    from tests.fake_discord import FakeDiscord, point_discord_py_at

    server = FakeDiscord().start()
    with point_discord_py_at(server):
        yield server
    server.close()


@pytest.fixture
def start_bot(fake, engine, settings, tmp_path):
    """Start a bot over `engine` (the real one by default) and wait until it synced its commands."""
    from bot.frontends.discord.bot import FootnoteBot
    from tests.discord_harness import BotThread
    from tests.fake_discord import APP_ID

    running: list[BotThread] = []

    def start(footnote=engine, **changes) -> FootnoteBot:
        changes = {
            "discord_cooldown_seconds": 0.0,
            "feedback_log": tmp_path / "votes.jsonl",
        } | changes
        bot = FootnoteBot(replace(settings, **changes), lambda: footnote, guild_ready_timeout=0.05)
        running.append(BotThread(bot).start())
        commands = rf"/applications/{APP_ID}/guilds/\d+/commands"
        fake.wait_for("PUT", commands, count=len(running), timeout=60)
        return bot

    start.running = running  # a test can stop one to start another: a restart
    yield start
    for thread in running:
        thread.stop()
