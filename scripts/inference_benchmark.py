"""Reader and question-encoder speed on one machine in one run: the numpy BERT they ran on
before (tests/numpy_bert.py), ONNX Runtime fp32 and ONNX Runtime int8, at 2 threads.

Run with `.venv/bin/python scripts/inference_benchmark.py`. The engines take turns in every round
and the median round is reported, so a neighbour's load lands on all three alike. Prints a
markdown table.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["OMP_NUM_THREADS"] = "2"  # numpy's BLAS, before numpy is imported
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

from bot.answering.reader import PACKAGED_READER, Reader  # noqa: E402
from bot.answering.windows import Window, pad  # noqa: E402
from index.embedder import _packaged_path  # noqa: E402
from index.onnx_encoder import OnnxEncoder  # noqa: E402
from index.onnx_session import InferenceConfig  # noqa: E402
from tests.numpy_bert import NumpyBert  # noqa: E402

QUESTION = "When is the TUC day of protest?"
THREADS = 2
ROUNDS = 5


def full_windows(reader: Reader, count: int) -> list[Window]:
    """`count` real 128-token windows: seeds questions over their own articles."""
    questions = [json.loads(line) for line in (ROOT / "eval" / "seeds_qa.jsonl").open()]
    found: list[Window] = []
    for q in questions:
        if q.get("article_id"):
            text = (ROOT / "seeds" / q["article_id"]).read_text()
            ids, offsets = reader.tokenizer.tokens([text])[0]
            windows = reader.tokenizer.windows(
                reader.tokenizer.question_ids(q["question"]), ids, offsets
            )
            found += [w for w in windows if len(w.ids) == reader.tokenizer.max_length][:1]
        if len(found) == count:
            return found
    raise SystemExit("not enough full windows in seeds/")


def numpy_reader(words: np.ndarray) -> Callable[[list[Window]], object]:
    weights = load_file(str(PACKAGED_READER / "reader.safetensors"))
    bert = NumpyBert(weights, json.loads((PACKAGED_READER / "config.json").read_text()))
    bert.words = words
    head = weights["qa_outputs.weight"].astype(np.float32).T
    bias = weights["qa_outputs.bias"].astype(np.float32)

    def logits(windows: list[Window]):
        ids, types, mask = pad(windows)
        return bert.forward(ids, types, mask.astype(np.float32)) @ head + bias

    return logits


def numpy_encoder(encoder: OnnxEncoder) -> Callable[[list[str]], np.ndarray]:
    model = _packaged_path()
    config = json.loads((model / "config.json").read_text())
    bert = NumpyBert(load_file(str(model / "model.safetensors")), config)

    def encode(texts: list[str]) -> np.ndarray:
        ids = np.asarray(encoder.tokenizer.encode(texts[0]).ids)
        hidden = bert.forward(ids[None, :])[0].mean(axis=0)
        return hidden / np.linalg.norm(hidden)

    return encode


def seconds(call: Callable[[object], object], argument: object, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call(argument)
    return (time.perf_counter() - started) / repeat


def main() -> None:
    configs = {p: InferenceConfig(precision=p, threads=THREADS) for p in ("fp32", "int8")}
    readers = {p: Reader(inference=c) for p, c in configs.items()}
    encoders = {p: OnnxEncoder(_packaged_path(), c) for p, c in configs.items()}
    windows = full_windows(readers["fp32"], 8)
    reads = {"numpy": numpy_reader(readers["fp32"].words)}
    reads |= {f"onnx {p}": r.logits for p, r in readers.items()}
    encodes = {"numpy": numpy_encoder(encoders["fp32"])}
    encodes |= {f"onnx {p}": e.encode for p, e in encoders.items()}
    for read in reads.values():
        read(windows)  # first runs allocate
    for encode in encodes.values():
        encode([QUESTION])
    rounds: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for name, read in reads.items():
            for batch in (1, 8):
                per_window = seconds(read, windows[:batch], 8 // batch) / batch
                rounds.setdefault((name, f"reader, batch of {batch}"), []).append(per_window)
        for name, encode in encodes.items():
            rounds.setdefault((name, "question encode"), []).append(seconds(encode, [QUESTION], 10))
    rows = sorted({row for _, row in rounds})
    names = list(reads)
    print(f"ms per 128-token window (per question for the encoder), {THREADS} threads, ", end="")
    print(f"median of {ROUNDS} rounds; int8 reads each window alone (InferenceConfig.batches)\n")
    print("| | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for row in rows:
        median = {n: statistics.median(rounds[n, row]) * 1000 for n in names}
        cells = [f"{median[n]:.1f} ({median['numpy'] / median[n]:.1f}x)" for n in names]
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
