"""Per-user cooldown: one question per user every N seconds, so one person cannot hog the CPU."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cooldown:
    """Remembers when each user last asked; `wait(user)` says how long they must still wait."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def wait(self, user_id: int) -> float:
        """Seconds left before `user_id` may ask again; 0.0 means go ahead (and starts the wait)."""
        now = self._clock()
        left = self._last.get(user_id, -float("inf")) + self.seconds - now
        if left > 0:
            return left
        self._last[user_id] = now
        if len(self._last) > 1000:
            # Forget users whose cooldown is over, so the map stays as small as the active crowd.
            self._last = {u: t for u, t in self._last.items() if t + self.seconds > now}
        return 0.0
