"""`footnote eval` end to end, the runner on the seeds, the SQuAD path and calibration."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.evaluation.command import add_eval_arguments, run_eval
from bot.evaluation.datasets import NEAR_MISS, OUT_OF_CORPUS, load_dataset

ROOT = Path(__file__).resolve().parent.parent
SEEDS_QA = ROOT / "eval" / "seeds_qa.jsonl"
SQUAD = ROOT / "eval" / "squad2-dev-half.json"


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture(scope="module")
def mini_squad(tmp_path_factory) -> Path:
    """Two paragraphs of each of the first eight SQuAD titles: two of them held out."""
    doc = json.loads(SQUAD.read_text(encoding="utf-8"))
    doc["data"] = [
        {"title": entry["title"], "paragraphs": entry["paragraphs"][:2]}
        for entry in doc["data"][:8]
    ]
    path = tmp_path_factory.mktemp("squad") / "mini-squad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_eval_json_end_to_end(seeds_index_dir, tmp_path):
    """The console entry point prints one JSON object and writes the three report files."""
    out = tmp_path / "report"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "bot.cli", "--index-dir", str(seeds_index_dir), "eval"]
    result = subprocess.run(
        [*command, "--json", "--retriever", "all", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert summary["dataset"]["name"] == "seeds_qa"
    assert summary["dataset"]["groups"]["answerable"] >= 50
    assert list(summary["retrievers"]) == ["bm25", "dense", "hybrid"]
    for figures in summary["retrievers"].values():
        retrieval, answers = figures["retrieval"], figures["answers"]
        assert 0 <= retrieval["hit@1"] <= retrieval["hit@3"] <= retrieval["hit@5"] <= 1
        assert len(retrieval["hit@k"]) == 10 and retrieval["hit@k"] == sorted(retrieval["hit@k"])
        assert 0 < retrieval["mrr@10"] <= 1
        assert answers["quote_in_citation"] == 1.0  # every quote lies inside its citation
        assert answers["sentence_accuracy"] <= answers["candidate_recall"]
        assert {"answerable_answered", "unanswerable_abstained", "near_miss_abstained"} <= set(
            figures["abstention"]
        )
        assert figures["latency_ms"]["answer"]["p50"] <= figures["latency_ms"]["answer"]["p95"]
        assert figures["questions_per_second"] > 0
    hit5 = {name: f["retrieval"]["hit@5"] for name, f in summary["retrievers"].items()}
    assert hit5["hybrid"] >= min(hit5["bm25"], hit5["dense"])
    assert json.loads((out / "report.json").read_text()) == summary
    assert "| hit@5 |" in (out / "report.md").read_text()
    assert (out / "hitk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = (out / "questions.jsonl").read_text().splitlines()
    assert len(lines) == 3 * summary["dataset"]["questions"]
    assert {"retriever", "question", "gold", "rank", "answered", "f1"} <= set(json.loads(lines[0]))


def test_a_missing_dataset_is_a_plain_error(seeds_index_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "eval", "--dataset", str(tmp_path / "none.jsonl")],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "No evaluation set" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_squad_set_is_indexed_once_in_the_cache(mini_squad, settings, tmp_path, capsys):
    cache = tmp_path / "cache"
    args = _args("--dataset", str(mini_squad), "--retriever", "hybrid", "--json")
    args.cache_dir = cache
    assert run_eval(args, settings) == 0
    first = capsys.readouterr()
    summary = json.loads(first.out)
    assert "Building the evaluation index" in first.err
    index_dir = Path(summary["index"]["dir"])
    assert index_dir.parent.parent == cache and summary["index"]["articles"] == 12
    assert summary["dataset"]["held_out_titles"] == ["Steam_engine", "Harvard_University"]
    groups = summary["dataset"]["groups"]
    assert groups[OUT_OF_CORPUS] > 0 and groups[NEAR_MISS] > 0
    hybrid = summary["retrievers"]["hybrid"]
    assert hybrid["retrieval"]["hit@5"] > 0.8  # offsets make a hit: gold paragraph and span
    assert hybrid["answers"]["quote_in_citation"] == 1.0
    assert hybrid["abstention"]["out_of_corpus_abstained"] is not None
    assert summary["dataset"]["attribution"].startswith("SQuAD 2.0")

    manifest = (index_dir / "manifest.json").stat().st_mtime_ns
    assert run_eval(args, settings) == 0
    second = capsys.readouterr()
    assert "Building" not in second.err  # the second run reuses the cached index
    assert (index_dir / "manifest.json").stat().st_mtime_ns == manifest
    again = json.loads(second.out)["retrievers"]["hybrid"]
    assert again["retrieval"] == hybrid["retrieval"]


def test_calibration_features_are_what_answering_scores(settings, embedder, engine):
    """Calibration refits on answering's candidate_features: the sentence and confidence it
    predicts with the default weights must be the ones answer_question produces."""
    from bot.answering import answer_question, candidate_features
    from bot.evaluation.calibration import Item, _best, _confidences
    from bot.sentence_scoring import ConfidenceWeights, Weights

    index = engine.index
    always = settings.replace(abstain_threshold=0.0)  # answer everything: compare the pick
    questions = load_dataset(SEEDS_QA).questions[:20]
    vectors = embedder.encode([q.question for q in questions])
    for q, vector in zip(questions, vectors, strict=True):
        hits = index.searcher.search(q.question, settings.k, query_vector=vector)
        found = candidate_features(q.question, hits, index, vector)
        none_right = np.zeros(len(found.features), dtype=bool)
        item = Item("seeds", q, 0, found.features, none_right, found.top_dense, False)
        best = _best(item, Weights().vector())
        predicted = _confidences(ConfidenceWeights(), [item], [best])[0]
        answer = answer_question(q.question, hits, index, embedder, always, question_vector=vector)
        assert answer.confidence == pytest.approx(predicted, abs=1e-9)
        assert found.sentences[best].text in answer.answer


def test_calibration_writes_its_choices(mini_squad, settings, tmp_path):
    from bot.evaluation.calibration import calibrate, render

    result = calibrate(
        settings, paths=(mini_squad, SEEDS_QA), cache_root=tmp_path / "cache", note=lambda _: None
    )
    chosen = result["settings"]
    assert chosen["fusion"] in {"weighted", "rrf"}
    assert 0.0 <= chosen["dense_weight"] <= 1.0
    assert 0.0 <= chosen["abstain_threshold"] <= 1.0
    assert len(result["fusion"]["grid"]) == 12
    assert set(result["sentence_scoring"]["held_out_accuracy"]) == {
        "cosine",
        "cosine+coverage",
        "default",
        "fitted",
    }
    held = result["abstention"]["held_out"][result["abstention"]["chosen"]]["main"]
    assert held["answerable_answered"] is not None
    # in sample, the chosen threshold refuses the target share of out-of-corpus and off-topic
    assert result["refuse_target"] == 0.99
    assert result["abstention"]["in_sample"]["must_refuse_refused"] >= 0.99
    tradeoff = result["abstention"]["tradeoff"]
    thresholds = [row["threshold"] for row in tradeoff]
    assert thresholds == sorted(thresholds) and tradeoff[-1]["refuse_target"] == 1.0
    check = result["check"]
    assert set(check) == {"mini-squad", "seeds_qa"}
    assert all(c["answers"]["quote_in_citation"] in (1.0, None) for c in check.values())
    assert "abstain_threshold" in render(result)
    assert np.isfinite(list(result["sentence_weights"].values())).all()
