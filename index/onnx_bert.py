"""BERT's encoder as an ONNX graph, built from safetensors weights with onnx's helper API.

No torch and no exporter: the graph is written op by op from the weights, so a cold question
needs only onnxruntime. Two heads sit on top of the last hidden states: `span` (the reader's
start and end logits) and `pooled` (the sentence encoder's masked mean, L2-normalised).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

# Bump when the graph changes: cached files of an older format are then never run.
FORMAT = 1
OPSET = 17  # the first with LayerNormalization
HEADS = ("span", "pooled")
# What a padding key adds to an attention score: its softmax weight is then exactly 0, so a
# padded window reads as the same window unpadded.
_PADDING = -1e9


def bert_graph(weights: Mapping[str, np.ndarray], config: Mapping, head: str):
    """An onnx.ModelProto of the BERT in `weights` (HF names, with or without "bert.") and
    `config` (its config.json), with `head` on top.

    Inputs: words, the (batch, n, hidden) float32 word embeddings of the tokens (`words(...)`);
    token_type_ids (`span` only) and attention_mask, int64 (batch, n). Outputs: start_logits and
    end_logits (batch, n) for `span`, embedding (batch, hidden) for `pooled`.
    """
    from onnx import TensorProto, helper

    if head not in HEADS:
        raise ValueError(f"head must be one of {', '.join(HEADS)}, not {head!r}")
    w = _float32(weights)
    hidden = int(config["hidden_size"])
    g = _Graph()
    x, mask = _embeddings(g, w, config, with_types=head == "span")
    bias = g.op(
        "Unsqueeze",
        g.op("Mul", g.op("Sub", g.const(1.0), mask), g.const(_PADDING)),
        g.const(np.array([1, 2])),
    )  # (batch, 1, 1, n): added to every head's scores
    for i in range(int(config["num_hidden_layers"])):
        x = _layer(g, x, bias, w, f"encoder.layer.{i}.", config)
    if head == "span":
        outputs = _span(g, x, w)
        shapes = {name: ["batch", "n"] for name in outputs}
    else:
        outputs = [_pooled(g, x, mask)]
        shapes = {outputs[0]: ["batch", hidden]}
    ints = ["token_type_ids", "attention_mask"] if head == "span" else ["attention_mask"]
    graph = helper.make_graph(
        g.nodes,
        f"bert-{head}",
        [helper.make_tensor_value_info("words", TensorProto.FLOAT, ["batch", "n", hidden])]
        + [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "n"]) for n in ints],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in shapes.items()],
        g.initializers,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="footnote"
    )


class _Graph:
    """Nodes and initializers under construction; each op's output gets a fresh name."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []

    def const(self, value) -> str:
        from onnx import numpy_helper

        array = np.asarray(value)
        array = array.astype(np.float32) if array.dtype.kind == "f" else array.astype(np.int64)
        name = f"c{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, kind: str, *inputs: str, outputs: int | list[str] = 1, **attributes) -> str:
        from onnx import helper

        names = (
            outputs
            if isinstance(outputs, list)
            else [f"{kind.lower()}{len(self.nodes)}_{i}" for i in range(outputs)]
        )
        self.nodes.append(
            helper.make_node(kind, list(inputs), names, name=f"n{len(self.nodes)}", **attributes)
        )
        return names[0] if len(names) == 1 else names

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """x @ weight + bias, weight as (in, out): a MatMul with a constant B, what int8
        dynamic quantisation rewrites."""
        return self.op("Add", self.op("MatMul", x, self.const(weight)), self.const(bias))

    def layer_norm(self, x: str, w: Mapping[str, np.ndarray], prefix: str, eps: float) -> str:
        scale, shift = w[prefix + "weight"], w[prefix + "bias"]
        return self.op(
            "LayerNormalization", x, self.const(scale), self.const(shift), axis=-1, epsilon=eps
        )


def _embeddings(g: _Graph, w: Mapping, config: Mapping, with_types: bool) -> tuple[str, str]:
    """(batch, n, hidden) embeddings after their LayerNorm, and the float (batch, n) mask."""
    eps = float(config.get("layer_norm_eps", 1e-12))
    n = g.op("Shape", "words", start=1, end=2)
    positions = g.op(
        "Slice",
        g.const(w["embeddings.position_embeddings.weight"]),
        g.const([0]),
        n,
        g.const([0]),
    )
    types = w["embeddings.token_type_embeddings.weight"]
    typed = g.op("Gather", g.const(types), "token_type_ids") if with_types else g.const(types[0])
    x = g.op("Add", g.op("Add", "words", positions), typed)
    mask = g.op("Cast", "attention_mask", to=1)  # 1: FLOAT
    return g.layer_norm(x, w, "embeddings.LayerNorm.", eps), mask


