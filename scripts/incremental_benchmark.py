"""What adding 20 articles to (or removing one from) a 10,000-article index costs.

A 10,000-article synthetic archive (about 300 words an article, with acronyms and pronouns
for the alias and referent rules to find) is indexed once; then 20 articles are added, one
is removed, and, for comparison, the 20 are added to an index whose text rules differ (so
every article is split, tokenized and read for aliases again, as every rebuild did before).
Vectors come from a stand-in encoder (random unit vectors) so the 10,000 articles take
minutes, not hours; the real model's time for the 20 new articles is measured on its own.

Run with `make bench-incremental` (or `.venv/bin/python scripts/incremental_benchmark.py`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import Embedder, build_index, split_sentences  # noqa: E402
from index.index_folder import MANIFEST  # noqa: E402
from index.packing import Pooled  # noqa: E402

ARTICLES = int(os.environ.get("FOOTNOTE_BENCH_ARTICLES", 10_000))
ADDED = 20
WORDS = [
    "strike",
    "union",
    "pay",
    "talks",
    "vote",
    "nurses",
    "rail",
    "school",
    "government",
    "minister",
    "hospital",
    "workers",
    "members",
    "ballot",
    "deal",
    "offer",
    "council",
    "budget",
    "court",
    "report",
    "police",
    "city",
    "week",
    "month",
    "plan",
    "said",
    "action",
    "staff",
    "service",
    "public",
    "sector",
    "schools",
    "trains",
    "doctors",
    "teachers",
    "housing",
    "energy",
]
NAMES = ["Pat Cullen", "Mark Serwotka", "Mick Lynch", "Sharon Graham", "Paul Nowak"]
BODIES = [
    ("Royal College of Nursing", "RCN"),
    ("Public and Commercial Services", "PCS"),
    ("Trades Union Congress", "TUC"),
    ("National Education Union", "NEU"),
]


class StandInEmbedder(Embedder):
    """Random unit vectors, the shape the packaged model gives, at no encoding cost."""

    def __init__(self) -> None:
        super().__init__("stand-in-384")
        self._rng = np.random.default_rng(0)

    @property
    def dim(self) -> int:
        return 384

    def encode_pooled(self, texts, progress: bool = False) -> Pooled:
        sums = self._rng.standard_normal((len(texts), 384)).astype(np.float32)
        return Pooled(sums, np.full(len(texts), 30, dtype=np.int64))


def article(rng: np.random.Generator, n: int) -> str:
    long, short = BODIES[n % len(BODIES)]
    name = NAMES[n % len(NAMES)]
    sentences = [f"{name}, the leader of the {long} ({short}), spoke on day {n}."]
    for _ in range(18):
        words = rng.choice(WORDS, rng.integers(10, 22)).tolist()
        if rng.random() < 0.3:
            words = ["She", "said", *words] if n % 2 else ["The", "union", "said", *words]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences) + "\n"


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def main() -> None:
    rng = np.random.default_rng(0)
    texts = [article(rng, n) for n in range(ARTICLES + ADDED)]
    stand_in = StandInEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for n, text in enumerate(texts[:ARTICLES]):
            (corpus / f"{n:05d}.txt").write_text(text)
        full = timed(lambda: build_index([corpus], index_dir, stand_in))
        unchanged = timed(lambda: build_index([corpus], index_dir, stand_in))
        for n in range(ARTICLES, ARTICLES + ADDED):
            (corpus / f"{n:05d}.txt").write_text(texts[n])
        snapshot = Path(tmp) / "before-adding"
        shutil.copytree(index_dir, snapshot)
        add = timed(lambda: build_index([corpus], index_dir, stand_in))
        (corpus / "00000.txt").unlink()
        remove = timed(lambda: build_index([corpus], index_dir, stand_in))
        (corpus / "00000.txt").write_text(texts[0])
        # As before this change: the 20 added, every article's text read again.
        manifest = json.loads((snapshot / MANIFEST).read_text())
        manifest["text_rules"] = "other-rules"
        (snapshot / MANIFEST).write_text(json.dumps(manifest))
        reread = timed(lambda: build_index([corpus], snapshot, stand_in))
    real = Embedder()
    new_sentences = [t[s:e] for t in texts[ARTICLES:] for s, e in split_sentences(t)]
    real.encode(["warm up"] * 8)
    real.encode_pooled(new_sentences[:16])
    encode_20 = timed(lambda: real.encode_pooled(new_sentences))
    print(f"Incremental builds over {ARTICLES:,} synthetic articles, {os.cpu_count()} cores\n")
    print("| build | seconds |\n| --- | ---: |")
    rows = [
        (f"first build of {ARTICLES:,} articles (stand-in vectors)", full),
        ("rebuild, nothing changed", unchanged),
        (f"add {ADDED} articles", add),
        ("remove 1 article", remove),
        (f"add {ADDED}, every article's text read again (as before)", reread),
        (
            f"real model: encoding the {ADDED} new articles' {len(new_sentences)} sentences",
            encode_20,
        ),
    ]
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    print(f"\nadd {ADDED} / first build: {add / full:.3f}; add / as before: {add / reread:.2f}")


if __name__ == "__main__":
    main()
