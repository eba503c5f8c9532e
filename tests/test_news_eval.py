"""eval/news: the dated set the project wrote itself, scored by `footnote eval` with time words
on and off side by side; nothing dated after a question's asked_at is ever its evidence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation.datasets import load_dataset
from bot.evaluation.runner import retrievers_for, search
from bot.settings import TIME_WORDS, Settings

ROOT = Path(__file__).resolve().parent.parent
NEWS_QA = ROOT / "eval" / "news" / "news_qa.jsonl"


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict:
    """`footnote eval` of the set, hybrid retrieval with time words filtering and off."""
    cache = tmp_path_factory.mktemp("news-eval-cache")
    out = tmp_path_factory.mktemp("news-eval-report")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.frontends.cli",
            "eval",
            "--dataset",
            str(NEWS_QA),
            "--retriever",
            "hybrid",
            "--time-words",
            "filter,off",
            "--cache-dir",
            str(cache),
            "--out",
            str(out),
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=1800,  # about a minute on an idle machine
    )
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout), "out": out}


def test_the_set_brings_its_dated_articles_from_several_outlets():
    dataset = load_dataset(NEWS_QA)
    assert all(q.asked_at for q in dataset.questions)
    assert len(dataset.articles) == 15 and all(a.date for a in dataset.articles)
    assert len({a.outlet for a in dataset.articles}) >= 3
    years = {a.date[:4] for a in dataset.articles}
    assert {"2013", "2019", "2024", "2025"} <= years
    named = {q.article_id for q in dataset.questions if q.article_id}
    assert named <= {a.id for a in dataset.articles}


def test_eval_reports_time_words_on_and_off_side_by_side(summary):
    assert list(summary["retrievers"]) == ["hybrid, time filter", "hybrid, time off"]
    assert summary["index"]["articles"] == 15
    assert summary["dataset"]["asked_at"] == summary["dataset"]["questions"]
    assert "hybrid, time off" in (summary["out"] / "report.md").read_text()
    assert (summary["out"] / "time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_evidence_is_ever_dated_after_the_question_s_asked_at(summary):
    """Over every question, time words on and off: the ten passages searched and every
    citation of the answer (earlier reports included) are dated on or before its now."""
    for name, figures in summary["retrievers"].items():
        assert figures["later_evidence"] == 0, name


@pytest.mark.parametrize("mode", TIME_WORDS)
def test_no_retriever_ever_searches_past_asked_at(mode, dated_index, embedder):
    """Every question of the set, every retriever, each way of using time words: none of the
    passages searched (twenty deep) is dated after the question's asked_at."""
    dataset = load_dataset(NEWS_QA)
    vectors = embedder.encode([q.question for q in dataset.questions])
    for retriever in retrievers_for("all", Settings(), (mode,)):
        for q, vector in zip(dataset.questions, vectors, strict=True):
            hits = search(
                q.question, vector, retriever, dated_index, Settings(), 20, as_of=q.asked_at
            )
            dates = [dated_index.articles[h.chunk.article_id].date for h in hits]
            assert all(d <= q.asked_at.isoformat() for d in dates), (retriever.name, q.id)


def test_time_questions_are_answered_from_the_report_of_the_period_asked_about(summary):
    on = summary["retrievers"]["hybrid, time filter"]["by_type"]
    off = summary["retrievers"]["hybrid, time off"]["by_type"]
    assert on["relative"]["right_article"] >= 0.9  # the target
    assert on["relative"]["right_article"] > off["relative"]["right_article"]
    # The target over relative-time and changed-over-time questions together.
    counts = {kind: on[kind]["questions"] for kind in ("relative", "changed")}
    right = sum(on[kind]["right_article"] * n for kind, n in counts.items())
    assert right / sum(counts.values()) >= 0.9
    assert on["changed"]["right_article"] > off["changed"]["right_article"]
    # Questions without time words score the same either way.
    assert on["plain"]["sentence_accuracy"] == off["plain"]["sentence_accuracy"]