def _layer(g: _Graph, x: str, bias: str, w: Mapping, p: str, config: Mapping) -> str:
    """One encoder layer: self-attention, then the feed-forward block, each with its residual
    and LayerNorm (BERT's post-norm)."""
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    a = p + "attention."
    names = ("query", "key", "value")
    # One MatMul for query, key and value: a third of the calls, the same arithmetic.
    qkv = g.linear(
        x,
        np.concatenate([w[f"{a}self.{n}.weight"].T for n in names], axis=1),
        np.concatenate([w[f"{a}self.{n}.bias"] for n in names]),
    )
    q, k, v = g.op("Split", qkv, g.const([hidden] * 3), axis=-1, outputs=3)
    split = g.const([0, 0, heads, hidden // heads])  # (batch, n, heads, head_dim)
    q = g.op("Transpose", g.op("Reshape", q, split), perm=[0, 2, 1, 3])
    k = g.op("Transpose", g.op("Reshape", k, split), perm=[0, 2, 3, 1])
    v = g.op("Transpose", g.op("Reshape", v, split), perm=[0, 2, 1, 3])
    scores = g.op("Div", g.op("MatMul", q, k), g.const(np.sqrt(hidden // heads)))
    weights = g.op("Softmax", g.op("Add", scores, bias), axis=-1)
    context = g.op("Transpose", g.op("MatMul", weights, v), perm=[0, 2, 1, 3])
    context = g.op("Reshape", context, g.const([0, 0, hidden]))
    attended = g.linear(context, w[f"{a}output.dense.weight"].T, w[f"{a}output.dense.bias"])
    x = g.layer_norm(g.op("Add", x, attended), w, f"{a}output.LayerNorm.", eps)
    up = g.linear(x, w[f"{p}intermediate.dense.weight"].T, w[f"{p}intermediate.dense.bias"])
    down = g.linear(_gelu(g, up), w[f"{p}output.dense.weight"].T, w[f"{p}output.dense.bias"])
    return g.layer_norm(g.op("Add", x, down), w, f"{p}output.LayerNorm.", eps)


def _gelu(g: _Graph, x: str) -> str:
    """BERT's exact GELU, x * (1 + erf(x / sqrt 2)) / 2, written so that onnxruntime fuses it
    (with the bias before it) into one BiasGelu kernel."""
    erf = g.op("Erf", g.op("Div", x, g.const(np.sqrt(2.0))))
    return g.op("Mul", g.op("Mul", x, g.op("Add", erf, g.const(1.0))), g.const(0.5))


def _span(g: _Graph, x: str, w: Mapping) -> list[str]:
    logits = g.linear(x, w["qa_outputs.weight"].T, w["qa_outputs.bias"])  # (batch, n, 2)
    start, end = g.op("Split", logits, g.const([1, 1]), axis=-1, outputs=2)
    axis = g.const([2])
    g.op("Squeeze", start, axis, outputs=["start_logits"])
    g.op("Squeeze", end, axis, outputs=["end_logits"])
    return ["start_logits", "end_logits"]


def _pooled(g: _Graph, x: str, mask: str) -> str:
    """sentence-transformers' mean pooling over unmasked tokens, then its Normalize."""
    m = g.op("Unsqueeze", mask, g.const([2]))
    axis = g.const([1])
    total = g.op("ReduceSum", g.op("Mul", x, m), axis, keepdims=0)
    count = g.op("Max", g.op("ReduceSum", m, axis, keepdims=0), g.const(1e-9))
    mean = g.op("Div", total, count)
    norm = g.op("Max", g.op("ReduceL2", mean, axes=[1], keepdims=1), g.const(1e-12))
    g.op("Div", mean, norm, outputs=["embedding"])
    return "embedding"


def _float32(weights: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    prefix = "bert." if "bert.embeddings.position_embeddings.weight" in weights else ""
    return {
        k.removeprefix(prefix): np.asarray(v, dtype=np.float32)
        for k, v in weights.items()
        if (k.startswith(prefix) or k.startswith("qa_outputs.")) and "word_embeddings" not in k
    }


def padded(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token rows padded with 0 to the longest, and their attention mask, as (batch, n) int64
    arrays: the graphs' inputs for texts of different lengths."""
    values = np.zeros((len(rows), max(map(len, rows))), dtype=np.int64)
    mask = np.zeros_like(values)
    for row, tokens in enumerate(rows):
        values[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return values, mask


def words(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The graph's `words` input: each token's row of the word-embedding table.

    The 30522 x 384 table stays out of the graph, looked up here: as fast (a gather of a few
    hundred rows), and a cached graph is then a quarter the size and depends on its own weights
    file only (the reader's table is the packaged MiniLM's, in another file).
    """
    return table[ids]


def word_table(weights_file: Path) -> np.ndarray:
    """The (vocabulary, hidden) float32 word embeddings in a safetensors file, read alone.

    Read-only and read once per process: the reader's table is the packaged MiniLM's, so the
    reader and the question encoder share one copy (47 MB, and 30 ms of a cold ask).
    """
    stat = weights_file.stat()  # a file rewritten in place is read again
    return _read_word_table(weights_file.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_word_table(weights_file: Path, size: int, mtime_ns: int) -> np.ndarray:
    from safetensors import safe_open

    with safe_open(str(weights_file), framework="numpy") as f:
        names = f.keys()  # noqa: SIM118 (a safe_open handle is not iterable)
        name = next(k for k in names if k.endswith("embeddings.word_embeddings.weight"))
        table = np.asarray(f.get_tensor(name), dtype=np.float32)
    table.flags.writeable = False
    return table


__all__ = ["FORMAT", "HEADS", "bert_graph", "padded", "word_table", "words"]
