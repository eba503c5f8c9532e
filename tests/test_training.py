"""`footnote train-reader`: folds by article, checkpoints that resume exactly, and a model folder
that answering loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering.reader import Reader
from bot.training.examples import TrainingDataError, load_examples
from bot.training.features import featurize
from bot.training.folds import keep_unanswerable, split_by_article
from bot.training.train import TrainConfig, train, window_tokenizer
from index.embedder import _packaged_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_squad(tmp_path_factory, squad_dev_half) -> Path:
    """One paragraph of each of the first four SQuAD titles."""
    doc = json.loads(squad_dev_half.read_text(encoding="utf-8"))
    doc["data"] = [
        {"title": e["title"], "paragraphs": e["paragraphs"][:1]} for e in doc["data"][:4]
    ]
    path = tmp_path_factory.mktemp("train") / "tiny.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def config() -> TrainConfig:
    return TrainConfig(base_model=str(_packaged_path()), batch_size=8)


def test_folds_keep_each_article_on_one_side(tiny_squad):
    examples, _ = load_examples([tiny_squad])
    train_set, held = split_by_article(examples, folds=4, hold_out=(1, 3))
    assert {e.article for e in held} == {"Computational_complexity_theory", "Steam_engine"}
    assert not {e.article for e in train_set} & {e.article for e in held}
    assert len(train_set) + len(held) == len(examples)


def test_unanswerable_share_keeps_every_answerable_question(tiny_squad):
    examples, _ = load_examples([tiny_squad])
    kept = keep_unanswerable(examples, 0.5, seed=13)
    unanswerable = [e for e in examples if not e.answerable]
    assert [e for e in kept if e.answerable] == [e for e in examples if e.answerable]
    dropped = len(unanswerable) - sum(not e.answerable for e in kept)
    assert 0 < dropped < len(unanswerable)
    assert kept == keep_unanswerable(examples, 0.5, seed=13)  # the seed fixes the draw
    assert keep_unanswerable(examples, 1.0, seed=13) == examples


def test_hard_negatives_are_other_passages_like_the_question_without_its_answer(embedder):
    from bot.training.examples import QAExample
    from bot.training.negatives import hard_negatives

    nurses = "Pat Cullen leads the Royal College of Nursing, whose members may strike again."
    nurses_2 = "The nurses' union, led by Pat Cullen, has 500,000 members."
    steam = "The steam engine was improved by James Watt in the 1770s."
    examples = [
        QAExample("a", "Who leads the nurses' union?", nurses, ((0, "Pat Cullen"),), "Nursing"),
        QAExample("b", "Who improved the steam engine?", steam, ((32, "James Watt"),), "Steam"),
        QAExample("c", "How many members do nurses have?", nurses_2, (), "Nursing"),
    ]
    negatives = hard_negatives(examples, embedder.encode, per_question=1)
    by_question = {n.question: n.context for n in negatives}
    assert len(negatives) == 2  # one per answerable question
    # nurses_2 is the passage nearest "a", but it names Pat Cullen too: it is skipped.
    assert by_question["Who leads the nurses' union?"] == steam
    assert by_question["Who improved the steam engine?"] in (nurses, nurses_2)
    assert all(not n.answerable for n in negatives)
    assert hard_negatives(examples, embedder.encode, per_question=0) == []


def test_generated_questions_ask_for_a_value_of_their_passage_by_its_type(tiny_squad):
    from bot.answering.answer_types import AnswerType, answer_type
    from bot.training.generated import generated_questions

    examples, _ = load_examples([tiny_squad])
    train_set, held = split_by_article(examples, folds=4, hold_out=(1, 3))
    generated = generated_questions(train_set, per_passage=3, seed=13)
    passages = {e.context for e in train_set}
    assert len(generated) >= 4  # two passages, several values each
    assert len({g.id for g in generated}) == len(generated)
    for g in generated:
        assert g.context in passages and g.article not in {e.article for e in held}
        ((at, answer),) = g.answers
        assert g.context[at : at + len(answer)] == answer
        assert g.question.endswith("?") and len(g.question.split()) >= 4
        kind = answer_type(g.question)
        if kind is AnswerType.DATE:
            assert any(ch.isdigit() for ch in answer) or answer[0].isupper(), g
        if kind is AnswerType.NUMBER:
            assert not answer[0].isupper(), g
    assert {answer_type(g.question) for g in generated} >= {AnswerType.DATE, AnswerType.NUMBER}
    assert generated == generated_questions(train_set, per_passage=3, seed=13)
    assert generated_questions(train_set, per_passage=0, seed=13) == []


def test_distractors_are_other_passages_batched_with_their_question(tiny_squad, config, embedder):
    from bot.training.negatives import hard_negatives
    from bot.training.shared_norm import distractor_features
    from bot.training.train import group_batches

    examples, _ = load_examples([tiny_squad])
    examples = examples[:40]
    tokenizer = window_tokenizer(config)
    own = featurize(examples, tokenizer)
    negatives = hard_negatives(examples, embedder.encode, 1)
    distractors = distractor_features(examples, negatives, tokenizer)
    assert len(distractors) == len(negatives) == sum(e.answerable for e in examples)
    for negative, d in zip(negatives, distractors, strict=True):
        example = examples[d.example]
        assert example.question == negative.question and d.distractor and (d.start, d.end) == (0, 0)
        assert negative.context != example.context
        assert all(answer not in negative.context for _, answer in example.answers)
        # the window is read from the other passage, beside the question's own tokens
        first = negative.context[d.window.offsets[0, 0] : d.window.offsets[0, 1]]
        assert (
            first
            and tokenizer.question_ids(example.question)
            == d.window.ids[1 : d.window.first - 1].tolist()
        )
    features = own + distractors
    batches = group_batches(features, batch_size=8, epochs=2, seed=13)
    seen = [i for b in batches for i in b]
    assert sorted(seen) == sorted(list(range(len(features))) * 2)  # every window, each epoch
    for batch in batches:
        asked = {features[i].example for i in batch}
        for number in asked:  # an example's windows are never split across batches
            mine = [i for i, f in enumerate(features) if f.example == number]
            assert set(mine) <= set(batch)
    assert batches == group_batches(features, batch_size=8, epochs=2, seed=13)


def test_shared_loss_scores_the_gold_span_against_every_window_of_its_question():
    import numpy as np
    import torch

    from bot.answering.windows import Window
    from bot.training.features import Feature
    from bot.training.shared_norm import shared_loss

    def window() -> Window:  # [CLS] q [SEP] p p p [SEP]
        ids = np.array([101, 7, 102, 8, 9, 10, 102])
        return Window(ids, np.array([0, 0, 0, 1, 1, 1, 1]), 3, np.zeros((3, 2), dtype=np.int64))

    batch = [Feature(0, window(), 4, 5), Feature(0, window(), 0, 0, distractor=True)]
    start = torch.zeros(2, 7)
    end = torch.zeros(2, 7)
    start[:, 0] = end[:, 0] = 50.0  # [CLS] and the question are outside the shared softmax
    loss = shared_loss(start, end, batch)
    assert abs(loss.item() - np.log(6)) < 1e-5  # six passage tokens, all alike
    start[1, 4] = end[1, 5] = 5.0  # a distractor's span scores high: the loss rises
    assert shared_loss(start, end, batch).item() > loss.item() + 1
    start[0, 4] = end[0, 5] = 10.0  # the gold span scores higher: it falls
    assert shared_loss(start, end, batch).item() < 0.1
    assert shared_loss(start, end, [Feature(0, window(), 0, 0)]) is None  # no answer: no loss


def test_question_masking_hides_only_question_words(tiny_squad, config):
    import torch

    from bot.answering.windows import pad
    from bot.training.train import mask_question

    tokenizer = window_tokenizer(config)
    examples, _ = load_examples([tiny_squad])
    features = featurize(examples[:40], tokenizer)
    ids, type_ids, attention = (torch.from_numpy(a) for a in pad([f.window for f in features]))
    torch.manual_seed(0)
    masked = mask_question(ids, type_ids, attention, share=0.25, tokenizer=tokenizer)
    changed = masked != ids
    assert (masked[changed] == tokenizer.mask).all()
    # never the passage, the padding, [CLS] or [SEP]: the labels still point at the same words
    assert not changed[(type_ids == 1) | (attention == 0)].any()
    assert not changed[:, 0].any() and not changed[ids == tokenizer.sep].any()
    words = (type_ids == 0) & (attention == 1) & (ids != tokenizer.cls) & (ids != tokenizer.sep)
    assert 0.15 < changed.sum() / words.sum() < 0.35
    unchanged = mask_question(ids, type_ids, attention, share=0.0, tokenizer=tokenizer)
    assert torch.equal(unchanged, ids)


def test_jsonl_answers_are_located_in_their_article(tmp_path):
    articles = {"a.txt": "The union is led by Pat Cullen. It has 270,000 members."}
    path = tmp_path / "qa.jsonl"
    lines = [
        {"question": "Who leads it?", "answers": ["Pat Cullen"], "article_id": "a.txt"},
        {"question": "How many?", "answers": ["270,000"], "context": articles["a.txt"]},
        {"question": "Nowhere?", "answers": ["Unison"], "article_id": "a.txt"},
        {"question": "Unanswerable?", "answers": [], "article_id": "a.txt"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines))
    examples, [report] = load_examples([path], articles)
    assert report.examples == 3 and report.skipped == 1
    first = examples[0]
    assert first.context[first.answers[0][0] :].startswith("Pat Cullen")
    assert not examples[2].answerable
    path.write_text('{"question": "x", "answers": ["y"], "article_id": "missing.txt"}')
    with pytest.raises(TrainingDataError, match="missing.txt"):
        load_examples([path], articles)


def test_labels_point_at_the_answer_tokens(tiny_squad, config):
    examples, _ = load_examples([tiny_squad])
    tokenizer = window_tokenizer(config)
    for f in featurize(examples[:20], tokenizer):
        example = examples[f.example]
        if f.start == 0:
            continue
        start = f.window.offsets[f.start - f.window.first, 0]
        end = f.window.offsets[f.end - f.window.first, 1]
        assert example.context[start:end].lower() in {a.lower() for _, a in example.answers}


def test_an_interrupted_run_resumes_to_the_same_weights(tiny_squad, config, tmp_path):
    import torch

    examples, _ = load_examples([tiny_squad])
    features = featurize(examples[:24], window_tokenizer(config))
    whole = train(config, features, tmp_path / "whole", progress=False, log=lambda _: None)
    train(config, features, tmp_path / "parts", progress=False, stop_after=2, log=print)
    state = torch.load(tmp_path / "parts" / "checkpoint.pt", weights_only=False)
    assert state["step"] == 2
    resumed = train(config, features, tmp_path / "parts", resume=True, progress=False)
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_train_reader_writes_a_folder_answering_loads(tiny_squad, tmp_path):
    out = tmp_path / "reader"
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "train-reader", "--dataset", str(tiny_squad)]
        + ["--out", str(out), "--limit", "16", "--folds", "4", "--hold-out", "3"]
        + ["--generated", "1", "--distractors", "1", "--question-mask", "0.2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Training reader" in result.stderr and "Held out" in result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"reader.safetensors", "config.json", "tokenizer.json", "MODEL_CARD.md"} <= names
    assert {"SHA256SUMS", "training.json"} <= names and "checkpoint.pt" not in names
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True)
    assert check.returncode == 0
    card = (out / "MODEL_CARD.md").read_text()
    assert "footnote train-reader --dataset" in card and "Steam_engine" in card
    assert "generated questions" in card
    assert "shared normalisation" in card
    recorded = json.loads((out / "training.json").read_text())
    assert recorded["generated_questions"] > 0 and recorded["distractor_windows"] > 0
    assert recorded["config"]["distractors"] == 1
    assert recorded["config"]["question_mask"] == 0.2 and "[MASK]" in card
    reader = Reader(out)
    assert reader.held_out == ("Steam_engine",)
    assert "Steam_engine" not in reader.trained_on


def test_a_missing_training_file_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "train-reader", "--dataset", "nope.json"]
        + ["--out", str(tmp_path / "r")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "footnote: No training file at nope.json"


def test_an_unknown_near_miss_kind_is_named_before_any_data_is_read(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "train-reader", "--dataset", "nope.json"]
        + ["--near-miss-kinds", "name,antonym", "--out", str(tmp_path / "r")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unknown near-miss kinds: antonym" in result.stderr
    assert "No training file" not in result.stderr and not (tmp_path / "r").exists()


def test_gzipped_sets_mix_with_a_weight_each(tiny_squad, tmp_path):
    import gzip

    from bot.training.mixing import mix, parse_dataset, weighted

    packed = tmp_path / "more.json.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as handle:
        handle.write(tiny_squad.read_text(encoding="utf-8"))
    spec = parse_dataset(f"{packed}:0.5")
    assert (spec.path, spec.weight) == (packed, 0.5)
    assert parse_dataset(str(packed)).weight == 1.0
    examples, _ = load_examples([tiny_squad])
    train_set, held, sources = mix(
        [parse_dataset(str(tiny_squad)), parse_dataset(f"{packed}:2")], None, 4, [1, 3], 13
    )
    first_train, first_held = split_by_article(examples, folds=4, hold_out=(1, 3))
    # only the first file is held out; the second trains whole, each question twice
    assert held == first_held
    assert len(train_set) == len(first_train) + 2 * len(examples)
    assert [s["questions_trained_on"] for s in sources] == [len(first_train), 2 * len(examples)]
    assert sources[1]["file"] == "more.json.gz" and len(sources[1]["sha256"]) == 64
    _, _, half = mix([parse_dataset(str(tiny_squad)), spec], None, 4, [1, 3], 13)
    assert 0 < half[1]["questions_trained_on"] < len(examples)
    # the seed each share was drawn with is recorded, so the draw can be told again
    assert [s["seed"] for s in half] == [13, 14]
    assert len(weighted(examples, 0.5, half[1]["seed"])) == half[1]["questions_trained_on"]


def test_a_later_stage_draws_only_the_questions_no_earlier_stage_drew(tiny_squad, tmp_path):
    from bot.training.card import write_card
    from bot.training.mixing import UnreadError, drawn, mix, parse_dataset

    more = tmp_path / "more.json"
    more.write_text(tiny_squad.read_text(encoding="utf-8"), encoding="utf-8")
    everything = {e.id for e in load_examples([more])[0]}
    specs = [parse_dataset(str(tiny_squad)), parse_dataset(f"{more}:0.5")]
    _, _, sources = mix(specs, None, 4, [1, 3], 13)
    first = {"datasets": sources}
    seen = drawn(first, more)
    assert seen and len(seen) == sources[1]["questions_trained_on"] < len(everything)

    second_train, _, second_sources = mix(
        specs, None, 4, [1, 3], 13, earlier=first, unread_only={"more.json"}
    )
    fresh = {e.id for e in second_train[-second_sources[1]["questions_trained_on"] :]}
    assert fresh and not fresh & seen  # new supervision, not a second pass
    assert second_sources[1]["unread_only"] is True
    second = {"datasets": second_sources, "started_from": first}
    assert drawn(second, more) == seen | fresh  # told again from the records alone
    write_card(tmp_path, "footnote train-reader", [], [], {}, 1, 1.0, sources=second_sources)
    assert "none an earlier stage drew" in (tmp_path / "MODEL_CARD.md").read_text()

    # A stage whose draw cannot be told again is refused, not silently read twice.
    unseeded = {"datasets": [sources[0], {k: v for k, v in sources[1].items() if k != "seed"}]}
    with pytest.raises(UnreadError, match="more.json"):
        mix(specs, None, 4, [1, 3], 13, earlier=unseeded, unread_only={"more.json"})
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "train-reader", "--dataset", str(tiny_squad)]
        + ["--unread-only", "more.json", "--out", str(tmp_path / "r")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "--unread-only needs --init-from" in result.stderr
    # A name no --dataset file has (a typo, a path) would silently read questions twice.
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "train-reader", "--dataset", str(tiny_squad)]
        + ["--dataset", f"{more}:0.5", "--init-from", str(tmp_path / "r0")]
        + ["--unread-only", "more.jsn", "--out", str(tmp_path / "r")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "names no --dataset file after the first: more.jsn" in (
        result.stderr
    )
    assert not (tmp_path / "r").exists()


def test_same_article_negatives_are_the_most_similar_passage_without_the_answer():
    from bot.training.examples import QAExample
    from bot.training.negatives import same_article_negatives

    strike = "Nurses in England will strike on 1 February over pay, the RCN said."
    pay = "The government says a nurses' pay rise above 4% is unaffordable this year."
    weather = "Snow is expected across Scotland at the weekend."
    other = "Pat Cullen leads the union."
    examples = [
        QAExample("a", "When will nurses strike over pay?", strike, ((33, "1 February"),), "N"),
        QAExample("b", "What is the weather?", weather, (), "N"),
        QAExample("c", "Who leads the union?", pay, (), "N"),
        QAExample("d", "Who leads the union?", other, ((0, "Pat Cullen"),), "Other"),
    ]
    negatives = same_article_negatives(examples, share=1.0, seed=13)
    # the nurses' pay passage, not the weather; never another article's passage
    assert [(n.question, n.context) for n in negatives] == [(examples[0].question, pay)]
    assert not negatives[0].answerable and negatives[0].article == "N"
    assert same_article_negatives(examples, share=0.0, seed=13) == []


def test_near_misses_swap_a_name_or_year_the_passage_holds_for_one_it_lacks():
    from bot.training.examples import QAExample
    from bot.training.near_misses import near_misses

    strike = "In 2023 the RCN said nurses in England will strike on 1 February over pay."
    ferry = "The MS Oldenburg sails from Bideford to Lundy Island four times a week."
    examples = [
        QAExample(
            "a", "When will nurses in England strike?", strike, _at(strike, "1 February"), "N"
        ),
        QAExample("b", "What did the RCN say in 2023?", strike, _at(strike, "nurses"), "N"),
        QAExample(
            "c", "Where does the MS Oldenburg sail to?", ferry, _at(ferry, "Lundy Island"), "F"
        ),
        QAExample("d", "what is it?", ferry, (), "F"),
    ]
    made = near_misses(examples, share=1.0, seed=13)
    assert made, "every answerable question names something its passage holds"
    for near in made:
        original = next(e for e in examples if e.id == near.id.removesuffix("#near"))
        assert not near.answerable and near.context == original.context
        assert near.article == original.article
        old = set(original.question.split()) - set(near.question.split())
        new = set(near.question.split()) - set(original.question.split())
        # one name or year changed, to words the passage never uses
        assert old and new and all(w.strip("?") not in near.context for w in new)
    assert near_misses(examples, share=0.0, seed=13) == []


def test_near_misses_of_the_echoing_kinds_keep_the_passage_words_but_not_its_answer():
    from bot.training.examples import QAExample
    from bot.training.near_misses import near_misses

    unions = (
        "The second-largest union is Unite. "
        "Pat Cullen, the leader of the RCN, said the first strike was in December."
    )
    elected = "Sara Lind was elected mayor of Bergen in 2019 after a long campaign."
    examples = [
        QAExample("a", "Who is the leader of the RCN?", unions, _at(unions, "Pat Cullen"), "U"),
        QAExample("b", "When was the first strike?", unions, _at(unions, "December"), "U"),
        QAExample("c", "Who was elected mayor?", elected, _at(elected, "Sara Lind"), "B"),
    ]
    made = {
        kind: {n.id: n.question for n in near_misses(examples, share=1.0, seed=3, kinds=[kind])}
        for kind in ("passage-name", "opposite", "negation")
    }
    # another name of the very passage, never one in the answer's own sentence
    assert made["passage-name"] == {"a#near": "Who is the leader of the Unite?"}
    # the opposite word, which the passage never uses
    assert made["opposite"] == {"b#near": "When was the last strike?"}
    # "not" after the auxiliary of a verb, not before a subject ("When was the first strike")
    assert made["negation"] == {"c#near": "Who was not elected mayor?"}
    with pytest.raises(ValueError, match="unknown near-miss kinds"):
        near_misses(examples, share=1.0, seed=3, kinds=["antonym"])


def _at(context: str, answer: str) -> tuple[tuple[int, str]]:
    return ((context.index(answer), answer),)


def test_a_second_stage_starts_from_a_trained_reader(tiny_squad, tmp_path):
    from bot.training.export import export_reader
    from bot.training.train import load_reader_weights

    config = TrainConfig(base_model=str(_packaged_path()), batch_size=8)
    examples, _ = load_examples([tiny_squad])
    features = featurize(examples[:16], window_tokenizer(config))
    first = train(config, features, tmp_path / "first", progress=False, log=lambda _: None)
    export_reader(first, _packaged_path(), tmp_path / "first", {})
    import torch
    from transformers import AutoModelForQuestionAnswering

    fresh = AutoModelForQuestionAnswering.from_pretrained(str(_packaged_path()))
    load_reader_weights(fresh, tmp_path / "first")
    for name, value in first.state_dict().items():
        # the exported weights are fp16: equal to that precision
        assert torch.allclose(value, fresh.state_dict()[name], atol=2e-3, rtol=1e-3), name
    second = TrainConfig(**{**config.__dict__, "init_from": str(tmp_path / "first")})
    assert train(second, features, tmp_path / "second", progress=False, stop_after=1) is not None


def test_held_out_no_answer_figures_rank_answerable_above_unanswerable():
    from bot.training.heldout import no_answer_figures

    figures = no_answer_figures([3.0, 4.0, 5.0, 6.0], [1.0, 2.0, 4.5])
    assert figures["unanswerable"] == 3
    assert figures["no_answer_auc"] == round(100 * (4 + 4 + 2) / 12, 1)
    assert figures["refused_at_92"] == round(100 * 2 / 3, 1)
    assert no_answer_figures([1.0], []) == {}


def test_a_second_stage_carries_the_first_stages_learning_curve(tmp_path):
    """The shipped folder's curve is the run that read the questions, never a stale one."""
    from bot.answering.reader_folder import CURVE
    from bot.training.command import _keep_curve

    first, out = tmp_path / "first", tmp_path / "out"
    first.mkdir()
    out.mkdir()
    (first / CURVE).write_text('[{"questions": 3000}]')
    (out / CURVE).write_text('[{"questions": 1}]')  # left by an older run
    _keep_curve(out, first, scored=False)
    assert (out / CURVE).read_text() == (first / CURVE).read_text()
    _keep_curve(out, None, scored=False)
    assert not (out / CURVE).exists()
