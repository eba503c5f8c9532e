"""Concurrent callers share batches, each gets its own outputs, and nobody alone waits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from index.batching import Batcher


class SlowSquare:
    """A batched function that takes 30 ms a call, however many items: as a model does."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, items: list[int]) -> list[int]:
        self.sizes.append(len(items))
        time.sleep(0.03)
        return [x * x for x in items]


def test_a_caller_alone_runs_at_once_in_its_own_thread():
    seen = []

    def run(items):
        seen.append(threading.current_thread())
        return [x + 1 for x in items]

    batcher = Batcher(run)
    assert batcher([1, 2, 3]) == [2, 3, 4]
    assert seen == [threading.current_thread()]
    assert batcher([]) == []
    assert batcher.stats.batches == 1


def test_concurrent_callers_share_batches_and_each_gets_its_own_answers():
    model = SlowSquare()
    batcher = Batcher(model, max_items=64)
    callers = 24
    with ThreadPoolExecutor(callers) as pool:
        futures = [pool.submit(batcher, [i, i + 100, i + 200]) for i in range(callers)]
        results = [f.result(timeout=30) for f in futures]
    for i, result in enumerate(results):
        assert result == [i * i, (i + 100) ** 2, (i + 200) ** 2]
    assert sum(model.sizes) == 3 * callers  # every item once: none lost, none doubled
    assert len(model.sizes) < callers / 2  # callers that waited went together
    assert batcher.stats.largest > 1
    assert max(model.sizes) <= 64


def test_one_batch_never_exceeds_max_items_unless_one_caller_asks_for_more():
    model = SlowSquare()
    batcher = Batcher(model, max_items=8)
    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(batcher, [i] * 3) for i in range(12)]
        futures.append(pool.submit(batcher, list(range(20))))
        results = [f.result(timeout=30) for f in futures]
    assert results[-1] == [x * x for x in range(20)]
    assert all(size <= 8 or size == 20 for size in model.sizes)


def test_an_error_reaches_every_caller_of_its_batch_and_the_batcher_carries_on():
    calls = []

    def run(items):
        calls.append(items)
        if -1 in items:
            time.sleep(0.03)
            raise ValueError("bad window")
        return items

    batcher = Batcher(run)
    with pytest.raises(ValueError, match="bad window"):
        batcher([-1])
    assert batcher([5, 6]) == [5, 6]


def test_a_wrong_number_of_outputs_is_an_error_not_a_misaligned_answer():
    batcher = Batcher(lambda items: items[:-1])
    with pytest.raises(RuntimeError, match="a batch of 2 gave 1 outputs"):
        batcher([1, 2])


class Interrupted(BaseException):
    """Stands for a KeyboardInterrupt in the thread running a batch."""


def test_an_interrupted_run_fails_every_caller_in_it_and_the_batcher_carries_on():
    go = threading.Event()

    def run(items):
        if items == [0]:
            assert go.wait(timeout=10)  # the first batch holds the model while two queue
        if -1 in items:
            raise Interrupted
        return items

    batcher = Batcher(run)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher, [0])
        time.sleep(0.1)
        queued = [pool.submit(batcher, [-1]), pool.submit(batcher, [7])]
        time.sleep(0.1)
        go.set()  # the two queued callers now share one batch, and it is interrupted
        assert first.result(timeout=10) == [0]
        errors = []
        for future in queued:
            with pytest.raises(BaseException) as raised:
                future.result(timeout=10)  # neither hangs
            errors.append(raised.value)
    # The thread that ran the batch is interrupted; the other is told its run was cut short.
    assert sorted(type(e).__name__ for e in errors) == ["Interrupted", "RuntimeError"]
    assert batcher([8, 9]) == [8, 9]
