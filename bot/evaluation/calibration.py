"""Calibration: the fusion, sentence weights and abstention threshold, chosen held out by article.

Run it with `footnote eval --calibrate` or `python -m bot.evaluation.calibration`. Every figure
it prints for a choice is measured on folds of articles the choice was not made on.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bot.evaluation.datasets import (
    ANSWERABLE,
    NEAR_MISS,
    OUT_OF_CORPUS,
    UNANSWERABLE,
    Dataset,
    EvalQuestion,
    load_dataset,
    resolve_dataset_path,
)
from bot.evaluation.fitting import fit_logistic, fit_ranker, group_folds, pick, refusal_threshold
from bot.evaluation.judge import passage_answers, passage_is_relevant
from bot.evaluation.metrics import hit_at_k, mrr_at_k, share
from bot.evaluation.runner import RANK_DEPTH, Retriever, encode_questions, run_evaluation, search
from bot.sentence_scoring import FEATURES, ConfidenceWeights, Weights
from bot.settings import Settings

CALIBRATION_SETS = (Path("eval/squad2-dev-half.json"), Path("eval/seeds_qa.jsonl"))
DEFAULT_OUTPUT = Path("eval/calibration.json")
N_FOLDS = 4
# Share of out-of-corpus and off-topic questions to refuse. Not 1.0: the last percent of
# held-out SQuAD questions are generic ("What is not a problem?") or answered by an indexed
# article too, and refusing them all costs about a third of the answerable questions.
REFUSE_TARGET = 0.99
TRADEOFF_TARGETS = (0.95, 0.98, 0.99, 0.995, 1.0)
# Refused ~always: questions on articles not in the index, and off-topic ones. Near misses are
# reported, not fitted: refusing them all would refuse most answerable questions too.
MUST_REFUSE = (OUT_OF_CORPUS, UNANSWERABLE)

Note = Callable[[str], None]


@dataclass(frozen=True)
class Prepared:
    """One set, its index and its question vectors."""

    dataset: Dataset
    index: Any
    vectors: np.ndarray


@dataclass(frozen=True)
class Item:
    """One question's candidate sentences (as answering sees them) under the chosen retrieval."""

    source: str
    question: EvalQuestion
    fold: int
    features: np.ndarray  # (n, len(FEATURES))
    correct: np.ndarray  # (n,) the sentence holds a gold answer
    dense: float  # the top passage's dense score, a confidence input
    strict_refuse: bool  # refused under the strict policy (also a JSONL set's near misses)


def fusion_grid(settings: Settings) -> list[Retriever]:
    """Weighted fusion at dense weights 0.0, 0.1, ..., 1.0, and RRF."""
    grid = [Retriever(f"weighted@{w / 10:.1f}", "weighted", w / 10) for w in range(11)]
    return [*grid, Retriever(f"rrf@{settings.rrf_k}", "rrf", 0.5, settings.rrf_k)]


def run_calibration(args: argparse.Namespace, settings: Settings) -> int:
    """`footnote eval --calibrate`: print the chosen values and write them as JSON."""
    dataset = getattr(args, "dataset", None)
    result = calibrate(
        settings,
        paths=(dataset,) if dataset else CALIBRATION_SETS,
        cache_root=getattr(args, "cache_dir", None),
        limit=getattr(args, "limit", None),
        k=getattr(args, "k", None),
        refuse_target=getattr(args, "refuse_target", None) or REFUSE_TARGET,
    )
    out = args.out / "calibration.json" if getattr(args, "out", None) else _default_output()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {out}", file=sys.stderr)
    print(json.dumps(result, indent=2) if getattr(args, "json", False) else render(result))
    return 0


