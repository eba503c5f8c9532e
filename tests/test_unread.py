"""The questions the reader never drew: calibration learns from them, and they must be unread."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.conftest import need_shared

READER_TRAINING = Path(__file__).resolve().parents[1] / "bot/models/reader/training.json"


@pytest.fixture(scope="module")
def squad11() -> Path:
    from bot.evaluation.unread import UNREAD_FILE
    from bot.shared_data import shared_data

    return need_shared(shared_data() / UNREAD_FILE)


@pytest.fixture(scope="module")
def training() -> dict:
    return json.loads(READER_TRAINING.read_text(encoding="utf-8"))


def test_no_unread_question_was_drawn_by_any_stage_of_the_shipped_reader(squad11, training):
    from bot.evaluation.datasets import ANSWERABLE, OUT_OF_CORPUS
    from bot.evaluation.unread import unread_questions
    from bot.training.examples import load_examples
    from bot.training.mixing import drawn

    examples, _ = load_examples([squad11])
    seen = drawn(training, squad11, examples)
    # Each stage's draw is reproduced to the count its training.json records, or refused.
    assert seen is not None
    stage_counts = []
    stage = training
    while stage:
        mine = [d for d in stage["datasets"] if d["file"] == squad11.name]
        stage_counts += [d["questions_trained_on"] for d in mine]
        stage = stage.get("started_from")
    assert len(seen) >= max(stage_counts) and len(stage_counts) == 2
    unread = unread_questions(training, 8, squad11)
    assert unread is not None and unread.questions
    assert not {q.id for q in unread.questions} & seen
    # Every question of the picked articles that was never drawn is there, and no other.
    titles = {q.article_id.split("#")[0] for q in unread.questions}
    expected = {e.id for e in examples if e.article in titles and e.id not in seen}
    assert {q.id for q in unread.questions} == expected
    # Every 4th article is out of the index, so the threshold sees articles it cannot find.
    counts = unread.counts()
    assert counts[ANSWERABLE] > 0 and counts[OUT_OF_CORPUS] > 0
    indexed = {a.title.replace(" ", "_") for a in unread.articles}
    assert indexed and not indexed & set(unread.held_out_titles)


def test_a_draw_that_cannot_be_reproduced_gives_no_unread_questions(squad11, training):
    from bot.evaluation.unread import unread_questions
    from bot.training.mixing import drawn

    no_seed = copy.deepcopy(training)
    for entry in no_seed["started_from"]["datasets"]:
        entry.pop("seed", None)
    assert drawn(no_seed, squad11) is None
    assert unread_questions(no_seed, 8, squad11) is None
    other_seed = copy.deepcopy(training)
    for entry in other_seed["datasets"]:
        if entry["file"] == squad11.name:
            entry["questions_trained_on"] += 1  # not what its weight and seed draw
    assert drawn(other_seed, squad11) is None
    assert unread_questions(training, 0, squad11) is None


def test_calibrating_without_the_squad_training_file_says_which_file_and_how_to_go_on(
    training, tmp_path
):
    from bot.evaluation.unread import unread_questions
    from bot.shared_data import MissingDataError

    missing = tmp_path / "squad11-train.json.gz"
    with pytest.raises(MissingDataError, match="--unread-articles") as error:
        unread_questions(training, 8, missing)
    assert str(missing) in str(error.value)
