"""Running the real FootnoteBot against the fake Discord, and reading what it sent."""

from __future__ import annotations

import asyncio
import threading

from bot.frontends.discord.bot import FootnoteBot
from tests.fake_discord import APP_ID, TOKEN, FakeDiscord

NO_MENTIONS = {"parse": []}
EPHEMERAL = 64


class BotThread:
    """Runs one FootnoteBot on its own thread and event loop, as `footnote discord` would."""

    def __init__(self, bot: FootnoteBot) -> None:
        self.bot = bot
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        async with self.bot:
            await self.bot.start(TOKEN)

    def start(self) -> BotThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.loop is not None and self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.bot.close(), self.loop).result(timeout=10)
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the bot did not shut down"


def followup(fake: FakeDiscord, token: str, count: int = 1) -> dict:
    return fake.wait_for("POST", rf"/webhooks/{APP_ID}/{token}", count=count, timeout=60).body


def callback(fake: FakeDiscord, token: str) -> dict:
    """The interaction response the bot sent for the interaction with `token`."""
    return fake.wait_for("POST", rf"/interactions/\d+/{token}/callback").body


def posted_in(fake: FakeDiscord, channel_id: int, count: int = 1) -> dict:
    return fake.wait_for("POST", rf"/channels/{channel_id}/messages", count=count, timeout=60).body


def message_id_of(fake: FakeDiscord, body: dict) -> int:
    """The id the fake gave the message it created from `body`."""
    return next(i for i, m in fake.messages.items() if m["embeds"] == body.get("embeds"))


def assert_pings_nobody(body: dict) -> None:
    mentions = body["allowed_mentions"]
    assert mentions["parse"] == [] and not mentions.get("replied_user")
    assert not mentions.get("users") and not mentions.get("roles")


def embed_text(body: dict) -> str:
    parts = [body.get("content") or ""]
    for embed in body.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)
