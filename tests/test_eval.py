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
from tests.conftest import need_shared

ROOT = Path(__file__).resolve().parent.parent
SEEDS_QA = ROOT / "eval" / "seeds_qa.jsonl"


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    return parser.parse_args(argv)


def squad_subset(squad: Path, folder: Path, name: str, titles: int) -> Path:
    """Two paragraphs of each of the first `titles` titles of `squad`, as a SQuAD file."""
    doc = json.loads(squad.read_text(encoding="utf-8"))
    doc["data"] = [
        {"title": entry["title"], "paragraphs": entry["paragraphs"][:2]}
        for entry in doc["data"][:titles]
    ]
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mini_squad(tmp_path_factory, squad_dev_half) -> Path:
    """Eight titles: two of them held out of the index."""
    return squad_subset(squad_dev_half, tmp_path_factory.mktemp("squad"), "mini-squad", 8)


def test_eval_json_end_to_end(seeds_index_dir, tmp_path):
    """The console entry point prints one JSON object and writes the three report files."""
    out = tmp_path / "report"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [
        sys.executable,
        "-m",
        "bot.frontends.cli",
        "--index-dir",
        str(seeds_index_dir),
        "eval",
    ]
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
        [
            sys.executable,
            "-m",
            "bot.frontends.cli",
            "eval",
            "--dataset",
            str(tmp_path / "none.jsonl"),
        ],
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


@pytest.fixture(scope="module")
def held_out_squad(tmp_path_factory, squad_dev_half) -> Path:
    """Twelve titles, four of which the reader held out of training."""
    folder = tmp_path_factory.mktemp("squad12")
    return squad_subset(squad_dev_half, folder, "held-out-squad", 12)


def test_eval_scores_only_questions_on_articles_the_reader_did_not_train_on(
    mini_squad, settings, engine, tmp_path, capsys
):
    args = _args("--dataset", str(mini_squad), "--retriever", "hybrid", "--json")
    args.cache_dir = tmp_path / "cache"
    assert run_eval(args, settings) == 0
    summary = json.loads(capsys.readouterr().out)
    trained = set(summary["dataset"]["reader_trained_on"])
    assert trained and trained <= set(engine.reader.trained_on)
    full = load_dataset(mini_squad)
    kept = [q for q in full.questions if q.article_id.split("#")[0] not in trained]
    assert summary["dataset"]["questions"] == len(kept) < len(full.questions)


def test_calibration_confidence_is_what_answering_decides(engine, embedder, settings):
    """Calibration fits on the features `examine` finds; the confidence it computes for a
    model must be exactly what answer_question returns with that model."""
    from bot.answering import AnsweringConfig, answer_question
    from bot.answering.answerability import covered_features
    from bot.answering.pipeline import examine
    from bot.evaluation.calibration import Item, _confidence
    from index import passages_of

    index, reader, model = engine.index, engine.reader, engine.model
    questions = load_dataset(SEEDS_QA).questions[:12]
    vectors = embedder.encode([q.question for q in questions])
    for q, vector in zip(questions, vectors, strict=True):
        hits = index.searcher.search(q.question, settings.k, query_vector=vector)
        passages = passages_of(index, hits)
        found = examine(q.question, passages, reader, model, vector)
        f1 = np.zeros(len(found.options.items))
        item = Item(
            "seeds",
            q,
            0,
            found.options.features,
            f1,
            found.reading.best_null_margin,
            covered_features(found.candidates),
            False,
            found.candidates.kind,
        )
        config = AnsweringConfig(abstain_threshold=0.0)
        answer = answer_question(q.question, passages, reader, model, vector, config=config)
        assert answer.confidence == pytest.approx(_confidence(item, model), abs=1e-9)


# Articles of SQuAD v1.1 train whose never-drawn questions calibration reads in the tests.
UNREAD_ARTICLES_IN_TESTS = 2


def test_calibration_fits_a_model_that_answering_loads(held_out_squad, settings, tmp_path):
    from bot.answering.answering_model import load_model, save_model
    from bot.evaluation.calibration import calibrate, render
    from bot.evaluation.unread import UNREAD_FILE, unread_questions
    from bot.shared_data import shared_data

    need_shared(shared_data() / UNREAD_FILE)

    result, model = calibrate(
        settings,
        paths=(held_out_squad, SEEDS_QA),
        cache_root=tmp_path / "cache",
        unread=UNREAD_ARTICLES_IN_TESTS,
        note=lambda _: None,
    )
    assert 0.0 <= model.threshold <= 1.0
    assert set(model.folds) == {"0", "1"}
    assert all(0.0 <= m.threshold <= 1.0 for m in model.folds.values())
    # every article that was fitted on is mapped to the fold that left it out
    assert {"Computational_complexity_theory", SEED_ARTICLE} <= set(model.fold_of)
    assert model.for_article(SEED_ARTICLE) is model.folds[model.fold_of[SEED_ARTICLE]]
    # an out-of-corpus article the reader trained on teaches every fold's threshold what an
    # article outside the index looks like, and is never scored
    squad = next(d for d in result["datasets"] if d["name"] == "held-out-squad")
    assert squad["out_of_corpus_for_the_threshold_only"] > 0
    assert "Harvard_University" not in model.fold_of
    # SQuAD training questions the reader never drew teach the choice, and are never scored
    unread = next(d for d in result["datasets"] if d["name"] == "squad11-train-unread")
    assert unread["answerable_for_the_choice_only"] > 0
    record = json.loads((Path(result["reader"]) / "training.json").read_text(encoding="utf-8"))
    picked = unread_questions(record, UNREAD_ARTICLES_IN_TESTS)
    unread_titles = {q.article_id.split("#")[0] for q in picked.questions}
    assert unread_titles and not unread_titles & set(model.fold_of)
    assert set(result["held_out"]) == {"held-out-squad", "seeds_qa"}
    seeds = result["held_out"]["seeds_qa"]
    assert 0.0 <= seeds["answerable_answered"] <= 1.0
    assert np.isfinite(list(model.choice.values())).all()
    assert "threshold" in render(result)
    # each fold's threshold chosen without it, beside the one its own questions would choose
    transfer = result["threshold_transfer"]
    assert set(transfer) == {"0", "1"}
    for name, t in transfer.items():
        assert t["chosen"] == model.folds[name].threshold and 0.0 <= t["own"] <= 1.0
        assert 0.0 <= t["answered_at_chosen"] <= 1.0 and 0.0 <= t["answered_at_own"] <= 1.0
    assert "its own refusals would need" in render(result)
    path = tmp_path / "answering.json"
    save_model(model, path)
    assert load_model(path) == model


