"""The front ends' memory on disk: conversations and sent answers in a small SQLite database
(WAL mode), so a restarted bot still follows up an old thread and still takes a vote on an
answer it sent before the restart."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from index.errors import FootnoteError

PRUNE_EVERY = 256  # writes between trims of each kind down to its newest `keep` rows


class StateError(FootnoteError):
    """The state database cannot be opened or written; the message names the file."""


class StateStore:
    """Key/value rows by kind ("turns", "answer"); the newest `keep` of each kind are kept.

    Safe to call from several threads; each call is one short transaction.
    """

    def __init__(self, path: Path, *, keep: int = 20_000) -> None:
        self.path = path
        self.keep = keep
        self._lock = threading.Lock()
        self._writes = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, fast
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS state (kind TEXT NOT NULL, key TEXT NOT NULL, "
                "value TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (kind, key))"
            )
            self._db.execute("CREATE INDEX IF NOT EXISTS state_age ON state (kind, at)")
        except (sqlite3.Error, OSError) as error:
            raise StateError(
                f"cannot open the state database {path} ({error}). Move the file aside to start "
                "with empty conversation memory, or set FOOTNOTE_STATE_DB to another path."
            ) from None

    def get(self, kind: str, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM state WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return row[0] if row else None

    def put(self, kind: str, key: str, value: str) -> None:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO state (kind, key, value, at) VALUES (?, ?, ?, ?)",
                    (kind, key, value, time.time()),
                )
                self._writes += 1
                if self._writes % PRUNE_EVERY == 0:
                    self._prune(kind)
            except sqlite3.Error as error:
                raise StateError(f"cannot write the state database {self.path} ({error})") from None

    def count(self, kind: str) -> int:
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM state WHERE kind = ?", (kind,)
            ).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _prune(self, kind: str) -> None:
        self._db.execute(
            "DELETE FROM state WHERE kind = ? AND at < (SELECT at FROM state WHERE kind = ? "
            "ORDER BY at DESC LIMIT 1 OFFSET ?)",
            (kind, kind, self.keep - 1),
        )
