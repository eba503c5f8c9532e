"""Load on `footnote serve`: 500 questions from 25 concurrent clients over loopback.

Starts the real command (`footnote serve`, rate limit off for the run) on the seed index,
times one client asking alone first, then the concurrent load, in the same run, so the
ratio is fair on a noisy machine. Prints a markdown table for the README.

Run with `make bench-serve` (or `.venv/bin/python scripts/serve_benchmark.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from askers import Load, ask_concurrently, percentile, seeds_questions

ROOT = Path(__file__).resolve().parent.parent
FOOTNOTE = Path(sys.executable).parent / "footnote"


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


async def load(base: str, asked: list[str], clients: int) -> Load[bool]:
    """Send `asked` from `clients` concurrent clients, each with its own connection; each
    result says whether an answer came back."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:

        async def ask(question: str) -> bool:
            try:
                response = await http.post("/api/ask", json={"question": question})
                return response.status_code == 200 and "answer_id" in response.json()
            except httpx.HTTPError:
                return False

        return await ask_concurrently(asked, clients, ask)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=25)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args()
    pool = seeds_questions()
    asked = [pool[i % len(pool)] for i in range(args.questions)]
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "index", port, args.code)
        try:
            base = f"http://127.0.0.1:{port}"
            alone = asyncio.run(load(base, pool * 2, 1))
            loaded = asyncio.run(load(base, asked, args.clients))
            health = httpx.get(f"{base}/api/health", timeout=5).json()
        finally:
            server.terminate()
            server.wait(timeout=30)
    one, latencies = statistics.median(alone.times_ms), loaded.times_ms
    errors = loaded.results.count(False) + alone.results.count(False)
    print(f"`footnote serve` on {os.cpu_count()} cores, seed index ({health['chunks']} chunks)\n")
    print("| measure | value |\n|---|---|")
    rows = [
        ("questions sent", f"{len(latencies)} from {args.clients} concurrent clients"),
        ("errors", str(errors)),
        ("throughput", f"{loaded.throughput:.1f} questions/s"),
        (
            "latency p50 / p95 / max",
            f"{percentile(latencies, 0.5):.0f} / "
            f"{percentile(latencies, 0.95):.0f} / {max(latencies):.0f} ms",
        ),
        ("one client alone, p50", f"{one:.0f} ms ({len(alone.times_ms)} questions)"),
        ("p50 under load / alone", f"{percentile(latencies, 0.5) / one:.1f}x"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