def calibrate(
    settings: Settings,
    *,
    paths: Sequence[Path] = CALIBRATION_SETS,
    cache_root: Path | None = None,
    limit: int | None = None,
    k: int | None = None,
    refuse_target: float = REFUSE_TARGET,
    note: Note | None = None,
) -> dict[str, Any]:
    """Choose the fusion, then the sentence weights, then the confidence model and threshold."""
    from index import Embedder

    note = note or (lambda text: print(text, file=sys.stderr))
    started = time.perf_counter()
    k = k or settings.k
    embedder = Embedder(settings.model)
    prepared = [_prepare(p, settings, embedder, cache_root, limit, note) for p in paths]
    folds = _folds(prepared)

    note("Choosing the fusion ...")
    hybrid, fusion_report = _choose_fusion(prepared, folds, settings)
    note(f"Collecting candidate sentences with {hybrid.name} ...")
    items = [
        item for p in prepared for item in _items(p, folds[p.dataset.name], hybrid, settings, k)
    ]
    note("Fitting the sentence weights ...")
    weights, fold_weights, sentence_report = _choose_sentence_weights(items)
    note("Fitting the confidence model and threshold ...")
    confidence, threshold, abstention_report = _choose_abstention(
        items, weights, fold_weights, refuse_target
    )

    chosen = settings.replace(
        fusion=hybrid.method,
        dense_weight=hybrid.dense_weight,
        rrf_k=hybrid.rrf_k,
        abstain_threshold=threshold,
        k=k,
    )
    note("Checking end to end with the chosen values ...")
    check = _check(prepared, chosen, embedder, hybrid, weights, confidence)
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": settings.model,
        "k": k,
        "folds": N_FOLDS,
        "refuse_target": refuse_target,
        "datasets": [
            {
                "name": p.dataset.name,
                "sha256": p.dataset.sha256,
                "questions": len(p.dataset.questions),
                "groups": p.dataset.counts(),
                "held_out_titles": list(p.dataset.held_out_titles),
                "attribution": p.dataset.attribution,
            }
            for p in prepared
        ],
        "settings": {
            "fusion": chosen.fusion,
            "dense_weight": chosen.dense_weight,
            "rrf_k": chosen.rrf_k,
            "abstain_threshold": threshold,
        },
        "sentence_weights": _named(FEATURES, weights),
        "confidence_weights": {
            f.name: _r(getattr(confidence, f.name), 4) for f in fields(ConfidenceWeights)
        },
        "fusion": fusion_report,
        "sentence_scoring": sentence_report,
        "abstention": abstention_report,
        "check": check,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- preparation -------------------------------------------------------------------------


def _prepare(
    path: Path,
    settings: Settings,
    embedder: Any,
    cache_root: Path | None,
    limit: int | None,
    note: Note,
) -> Prepared:
    from bot.evaluation.corpus import open_eval_index

    dataset = load_dataset(resolve_dataset_path(path)).sample(limit)
    index, _ = open_eval_index(dataset, settings, embedder, cache_root=cache_root, announce=note)
    note(f"Encoding {len(dataset.questions)} questions of {dataset.name} ...")
    return Prepared(dataset, index, encode_questions(embedder, dataset.questions))


def _folds(prepared: Sequence[Prepared]) -> dict[str, np.ndarray]:
    """Folds by article: a SQuAD title, a seed article; a question with no article on its own."""
    result = {}
    for p in prepared:
        strata, groups = [], []
        for q in p.dataset.questions:
            article = (q.article_id or "").split("#")[0]
            strata.append(f"{q.group == OUT_OF_CORPUS}:{bool(article)}")
            groups.append(article or q.id)
        result[p.dataset.name] = group_folds(strata, groups, N_FOLDS)
    return result


# --- fusion ------------------------------------------------------------------------------


