"""Does the headline or the lead deserve its own weight in retrieval? (issue 23, item 7)

Scores hybrid retrieval alone (hit@1, hit@5, MRR@10 of the answerable questions, and of those
the reader never trained on) on an eval set, as it is and with each variant swapped into the
opened index's searcher, so no index is rebuilt per variant:

- bm25tN: each chunk's BM25 document gets its article's title words N times over (a title field).
- denseA: each chunk vector becomes normalise(chunk + A * title vector), as if the title were
  part of every passage the dense side sees.
- bothN/A: the two together.
- leadB: a chunk that opens its article gets B added to its fused score (the lead paragraph).

    python scripts/title_weight.py seeds
    python scripts/title_weight.py squad2-dev-half.json bm25t1,bm25t2,dense0.2
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

VARIANTS = "base,bm25t1,bm25t2,dense0.1,dense0.2,dense0.35,both1/0.2,lead0.05,lead0.1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="seeds, or a set footnote eval --dataset takes")
    parser.add_argument("variants", nargs="?", default=VARIANTS, help=f"default {VARIANTS}")
    args = parser.parse_args()

    from bot.evaluation.corpus import open_eval_index
    from bot.evaluation.datasets import load_dataset, resolve_dataset_path
    from bot.evaluation.runner import encode_questions, held_out_of_reader
    from bot.footnote import load_reader
    from bot.settings import Settings
    from index import Embedder
    from index.tokens import terms

    settings = Settings.from_env()
    name = "eval/seeds_qa.jsonl" if args.dataset == "seeds" else args.dataset
    dataset = load_dataset(resolve_dataset_path(name))
    embedder = Embedder(settings.embedder)
    index, where = open_eval_index(dataset, settings, embedder, announce=print)
    questions = [q for q in dataset.questions if q.answerable]
    held = {q.id for q in held_out_of_reader(dataset, load_reader(settings)).questions}
    vectors = encode_questions(embedder, questions)
    titles = [index.articles[c.article_id].title or "" for c in index.chunks]
    named = sorted(set(titles) - {""})
    by_title = dict(zip(named, embedder.encode(named), strict=True)) if named else {}
    zero = np.zeros(index.dense.dim, dtype=np.float32)
    title_vectors = np.stack([by_title.get(t, zero) for t in titles]).astype(np.float32)
    parts = Parts(
        chunk_terms=[terms(c.text) for c in index.chunks],
        title_terms=[terms(t) for t in titles],
        chunk_vectors=index.dense.vectors().astype(np.float32),
        title_vectors=title_vectors,
    )
    print(f"{where}: {len(index.articles)} articles, {len(index.chunks)} chunks, ", end="")
    print(f"{len(named)} titles; {len(questions)} answerable questions, {len(held)} held out")
    searcher = index.searcher
    original = searcher.sparse, searcher.dense
    for variant in args.variants.split(","):
        searcher.sparse, searcher.dense, lead = swap(variant, parts, *original)
        figures = score(questions, vectors, index, settings, lead, held)
        print(f"{variant:<12}", "   ".join(figures))
    return 0


class Parts:
    """What the variants are made from: each chunk's terms and vector, and its title's."""

    def __init__(self, **parts) -> None:
        self.__dict__.update(parts)


def swap(variant: str, parts: Parts, sparse, dense):
    """(BM25 index, dense index, lead bonus) for `variant`."""
    from index.dense import DenseIndex
    from index.sparse import BM25Index

    def bm25(times: int):
        docs = [t * times + c for t, c in zip(parts.title_terms, parts.chunk_terms, strict=True)]
        return BM25Index.build(docs)

    def mixed(share: float):
        m = parts.chunk_vectors + share * parts.title_vectors
        return DenseIndex.build(m / np.linalg.norm(m, axis=1, keepdims=True), m.shape[1], "flat")

    if variant.startswith("bm25t"):
        return bm25(int(variant[5:])), dense, 0.0
    if variant.startswith("dense"):
        return sparse, mixed(float(variant[5:])), 0.0
    if variant.startswith("both"):
        times, share = variant[4:].split("/")
        return bm25(int(times)), mixed(float(share)), 0.0
    if variant.startswith("lead"):
        return sparse, dense, float(variant[4:])
    return sparse, dense, 0.0


def score(questions, vectors, index, settings, lead: float, held: set[str]) -> list[str]:
    from bot.evaluation.judge import passage_is_relevant
    from bot.evaluation.metrics import first_relevant_rank, hit_at_k, mrr_at_k
    from bot.evaluation.runner import RANK_DEPTH, Retriever, search

    hybrid = Retriever("hybrid", settings.fusion, settings.dense_weight, settings.rrf_k)
    ranks = []
    for q, vector in zip(questions, vectors, strict=True):
        depth = settings.candidates if lead else RANK_DEPTH
        hits = search(q.question, vector, hybrid, index, settings, depth, as_of=q.asked_at)
        if lead:
            hits = sorted(hits, key=lambda h: -(h.score + lead * (h.chunk.start == 0)))
        relevant = (
            passage_is_relevant(q, h.chunk.article_id, h.chunk.start, h.chunk.end, h.chunk.text)
            for h in hits[:RANK_DEPTH]
        )
        ranks.append((q.id, first_relevant_rank(relevant)))
    out = []
    for label, kept in (("all", ranks), ("held out", [r for r in ranks if r[0] in held])):
        found = [rank for _, rank in kept]
        hit1 = 100 * (hit_at_k(found, 1) or 0.0)
        hit5 = 100 * (hit_at_k(found, 5) or 0.0)
        mrr = mrr_at_k(found, RANK_DEPTH) or 0.0
        out.append(f"{label} ({len(found)}): {hit1:.2f} / {hit5:.2f} / {mrr:.3f}")
    return out


if __name__ == "__main__":
    sys.exit(main())
