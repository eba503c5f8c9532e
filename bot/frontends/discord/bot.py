"""The Discord front end: /ask, @mentions, DMs, ask channels, forum posts, follow-up threads,
/reindex and reaction feedback."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.answering import Answer
from bot.answering.follow_up import Turn
from bot.answering.question import QuestionError, clean_question
from bot.frontends.conversations import Conversations
from bot.frontends.discord.cooldown import Cooldown
from bot.frontends.discord.messages import (
    Seen,
    forum_question,
    message_question,
    question_scope,
)
from bot.frontends.discord.render import render_answer, render_report, render_text, thread_name
from bot.frontends.discord.timelines import render_timeline
from bot.frontends.feedback import FeedbackLog, SentAnswers, vote_for
from bot.frontends.state import StateStore
from bot.frontends.workers import AnsweringPool, Busy
from bot.settings import Settings
from bot.timeline import Timeline, timeline_topic
from index.errors import FootnoteError
from index.scope import Scope, ScopeError

if TYPE_CHECKING:
    from bot.footnote import Footnote
    from index import Embedder

_log = logging.getLogger("footnote.discord")

NO_MENTIONS = discord.AllowedMentions.none()
FOLLOW_UP_ID = "footnote:follow-up"
HEARTBEAT_SECONDS = 30.0
# On SIGTERM or Ctrl-C, questions being answered get this long to be sent and remembered
# before the connection closes: `docker stop` kills after 10 s, which leaves time to close.
SHUTDOWN_GRACE_SECONDS = 8.0
# A 👍 on an answer whose posting call has not returned yet waits at most this long for it.
REACTION_WAIT = 5.0
# Send Messages, Send Messages in Threads, Create Public Threads, Embed Links,
# Read Message History, Add Reactions: what the invite link asks for (README.md, "Discord bot").
PERMISSIONS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
    add_reactions=True,
)

NOT_HERE = "I'm not enabled in this channel."
FAILED = "Sorry, something went wrong while answering that. Please try again later."
BUSY = "I'm busy answering other questions; please try again in a minute."
STOPPING = "I'm restarting; please ask again in a minute."
ATTACHMENTS_ONLY = "I can only read questions typed as text; I don't open attachments."
NO_PERMISSION = "Only members with the Manage Server permission can reindex."
NEEDS_MESSAGE_CONTENT = (
    "FOOTNOTE_DISCORD_ASK_CHANNELS and FOOTNOTE_DISCORD_FORUMS need the Message Content intent: "
    "in the Developer Portal open your application, Bot, Privileged Gateway Intents, and turn on "
    "MESSAGE CONTENT INTENT (or unset those two settings)."
)


def intents(settings: Settings | None = None) -> discord.Intents:
    """What the bot subscribes to. Message content only for ask channels and forums: mentions
    and DMs carry their content without it, and Discord reviews the intent past 100 servers."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_reactions = True
    wanted.dm_messages = True
    wanted.dm_reactions = True
    if settings is not None and (settings.discord_ask_channels or settings.discord_forums):
        wanted.message_content = True
    return wanted


def cooldown_text(seconds: float) -> str:
    return f"Please wait — try again in {math.ceil(seconds)} s."


def channel_kind(channel: Any) -> str:
    """'dm', 'thread' or 'channel', for the logs."""
    if isinstance(channel, discord.Thread):
        return "thread"
    if isinstance(channel, discord.DMChannel) or getattr(channel, "guild", True) is None:
        return "dm"
    return "channel"