def _choose_fusion(
    prepared: Sequence[Prepared], folds: dict[str, np.ndarray], settings: Settings
) -> tuple[Retriever, dict[str, Any]]:
    """The fusion with the best hit@5 over all sets' questions pooled, MRR@10 breaking near-ties.

    Pooled, not a mean of per-set figures: one of the seeds' 70 questions must not outweigh
    dozens of SQuAD's 2,184.
    """
    grid = fusion_grid(settings)
    # ranks[config][set] -> (first relevant rank per answerable question, their folds)
    ranks: dict[str, dict[str, tuple[list[int | None], np.ndarray]]] = {}
    for config in grid:
        ranks[config.name] = {}
        for p in prepared:
            answerable = [(i, q) for i, q in enumerate(p.dataset.questions) if q.answerable]
            found = [_first_rank(q, p.vectors[i], config, p.index, settings) for i, q in answerable]
            qfolds = folds[p.dataset.name][[i for i, _ in answerable]]
            ranks[config.name][p.dataset.name] = (found, qfolds)

    def score(name: str, keep: Callable[[int], bool]) -> tuple[float, float]:
        pooled = [
            r
            for found, qfolds in ranks[name].values()
            for r, f in zip(found, qfolds, strict=True)
            if keep(int(f))
        ]
        if not pooled:
            return (0.0, 0.0)
        return (round(hit_at_k(pooled, 5) or 0.0, 3), mrr_at_k(pooled, RANK_DEPTH) or 0.0)

    # Held out: each fold's questions ranked by the config that won on the other folds.
    held: dict[str, list[int | None]] = {p.dataset.name: [] for p in prepared}
    fold_choices = []
    for fold in range(N_FOLDS):

        def others(x: int, held: int = fold) -> bool:
            return x != held

        best = max(grid, key=lambda c: score(c.name, others))
        fold_choices.append(best.name)
        for name, (found, qfolds) in ranks[best.name].items():
            held[name] += [r for r, f in zip(found, qfolds, strict=True) if f == fold]
    chosen = max(grid, key=lambda c: score(c.name, lambda x: True))
    table = []
    for config in grid:
        row: dict[str, Any] = {"name": config.name}
        for name, (found, _) in ranks[config.name].items():
            row[name] = {"hit@5": _r(hit_at_k(found, 5)), "mrr@10": _r(mrr_at_k(found))}
        table.append(row)
    return chosen, {
        "chosen": chosen.name,
        "fold_choices": fold_choices,
        "held_out": {
            name: {"hit@5": _r(hit_at_k(found, 5)), "mrr@10": _r(mrr_at_k(found))}
            for name, found in held.items()
        },
        "grid": table,
    }


def _first_rank(
    q: EvalQuestion, vector: np.ndarray, config: Retriever, index: Any, settings: Settings
) -> int | None:
    hits = search(q.question, vector, config, index, settings, RANK_DEPTH)
    for rank, h in enumerate(hits, start=1):
        if passage_is_relevant(q, h.chunk.article_id, h.chunk.start, h.chunk.end, h.chunk.text):
            return rank
    return None


# --- candidate sentences -----------------------------------------------------------------


def _items(
    p: Prepared, folds: np.ndarray, hybrid: Retriever, settings: Settings, k: int
) -> list[Item]:
    items = []
    for i, q in enumerate(p.dataset.questions):
        hits = search(q.question, p.vectors[i], hybrid, p.index, settings, k)
        features, correct, dense = candidate_features(q, p.vectors[i], hits, p.index)
        strict = q.group in MUST_REFUSE or (q.group == NEAR_MISS and p.dataset.format == "jsonl")
        items.append(Item(p.dataset.name, q, int(folds[i]), features, correct, dense, strict))
    return items


def candidate_features(
    q: EvalQuestion, vector: np.ndarray, hits: Sequence[Any], index: Any
) -> tuple[np.ndarray, np.ndarray, float]:
    """The feature rows answering scores for `hits` (its own candidate_features), whether each
    candidate sentence holds a gold answer, and the top passage's dense score."""
    from bot.answering import candidate_features as answering_features

    found = answering_features(q.question, hits, index, vector)
    correct = np.array(
        [q.answerable and passage_answers(q, s.article_id, s.text) for s in found.sentences],
        dtype=bool,
    )
    return found.features, correct, float(found.top_dense)


