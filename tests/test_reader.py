"""The shipped reader: it loads offline without torch, matches the numpy and torch forward
passes (fp32) or picks their spans (int8), reads spans, and a damaged or missing file is one
clear error naming it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.answering.reader import PACKAGED_READER, Reader, ReaderLoadError
from bot.answering.spans import window_spans
from bot.answering.windows import Window, pad
from index.onnx_session import InferenceConfig

ROOT = Path(__file__).resolve().parent.parent
CULLEN = (
    "Pat Cullen, the leader of the RCN, told The Independent at the weekend that action would "
    "have to intensify unless nurses are offered an acceptable pay rise."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.fixture(scope="module")
def int8_reader() -> Reader:
    return Reader(inference=InferenceConfig(precision="int8"))


@pytest.fixture(scope="module")
def real_windows(reader) -> list[Window]:
    """Windows of a few lengths: the Cullen sentence, a question it cannot answer over three
    copies of it, and for the first six answerable seeds questions the window of their
    article holding the answer (full 128 tokens)."""
    questions = [json.loads(line) for line in (ROOT / "eval" / "seeds_qa.jsonl").open()]
    found = _windows(reader, "Who leads the RCN?", CULLEN)
    found += _windows(reader, "Which newspaper?", CULLEN * 3)
    for q in [q for q in questions if q.get("article_id")][:6]:
        text = (ROOT / "seeds" / q["article_id"]).read_text()
        at = text.find(q["answers"][0])
        found += [
            w
            for w in _windows(reader, q["question"], text)
            if w.offsets[0, 0] <= at < w.offsets[-1, 1]
        ][:1]
    return found


def _windows(reader: Reader, question: str, text: str):
    ids, offsets = reader.tokenizer.tokens([text])[0]
    return reader.tokenizer.windows(reader.tokenizer.question_ids(question), ids, offsets)


def best_span(reader: Reader, question: str, text: str) -> str:
    windows = _windows(reader, question, text)
    spans = [
        s
        for i, (a, b) in enumerate(reader.logits(windows))
        for s in window_spans(a, b, windows[i], i, top=1)
    ]
    best = max(spans, key=lambda s: s.score)
    return text[best.start : best.end]


def test_the_shipped_folder_has_weights_config_tokenizer_card_and_checksums():
    names = {p.name for p in PACKAGED_READER.iterdir()}
    assert {"reader.safetensors", "config.json", "tokenizer.json", "MODEL_CARD.md"} <= names
    assert "SHA256SUMS" in names and "checkpoint.pt" not in names
    size = sum(p.stat().st_size for p in PACKAGED_READER.iterdir())
    assert size < 25 * 2**20
    card = (PACKAGED_READER / "MODEL_CARD.md").read_text()
    assert "footnote train-reader" in card and "CC BY-SA 4.0" in card


def test_the_shipped_reader_records_each_training_file_its_digest_and_licence():
    import json

    record = json.loads((PACKAGED_READER / "training.json").read_text())
    card = (PACKAGED_READER / "MODEL_CARD.md").read_text()
    files = {s["file"]: s for s in record["datasets"]}
    assert {
        "squad2-dev-half.json",
        "squad11-train.json.gz",
        "tydiqa-goldp-en-train.json.gz",
    } <= set(files)
    for source in files.values():
        assert len(source["sha256"]) == 64 and source["questions_trained_on"] > 0
        assert source["licence"] in card and f"`{source['file']}`" in card
    assert files["tydiqa-goldp-en-train.json.gz"]["licence"] == "Apache-2.0"
    # the questions read over every stage: each records the one it started from
    stages, stage = [], record.get("started_from")
    while stage:
        stages.append(stage)
        stage = stage.get("started_from")
    assert record["questions"] + sum(s["questions"] for s in stages) > 50_000
    for stage in stages:
        assert stage["command"] in card and all(len(s["sha256"]) == 64 for s in stage["datasets"])


def test_the_reader_finds_answers_in_a_sentence(reader):
    assert best_span(reader, "Who leads the RCN?", CULLEN) == "Pat Cullen"
    pcs = "PCS is the fifth-largest trade union in the UK with 270,000 members."
    assert best_span(reader, "How many members does PCS have?", pcs) == "270,000"


def test_held_out_articles_are_recorded_and_disjoint_from_training(reader):
    assert reader.held_out and reader.trained_on
    assert not set(reader.held_out) & set(reader.trained_on)


def test_the_reader_matches_the_numpy_forward_pass(reader, real_windows):
    """tests/numpy_bert.py is the numpy BERT the reader ran on before ONNX Runtime."""
    from safetensors.numpy import load_file

    from tests.numpy_bert import NumpyBert

    weights = load_file(str(PACKAGED_READER / "reader.safetensors"))
    bert = NumpyBert(weights, json.loads((PACKAGED_READER / "config.json").read_text()))
    bert.words = reader.words
    ids, types, mask = pad(real_windows)
    hidden = bert.forward(ids, types, mask.astype(np.float32))
    head = weights["qa_outputs.weight"].astype(np.float32).T
    out = hidden @ head + weights["qa_outputs.bias"].astype(np.float32)
    assert len({len(w.ids) for w in real_windows}) > 1  # padding is exercised
    for row, (start, end) in enumerate(reader.logits(real_windows)):
        n = len(real_windows[row].ids)
        assert np.abs(start - out[row, :n, 0]).max() < 1e-3
        assert np.abs(end - out[row, :n, 1]).max() < 1e-3


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_window_reads_the_same_alone_padded_or_beside_others(
    precision, reader, int8_reader, real_windows
):
    chosen = {"fp32": reader, "int8": int8_reader}[precision]
    together = chosen.logits(real_windows)
    for window, (start, end) in zip(real_windows, together, strict=True):
        alone_start, alone_end = chosen.logits([window])[0]
        assert len(start) == len(window.ids)
        assert np.abs(start - alone_start).max() < 1e-4
        assert np.abs(end - alone_end).max() < 1e-4


def test_the_int8_reader_picks_the_fp32_best_span_where_it_answers(
    reader, int8_reader, real_windows
):
    """Where a window's best span beats its no-answer score; in the window it cannot answer,
    int8 may pick another of the near-equal spans it would not give (measured: "RCN" for
    "the weekend", both about 13 below no-answer)."""

    def best(chosen: Reader):
        return [
            window_spans(a, b, real_windows[i], i, top=1)[0]
            for i, (a, b) in enumerate(chosen.logits(real_windows))
        ]

    answering = [
        (float_span, int8_span)
        for float_span, int8_span in zip(best(reader), best(int8_reader), strict=True)
        if float_span.score > float_span.no_answer
    ]
    assert len(answering) >= 4
    for float_span, int8_span in answering:
        assert (int8_span.start, int8_span.end) == (float_span.start, float_span.end)


def test_the_reader_matches_the_torch_model(reader):
    torch = pytest.importorskip("torch")
    from safetensors.numpy import load_file
    from transformers import AutoModelForQuestionAnswering

    from index.embedder import _packaged_path

    model = AutoModelForQuestionAnswering.from_pretrained(str(_packaged_path()))
    weights = load_file(str(PACKAGED_READER / "reader.safetensors"))
    state = {
        (k if k.startswith("qa_outputs") else f"bert.{k}"): torch.from_numpy(v.astype(np.float32))
        for k, v in weights.items()
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["bert.embeddings.word_embeddings.weight"] and not unexpected
    model.eval()
    windows = _windows(reader, "Who leads the RCN?", CULLEN) + _windows(
        reader, "Which newspaper?", CULLEN * 3
    )
    ids, types, mask = (torch.from_numpy(a) for a in pad(windows))
    with torch.no_grad():
        out = model(input_ids=ids, token_type_ids=types, attention_mask=mask)
    for row, (start, end) in enumerate(reader.logits(windows)):
        n = len(windows[row].ids)
        assert np.abs(start - out.start_logits[row, :n].numpy()).max() < 1e-3
        assert np.abs(end - out.end_logits[row, :n].numpy()).max() < 1e-3


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "reader"
    shutil.copytree(PACKAGED_READER, folder)
    return folder


def test_a_damaged_weights_file_is_named_with_how_to_restore_it(tmp_path):
    folder = _copy(tmp_path)
    weights = folder / "reader.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ReaderLoadError, match="reader.safetensors is damaged") as error:
        Reader(folder)
    assert "make train-reader" in str(error.value) and "\n" not in str(error.value)


def test_a_missing_weights_file_is_named(tmp_path):
    folder = _copy(tmp_path)
    (folder / "reader.safetensors").unlink()
    with pytest.raises(ReaderLoadError, match="reader.safetensors is missing"):
        Reader(folder)


def test_the_cli_reports_a_damaged_reader_in_one_line(tmp_path, seeds_index_dir):
    folder = _copy(tmp_path)
    (folder / "config.json").write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "--index-dir", str(seeds_index_dir)]
        + ["ask", "Who leads the RCN?"],
        cwd=ROOT,
        env={"FOOTNOTE_READER": str(folder), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "config.json is damaged" in lines[0]


def _cold_ask(index_dir: Path, cache: Path, precision: str = "fp32", unused=("torch",)):
    """`footnote ask` in a fresh process with `cache` as XDG_CACHE_HOME; fails if it imports a
    module of `unused`."""
    code = (
        "import sys; from bot.frontends.cli import main; "
        f"code = main(['--index-dir', {str(index_dir)!r}, 'ask', 'Who leads the RCN?']); "
        f"used = {set(unused)!r} & set(sys.modules); assert not used, f'{{used}} imported'; "
        "sys.exit(code)"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"FOOTNOTE_ENGINE_PRECISION": precision},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_cold_ask_builds_and_reads_without_importing_torch(precision, seeds_index_dir, tmp_path):
    result = _cold_ask(seeds_index_dir, tmp_path, precision)
    assert result.returncode == 0, result.stderr
    assert "Pat Cullen" in result.stdout and not result.stderr  # no quantiser advice either
    built = sorted(p.name for p in (tmp_path / "footnote" / "onnx").glob("*.onnx"))
    assert [name.split("-")[1] for name in built] == ["pooled", "span"]  # encoder and reader
    # The reader runs at the precision asked for; the question encoder always at fp32
    # (Settings.encoding).
    assert [name.rsplit("-", 1)[1] for name in built] == ["fp32.onnx", f"{precision}.onnx"]
    # Built, the graphs are only read: no onnx (half a second to import), no quantiser.
    again = _cold_ask(seeds_index_dir, tmp_path, precision, ("torch", "onnx"))
    assert again.returncode == 0 and "Pat Cullen" in again.stdout, again.stderr


def test_a_damaged_cached_reader_is_built_again_not_a_traceback(seeds_index_dir, tmp_path):
    assert _cold_ask(seeds_index_dir, tmp_path).returncode == 0
    (cached,) = (tmp_path / "footnote" / "onnx").glob("bert-span-*.onnx")
    whole = cached.read_bytes()
    cached.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
    result = _cold_ask(seeds_index_dir, tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "Pat Cullen" in result.stdout
    assert cached.read_bytes() == whole  # built again, and the same graph


def test_windows_run_in_groups_of_like_length_each_once():
    from bot.answering.reader import LIKE_LENGTH, by_length
    from bot.answering.windows import Window

    lengths = (128, 60, 100, 128, 90, 30, 127, 61)
    windows = [Window(np.full(n, 101), np.zeros(n, int), 1, np.zeros((n, 2), int)) for n in lengths]
    groups = by_length(windows)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))  # each once
    for group in groups:
        longest = max(lengths[i] for i in group)
        assert all(lengths[i] >= LIKE_LENGTH * longest for i in group)
    assert len(groups) < len(lengths)  # windows of like length still share a run
