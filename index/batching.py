"""Batching: concurrent callers of one model share its forward passes.

Fifty people asking at once each want a few reader windows and one question vector. Run one
caller at a time and the model sees small batches while the rest queue; run them together and
each matrix product serves many questions. A `Batcher` wraps a batched function: whoever calls
it while no batch is running runs one at once over everything waiting (up to `max_items`), and
callers arriving meanwhile wait for the next. Nobody waits on a timer, so a question asked
alone runs exactly as it would unwrapped; there is no background thread to start or stop.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class _Request(Generic[In, Out]):
    items: list[In]
    result: list[Out] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class BatchStats:
    """How much batching happened: batches run, the items and callers they served."""

    batches: int = 0
    items: int = 0
    callers: int = 0
    largest: int = 0  # the most callers one batch served


@dataclass
class Batcher(Generic[In, Out]):
    """`run(items) -> outputs` (one output per item, in order), shared by concurrent callers.

    `max_items` bounds one batch (memory, and a fair share of the model for early callers); a
    caller with more items than that still runs them in one call of its own.
    """

    run: Callable[[list[In]], Sequence[Out]]
    max_items: int = 64
    stats: BatchStats = field(default_factory=BatchStats)
    _pending: deque[_Request] = field(default_factory=deque, repr=False)
    _running: bool = field(default=False, repr=False)
    _turn: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def __call__(self, items: Sequence[In]) -> list[Out]:
        """The outputs of `items`, computed in a batch with whatever else is waiting."""
        if not items:
            return []
        request: _Request[In, Out] = _Request(list(items))
        with self._turn:
            self._pending.append(request)
            while not request.done:
                if self._running:
                    self._turn.wait()
                    continue
                batch = self._take()  # our request is waiting: nobody else takes requests
                self._running = True
                self._turn.release()
                try:
                    self._serve(batch)
                finally:
                    self._turn.acquire()
                    self._running = False
                    self._turn.notify_all()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _take(self) -> list[_Request[In, Out]]:
        """The oldest waiting requests, as many as fit in max_items (at least one)."""
        batch = [self._pending.popleft()]
        size = len(batch[0].items)
        while self._pending and size + len(self._pending[0].items) <= self.max_items:
            size += len(self._pending[0].items)
            batch.append(self._pending.popleft())
        return batch

    def _serve(self, batch: list[_Request[In, Out]]) -> None:
        """One call of `run` over every request of `batch`; each gets its share (or the error)."""
        flat = [item for request in batch for item in request.items]
        try:
            outputs = list(self.run(flat))
            if len(outputs) != len(flat):
                raise RuntimeError(f"a batch of {len(flat)} gave {len(outputs)} outputs")
        except BaseException as error:  # every caller of this batch hears of it, none hangs
            # An interrupt (Ctrl-C in the thread running the batch) stops that thread only; the
            # others are told their run was cut short.
            failure = error if isinstance(error, Exception) else RuntimeError("run interrupted")
            for request in batch:
                request.error = failure
                request.done = True
            if failure is not error:
                raise
            return
        at = 0
        for request in batch:
            request.result = outputs[at : at + len(request.items)]
            request.done = True
            at += len(request.items)
        stats = self.stats
        stats.batches += 1
        stats.items += len(flat)
        stats.callers += len(batch)
        stats.largest = max(stats.largest, len(batch))


__all__ = ["BatchStats", "Batcher"]
