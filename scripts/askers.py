"""Concurrent askers, for the load benchmarks (serve_benchmark.py, engine_benchmark.py).

The questions are taken in turn by `askers` askers, each waiting for its answer before it asks
the next, as members of a community do; answer times include the wait in any queue.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def seeds_questions(root: Path = ROOT) -> list[str]:
    """The seeds set's questions, answerable and not: the mix a real user sends."""
    with (root / "eval" / "seeds_qa.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Load(Generic[T]):
    """What came back: each question's result in the order asked, answer times, wall time."""

    results: list[T]
    times_ms: list[float]  # in the order the answers came
    wall_s: float

    @property
    def throughput(self) -> float:
        return len(self.times_ms) / self.wall_s


async def ask_concurrently(
    asked: list[str], askers: int, ask: Callable[[str], Awaitable[T]]
) -> Load[T]:
    """`ask` every question of `asked`, `askers` at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(asked)):
        queue.put_nowait(i)
    results: dict[int, T] = {}
    times: list[float] = []

    async def asker() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            results[i] = await ask(asked[i])
            times.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(asker() for _ in range(askers)))
    wall = time.perf_counter() - started
    return Load([results[i] for i in range(len(asked))], times, wall)


__all__ = ["Load", "ask_concurrently", "percentile", "seeds_questions"]
