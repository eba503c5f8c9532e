"""Footnote's retrieval against the plain reference pipeline, on the same index and questions.

The reference: BM25 over unstemmed tokens plus MiniLM chunk vectors, fused by a weighted sum of
min-max normalised scores (dense weight 0.5) or by RRF (k=60). Footnote: stemmed BM25 and dense
scores that mix each chunk's vector with its best sentence's, at the calibrated weight.
Run: `.venv/bin/python scripts/reference_retrieval.py [DATASET]` (default: the SQuAD dev half).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation.corpus import open_eval_index  # noqa: E402
from bot.evaluation.datasets import load_dataset  # noqa: E402
from bot.evaluation.judge import passage_is_relevant  # noqa: E402
from bot.evaluation.metrics import hit_at_k, mrr_at_k  # noqa: E402
from bot.footnote import retrieve  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.shared_data import dev_half, require  # noqa: E402
from index import BM25Index, Embedder, rrf_fusion, tokenize, weighted_fusion  # noqa: E402

CANDIDATES = 50


def reference_ranking(index, bm25: BM25Index, question: str, vector, method: str) -> list[int]:
    """Chunk numbers, best first, as the reference pipeline ranks them."""
    scores, ids = index.dense.search(vector, CANDIDATES)
    dense = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
    top, top_scores = bm25.top(tokenize(question), CANDIDATES)
    sparse = {int(i): float(s) for i, s in zip(top, top_scores, strict=True) if s > 0}
    if method == "rrf":
        fused = rrf_fusion(
            sorted(dense, key=dense.get, reverse=True),
            sorted(sparse, key=sparse.get, reverse=True),
            60,
        )
    else:
        fused = weighted_fusion(dense, sparse, 0.5)
    return sorted(fused, key=lambda doc: -fused[doc])[:10]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else require(dev_half())
    settings = Settings.from_env()
    embedder = Embedder(settings.embedder)
    dataset = load_dataset(path)
    index, _ = open_eval_index(dataset, settings, embedder)
    questions = [q for q in dataset.questions if q.answerable]
    vectors = embedder.encode([q.question for q in questions], batch_size=128)
    bm25 = BM25Index.build([tokenize(c.text) for c in index.chunks])
    chunk_number = {c: n for n, c in enumerate(index.chunks)}

    def first_rank(q, ranking: list[int]) -> int | None:
        for rank, n in enumerate(ranking, start=1):
            c = index.chunks[n]
            if passage_is_relevant(q, c.article_id, c.start, c.end, c.text):
                return rank
        return None

    runs: dict[str, list[int | None]] = {
        "reference weighted 0.5": [],
        "reference RRF k=60": [],
        "Footnote (defaults)": [],
    }
    for q, v in zip(questions, vectors, strict=True):
        runs["reference weighted 0.5"].append(
            first_rank(q, reference_ranking(index, bm25, q.question, v, "weighted"))
        )
        runs["reference RRF k=60"].append(
            first_rank(q, reference_ranking(index, bm25, q.question, v, "rrf"))
        )
        hits = retrieve(index, q.question, v, settings, 10)
        runs["Footnote (defaults)"].append(first_rank(q, [chunk_number[h.chunk] for h in hits]))
    print(f"{dataset.name}: {len(questions)} answerable questions, {len(index.chunks)} chunks\n")
    print("| retrieval | hit@1 | hit@5 | MRR@10 |\n| --- | ---: | ---: | ---: |")
    for name, ranks in runs.items():
        print(
            f"| {name} | {hit_at_k(ranks, 1):.1%} | {hit_at_k(ranks, 5):.1%} "
            f"| {mrr_at_k(ranks, 10):.3f} |"
        )


if __name__ == "__main__":
    main()