# --- sentence weights --------------------------------------------------------------------


def _choose_sentence_weights(
    items: Sequence[Item],
) -> tuple[np.ndarray, list[np.ndarray], dict[str, Any]]:
    """Fitted (listwise, on the other folds) vs the hand-set defaults, by held-out accuracy."""
    answerable = [it for it in items if it.question.answerable]
    default = Weights().vector()
    scale = np.abs(default).sum()
    fold_weights = []
    for fold in range(N_FOLDS):
        train = [it for it in answerable if it.fold != fold]
        w = fit_ranker([it.features for it in train], [it.correct for it in train])
        fold_weights.append(w * scale / np.abs(w).sum())

    cosine_only = np.eye(len(FEATURES))[0]
    cosine_coverage = cosine_only + np.eye(len(FEATURES))[1]
    scorers: dict[str, Callable[[Item], np.ndarray]] = {
        "cosine": lambda it: cosine_only,
        "cosine+coverage": lambda it: cosine_coverage,
        "default": lambda it: default,
        "fitted": lambda it: fold_weights[it.fold],
    }
    accuracy = {
        name: _accuracy_by_source(answerable, weights_for) for name, weights_for in scorers.items()
    }
    fitted_wins = accuracy["fitted"]["all"] > accuracy["default"]["all"]
    all_w = fit_ranker([it.features for it in answerable], [it.correct for it in answerable])
    final = all_w * scale / np.abs(all_w).sum() if fitted_wins else default
    report = {
        "chosen": "fitted" if fitted_wins else "default",
        "held_out_accuracy": accuracy,
        "candidate_recall": _by_source(answerable, lambda it: bool(it.correct.any())),
        "default_weights": _named(FEATURES, default),
        "fitted_weights": _named(FEATURES, all_w * scale / np.abs(all_w).sum()),
        "note": "accuracy: the top-scored candidate sentence holds a gold answer, over all "
        "answerable questions; fitted weights come from the folds not scored; all weights "
        "are scaled to the defaults' L1 norm so citation_margin keeps its meaning",
    }
    return final, fold_weights if fitted_wins else [default] * N_FOLDS, report


def _accuracy_by_source(
    items: Sequence[Item], weights_for: Callable[[Item], np.ndarray]
) -> dict[str, float | None]:
    def right(it: Item) -> bool:
        return bool(len(it.features) and it.correct[pick(it.features, weights_for(it))])

    return _by_source(items, right)


# --- abstention --------------------------------------------------------------------------


def confidence_inputs() -> tuple[str, ...]:
    """The confidence model's inputs: its fields but the bias ("dense" or a FEATURES column)."""
    return tuple(f.name for f in fields(ConfidenceWeights) if f.name != "bias")


