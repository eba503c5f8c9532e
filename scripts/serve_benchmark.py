"""Load on `footnote serve`: 500 questions from 25 concurrent clients over loopback.

Starts the real command (`footnote serve`, rate limit off for the run) on the seed index,
times one client asking alone first, then the concurrent load, in the same run, so the
ratio is fair on a noisy machine. Prints a markdown table for the README.

Run with `make bench-serve` (or `.venv/bin/python scripts/serve_benchmark.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FOOTNOTE = Path(sys.executable).parent / "footnote"


def questions() -> list[str]:
    """The seeds set's questions, answerable and not: the mix a real user sends."""
    with (ROOT / "eval" / "seeds_qa.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index_dir: Path, port: int, code: Path = ROOT) -> subprocess.Popen:
    """`footnote serve` on loopback, running the Footnote in `code` (this checkout by default;
    another checkout, such as a worktree of an older commit, to measure it side by side)."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(code),
        "FOOTNOTE_INDEX_DIR": str(index_dir),
        "FOOTNOTE_FEEDBACK_LOG": str(index_dir.parent / "feedback.jsonl"),  # and the state db
        "FOOTNOTE_CORPUS": str(code / "seeds"),
        "FOOTNOTE_API_RATE_PER_MINUTE": "0",  # one address sends everything here
        "FOOTNOTE_ANSWER_QUEUE": "1000",
    }
    server = subprocess.Popen(
        [str(FOOTNOTE), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # the first start builds the seed index
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit("footnote serve exited before it answered /api/health")
        time.sleep(0.5)
    server.kill()
    raise SystemExit("footnote serve did not come up within 300 s")


async def load(base: str, asked: list[str], clients: int) -> tuple[list[float], int, float]:
    """Send `asked` from `clients` concurrent clients; (latencies ms, errors, wall seconds)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for q in asked:
        queue.put_nowait(q)
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            while True:
                try:
                    question = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                try:
                    response = await http.post("/api/ask", json={"question": question})
                    ok = response.status_code == 200 and "answer_id" in response.json()
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=25)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args()
    pool = questions()
    asked = [pool[i % len(pool)] for i in range(args.questions)]
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "index", port, args.code)
        try:
            base = f"http://127.0.0.1:{port}"
            alone, alone_errors, _ = asyncio.run(load(base, pool * 2, 1))
            latencies, errors, wall = asyncio.run(load(base, asked, args.clients))
            health = httpx.get(f"{base}/api/health", timeout=5).json()
        finally:
            server.terminate()
            server.wait(timeout=30)
    one = statistics.median(alone)
    print(f"`footnote serve` on {os.cpu_count()} cores, seed index ({health['chunks']} chunks)\n")
    print("| measure | value |\n|---|---|")
    rows = [
        ("questions sent", f"{len(latencies)} from {args.clients} concurrent clients"),
        ("errors", str(errors + alone_errors)),
        ("throughput", f"{len(latencies) / wall:.1f} questions/s"),
        (
            "latency p50 / p95 / max",
            f"{percentile(latencies, 0.5):.0f} / "
            f"{percentile(latencies, 0.95):.0f} / {max(latencies):.0f} ms",
        ),
        ("one client alone, p50", f"{one:.0f} ms ({len(alone)} questions)"),
        ("p50 under load / alone", f"{percentile(latencies, 0.5) / one:.1f}x"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 1 if errors or alone_errors else 0


if __name__ == "__main__":
    sys.exit(main())
