"""Loading evaluation sets: the seeds' JSONL and SQuAD JSON, told apart by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.datasets import (
    ANSWERABLE,
    NEAR_MISS,
    OUT_OF_CORPUS,
    UNANSWERABLE,
    DatasetError,
    GoldSpan,
    load_dataset,
    resolve_dataset_path,
)

ROOT = Path(__file__).resolve().parent.parent
NORMANS = "The Normans were a people who gave their name to Normandy, a region in France."
STEAM = "Watt's steam engine used a separate condenser."


def _squad(path: Path, titles: int = 1, version: str = "v2.0") -> Path:
    data = []
    for t in range(titles):
        data.append(
            {
                "title": f"Title_{t}" if t else "Normans",
                "paragraphs": [
                    {
                        "context": NORMANS,
                        "qas": [
                            {
                                "id": f"q{t}-1",
                                "question": "In what country is Normandy located?",
                                "answers": [
                                    {"text": "France", "answer_start": NORMANS.index("France")},
                                    {"text": "France", "answer_start": NORMANS.index("France")},
                                    {"text": "in France", "answer_start": NORMANS.index("in Fr")},
                                ],
                                "is_impossible": False,
                            },
                            {
                                "id": f"q{t}-2",
                                "question": "Who gave their name to Normandy in the 1000s?",
                                "answers": [],
                                "plausible_answers": [{"text": "Normans", "answer_start": 4}],
                                "is_impossible": True,
                            },
                        ],
                    },
                    {
                        "context": STEAM,
                        "qas": [
                            {
                                "id": f"q{t}-3",
                                "question": "What did Watt's engine use?",
                                "answers": [
                                    {
                                        "text": "a separate condenser",
                                        "answer_start": STEAM.index("a sep"),
                                    },
                                    {"text": "condenser", "answer_start": 999},  # bad offset
                                ],
                            }
                        ],
                    },
                ],
            }
        )
    path.write_text(json.dumps({"version": version, "data": data}), encoding="utf-8")
    return path


def test_squad_paragraphs_become_articles_with_gold_spans(tmp_path):
    dataset = load_dataset(_squad(tmp_path / "mini.json"))
    assert dataset.format == "squad2.0"
    assert dataset.attribution and "CC BY-SA 4.0" in dataset.attribution
    assert [a.id for a in dataset.articles] == ["Normans#0", "Normans#1"]
    assert dataset.articles[0].text == NORMANS and dataset.articles[0].title == "Normans"
    first, impossible, steam = dataset.questions
    assert first.group == ANSWERABLE and first.article_id == "Normans#0"
    assert first.answers == ("France", "in France")  # duplicates folded
    start = NORMANS.index("France")
    assert GoldSpan("Normans#0", start, start + 6) in first.spans
    assert all(NORMANS[s.start : s.end] in first.answers for s in first.spans)
    assert impossible.group == NEAR_MISS and impossible.answers == () and impossible.spans == ()
    # a span whose offset does not point at its text is dropped; the answer text stays
    assert steam.answers == ("a separate condenser", "condenser")
    start = STEAM.index("a separate")
    assert steam.spans == (GoldSpan("Normans#1", start, start + len("a separate condenser")),)
    assert dataset.counts() == {ANSWERABLE: 2, NEAR_MISS: 1, UNANSWERABLE: 0, OUT_OF_CORPUS: 0}


def test_every_fourth_squad_title_is_held_out_of_the_corpus(tmp_path):
    dataset = load_dataset(_squad(tmp_path / "four.json", titles=5))
    assert dataset.held_out_titles == ("Title_3",)
    assert not any(a.id.startswith("Title_3#") for a in dataset.articles)
    outside = [q for q in dataset.questions if q.article_id and q.article_id.startswith("Title_3")]
    assert len(outside) == 3 and all(q.group == OUT_OF_CORPUS for q in outside)
    assert len(dataset.articles) == 8


def test_squad_v1_has_no_impossible_questions(tmp_path):
    path = tmp_path / "v1.json"
    doc = json.loads(_squad(path).read_text())
    doc["version"] = "1.1"
    for paragraph in doc["data"][0]["paragraphs"]:
        paragraph["qas"] = [q for q in paragraph["qas"] if not q.get("is_impossible")]
        for q in paragraph["qas"]:
            q.pop("is_impossible", None)
    path.write_text(json.dumps(doc))
    dataset = load_dataset(path)
    assert dataset.format == "squad1.1"
    assert {q.group for q in dataset.questions} == {ANSWERABLE}


def test_jsonl_questions(tmp_path):
    path = tmp_path / "qa.jsonl"
    rows = [
        {
            "id": "a",
            "question": "Who?",
            "answers": ["Pat Cullen"],
            "article_id": "x.txt",
            "type": "who",
        },
        {"id": "b", "question": "Football?", "answers": [], "article_id": None, "type": "off"},
        {"id": "c", "question": "RCN members?", "answers": [], "type": "unanswerable_near_miss"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    dataset = load_dataset(path)
    assert dataset.format == "jsonl" and not dataset.brings_corpus
    a, b, c = dataset.questions
    assert (a.group, a.answers, a.article_id, a.type, a.spans) == (
        ANSWERABLE,
        ("Pat Cullen",),
        "x.txt",
        "who",
        (),
    )
    assert b.group == UNANSWERABLE and b.article_id is None
    assert c.group == NEAR_MISS  # written to sound answerable from the corpus


def test_the_seeds_set_loads():
    dataset = load_dataset(ROOT / "eval" / "seeds_qa.jsonl")
    counts = dataset.counts()
    assert counts[ANSWERABLE] >= 50 and counts[UNANSWERABLE] >= 5 and counts[NEAR_MISS] >= 5
    assert all(q.article_id for q in dataset.questions if q.answerable)


def test_bad_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "ok?", "answers": []}\nnot json\n')
    with pytest.raises(DatasetError, match="line 2"):
        load_dataset(bad)
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "a", "question": "x?"}\n{"id": "a", "question": "y?"}\n')
    with pytest.raises(DatasetError, match="duplicate id"):
        load_dataset(dup)
    with pytest.raises(DatasetError, match="No evaluation set"):
        resolve_dataset_path(tmp_path / "missing.jsonl")


def test_resolve_finds_the_default_set_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_dataset_path("eval/seeds_qa.jsonl") == ROOT / "eval" / "seeds_qa.jsonl"


def test_sample_is_deterministic_and_keeps_file_order(tmp_path):
    dataset = load_dataset(ROOT / "eval" / "seeds_qa.jsonl")
    a, b = dataset.sample(10), dataset.sample(10)
    assert [q.id for q in a.questions] == [q.id for q in b.questions]
    order = [q.id for q in dataset.questions]
    positions = [order.index(q.id) for q in a.questions]
    assert len(positions) == 10 and positions == sorted(positions)
    assert dataset.sample(None) is dataset


def test_a_question_may_say_when_it_was_asked(tmp_path):
    import datetime as dt

    path = tmp_path / "dated.jsonl"
    rows = [
        {
            "id": "a",
            "question": "When is the strike?",
            "answers": ["3 February"],
            "asked_at": "2023-01-10",
        },
        {"id": "b", "question": "When is the strike?", "answers": [], "asked_at": "Jan. 5, 2023"},
        {"id": "c", "question": "When is the strike?", "answers": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    a, b, c = load_dataset(path).questions
    assert (a.asked_at, b.asked_at, c.asked_at) == (dt.date(2023, 1, 10), dt.date(2023, 1, 5), None)
    path.write_text('{"id": "a", "question": "x?", "asked_at": "last week"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1: 'asked_at' 'last week' is not a date"):
        load_dataset(path)
