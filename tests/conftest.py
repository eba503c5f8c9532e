"""Session fixtures: the real embedder, and one real index over seeds/ built once per test run;
and the fake Discord with a bot started against it."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


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
def settings(seeds_index_dir):
    from bot.settings import Settings

    return Settings(index_dir=seeds_index_dir, corpus=(SEEDS,))


@pytest.fixture(scope="session")
def engine(settings, embedder):
    from bot.engine import Footnote

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