def _choose_abstention(
    items: Sequence[Item],
    weights: np.ndarray,
    fold_weights: Sequence[np.ndarray],
    target: float = REFUSE_TARGET,
) -> tuple[ConfidenceWeights, float, dict[str, Any]]:
    """The confidence model and threshold that refuse a `target` share of the out-of-corpus and
    off-topic questions of the training folds while refusing the fewest answerable ones."""
    # The sentence each answer would quote: picked with the weights fitted without the
    # question's fold for held-out figures, with the final weights for the final fit.
    held_best = [_best(it, fold_weights[it.fold]) for it in items]
    final_best = [_best(it, weights) for it in items]
    fold = np.array([it.fold for it in items])
    group = np.array([it.question.group for it in items])
    policies = {
        "main": np.isin(group, MUST_REFUSE),
        "strict": np.array([it.strict_refuse for it in items]),
    }
    has_candidates = np.array([b is not None for b in held_best])
    trainable = has_candidates & ((group == ANSWERABLE) | policies["main"])

    def fit_on(best: list[int | None], mask: np.ndarray) -> ConfidenceWeights:
        bias, coef = fit_logistic(_input_matrix(items, best)[mask], group[mask] == ANSWERABLE)
        named = dict(zip(confidence_inputs(), map(float, coef), strict=True))
        return ConfidenceWeights(bias, **named)

    zero = dict.fromkeys(confidence_inputs(), 0.0)
    models: dict[str, Callable[[list[int | None], np.ndarray], ConfidenceWeights]] = {
        # the reference: the best sentence's cosine alone (a steep sigmoid keeps it monotone)
        "cosine": lambda best, mask: ConfidenceWeights(0.0, **{**zero, "cosine": 10.0}),
        "default": lambda best, mask: ConfidenceWeights(),
        "fitted": fit_on,
    }
    # Each fold's confidences under the model fitted without it (fixed models fit nothing).
    fold_confidence = {
        name: [
            _confidences(model_for(held_best, trainable & (fold != f)), items, held_best)
            for f in range(N_FOLDS)
        ]
        for name, model_for in models.items()
    }

    def held_out(name: str, refuse: np.ndarray, share_to_refuse: float) -> dict[str, Any]:
        answered = np.zeros(len(items), dtype=bool)
        thresholds = []
        for f, confidence in enumerate(fold_confidence[name]):
            train = fold != f
            threshold = refusal_threshold(confidence[train & refuse], share_to_refuse)
            thresholds.append(threshold)
            answered[~train] = confidence[~train] >= threshold
        figures = _abstention_figures(items, answered, held_best, refuse)
        return {**figures, "fold_thresholds": thresholds}

    by_model = {
        name: {policy: held_out(name, refuse, target) for policy, refuse in policies.items()}
        for name in models
    }
    chosen = _pick_abstention({name: figures["main"] for name, figures in by_model.items()}, target)
    model = models[chosen](final_best, trainable)
    confidence = _confidences(model, items, final_best)
    threshold = refusal_threshold(confidence[policies["main"]], target)
    tradeoff = []
    for share_to_refuse in TRADEOFF_TARGETS:
        figures = held_out(chosen, policies["main"], share_to_refuse)
        tradeoff.append(
            {
                "refuse_target": share_to_refuse,
                "threshold": refusal_threshold(confidence[policies["main"]], share_to_refuse),
                "held_out": {key: figures[key] for key in _TRADEOFF_KEYS},
            }
        )
    report: dict[str, Any] = {
        "chosen": chosen,
        "held_out": by_model,
        "in_sample": _abstention_figures(
            items, confidence >= threshold, final_best, policies["main"]
        ),
        "tradeoff": tradeoff,
        "strict_threshold": refusal_threshold(confidence[policies["strict"]], target),
        "note": "answered = confidence >= threshold. Policy 'main' refuses a refuse_target "
        "share of the out-of-corpus (held-out SQuAD titles) and off-topic questions of the "
        "training folds; 'strict' also the near misses of the JSONL sets (the seeds' "
        "unanswerable_near_miss). SQuAD's is_impossible near misses are reported, never "
        "fitted. Each fold's model and threshold come from the other folds.",
    }
    if chosen == "cosine":
        report["cosine_threshold"] = _r(-math.log(1 / threshold - 1) / 10, 4)
    return model, threshold, report


_TRADEOFF_KEYS = (
    "answerable_answered",
    "answered_accuracy",
    "out_of_corpus_refused",
    "unanswerable_refused",
    "near_miss_refused",
)


def _best(it: Item, weights: np.ndarray) -> int | None:
    """The candidate answering would quote, or None when nothing was retrieved."""
    return pick(it.features, weights) if len(it.features) else None


