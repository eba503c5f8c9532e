"""Turning per-question outcomes into the report's figures: one plain dict, ready for JSON."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bot.evaluation.datasets import ANSWERABLE, NEAR_MISS, OUT_OF_CORPUS, UNANSWERABLE
from bot.evaluation.metrics import hit_at_k, mean, mrr_at_k, percentile, share
from bot.evaluation.runner import RANK_DEPTH, EvalRun, Outcome, RetrieverRun
from bot.settings import Settings


def summarize(run: EvalRun, settings: Settings) -> dict[str, Any]:
    """Every figure of one evaluation run, keyed by retriever."""
    dataset = run.dataset
    n = len(dataset.questions)
    return {
        "dataset": {
            "name": dataset.name,
            "path": str(dataset.path),
            "format": dataset.format,
            "sha256": dataset.sha256,
            "questions": n,
            "asked_at": sum(q.asked_at is not None for q in dataset.questions),
            "groups": dataset.counts(),
            "held_out_titles": list(dataset.held_out_titles),
            "reader_trained_on": list(dataset.reader_trained_on),
            "attribution": dataset.attribution,
        },
        "index": {
            "dir": str(run.index_dir),
            "articles": run.index_articles,
            "chunks": run.index_chunks,
        },
        "settings": {
            "k": run.k,
            "model": settings.embedder,
            "fusion": settings.fusion,
            "dense_weight": settings.dense_weight,
            "rrf_k": settings.rrf_k,
            "candidates": settings.candidates,
            "abstain_threshold": settings.abstain_threshold,  # None: the model's own
            "reader": settings.reader or "bot/models/reader",
            "chunk_words": settings.chunk_words,
            "chunk_overlap_sentences": settings.chunk_overlap_sentences,
        },
        "timing": {
            "seconds": _round(run.seconds, 2),
            "encode_seconds": _round(run.encode_seconds, 2),
            "encode_ms_per_question": _round(run.encode_seconds * 1000 / n if n else None, 2),
        },
        "retrievers": {
            r.retriever.name: summarize_retriever(r, run.encode_seconds / n if n else 0.0)
            for r in run.runs
        },
    }


def summarize_retriever(run: RetrieverRun, encode_seconds_each: float = 0.0) -> dict[str, Any]:
    """The figures of one retriever. Shares are fractions; None where a group is empty."""
    outcomes = run.outcomes
    answerable = _group(outcomes, ANSWERABLE)
    answered = [o for o in answerable if o.answered]
    ranks = [o.rank for o in answerable]
    # A question's retrieval latency includes its share of the batched question encoding.
    retrieve_ms = [o.search_ms + encode_seconds_each * 1000 for o in outcomes]
    answer_ms = [o.answer_ms for o in outcomes]
    total_seconds = run.seconds + encode_seconds_each * len(outcomes)
    return {
        "method": run.retriever.method,
        "dense_weight": run.retriever.dense_weight if run.retriever.method == "weighted" else None,
        "rrf_k": run.retriever.rrf_k if run.retriever.method == "rrf" else None,
        "retrieval": {
            "questions": len(answerable),
            "hit@1": _round(hit_at_k(ranks, 1)),
            "hit@3": _round(hit_at_k(ranks, 3)),
            "hit@5": _round(hit_at_k(ranks, 5)),
            "mrr@10": _round(mrr_at_k(ranks, RANK_DEPTH)),
            "hit@k": [_round(hit_at_k(ranks, k)) for k in range(1, RANK_DEPTH + 1)],
        },
        "answers": {
            "questions": len(answerable),
            "answered": len(answered),
            "candidate_recall": _round(share([bool(o.candidate_hit) for o in answerable])),
            "sentence_accuracy": _round(share([bool(o.sentence_correct) for o in answerable])),
            "sentence_accuracy_answered": _round(
                share([bool(o.sentence_correct) for o in answered])
            ),
            "em": _round(mean([o.em for o in answerable])),
            "f1": _round(mean([o.f1 for o in answerable])),
            "em_answered": _round(mean([o.em for o in answered])),
            "f1_answered": _round(mean([o.f1 for o in answered])),
            "short_answer_share": _round(share([o.short_answer is not None for o in answered])),
            "quote_in_citation": _round(share([bool(o.quote_ok) for o in outcomes if o.answered])),
            "right_article": _round(_right_article(answerable)),
        },
        # Hits and citations dated after their question's asked_at, over every question: 0.
        "later_evidence": sum(o.later_evidence for o in outcomes),
        "abstention": {
            "answerable_answered": _round(share([o.answered for o in answerable])),
            "near_miss_abstained": _abstained(_group(outcomes, NEAR_MISS)),
            "unanswerable_abstained": _abstained(_group(outcomes, UNANSWERABLE)),
            "out_of_corpus_abstained": _abstained(_group(outcomes, OUT_OF_CORPUS)),
            "all_refusable_abstained": _abstained([o for o in outcomes if o.group != ANSWERABLE]),
        },
        "overall": {
            # SQuAD v2 style over every question: refusing a question to refuse scores 1.
            "em": _round(mean([o.em for o in outcomes])),
            "f1": _round(mean([o.f1 for o in outcomes])),
        },
        "latency_ms": {
            "retrieve": {
                "p50": _ms(percentile(retrieve_ms, 50)),
                "p95": _ms(percentile(retrieve_ms, 95)),
            },
            "answer": {
                "p50": _ms(percentile(answer_ms, 50)),
                "p95": _ms(percentile(answer_ms, 95)),
            },
        },
        "questions_per_second": _round(len(outcomes) / total_seconds if total_seconds else None, 1),
        "by_type": _by_type(outcomes),
    }


def _group(outcomes: Sequence[Outcome], group: str) -> list[Outcome]:
    return [o for o in outcomes if o.group == group]


def _right_article(outcomes: Sequence[Outcome]) -> float | None:
    """Share answered from the gold article: in a dated set, the report of the right period."""
    return share([bool(o.right_article) for o in outcomes if o.right_article is not None])


def _abstained(outcomes: Sequence[Outcome]) -> float | None:
    return _round(share([not o.answered for o in outcomes]))


def _by_type(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.type or o.group].append(o)
    result = {}
    for name, members in sorted(groups.items()):
        answerable = [o for o in members if o.group == ANSWERABLE]
        result[name] = {
            "questions": len(members),
            "answered": _round(share([o.answered for o in members])),
            "sentence_accuracy": _round(share([bool(o.sentence_correct) for o in answerable])),
            "right_article": _round(_right_article(answerable)),
            "f1": _round(mean([o.f1 for o in members])),
        }
    return result


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _ms(value: float | None) -> float | None:
    return _round(value, 2)


__all__ = ["summarize", "summarize_retriever"]
