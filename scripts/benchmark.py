"""Speed and memory figures for the README: warm and cold ask (the reader included, k = 5),
a cold ask against importing torch + sentence-transformers + faiss, BM25 at 100k chunks and
the build rate.

Run with `make bench` (or `.venv/bin/python scripts/benchmark.py`). Prints a markdown table.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.footnote import Footnote  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.shared_data import dev_half, require  # noqa: E402
from index import Article, BM25Index, Embedder, build_index, chunk_article  # noqa: E402
from index.sentences import split_sentences  # noqa: E402

QUESTION = "When is the TUC day of protest?"
FOOTNOTE = Path(sys.executable).parent / "footnote"


def warm_ask(settings: Settings, embedder: Embedder) -> dict:
    engine = Footnote.open(settings, embedder=embedder)
    questions = [QUESTION, "Who leads the RCN?", "How many members does PCS have?"]
    for q in questions:
        engine.ask(q)  # first calls load models and warm caches
    times = []
    for _ in range(20):
        for q in questions:
            started = time.perf_counter()
            engine.ask(q)
            times.append((time.perf_counter() - started) * 1000)
    return {"warm ask p50 (ms)": statistics.median(times), "warm ask p95 (ms)": _p95(times)}


def cold_ask(index_dir: Path) -> dict:
    times, peaks = [], []
    env = {**os.environ, "FOOTNOTE_INDEX_DIR": str(index_dir)}
    for _ in range(3):
        started = time.perf_counter()
        out = subprocess.run(
            ["/usr/bin/time", "-f", "%M", str(FOOTNOTE), "ask", QUESTION, "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(time.perf_counter() - started)
        peaks.append(int(out.stderr.strip().splitlines()[-1]) / 1024)
        assert json.loads(out.stdout)["short_answer"], out.stdout
    imports = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import torch, sentence_transformers, faiss"], check=True
        )
        imports.append(time.perf_counter() - started)
    cold, baseline = statistics.median(times), statistics.median(imports)
    return {
        "cold `footnote ask` (s, median of 3)": cold,
        "import torch + sentence-transformers + faiss (s, median of 3)": baseline,
        "cold ask / those imports": cold / baseline,
        "cold ask peak RSS (MiB)": max(peaks),
    }


def bm25_100k() -> dict:
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(50_000)]
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    docs = [list(rng.choice(vocab, size=60, p=weights)) for _ in range(100_000)]
    started = time.perf_counter()
    bm25 = BM25Index.build(docs)
    build_s = time.perf_counter() - started
    queries = [list(rng.choice(vocab[:5000], size=6)) for _ in range(200)]
    times = []
    for q in queries:
        started = time.perf_counter()
        bm25.top(q, 10)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "BM25 build, 100k chunks (s)": build_s,
        "BM25 query p50, 100k chunks (ms)": statistics.median(times),
        "BM25 query p95, 100k chunks (ms)": _p95(times),
    }


def build_rate(embedder: Embedder) -> dict:
    """`build_index` over the 646 SQuAD paragraphs against the encoder floor on the same text.

    The floor is one pass of the model over every token of the corpus at its best batching:
    each article's tokens cut into full 256-token windows, sorted by length, the fastest of
    three batch sizes. What the build did before (chunks and sentences encoded one text a
    sequence) is timed too.
    """
    data = json.loads(require(dev_half()).read_text())
    articles = [
        Article(id=f"{a['title']}#{i}", text=p["context"])
        for a in data["data"]
        for i, p in enumerate(a["paragraphs"])
    ]
    words = sum(len(a.text.split()) for a in articles)
    embedder.encode(["warm up"] * 64)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for n, article in enumerate(articles):
            (folder / f"{n:04d}.txt").write_text(article.text)
        started = time.perf_counter()
        build_index([folder], Path(tmp) / "index", embedder)
        build_s = time.perf_counter() - started
    floor_s = min(_encoder_pass(embedder, articles, batch) for batch in (16, 32, 64))
    texts = [c.text for a in articles for c in chunk_article(a)]
    texts += [a.text[s:e] for a in articles for s, e in split_sentences(a.text)]
    started = time.perf_counter()
    embedder.encode(texts, batch_size=64)
    before_s = time.perf_counter() - started
    return {
        "build: words/s (646 SQuAD paragraphs)": words / build_s,
        "encoder floor: words/s": words / floor_s,
        "build time / encoder floor": build_s / floor_s,
        "encoding as before (chunks + sentences) / floor": before_s / floor_s,
    }


def _encoder_pass(embedder: Embedder, articles: list[Article], batch_size: int) -> float:
    """Seconds for one forward pass over every token of `articles` in 256-token windows."""
    import torch

    model = embedder._load()
    tokenizer, bert = model.tokenizer, model[0].auto_model
    body = 256 - 2
    windows = []
    for ids in tokenizer([a.text for a in articles], add_special_tokens=False)["input_ids"]:
        for start in range(0, len(ids), body):
            window = ids[start : start + body]
            windows.append([tokenizer.cls_token_id, *window, tokenizer.sep_token_id])
    windows.sort(key=len, reverse=True)
    started = time.perf_counter()
    with torch.inference_mode():
        for first in range(0, len(windows), batch_size):
            batch = windows[first : first + batch_size]
            width = len(batch[0])
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, window in enumerate(batch):
                ids[row, : len(window)] = torch.tensor(window)
                mask[row, : len(window)] = 1
            states = bert(input_ids=ids, attention_mask=mask).last_hidden_state
            (states * mask[..., None]).sum(1)  # the pooling a pass includes
    return time.perf_counter() - started


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", corpus=(ROOT / "seeds",))
        build_index(list(settings.corpus), settings.index_dir, embedder)
        figures = {**warm_ask(settings, embedder), **cold_ask(settings.index_dir)}
    figures |= bm25_100k()
    figures |= build_rate(embedder)
    figures["benchmark peak RSS (MiB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Footnote benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| measure | value |\n| --- | ---: |")
    for name, value in figures.items():
        print(f"| {name} | {value:,.2f} |")


if __name__ == "__main__":
    main()
