"""The shipped reader: it loads offline without torch, matches the torch model, reads spans,
and a damaged or missing file is one clear error naming it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.answering.reader import PACKAGED_READER, Reader, ReaderLoadError
from bot.answering.spans import window_spans

ROOT = Path(__file__).resolve().parent.parent
CULLEN = (
    "Pat Cullen, the leader of the RCN, told The Independent at the weekend that action would "
    "have to intensify unless nurses are offered an acceptable pay rise."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


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
    # the questions read over every stage: a second stage records its first as started_from
    first = record.get("started_from")
    assert record["questions"] + (first["questions"] if first else 0) > 50_000
    if first:
        assert first["command"] in card and all(len(s["sha256"]) == 64 for s in first["datasets"])


def test_the_reader_finds_answers_in_a_sentence(reader):
    assert best_span(reader, "Who leads the RCN?", CULLEN) == "Pat Cullen"
    pcs = "PCS is the fifth-largest trade union in the UK with 270,000 members."
    assert best_span(reader, "How many members does PCS have?", pcs) == "270,000"


def test_held_out_articles_are_recorded_and_disjoint_from_training(reader):
    assert reader.held_out and reader.trained_on
    assert not set(reader.held_out) & set(reader.trained_on)


def test_numpy_reader_matches_the_torch_model(reader):
    torch = pytest.importorskip("torch")
    from safetensors.numpy import load_file
    from transformers import AutoModelForQuestionAnswering

    from bot.answering.windows import pad
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


def test_a_cold_ask_reads_without_importing_torch(seeds_index_dir):
    code = (
        "import sys; from bot.frontends.cli import main; "
        f"code = main(['--index-dir', {str(seeds_index_dir)!r}, 'ask', 'Who leads the RCN?']); "
        "assert 'torch' not in sys.modules, 'torch was imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Pat Cullen" in result.stdout
