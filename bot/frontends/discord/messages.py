"""From a Discord message to a question: mentions, markdown and custom emoji taken out, a forum
post's title joined to its text; and the ids already handled, so a replayed event is not
answered twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Mapping

import discord

from index.scope import Scope

_USER = re.compile(r"<@!?(\d+)>")
_NOISE = re.compile(r"<@&\d+>|<#\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")
_SPOILER = re.compile(r"\|\|(.*?)\|\|", re.DOTALL)


def message_question(content: str, bot_id: int, names: Mapping[int, str] | None = None) -> str:
    """The question in a message: without the bot's mention, with other people's mentions as
    their names (if known), without role and channel mentions, @everyone, custom emoji and
    markdown, so none of it reaches the reader or the reply."""
    names = names or {}

    def person(match: re.Match[str]) -> str:
        user_id = int(match.group(1))
        return "" if user_id == bot_id else names.get(user_id, "")

    text = _NOISE.sub(" ", _USER.sub(person, content))
    text = _SPOILER.sub(r"\1", text)
    text = discord.utils.remove_markdown(text, ignore_links=True)
    return " ".join(text.split())


def forum_question(title: str, content: str, bot_id: int) -> str:
    """A forum post's question: its title and first message together (either may hold it)."""
    body = message_question(content, bot_id)
    title = message_question(title, bot_id)
    if not body or body.lower().startswith(title.lower()):
        return body or title
    joiner = " " if title.endswith(("?", ".", "!", ":")) else ". "
    return f"{title}{joiner}{body}"


def question_scope(
    sent_at: dt.datetime,
    *,
    since: str | None = None,
    until: str | None = None,
    source: str | None = None,
) -> Scope:
    """A Discord question's now is when it was sent (UTC, as Discord stamps it), so an answer
    replayed or read later still rests on what was known then; /ask's options filter.
    ScopeError names the option a date could not be read from."""
    scope = Scope.parse(
        since=since, until=until, outlets=[source] if source else (), names=("", "since", "until")
    )
    return dataclasses.replace(scope, as_of=sent_at.astimezone(dt.UTC).date())


class Seen:
    """The newest `limit` message and interaction ids handled."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first(self, event_id: int) -> bool:
        """True the first time `event_id` is seen; False for a replay."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        return True
