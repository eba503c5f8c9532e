"""The Ray build against the single-machine one, in the same run: seeds/ and 200 articles.

The 200 articles are SQuAD dev paragraphs, three of the same Wikipedia article to one file
(about 400 words each). Each build starts from an empty index folder and a fresh Embedder, so
both sides pay for loading the model (Ray once per worker); a rebuild over the same files
then reuses every vector. The Ray builds run on a local cluster of 2 workers started here; its
start-up is timed on its own line. Prints a markdown table, and checks the two indexes agree.

Run with `make bench-ray` (or `.venv/bin/python scripts/ray_benchmark.py`); needs the ray
extra (`pip install -e ".[ray]"`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.shared_data import dev_half, require  # noqa: E402
from index import Embedder, build_index, build_index_on_ray, open_index  # noqa: E402

ARTICLES = 200
WORKERS = 2


def write_corpus(folder: Path) -> Path:
    folder.mkdir()
    squad = json.loads(require(dev_half()).read_text(encoding="utf-8"))
    written = 0
    for article in squad["data"]:
        paragraphs = [p["context"] for p in article["paragraphs"]]
        for low in range(0, len(paragraphs) - 2, 3):
            if written == ARTICLES:
                return folder
            text = "\n\n".join(paragraphs[low : low + 3]) + "\n"
            (folder / f"{written:03d}.txt").write_text(text, encoding="utf-8")
            written += 1
    return folder


def timed(build, paths: list[Path], index_dir: Path, **options) -> tuple[float, object]:
    started = time.perf_counter()
    report = build(paths, index_dir, Embedder(), **options)
    return time.perf_counter() - started, report


def max_difference(a: Path, b: Path) -> float:
    embedder = Embedder()
    one, other = open_index(a, embedder), open_index(b, embedder)
    assert one.article_order == other.article_order
    assert np.array_equal(one.chunk_rows, other.chunk_rows)
    assert np.array_equal(one.sentence_rows, other.sentence_rows)
    return float(np.abs(one.dense.vectors() - other.dense.vectors()).max())


def main() -> None:
    import ray

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        corpus = write_corpus(scratch / "corpus")
        corpora = {"seeds/": [ROOT / "seeds"], f"{ARTICLES} articles": [corpus]}
        rows = []
        started = time.perf_counter()
        ray.init(
            num_cpus=WORKERS,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
        cluster_start = time.perf_counter() - started
        try:
            for name, paths in corpora.items():
                one_dir, ray_dir = scratch / f"{name}-one", scratch / f"{name}-ray"
                one_s, one = timed(build_index, paths, one_dir)
                ray_s, on_ray = timed(build_index_on_ray, paths, ray_dir)
                again_one_s, _ = timed(build_index, paths, one_dir)
                again_ray_s, again = timed(build_index_on_ray, paths, ray_dir)
                assert again.embedded == 0
                rows.append(
                    (
                        name,
                        one,
                        one_s,
                        ray_s,
                        again_one_s,
                        again_ray_s,
                        max_difference(one_dir, ray_dir),
                    )
                )
        finally:
            ray.shutdown()
    print(f"Local Ray cluster of {WORKERS} workers started in {cluster_start:.1f} s.\n")
    print(
        "| corpus | articles | texts embedded | one machine | Ray, 2 workers "
        "| rebuild, one machine | rebuild, Ray | max vector difference |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, report, one_s, ray_s, again_one_s, again_ray_s, difference in rows:
        print(
            f"| {name} | {report.articles} | {report.embedded:,} | {one_s:.1f} s | {ray_s:.1f} s "
            f"| {again_one_s:.1f} s | {again_ray_s:.1f} s | {difference:.1e} |"
        )


if __name__ == "__main__":
    main()