def _input_matrix(items: Sequence[Item], best: Sequence[int | None]) -> np.ndarray:
    columns = [None if name == "dense" else FEATURES.index(name) for name in confidence_inputs()]
    x = np.full((len(items), len(columns)), np.nan)
    for i, (it, b) in enumerate(zip(items, best, strict=True)):
        if b is not None:
            x[i] = [it.dense if c is None else it.features[b, c] for c in columns]
    return x


def _confidences(
    model: ConfidenceWeights, items: Sequence[Item], best: Sequence[int | None]
) -> np.ndarray:
    """What answering computes as Answer.confidence; 0 where it has no candidate at all."""
    return np.array(
        [
            0.0 if b is None else model.confidence(it.features[b], it.dense)
            for it, b in zip(items, best, strict=True)
        ]
    )


def _abstention_figures(
    items: Sequence[Item],
    answered: np.ndarray,
    best: Sequence[int | None],
    refuse: np.ndarray,
) -> dict[str, Any]:
    group = np.array([it.question.group for it in items])
    answerable = group == ANSWERABLE
    right = np.array(
        [b is not None and bool(it.correct[b]) for it, b in zip(items, best, strict=True)]
    )

    def refused(mask: np.ndarray) -> float | None:
        return _r(share(list(~answered[mask])))

    by_set = {}
    for source in dict.fromkeys(it.source for it in items):
        mine = np.array([it.source == source for it in items])
        by_set[source] = {
            "answerable_answered": _r(share(list(answered[mine & answerable]))),
            "refusable_refused": refused(mine & ~answerable),
        }
    return {
        "answerable_answered": _r(share(list(answered[answerable]))),
        "answered_accuracy": _r(share(list(right[answerable & answered]))),
        "must_refuse_refused": refused(refuse),
        "out_of_corpus_refused": refused(group == OUT_OF_CORPUS),
        "unanswerable_refused": refused(group == UNANSWERABLE),
        "near_miss_refused": refused(group == NEAR_MISS),
        "by_set": by_set,
    }


def _pick_abstention(held_out: dict[str, dict[str, Any]], target: float) -> str:
    """The most answerable questions answered among models that refused (about) the target."""
    refusing = [n for n, f in held_out.items() if (f["must_refuse_refused"] or 0) >= target - 0.01]
    if refusing:
        return max(refusing, key=lambda n: held_out[n]["answerable_answered"] or 0)
    return max(held_out, key=lambda n: held_out[n]["must_refuse_refused"] or 0)


# --- end-to-end check --------------------------------------------------------------------


def _check(
    prepared: Sequence[Prepared],
    settings: Settings,
    embedder: Any,
    hybrid: Retriever,
    weights: np.ndarray,
    confidence: ConfidenceWeights,
) -> dict[str, Any]:
    """The chosen values run through answer_question itself (in sample: a sanity check)."""
    from bot.evaluation.summary import summarize

    options = {"weights": Weights.from_vector(weights), "confidence_weights": confidence}
    result = {}
    for p in prepared:
        run = run_evaluation(
            p.dataset,
            p.index,
            embedder,
            settings,
            [Retriever("hybrid", hybrid.method, hybrid.dense_weight, hybrid.rrf_k)],
            index_dir=p.index.path,
            answer_options=options,
        )
        figures = summarize(run, settings)["retrievers"]["hybrid"]
        result[p.dataset.name] = {
            "retrieval": {k: v for k, v in figures["retrieval"].items() if k != "hit@k"},
            "answers": figures["answers"],
            "abstention": figures["abstention"],
        }
    return result


# --- output ------------------------------------------------------------------------------


