"""Feedback: 👍/👎 on an answer a front end sent (Discord reactions, the web page), appended to one
JSONL log for later review."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import UTC, datetime
from pathlib import Path

from bot.answering import Answer
from bot.frontends.payload import answer_from_payload, answer_payload
from bot.frontends.state import StateStore

VOTES = {"👍": "up", "👎": "down"}
# A fixed salt keeps the hashes stable across restarts (so one person's votes can be grouped)
# while the log alone does not reveal who voted (a Discord user id, a web client's address).
USER_SALT = "footnote-feedback-v1:"
_SKIN_TONES = "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


def vote_for(emoji: str) -> str | None:
    """The vote ("up" or "down") of a thumbs reaction of any skin tone; None for other emoji."""
    return VOTES.get(emoji.strip(_SKIN_TONES + "\ufe0f"))


def hash_user(user_id: int | str) -> str:
    """The salted sha256 of a voter's id (a Discord user id, "web:<address>"), as hex."""
    return hashlib.sha256(f"{USER_SALT}{user_id}".encode()).hexdigest()


class SentAnswers:
    """The answers a front end sent, by message (Discord) or answer (web) id: the newest `limit`
    in memory, and with a `store` every one on disk too, so a vote after a restart still counts."""

    def __init__(
        self, limit: int = 5000, *, store: StateStore | None = None, namespace: str = ""
    ) -> None:
        self.limit = limit
        self.store = store
        self.namespace = namespace
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()

    def add(self, message_id: Hashable, answer: Answer) -> None:
        self._cache(message_id, answer)
        if self.store is not None:
            value = json.dumps(answer_payload(answer), ensure_ascii=False)
            self.store.put("answer", f"{self.namespace}:{message_id}", value)

    def get(self, message_id: Hashable) -> Answer | None:
        if message_id in self._answers:
            return self._answers[message_id]
        if self.store is None:
            return None
        stored = self.store.get("answer", f"{self.namespace}:{message_id}")
        if stored is None:
            return None
        answer = answer_from_payload(json.loads(stored))
        self._cache(message_id, answer)
        return answer

    def _cache(self, message_id: Hashable, answer: Answer) -> None:
        self._answers[message_id] = answer
        self._answers.move_to_end(message_id)
        while len(self._answers) > self.limit:
            self._answers.popitem(last=False)


class FeedbackLog:
    """Appends one JSON object per vote to `path`; safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(
        self, answer: Answer, vote: str, user_id: int | str, *, now: datetime | None = None
    ) -> dict:
        """Append a vote on `answer` and return the record written."""
        record = {
            "timestamp": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "vote": vote,
            "user": hash_user(user_id),
            "question": answer.question,
            "answer": answer.answer,
            "short_answer": answer.short_answer,
            "abstained": answer.abstained,
            "citations": [
                {"article_id": c.article_id, "start": c.start, "end": c.end}
                for c in answer.citations
            ],
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line)
        return record
