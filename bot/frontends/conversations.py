"""Follow-up context: the earlier turns of a conversation (a Discord thread or reply chain, a web
chat), bounded in memory and, given a StateStore, kept on disk across restarts."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import asdict

from bot.answering import Answer
from bot.answering.follow_up import Turn
from bot.frontends.state import StateStore


class Conversations:
    """Turn history by conversation key: in Discord an answer message's id or a thread's id,
    on the web a conversation id.

    A thread opened on a message has that message's id, so the history of an answer carries
    over into its follow-up thread without any bookkeeping. Only the newest `limit`
    conversations and their last `turns` turns stay in memory; with a `store`, every
    conversation is also written through to disk under `namespace`, and read back on a miss.
    """

    def __init__(
        self,
        limit: int = 2000,
        turns: int = 6,
        *,
        store: StateStore | None = None,
        namespace: str = "",
    ) -> None:
        self.limit = limit
        self.turns = turns
        self.store = store
        self.namespace = namespace
        self._history: OrderedDict[Hashable, tuple[Turn, ...]] = OrderedDict()

    def context(self, *keys: Hashable | None) -> tuple[Turn, ...]:
        """The earlier turns of the first key that has a history (oldest first), else ()."""
        for key in keys:
            if key is None:
                continue
            history = self._lookup(key)
            if history is not None:
                return history
        return ()

    def knows(self, key: Hashable) -> bool:
        return self._lookup(key) is not None

    def remember(self, keys: Iterable[Hashable], context: tuple[Turn, ...], answer: Answer) -> None:
        """Record that `answer` followed `context`, under each of `keys`."""
        history = (*context, Turn.of(answer))[-self.turns :]
        for key in keys:
            self._cache(key, history)
            if self.store is not None:
                value = json.dumps([asdict(turn) for turn in history], ensure_ascii=False)
                self.store.put("turns", self._stored(key), value)

    def _lookup(self, key: Hashable) -> tuple[Turn, ...] | None:
        if key in self._history:
            self._history.move_to_end(key)
            return self._history[key]
        if self.store is None:
            return None
        stored = self.store.get("turns", self._stored(key))
        if stored is None:
            return None
        history = tuple(Turn(**turn) for turn in json.loads(stored))
        self._cache(key, history)
        return history

    def _cache(self, key: Hashable, history: tuple[Turn, ...]) -> None:
        self._history[key] = history
        self._history.move_to_end(key)
        while len(self._history) > self.limit:
            self._history.popitem(last=False)

    def _stored(self, key: Hashable) -> str:
        return f"{self.namespace}:{key}"