def render(result: dict[str, Any]) -> str:
    """The chosen values and their held-out figures, for a terminal."""
    s = result["settings"]
    fusion = result["fusion"]
    sentence = result["sentence_scoring"]
    abstention = result["abstention"]
    held = abstention["held_out"]
    lines = [
        f"Calibration (held out by article, {result['folds']} folds; {result['seconds']:.0f} s)",
        "",
        f"fusion: {s['fusion']}"
        + (f", dense_weight={s['dense_weight']}" if s["fusion"] == "weighted" else "")
        + (f", rrf_k={s['rrf_k']}" if s["fusion"] == "rrf" else ""),
    ]
    for name, figures in fusion["held_out"].items():
        lines.append(
            f"  held-out {name}: hit@5 {_pct(figures['hit@5'])}, MRR@10 {figures['mrr@10']}"
        )
    lines += ["", f"sentence weights: {sentence['chosen']}"]
    lines.append("  " + ", ".join(f"{k}={v}" for k, v in result["sentence_weights"].items()))
    for name, figures in sentence["held_out_accuracy"].items():
        cells = ", ".join(f"{src} {_pct(v)}" for src, v in figures.items())
        lines.append(f"  held-out answer-sentence accuracy, {name}: {cells}")
    cells = ", ".join(f"{src} {_pct(v)}" for src, v in sentence["candidate_recall"].items())
    lines.append(f"  candidate recall: {cells}")
    lines += [
        "",
        f"abstention: {abstention['chosen']} confidence, "
        f"abstain_threshold={s['abstain_threshold']}",
        "  " + ", ".join(f"{k}={v}" for k, v in result["confidence_weights"].items()),
    ]
    for name, by_policy in held.items():
        for policy, f in by_policy.items():
            lines.append(
                f"  held-out {name} ({policy}): answerable answered "
                f"{_pct(f['answerable_answered'])} (right {_pct(f['answered_accuracy'])}); "
                f"refused: out of corpus {_pct(f['out_of_corpus_refused'])}, off topic "
                f"{_pct(f['unanswerable_refused'])}, near misses {_pct(f['near_miss_refused'])}"
            )
    lines.append(
        f"  strict policy threshold (also refusing the seeds' near misses): "
        f"{abstention['strict_threshold']}"
    )
    lines.append(f"  trade-off ({abstention['chosen']} confidence, held out):")
    for row in abstention["tradeoff"]:
        f = row["held_out"]
        lines.append(
            f"    refuse {row['refuse_target'] * 100:g}% -> threshold {row['threshold']}: "
            f"answered {_pct(f['answerable_answered'])} (right {_pct(f['answered_accuracy'])}), "
            f"out of corpus refused {_pct(f['out_of_corpus_refused'])}, near misses refused "
            f"{_pct(f['near_miss_refused'])}"
        )
    lines += ["", "end to end with these values (in sample):"]
    for name, figures in result["check"].items():
        a, ab = figures["answers"], figures["abstention"]
        lines.append(
            f"  {name}: hit@5 {_pct(figures['retrieval']['hit@5'])}, sentence accuracy "
            f"{_pct(a['sentence_accuracy'])}, F1 {_pct(a['f1'])}, answered "
            f"{_pct(ab['answerable_answered'])}, quote in citation {_pct(a['quote_in_citation'])}"
        )
    return "\n".join(lines)


def _default_output() -> Path:
    try:
        return resolve_dataset_path(CALIBRATION_SETS[-1]).parent / DEFAULT_OUTPUT.name
    except Exception:
        return DEFAULT_OUTPUT


def _by_source(items: Sequence[Item], flag: Callable[[Item], bool]) -> dict[str, float | None]:
    result = {"all": _r(share([flag(it) for it in items]))}
    for source in dict.fromkeys(it.source for it in items):
        result[source] = _r(share([flag(it) for it in items if it.source == source]))
    return result


def _named(names: Sequence[str], values: np.ndarray) -> dict[str, float]:
    return {n: round(float(v), 4) for n, v in zip(names, values, strict=True)}


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.evaluation.calibration [--out DIR] [--limit N] [--json]`."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bot.evaluation.command import add_eval_arguments
    from index.errors import FootnoteError

    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.calibration")
    add_eval_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_calibration(args, Settings.from_env().replace(k=args.k))
    except FootnoteError as error:
        print(f"footnote: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
