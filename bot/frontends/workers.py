"""The answering pool: questions are answered off the event loop by a few threads, in the order
they came; past a queue limit a question is turned away rather than left waiting for ever."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """More questions are waiting than the queue holds."""


class AnsweringPool:
    """`workers` threads (0: one per CPU core) and room for `queue` questions waiting."""

    def __init__(self, workers: int = 1, queue: int = 64) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.queue = queue
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="footnote-answer")
        self._in_flight = 0  # only touched on the event loop, so no lock

    @property
    def in_flight(self) -> int:
        """Questions being answered or waiting."""
        return self._in_flight

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`work(*args, **kwargs)` on a pool thread; Busy at once if the queue is full."""
        if self._in_flight >= self.workers + self.queue:
            raise Busy
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, partial(work, *args, **kwargs))
        finally:
            self._in_flight -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
