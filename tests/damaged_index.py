"""Damage an open index's vector files in place, then ask again: run in a subprocess by
test_mapping.py, so a Bus error ends this process and not pytest. Prints one JSON object.

    python -m tests.damaged_index engine INDEX_DIR    # the engine, index opened as it opens it
    python -m tests.damaged_index discord INDEX_DIR   # the bot on the fake Discord, index mapped
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from bot.footnote import Footnote
from bot.settings import Settings
from index import Embedder, IndexCorruptError, open_index
from index.index_folder import DENSE, SENTENCE_VECTORS

QUESTION = "When is the TUC day of protest?"


def truncate(index_dir: Path) -> None:
    """Cut both mapped-if-large files to a few bytes where they lie, as a full disk or a stray
    `truncate` would: the open index keeps the same files."""
    for name in (SENTENCE_VECTORS, DENSE):
        with (index_dir / name).open("r+b") as stream:
            stream.truncate(64)


def engine(index_dir: Path) -> dict:
    embedder = Embedder()
    footnote = Footnote(Settings(index_dir=index_dir), open_index(index_dir, embedder), embedder)
    before = footnote.ask(QUESTION).short_answer
    truncate(index_dir)
    try:
        return {"before": before, "after": footnote.ask(QUESTION).short_answer}
    except IndexCorruptError as error:
        return {"before": before, "error": str(error)}


def discord(index_dir: Path) -> dict:
    from bot.frontends.discord.bot import FootnoteBot
    from tests.discord_harness import BotThread, embed_text, posted_in
    from tests.fake_discord import APP_ID, CHANNEL_ID, FakeDiscord, point_discord_py_at

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    embedder = Embedder()
    settings = Settings(
        index_dir=index_dir,
        feedback_log=index_dir.parent / "votes.jsonl",
        discord_cooldown_seconds=0.0,
    )
    footnote = Footnote(settings, open_index(index_dir, embedder, map_from=0), embedder)
    fake = FakeDiscord().start()
    replies = []
    with point_discord_py_at(fake):
        bot = FootnoteBot(settings, lambda: footnote, guild_ready_timeout=0.05)
        thread = BotThread(bot).start()
        fake.wait_for("PUT", rf"/applications/{APP_ID}/guilds/\d+/commands", timeout=300)
        for count in (1, 2, 3):  # answered, then damaged, then still up and saying so
            if count == 2:
                truncate(index_dir)
            fake.send_message(f"<@{APP_ID}> {QUESTION}")
            replies.append(embed_text(posted_in(fake, CHANNEL_ID, count=count)))
        thread.stop()
    fake.close()
    return {"replies": replies}


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"engine": engine, "discord": discord}[mode](folder)))
