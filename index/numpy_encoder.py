"""A numpy-only forward pass of BERT-style sentence encoders (mean pooling, normalised).

Importing sentence-transformers costs several seconds, most of a cold `footnote ask`. Encoding one
question needs none of it: the same safetensors weights and tokenizer run here in a few ms, and a
test keeps the vectors equal to sentence-transformers' own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value projections side by side
    qkv_bias: np.ndarray
    attn_out: np.ndarray
    attn_out_bias: np.ndarray
    attn_norm: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    out_norm: tuple[np.ndarray, np.ndarray]


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


class NumpyEncoder:
    """Encodes a few texts on the CPU with numpy; for bulk encoding use sentence-transformers."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(st_config.get("max_seq_length", 256)))
        self.tokenizer.no_padding()
        w = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        w = {k.removeprefix(prefix): v for k, v in w.items()}
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [_layer(w, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])]
        self.dim = int(config["hidden_size"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors, one text at a time (no padding, so no masking)."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.asarray(self.tokenizer.encode(text).ids)
            hidden = self._forward(ids).mean(axis=0)
            out[row] = hidden / max(float(np.linalg.norm(hidden)), 1e-12)
        return out

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        x = self.words[ids] + self.positions[: len(ids)] + self.token_type
        x = _layer_norm(x, *self.embed_norm, self.eps)
        n, hidden = x.shape
        head_dim = hidden // self.heads
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (
                qkv[:, i * hidden : (i + 1) * hidden]
                .reshape(n, self.heads, head_dim)
                .transpose(1, 0, 2)
                for i in range(3)
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_dim)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = _layer_norm(
                x + context @ layer.attn_out + layer.attn_out_bias, *layer.attn_norm, self.eps
            )
            inner = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(x + inner @ layer.down + layer.down_bias, *layer.out_norm, self.eps)
        return x


def _layer(w: dict[str, np.ndarray], p: str) -> _Layer:
    a = p + "attention."
    qkv = [w[f"{a}self.{name}.weight"].T for name in ("query", "key", "value")]
    return _Layer(
        qkv=np.ascontiguousarray(np.concatenate(qkv, axis=1)),
        qkv_bias=np.concatenate([w[f"{a}self.{n}.bias"] for n in ("query", "key", "value")]),
        attn_out=np.ascontiguousarray(w[f"{a}output.dense.weight"].T),
        attn_out_bias=w[f"{a}output.dense.bias"],
        attn_norm=(w[f"{a}output.LayerNorm.weight"], w[f"{a}output.LayerNorm.bias"]),
        up=np.ascontiguousarray(w[f"{p}intermediate.dense.weight"].T),
        up_bias=w[f"{p}intermediate.dense.bias"],
        down=np.ascontiguousarray(w[f"{p}output.dense.weight"].T),
        down_bias=w[f"{p}output.dense.bias"],
        out_norm=(w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]),
    )


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # BERT's exact GELU, not the tanh approximation

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))