SEED_ARTICLE = "004_ae9d525e8a820230.txt"


def test_calibration_cache_is_keyed_on_the_answering_code(tmp_path):
    # Items cached before a change to a pattern or a weighting must not be read back after it.
    import shutil

    import bot.answering
    from bot.evaluation.calibration import _answering_code

    copy = tmp_path / "answering"
    shutil.copytree(Path(bot.answering.__file__).parent, copy)
    assert _answering_code(copy) == _answering_code()
    short_answer = copy / "short_answer.py"
    short_answer.write_text(short_answer.read_text() + "\n# a changed pattern\n")
    changed_code = _answering_code(copy)
    assert changed_code != _answering_code()
    (copy / "data" / "english_frequency.tsv").write_text("7.72\tthe\n")
    assert _answering_code(copy) != changed_code


def test_an_index_without_the_sets_articles_is_refused_not_scored_zero(tmp_path, embedder):
    from bot.settings import Settings
    from index import FootnoteError, build_index

    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "note.txt").write_text("The allotment committee meets on the first Friday of May.\n")
    build_index([corpus], tmp_path / "index", embedder)
    settings = Settings(index_dir=tmp_path / "index")
    with pytest.raises(FootnoteError, match="holds none of the") as refused:
        run_eval(_args("--limit", "5", "--retriever", "hybrid"), settings)
    assert "004_ae9d525e8a820230.txt" in str(refused.value)
    assert "footnote --index-dir DIR index PATH" in str(refused.value)


def test_the_eval_table_keeps_wide_cells_apart(settings, capsys):
    from bot.evaluation.report import render_table

    assert run_eval(_args("--limit", "3", "--json"), settings) == 0
    summary = json.loads(capsys.readouterr().out)
    slow = {"bm25": (301.0, 3111.4), "dense": (337.9, 673.0), "hybrid": (1200.5, 98765.4)}
    for name, (p50, p95) in slow.items():  # latencies of a loaded 2-core machine
        summary["retrievers"][name]["latency_ms"]["answer"] = {"p50": p50, "p95": p95}
    row = next(line for line in render_table(summary).splitlines() if "answer p50" in line)
    cells = [cell.strip() for cell in row.split("   ") if cell.strip()][1:]
    assert cells == ["301.0 / 3111.4", "337.9 / 673.0", "1200.5 / 98765.4"], row


def test_a_questions_asked_at_keeps_later_articles_out_of_its_evidence(news_index_dir, embedder):
    import datetime as dt

    from bot.evaluation.runner import Retriever, search
    from bot.settings import Settings
    from index import open_index

    index = open_index(news_index_dir, embedder)
    question = "When will rail workers strike?"
    vector = embedder.encode([question])[0]
    hybrid = Retriever("hybrid", "weighted")

    def found(as_of):
        hits = search(question, vector, hybrid, index, Settings(), 10, as_of=as_of)
        return {hit.chunk.article_id for hit in hits}

    assert found(None) == {"rail-2013", "rail-2023", "rail-2024", "rail-2099", "rail-undated"}
    assert found(dt.date(2023, 1, 10)) == {"rail-2013", "rail-2023", "rail-undated"}


def test_an_answering_model_saved_before_the_feature_rename_answers_the_same(tmp_path):
    """answering.json files written when the coverage-with-previous feature was named "window"
    (a reader trained and calibrated before) keep their weights for it."""
    import json

    from bot.answering.answering_model import MODEL_FILE, load_model
    from bot.answering.reader import PACKAGED_READER

    shipped = json.loads((PACKAGED_READER / MODEL_FILE).read_text())
    old_names = {"coverage_with_previous": "window", "prior_coverage_with_previous": "prior_window"}

    def rename(value):
        if isinstance(value, dict):
            return {old_names.get(k, k): rename(v) for k, v in value.items()}
        return value

    old = tmp_path / MODEL_FILE
    old.write_text(json.dumps(rename(shipped)))
    assert "window" in old.read_text() and "coverage_with_previous" not in old.read_text()
    assert load_model(old) == load_model(PACKAGED_READER / MODEL_FILE)
