"""Packing: many short texts encoded in one sequence each, as if each were encoded alone.

Encoding sentences one per sequence wastes the encoder on padding and on tiny matrix products;
packing them end to end into full-length sequences, each attending only to itself and counting
positions from zero, gives the same vectors (to 1e-6) at the cost of one pass over the tokens.
Each text's token-state sum comes back too, so a span of consecutive texts (a chunk of
sentences) gets its mean-pooled vector without being encoded again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length: longer texts are cut, as when alone
ROWS_PER_BATCH = 16


@dataclass(frozen=True)
class Pooled:
    """Per text: the sum of its token states and how many tokens it had."""

    sums: np.ndarray  # (n, dim) float32
    tokens: np.ndarray  # (n,) int64

    @functools.cached_property
    def vectors(self) -> np.ndarray:
        """(n, dim) float32 unit vectors: each text's mean token state, normalised."""
        return _unit(self.sums)

    def span_vectors(self, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
        """Unit vectors of the mean token state over texts [first, last) for each range."""
        dim = self.sums.shape[1]
        out = np.zeros((len(ranges), dim), dtype=np.float32)
        for n, (first, last) in enumerate(ranges):
            out[n] = self.sums[first:last].sum(axis=0)
        return _unit(out)


def supports(model) -> bool:
    """Whether `model` (a SentenceTransformer) is a BERT with mean pooling, which packing keeps
    exact; anything else is encoded one text per sequence."""
    modules = list(model)
    if len(modules) < 2 or type(modules[1]).__name__ != "Pooling":
        return False
    pooling = modules[1]
    # sentence-transformers 5 names the mode; earlier releases had one flag per mode.
    mode = getattr(pooling, "pooling_mode", None) == "mean" or getattr(
        pooling, "pooling_mode_mean_tokens", False
    )
    auto = getattr(modules[0], "auto_model", None)
    rest = [type(m).__name__ for m in modules[2:]]
    return bool(mode) and type(auto).__name__ == "BertModel" and rest in ([], ["Normalize"])


def encode_packed(model, texts: Sequence[str]) -> Pooled:
    """Encode `texts` with `model` (see `supports`), packed MAX_TOKENS to a sequence."""
    import torch

    tokenizer = model.tokenizer
    limit = min(MAX_TOKENS, int(getattr(model, "max_seq_length", MAX_TOKENS) or MAX_TOKENS))
    # Cut as sentence-transformers cuts: at `limit` tokens, [SEP] kept last.
    ids = tokenizer(list(texts), truncation=True, max_length=limit)["input_ids"]
    bert = model[0].auto_model
    dim = bert.config.hidden_size
    sums = torch.zeros((len(ids), dim), dtype=torch.float32)
    bins = _pack([len(row) for row in ids], limit)
    batches = [bins[i : i + ROWS_PER_BATCH] for i in range(0, len(bins), ROWS_PER_BATCH)]
    with torch.inference_mode():
        for batch in batches:
            _encode_batch(bert, ids, batch, sums, torch)
    tokens = np.array([len(row) for row in ids], dtype=np.int64)
    return Pooled(sums.numpy(), tokens)


def _pack(lengths: list[int], limit: int) -> list[list[int]]:
    """First-fit decreasing: text numbers grouped into sequences of at most `limit` tokens."""
    bins: list[list[int]] = []
    room: list[int] = []
    for text in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        for n, left in enumerate(room):
            if lengths[text] <= left:
                bins[n].append(text)
                room[n] -= lengths[text]
                break
        else:
            bins.append([text])
            room.append(limit - lengths[text])
    return bins


def _encode_batch(bert, ids: list[list[int]], batch: list[list[int]], sums, torch) -> None:
    """Add each text's token states in `batch` (rows of text numbers) into `sums`."""
    width = max(sum(len(ids[t]) for t in row) for row in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)
    positions = torch.zeros_like(input_ids)
    owner = torch.full((len(batch), width), -1, dtype=torch.long)
    for r, row in enumerate(batch):
        offset = 0
        for text in row:
            n = len(ids[text])
            input_ids[r, offset : offset + n] = torch.tensor(ids[text])
            positions[r, offset : offset + n] = torch.arange(n)
            owner[r, offset : offset + n] = text
            offset += n
    # Block-diagonal attention: a token sees only the tokens of its own text.
    same = (owner[:, :, None] == owner[:, None, :]) & (owner[:, :, None] >= 0)
    mask = torch.zeros(same.shape, dtype=torch.float32).masked_fill(
        ~same, torch.finfo(torch.float32).min
    )[:, None]
    states = bert(input_ids=input_ids, attention_mask=mask, position_ids=positions)
    states = states.last_hidden_state.reshape(-1, states.last_hidden_state.shape[-1])
    flat_owner = owner.reshape(-1)
    keep = flat_owner >= 0
    sums.index_add_(0, flat_owner[keep], states[keep])


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)
