"""Scale: BM25 and the dense index built and queried at 10k, 100k and 1M chunks.

Each measurement runs in its own process, so its peak memory is its own. BM25 gets synthetic
text (60 tokens a chunk, Zipf-distributed words); the dense index gets clustered unit vectors
(n / 100 centres, Gaussian spread), nearer real embeddings than uniform noise, and queries near
stored points; recall@10 is against exact search over the same vectors. Prints a markdown table
and writes docs/scale.png (time and memory against size).

Run with `make bench-scale` (or `.venv/bin/python scripts/scale_benchmark.py [--sizes ...]`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIM = 384
QUERIES = 200


def bm25(n: int) -> dict:
    from index import BM25Index

    rng = np.random.default_rng(0)
    vocabulary = np.array([f"w{i}" for i in range(50_000)])
    ranks = np.minimum(rng.zipf(1.2, size=n * 60), len(vocabulary)) - 1
    words = vocabulary[ranks].reshape(n, 60)
    docs = [list(row) for row in words]
    del words, ranks
    started = time.perf_counter()
    index = BM25Index.build(docs)
    built = time.perf_counter() - started
    del docs
    # Content words: the 100 commonest stand in for the stopwords real queries lose in terms().
    queries = [list(vocabulary[rng.integers(100, 5_000, 4)]) for _ in range(QUERIES)]
    times = []
    for query in queries:
        started = time.perf_counter()
        index.top(query, 50)
        times.append((time.perf_counter() - started) * 1000)
    return {"build s": built, "query p50 ms": statistics.median(times)}


def vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.standard_normal((max(n // 100, 2), DIM)).astype(np.float32)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        rows = min(100_000, n - start)
        out[start : start + rows] = centres[rng.integers(0, len(centres), rows)]
        out[start : start + rows] += 0.6 * rng.standard_normal((rows, DIM)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def dense(n: int, kind: str, folder: Path) -> dict:
    from index.dense import DenseIndex

    rng = np.random.default_rng(0)
    data = vectors(n, rng)
    queries = data[rng.integers(0, n, QUERIES)]
    # A question lands near a passage, not on it: 0.3 of noise against a unit vector.
    queries = queries + 0.3 / np.sqrt(DIM) * rng.standard_normal(queries.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    truth = folder / f"truth-{n}.npy"
    if not truth.exists():  # exact neighbours, once per size
        exact = DenseIndex.build(data, DIM, "flat")
        np.save(truth, exact.search(queries, 10)[1])
        del exact
    started = time.perf_counter()
    built = DenseIndex.build(data, DIM, kind)
    build_s = time.perf_counter() - started
    path = folder / f"{kind}-{n}.faiss"
    built.save(path)
    del built, data
    started = time.perf_counter()
    index = DenseIndex.load(path)
    open_ms = (time.perf_counter() - started) * 1000
    times, found = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(index.search(query, 10)[1][0])
        times.append((time.perf_counter() - started) * 1000)
    expected = np.load(truth)
    pairs = zip(found, expected, strict=True)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in pairs]))
    path.unlink()
    return {
        "build s": build_s,
        "open ms": open_ms,
        "query p50 ms": statistics.median(times),
        "recall@10": recall,
    }


def child(what: str, n: int, folder: Path) -> dict:
    """Run one measurement in a fresh process; its result plus that process's peak memory."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", what, str(n), str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        what, n, folder = args.one[0], int(args.one[1]), Path(args.one[2])
        result = bm25(n) if what == "bm25" else dense(n, what, folder)
        result["peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for what in ("bm25", "flat", "ivf", "hnsw"):
                result = child(what, n, Path(tmp))
                rows.append({"chunks": n, "index": what, **result})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print("| chunks | index | build | open | query p50 | recall@10 | peak memory |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        name = "BM25" if r["index"] == "bm25" else f"dense {r['index']}"
        open_ms = f"{r['open ms']:.1f} ms" if "open ms" in r else ""
        recall = f"{r['recall@10']:.3f}" if "recall@10" in r else ""
        print(
            f"| {r['chunks']:,} | {name} | {r['build s']:.1f} s | {open_ms} | "
            f"{r['query p50 ms']:.2f} ms | {recall} | {r['peak MiB']:.0f} MiB |"
        )
    plot(rows, ROOT / "docs" / "scale.png")
    return 0


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for what, label in (("bm25", "BM25"), ("flat", "flat"), ("ivf", "IVF"), ("hnsw", "HNSW")):
        mine = [r for r in rows if r["index"] == what]
        sizes = [r["chunks"] for r in mine]
        left.plot(sizes, [r["query p50 ms"] for r in mine], marker="o", label=label)
        right.plot(sizes, [r["peak MiB"] for r in mine], marker="o", label=label)
    for axes, title in ((left, "query p50 (ms)"), (right, "peak memory (MiB)")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("chunks")
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
