"""Follow-up context: the earlier turns of a conversation (a Discord thread or reply chain, a web
chat), kept in memory, bounded."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable

from bot.answering import Answer
from bot.answering.follow_up import Turn


class Conversations:
    """Turn history by conversation key: in Discord an answer message's id or a thread's id,
    on the web a conversation id.

    A thread opened on a message has that message's id, so the history of an answer carries
    over into its follow-up thread without any bookkeeping. Only the newest `limit`
    conversations and their last `turns` turns are kept, so memory stays flat.
    """

    def __init__(self, limit: int = 2000, turns: int = 6) -> None:
        self.limit = limit
        self.turns = turns
        self._history: OrderedDict[Hashable, tuple[Turn, ...]] = OrderedDict()

    def context(self, *keys: Hashable | None) -> tuple[Turn, ...]:
        """The earlier turns of the first key that has a history (oldest first), else ()."""
        for key in keys:
            if key is not None and key in self._history:
                self._history.move_to_end(key)
                return self._history[key]
        return ()

    def knows(self, key: Hashable) -> bool:
        return key in self._history

    def remember(self, keys: Iterable[Hashable], context: tuple[Turn, ...], answer: Answer) -> None:
        """Record that `answer` followed `context`, under each of `keys`."""
        history = (*context, Turn.of(answer))[-self.turns :]
        for key in keys:
            self._history[key] = history
            self._history.move_to_end(key)
        while len(self._history) > self.limit:
            self._history.popitem(last=False)