class FollowUpView(discord.ui.View):
    """The "Follow up" button under an answer; persistent, so it works on answers sent earlier."""

    def __init__(self, bot: FootnoteBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Follow up", emoji="💬", custom_id=FOLLOW_UP_ID)
    async def follow_up(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self.bot.open_thread(interaction)


class FootnoteBot(discord.Client):
    """A discord.py client whose handlers validate, call the engine off the loop, and render."""

    def __init__(
        self,
        settings: Settings,
        open_engine: Callable[[], Footnote],
        **options: Any,
    ) -> None:
        # The bot never joins voice, so the voice libraries' absence is not worth a warning.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents(settings), allowed_mentions=NO_MENTIONS, **options)
        self.settings = settings
        self._open_engine = open_engine
        self.footnote: Footnote | None = None
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(ask_command)
        self.tree.add_command(timeline_command)
        self.tree.add_command(reindex_command)
        self.cooldown = Cooldown(settings.discord_cooldown_seconds)
        # On disk once setup_hook opens the state database: restarts lose neither.
        self.conversations = Conversations(namespace="discord")
        self.sent = SentAnswers(namespace="discord")
        self._posting = 0  # answers being posted: sent, but their message ids not known yet
        self.feedback = FeedbackLog(settings.feedback_log)
        self.pool = AnsweringPool(settings.answer_workers, settings.answer_queue)
        self.seen = Seen()  # messages and interactions handled: a replayed event is not re-answered
        self._reindexing = asyncio.Lock()
        self._synced: set[int] = set()
        self._heartbeat: asyncio.Task | None = None
        self._turns: set[asyncio.Task] = set()  # handlers answering a question right now
        self._stopping = False

    async def setup_hook(self) -> None:
        # Runs after the token is accepted and before the gateway connects: a bad token fails
        # fast, and no question arrives before the index is loaded (once, off the event loop).
        store = await asyncio.to_thread(StateStore, self.settings.state_path)
        self.conversations.store = self.sent.store = store
        self.footnote = await asyncio.to_thread(self._open_engine)
        await asyncio.to_thread(self._warm_up)
        self.add_view(FollowUpView(self))
        if self.settings.discord_heartbeat_file.name:
            self._heartbeat = asyncio.create_task(self._beat(self.settings.discord_heartbeat_file))

    async def close(self) -> None:
        # Finish the questions in hand first, so each answer is sent and its turn is on disk;
        # then disconnect, and close the database last, once nothing can write to it.
        self._stopping = True
        await self._finish_turns()
        if self._heartbeat:
            self._heartbeat.cancel()
        await super().close()
        self.pool.close()
        if self.conversations.store is not None:
            self.conversations.store.close()

    # Events: thin, each hands over to one method below.

    async def on_ready(self) -> None:
        assert self.user is not None
        _log.info(
            "connected as %s (id %s) to %d servers", self.user, self.user.id, len(self.guilds)
        )
        _log.info(
            "invite link: %s",
            discord.utils.oauth_url(
                self.application_id or self.user.id,
                permissions=PERMISSIONS,
                scopes=("bot", "applications.commands"),
            ),
        )
        for guild in self.guilds:
            await self.sync_commands(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.sync_commands(guild)

    async def on_message(self, message: discord.Message) -> None:
        # Never our own messages or another bot's: two bots would answer each other for ever.
        if message.author.bot or not self.is_addressed(message):
            return
        if not self.allowed(message.channel) or not self.seen.first(message.id):
            return
        await self.answer_message(message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.user is None or payload.user_id == self.user.id:
            return
        if payload.member is not None and payload.member.bot:
            return
        vote = vote_for(str(payload.emoji))
        answer = await self._sent_answer(payload.message_id) if vote else None
        if vote and answer:
            await asyncio.to_thread(self.feedback.record, answer, vote, payload.user_id)
            _log.info("feedback %s", json.dumps({"vote": vote, "message": payload.message_id}))

    # What the handlers do.

    async def sync_commands(self, guild: discord.Guild) -> None:
        """Register /ask and /reindex in `guild`: guild commands appear at once, global ones lag."""
        if guild.id in self._synced:
            return
        self.tree.copy_global_to(guild=guild)
        try:
            await self.tree.sync(guild=guild)
        except discord.HTTPException as error:
            _log.warning(
                "could not register slash commands in %s (%s); was the bot invited with the "
                "applications.commands scope?",
                guild.id,
                error.status,
            )
            return
        self._synced.add(guild.id)

    def is_addressed(self, message: discord.Message) -> bool:
        """A DM, a message in an ask channel, a new post in a forum, or a message that mentions
        the bot (a reply to it with the ping on counts)."""
        if self.user is None:
            return False
        if message.guild is None or message.channel.id in self.settings.discord_ask_channels:
            return True
        if self.is_forum_post(message):
            return True
        return any(user.id == self.user.id for user in message.mentions)

    def is_forum_post(self, message: discord.Message) -> bool:
        """The first message of a post in one of settings.discord_forums (it has the post's id)."""
        channel = message.channel
        return (
            isinstance(channel, discord.Thread)
            and channel.parent_id in self.settings.discord_forums
            and message.id == channel.id
        )

    def allowed(self, channel: Any) -> bool:
        """Inside settings.discord_channels (a thread counts as its parent), or no list is set."""
        allowlist = self.settings.discord_channels
        if not allowlist:
            return True
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return bool(ids & set(allowlist))

    async def answer_interaction(
        self, interaction: discord.Interaction, question: str, **filters: str | None
    ) -> None:
        """/ask: refuse at once (ephemeral), or defer, answer off the loop and follow up.
        `filters`: /ask's since, until and source options."""
        with self._turn():
            await self._answer_interaction(interaction, question, filters)

    async def _answer_interaction(
        self, interaction: discord.Interaction, question: str, filters: Mapping[str, str | None]
    ) -> None:
        send = interaction.response.send_message
        if not self.seen.first(interaction.id):
            return  # a replayed event: answered already
        if not self.allowed(interaction.channel):
            return await send(NOT_HERE, ephemeral=True, allowed_mentions=NO_MENTIONS)
        try:
            scope = question_scope(interaction.created_at, **filters)
        except ScopeError as error:
            return await send(render_text(str(error)), ephemeral=True, allowed_mentions=NO_MENTIONS)
        if refusal := self.refusal(question, interaction.user.id):
            return await send(refusal, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await interaction.response.defer(thinking=True)  # Discord allows 3 s to respond
        context = self.conversations.context(interaction.channel_id)
        result = await self.answer(question, context, interaction.channel, via="slash", scope=scope)
        if isinstance(result, str):
            await interaction.followup.send(result, allowed_mentions=NO_MENTIONS)
            return
        embeds = render_answer(result)
        with self._being_posted():
            first = await interaction.followup.send(
                embed=embeds[0],
                view=self._view_for(interaction.channel),
                allowed_mentions=NO_MENTIONS,
            )
            self._remember(first.id, interaction.channel_id, result, context)
        for embed in embeds[1:]:
            await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    async def answer_timeline(
        self, interaction: discord.Interaction, topic: str, **filters: str | None
    ) -> None:
        """/timeline: as /ask, but the reply is the topic's dated reports, oldest first."""
        with self._turn():
            send = interaction.response.send_message
            if not self.seen.first(interaction.id):
                return
            if not self.allowed(interaction.channel):
                return await send(NOT_HERE, ephemeral=True, allowed_mentions=NO_MENTIONS)
            try:
                scope = question_scope(interaction.created_at, **filters)
            except ScopeError as error:
                text = render_text(str(error))
                return await send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            if refusal := self.refusal(topic, interaction.user.id):
                return await send(refusal, ephemeral=True, allowed_mentions=NO_MENTIONS)
            await interaction.response.defer(thinking=True)
            result = await self.timeline(topic, scope, interaction.channel, via="slash")
            if isinstance(result, str):
                await interaction.followup.send(result, allowed_mentions=NO_MENTIONS)
                return
            for embed in render_timeline(result):
                await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    async def answer_message(self, message: discord.Message) -> None:
        """A mention, DM, ask-channel message or forum post: answer in a reply, with the thread's
        or reply chain's context (a forum post starts its own)."""
        with self._turn():
            await self._answer_message(message)

    async def _answer_message(self, message: discord.Message) -> None:
        assert self.user is not None
        forum_post = self.is_forum_post(message)
        if forum_post:
            question = forum_question(message.channel.name, message.content, self.user.id)
        else:
            names = {user.id: user.display_name for user in message.mentions}
            question = message_question(message.content, self.user.id, names)
        reply = functools.partial(message.reply, allowed_mentions=NO_MENTIONS, mention_author=False)
        if not question.strip() and message.attachments:
            await reply(ATTACHMENTS_ONLY)
            return
        if refusal := self.refusal(question, message.author.id):
            await reply(refusal)
            return
        reference = message.reference.message_id if message.reference else None
        context = () if forum_post else self.conversations.context(reference, message.channel.id)
        via = "forum" if forum_post else "message"
        if timeline_topic(question) is not None:  # "What happened with X?"
            async with message.channel.typing():
                scope = question_scope(message.created_at)
                found = await self.timeline(question, scope, message.channel, via=via)
            if isinstance(found, str):
                await reply(found)
                return
            embeds = render_timeline(found)
            await reply(embed=embeds[0])
            for embed in embeds[1:]:
                await message.channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
            return
        async with message.channel.typing():
            scope = question_scope(message.created_at)
            result = await self.answer(question, context, message.channel, via=via, scope=scope)
        if isinstance(result, str):
            await reply(result)
            return
        embeds = render_answer(result)
        with self._being_posted():
            first = await reply(embed=embeds[0], view=self._view_for(message.channel))
            self._remember(first.id, message.channel.id, result, context, thread=forum_post)
        for embed in embeds[1:]:
            await message.channel.send(embed=embed, allowed_mentions=NO_MENTIONS)

    def refusal(self, question: str, user_id: int) -> str | None:
        """Why `question` will not be answered now (it is malformed, or the user must wait)."""
        try:
            clean_question(question, self.settings.max_question_chars)
        except QuestionError as error:
            return render_text(str(error))
        wait = self.cooldown.wait(user_id)
        return cooldown_text(wait) if wait else None

    async def answer(
        self,
        question: str,
        context: Sequence[Turn],
        channel: Any,
        *,
        via: str,
        scope: Scope | None = None,
    ) -> Answer | str:
        """The engine's Answer, or the message to send instead if it failed; logs one line."""
        assert self.footnote is not None, "setup_hook opens the engine before any event"
        if self._stopping:
            return STOPPING
        try:
            # In the pool: the event loop must keep answering the gateway's heartbeats, and
            # questions past the queue are turned away rather than left waiting for ever.
            answer = await self.pool.run(
                self.footnote.ask, question, context=tuple(context), scope=scope
            )
        except Busy:
            return BUSY
        except FootnoteError as error:  # a damaged index, say: the same line to log and user
            _log.error("not answered: %s", error)
            return render_text(str(error))
        except Exception:
            _log.exception("answering failed")
            return FAILED
        line = {
            "via": via,
            "channel": channel_kind(channel),
            "latency_ms": round(answer.timings_ms.get("total", 0.0)),
            "abstained": answer.abstained,
            "confidence": round(answer.confidence, 3),
            "top_articles": [c.article_id for c in answer.citations[:3]],
            "context_turns": len(context),
            "question": question,
        }
        _log.info("answer %s", json.dumps(line, ensure_ascii=False))
        return answer

    async def timeline(self, topic: str, scope: Scope, channel: Any, *, via: str) -> Timeline | str:
        """The engine's Timeline of `topic`, or the message to send instead; logs one line."""
        assert self.footnote is not None, "setup_hook opens the engine before any event"
        if self._stopping:
            return STOPPING
        try:
            found = await self.pool.run(self.footnote.timeline, topic, scope=scope)
        except Busy:
            return BUSY
        except FootnoteError as error:
            _log.error("no timeline: %s", error)
            return render_text(str(error))
        except Exception:
            _log.exception("timeline failed")
            return FAILED
        line = {
            "via": via,
            "channel": channel_kind(channel),
            "latency_ms": round(found.timings_ms.get("total", 0.0)),
            "reports": len(found.entries),
            "topic": found.topic,
        }
        _log.info("timeline %s", json.dumps(line, ensure_ascii=False))
        return found

    async def open_thread(self, interaction: discord.Interaction) -> None:
        """The Follow up button: open a thread on the answer, where the conversation carries on."""
        message = interaction.message
        if message is None or not isinstance(interaction.channel, discord.TextChannel):
            await interaction.response.send_message(
                "Reply to my answer with your follow-up question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        await interaction.response.defer()  # acknowledges the click without a visible message
        answer = self.sent.get(message.id)
        name = thread_name(answer.question if answer else "Follow-up")
        try:
            thread = await message.create_thread(name=name, auto_archive_duration=1440)
        except discord.HTTPException as error:
            # 160004: a thread already exists on this message; point there instead of failing.
            text = (
                f"The follow-up thread is already open: <#{message.id}>"
                if error.code == 160004
                else "I couldn't open a thread here (do I have Create Public Threads?)."
            )
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await thread.send(
            f"Ask your follow-up here and mention {self.user.mention} with it; "
            "I'll keep the earlier questions in mind.",
            allowed_mentions=NO_MENTIONS,
        )

    async def reindex(self, interaction: discord.Interaction) -> None:
        """/reindex: managers only; the engine swaps the new index in, old one answers meanwhile."""
        send = interaction.response.send_message
        permissions = getattr(interaction.user, "guild_permissions", None)
        if permissions is None or not permissions.manage_guild:
            return await send(NO_PERMISSION, ephemeral=True, allowed_mentions=NO_MENTIONS)
        if not self.allowed(interaction.channel):
            return await send(NOT_HERE, ephemeral=True, allowed_mentions=NO_MENTIONS)
        if self._reindexing.locked():
            return await send(
                "A reindex is already running.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        assert self.footnote is not None
        async with self._reindexing:
            await interaction.response.defer(thinking=True)
            try:
                report = await asyncio.to_thread(self.footnote.reindex)
            except Exception as error:
                _log.exception("reindex failed")
                text = str(error) if isinstance(error, FootnoteError) else "see the bot's log"
                await interaction.followup.send(
                    render_text(f"Reindex failed: {text}"), allowed_mentions=NO_MENTIONS
                )
                return
        _log.info("reindex %s", json.dumps({"articles": report.articles, "chunks": report.chunks}))
        await interaction.followup.send(render_report(report), allowed_mentions=NO_MENTIONS)

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """Counts the running handler among the questions that close() lets finish."""
        task = asyncio.current_task()
        assert task is not None, "discord.py runs every handler in a task"
        self._turns.add(task)
        try:
            yield
        finally:
            self._turns.discard(task)

    async def _finish_turns(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_GRACE_SECONDS
        while waiting := self._turns - {asyncio.current_task()}:
            left = deadline - loop.time()
            if left <= 0:
                _log.warning("closing with %d questions unanswered", len(waiting))
                return
            _log.info("finishing %d questions before closing", len(waiting))
            await asyncio.wait(waiting, timeout=left)

    def _warm_up(self) -> None:
        # The models load lazily on the first question; pay that once here, not in a user's wait.
        try:
            self.footnote.ask("What is this about?")
        except Exception:
            _log.exception("warm-up question failed; the first real one may be slow or fail too")

    def _view_for(self, channel: Any) -> discord.ui.View:
        # Threads can only be opened from a text channel's messages; elsewhere replies carry on.
        if isinstance(channel, discord.TextChannel):
            return FollowUpView(self)
        return discord.utils.MISSING

    @contextlib.contextmanager
    def _being_posted(self) -> Iterator[None]:
        """Counts an answer as being posted until its message id is remembered, so a 👍 that
        arrives first waits for it (_sent_answer)."""
        self._posting += 1
        try:
            yield
        finally:
            self._posting -= 1

    async def _sent_answer(self, message_id: int) -> Answer | None:
        """The answer posted as `message_id`. A reaction can arrive before the call that posted
        the answer has returned its id (the user sees the message first): while answers are
        being posted, it waits for them, up to REACTION_WAIT seconds, rather than drop the
        vote."""
        deadline = time.monotonic() + REACTION_WAIT
        while (answer := self.sent.get(message_id)) is None and self._posting:
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.02)
        return answer

    def _remember(
        self,
        message_id: int,
        channel_id: int | None,
        answer: Answer,
        context: Sequence[Turn],
        *,
        thread: bool = False,
    ) -> None:
        self.sent.add(message_id, answer)
        keys = [message_id]
        if channel_id is not None and (thread or self.conversations.knows(channel_id)):
            keys.append(channel_id)  # a follow-up thread: its history grows with each answer
        self.conversations.remember(keys, tuple(context), answer)

    async def _beat(self, path: Path) -> None:
        # A file touched while the gateway is up, for the Docker HEALTHCHECK to look at.
        await self.wait_until_ready()
        while not self.is_closed():
            if self.ws is not None and self.ws.open:
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(path.touch)
            await asyncio.sleep(HEARTBEAT_SECONDS)


@app_commands.command(name="ask", description="Ask a question about the articles")
@app_commands.describe(
    question="What you want to know",
    since="Only articles dated on or after this day (2023-01-05, 5 January 2023)",
    until="Only articles dated on or before this day",
    source="Only articles from an outlet whose name holds this (BBC, guardian)",
)
async def ask_command(
    interaction: discord.Interaction[FootnoteBot],
    question: str,
    since: app_commands.Range[str, 1, 64] | None = None,
    until: app_commands.Range[str, 1, 64] | None = None,
    source: app_commands.Range[str, 1, 100] | None = None,
) -> None:
    await interaction.client.answer_interaction(
        interaction, question, since=since, until=until, source=source
    )


@app_commands.command(
    name="timeline", description="What the articles reported about a topic, by date"
)
@app_commands.describe(
    topic="What to follow, e.g. the rail strikes",
    since="Only articles dated on or after this day (2023-01-05, 5 January 2023)",
    until="Only articles dated on or before this day",
    source="Only articles from an outlet whose name holds this (BBC, guardian)",
)
async def timeline_command(
    interaction: discord.Interaction[FootnoteBot],
    topic: str,
    since: app_commands.Range[str, 1, 64] | None = None,
    until: app_commands.Range[str, 1, 64] | None = None,
    source: app_commands.Range[str, 1, 100] | None = None,
) -> None:
    await interaction.client.answer_timeline(
        interaction, topic, since=since, until=until, source=source
    )


@app_commands.command(name="reindex", description="Rebuild the index from the articles")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def reindex_command(interaction: discord.Interaction[FootnoteBot]) -> None:
    await interaction.client.reindex(interaction)


class ScrubbingFormatter(logging.Formatter):
    """Formats records with any occurrence of a secret (the token) blanked, tracebacks included."""

    def __init__(self, secret: str, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self.secret)


def scrub(text: str, secret: str) -> str:
    return text.replace(secret, "[DISCORD_TOKEN]") if secret else text


def run_discord(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> int:
    """`footnote discord`: run the bot until SIGTERM or Ctrl-C; returns the exit code."""
    token = (os.environ if env is None else env).get("DISCORD_TOKEN", "").strip()
    if not token:
        print(
            "footnote: DISCORD_TOKEN is not set. Create a bot in the Discord Developer Portal "
            "and export its token as DISCORD_TOKEN (see 'Discord bot' in README.md).",
            file=sys.stderr,
        )
        return 1
    handler = logging.StreamHandler()
    handler.setFormatter(
        ScrubbingFormatter(token, "%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        return asyncio.run(_serve(settings, token, embedder, options))
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        return 0
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def _serve(
    settings: Settings, token: str, embedder: Embedder | None, options: dict[str, Any]
) -> int:
    from bot.footnote import Footnote  # the heavy imports wait until a token is there

    def open_engine() -> Footnote:
        return Footnote.open(settings, embedder=embedder, announce=_log.info)

    bot = FootnoteBot(settings, open_engine, **options)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not main thread
            loop.add_signal_handler(signum, lambda: closing.append(loop.create_task(bot.close())))

    def fail(message: str) -> int:
        print(scrub(f"footnote: {message}", token), file=sys.stderr)
        return 1

    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        return fail(
            "Discord rejected the token in DISCORD_TOKEN (401 Unauthorized). Copy it again "
            "from the Bot page of the Developer Portal (Reset Token if unsure)."
        )
    except discord.PrivilegedIntentsRequired:
        if intents(settings).message_content:
            return fail(NEEDS_MESSAGE_CONTENT)
        return fail("Discord refused the gateway intents this bot asked for.")
    except FootnoteError as error:
        return fail(str(error))
    except (discord.DiscordException, aiohttp.ClientError, OSError) as error:
        return fail(f"could not connect to Discord: {error}")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        if closing:
            await asyncio.gather(*closing, return_exceptions=True)
    _log.info("disconnected; bye")
    return 0


if __name__ == "__main__":
    sys.exit(run_discord(Settings.from_env()))
