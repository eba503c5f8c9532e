"""The quick question encoder: a sentence-transformers BERT folder run by ONNX Runtime.

Importing sentence-transformers costs several seconds, most of a cold `footnote ask`. Encoding a
question needs none of it: the same safetensors weights and tokenizer run here as an ONNX graph
(index/onnx_bert.py) in a few ms, and a test keeps the vectors equal to sentence-transformers'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.batching import Batcher
from index.checksums import file_digest
from index.onnx_bert import bert_graph, padded, word_table, words
from index.onnx_session import DEFAULT_INFERENCE, InferenceConfig, bert_session

# The most questions one run encodes when several wait.
BATCH_TEXTS = 64


def supports(model_dir: Path) -> bool:
    """True for a sentence-transformers folder this module runs exactly: BERT, mean, normalise."""
    try:
        config = json.loads((model_dir / "config.json").read_text())
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens"))
        and (model_dir / "model.safetensors").exists()
        and (model_dir / "tokenizer.json").exists()
    )


class OnnxEncoder:
    """Encodes a few texts on the CPU; for bulk encoding use sentence-transformers."""

    def __init__(self, model_dir: Path, inference: InferenceConfig = DEFAULT_INFERENCE) -> None:
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(st_config.get("max_seq_length", 256)))
        self.tokenizer.no_padding()
        weights_file = model_dir / "model.safetensors"
        self.words = word_table(weights_file)
        self.session = bert_session(
            file_digest(weights_file), "pooled", lambda: _graph(weights_file, config), inference
        )
        self.dim = int(config["hidden_size"])
        self.inference = inference
        self._batched = Batcher(self._run, max_items=BATCH_TEXTS)

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors. Texts other threads encode at the same time share the
        run (index/batching.py)."""
        return np.stack(self._batched(texts)) if texts else np.zeros((0, self.dim), np.float32)

    def _run(self, texts: list[str]) -> np.ndarray:
        """The texts in one batch padded to the longest (fp32) or one at a time (int8, see
        InferenceConfig.batches)."""
        if not self.inference.batches and len(texts) > 1:
            return np.concatenate([self._run([text]) for text in texts])
        ids, mask = padded([e.ids for e in self.tokenizer.encode_batch(texts)])
        feed = {"words": words(self.words, ids), "attention_mask": mask}
        return self.session.run(["embedding"], feed)[0]


def _graph(weights_file: Path, config: dict):
    from safetensors.numpy import load_file

    return bert_graph(load_file(str(weights_file)), config, "pooled")


__all__ = ["OnnxEncoder", "supports"]
