"""Fine-tuning the reader: MiniLM with a start/end span head, on windows of Q/A examples.

The word embeddings stay frozen (they are the packaged model's, so the shipped reader need not
carry them); everything else trains. A checkpoint is written every few minutes and
`resume` continues from it with the same batches, so a killed run loses minutes, not the run.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np

from bot.answering.reader_folder import CHECKPOINT, WEIGHTS
from bot.answering.tuning import MAX_LENGTH, STRIDE
from bot.answering.windows import WindowTokenizer, pad
from bot.training.features import Feature
from bot.training.shared_norm import shared_loss


@dataclass(frozen=True)
class TrainConfig:
    """Every choice that shapes a trained reader; recorded in its model card."""

    base_model: str  # folder of the BERT encoder to start from
    epochs: float = 1.0
    learning_rate: float = 1e-4
    batch_size: int = 16
    warmup: float = 0.1  # share of the steps over which the learning rate ramps up
    weight_decay: float = 0.01
    max_length: int = MAX_LENGTH  # tokens per window (bot/answering/tuning.py)
    stride: int = STRIDE
    seed: int = 13
    unanswerable_share: float = 1.0  # of the unanswerable training questions, drawn by the seed
    negatives: int = 0  # hard-negative passages per answerable question (bot/training/negatives)
    generated: int = 0  # generated cloze questions per training passage (bot/training/generated)
    distractors: int = 0  # other-passage windows per answerable question (bot/training/shared_norm)
    question_mask: float = 0.0  # share of question tokens read as [MASK] in each training step
    # bf16 autocast for the forward pass: about twice the windows a second on a CPU with AVX-512
    # bf16; the master weights and the optimizer stay fp32.
    bf16: bool = False
    threads: int = 0  # torch threads; 0: every core
    # A reader folder to start from instead of the bare encoder: a second, shorter stage
    # (more no-answer examples, a lower rate) on top of a trained reader.
    init_from: str = ""


# A checkpoint (weights and optimizer, about 200 MB) this often: every 50 steps cost a tenth of
# the training time with bf16.
CHECKPOINT_SECONDS = 300.0


def train(
    config: TrainConfig,
    features: Sequence[Feature],
    work_dir: Path,
    *,
    resume: bool = False,
    progress: bool = True,
    stop_after: int | None = None,
    log: Callable[[str], None] = print,
    on_step: Callable[[int, int, object], None] | None = None,
):
    """Train on `features` and return the fine-tuned torch model (in eval mode).

    `stop_after` ends this call after that many steps (checkpointed), for `resume` to finish.
    `on_step(step, total, model)` is called after every step (the learning curve scores there).
    """
    import torch
    from transformers import AutoModelForQuestionAnswering
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # "some weights were newly initialised": the head
    torch.set_num_threads(config.threads or os.cpu_count() or 1)
    torch.manual_seed(config.seed)
    model = AutoModelForQuestionAnswering.from_pretrained(config.base_model)
    if config.init_from:
        load_reader_weights(model, Path(config.init_from))
    model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    order = (
        group_batches(features, config.batch_size, config.epochs, config.seed)
        if config.distractors
        else _batches(len(features), config)
    )
    total = len(order)
    optimizer, schedule = _optimizer(model, config, total)
    step = 0
    work_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = work_dir / CHECKPOINT
    if resume and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        if state["config"] != asdict(config) or state["features"] != len(features):
            raise ValueError(f"{checkpoint} was written by another training configuration")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["rng"])  # dropout continues as if never interrupted
        step = int(state["step"])
        log(f"Resuming from {checkpoint} at step {step} of {total}.")
    hide = (
        partial(mask_question, share=config.question_mask, tokenizer=window_tokenizer(config))
        if config.question_mask
        else None
    )
    model.train()
    bar = _bar(total, step, progress)
    started, losses = time.perf_counter(), []
    saved = started
    end = total if stop_after is None else min(total, step + stop_after)
    while step < end:
        batch = [features[i] for i in order[step]]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
            loss = _loss(model, batch, hide)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        losses.append(loss.item())
        bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        bar.update(1)
        if time.perf_counter() - saved > CHECKPOINT_SECONDS or step == end:
            _save(checkpoint, model, optimizer, schedule, step, config, len(features))
            saved = time.perf_counter()
        if on_step is not None:
            on_step(step, total, model)
    bar.close()
    log(f"Trained to step {step} of {total} in {time.perf_counter() - started:.0f} s.")
    model.eval()
    return model


def load_reader_weights(model, folder: Path) -> None:
    """Load a reader folder's weights (every layer but the word embeddings, which are the base
    model's own and stay) into the torch `model`; ValueError when they do not fit it."""
    import torch
    from safetensors.numpy import load_file

    prefix = model.base_model_prefix + "."
    state = {
        (name if name.startswith("qa_outputs.") else prefix + name): torch.from_numpy(
            value.astype(np.float32)
        )
        for name, value in load_file(str(folder / WEIGHTS)).items()
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [n for n in missing if "word_embeddings" not in n and "position_ids" not in n]
    if missing or unexpected:
        raise ValueError(
            f"{folder} does not fit the base model: missing {missing[:3]}, unexpected "
            f"{unexpected[:3]}"
        )


def _loss(model, batch: Sequence[Feature], hide: Callable | None = None):
    """SQuAD's loss on each window of its own passage (start and end cross-entropy, [CLS] for
    no answer), plus the shared-normalisation loss when the batch holds distractor windows.

    `hide` (mask_question) hides a share of the question's tokens, drawn afresh every step, so
    the reader cannot lean on one echoed word to find the answer: users paraphrase.
    """
    import torch

    ids, type_ids, mask = (torch.from_numpy(a) for a in pad([f.window for f in batch]))
    if hide is not None:
        ids = hide(ids, type_ids, mask)
    out = model(input_ids=ids, token_type_ids=type_ids, attention_mask=mask)
    starts, ends = out.start_logits.float(), out.end_logits.float()  # the loss in fp32 under bf16
    own = [row for row, f in enumerate(batch) if not f.distractor]
    cross = torch.nn.functional.cross_entropy
    loss = (
        cross(starts[own], torch.tensor([batch[r].start for r in own]))
        + cross(ends[own], torch.tensor([batch[r].end for r in own]))
    ) / 2
    if len(own) < len(batch):
        shared = shared_loss(starts, ends, batch)
        if shared is not None:
            loss = loss + shared
    return loss


def mask_question(ids, type_ids, attention, *, share: float, tokenizer: WindowTokenizer):
    """`ids` with about `share` of each window's question tokens (segment 0, not [CLS] or
    [SEP]) replaced by [MASK], drawn from torch's generator (saved in checkpoints)."""
    import torch

    question = (type_ids == 0) & (attention == 1) & (ids != tokenizer.cls) & (ids != tokenizer.sep)
    hidden = question & (torch.rand(ids.shape) < share)
    return torch.where(hidden, torch.full_like(ids, tokenizer.mask), ids)


def predict_logits(model, windows: Sequence, batch_size: int = 64) -> list:
    """(start, end) logits as numpy arrays for each window, from the torch model."""
    import torch

    out = []
    with torch.inference_mode():
        for at in range(0, len(windows), batch_size):
            chunk = windows[at : at + batch_size]
            ids, type_ids, mask = (torch.from_numpy(a) for a in pad(chunk))
            result = model(input_ids=ids, token_type_ids=type_ids, attention_mask=mask)
            for row, w in enumerate(chunk):
                n = len(w.ids)
                out.append(
                    (result.start_logits[row, :n].numpy(), result.end_logits[row, :n].numpy())
                )
    return out


def window_tokenizer(config: TrainConfig) -> WindowTokenizer:
    return WindowTokenizer(
        Path(config.base_model) / "tokenizer.json",
        max_length=config.max_length,
        stride=config.stride,
    )


def _batches(n: int, config: TrainConfig) -> list[list[int]]:
    """The whole run's batches, fixed by the seed, so a resumed run sees the same ones."""
    order = _epoch_order(n, config.epochs, config.seed)
    size = config.batch_size
    return [order[i : i + size] for i in range(0, len(order), size)]


def group_batches(
    features: Sequence[Feature], batch_size: int, epochs: float, seed: int
) -> list[list[int]]:
    """The run's batches as lists of feature indices, each example's windows (its own and its
    distractors, for shared normalisation) kept in one batch, examples shuffled by `seed`
    every epoch."""
    groups: dict[int, list[int]] = {}
    for i, f in enumerate(features):
        groups.setdefault(f.example, []).append(i)
    keys = list(groups)
    batches: list[list[int]] = []
    current: list[int] = []
    for at in _epoch_order(len(keys), epochs, seed):
        group = groups[keys[at]]
        if current and len(current) + len(group) > batch_size:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


def _epoch_order(n: int, epochs: float, seed: int) -> list[int]:
    """0..n-1 shuffled by `seed` once per epoch, cut to `epochs` x n (a part epoch is a prefix)."""
    rng = random.Random(seed)
    full, part = int(epochs), epochs - int(epochs)
    order: list[int] = []
    for _ in range(full + (1 if part > 0 else 0)):
        epoch = list(range(n))
        rng.shuffle(epoch)
        order.extend(epoch)
    return order[: int(round(n * epochs))]


def _optimizer(model, config: TrainConfig, total: int):
    import torch

    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim > 1]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest}],
        lr=config.learning_rate,
    )
    warm = max(int(total * config.warmup), 1)

    def rate(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(total - warm, 1))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, rate)


def _save(path: Path, model, optimizer, schedule, step: int, config, n_features: int) -> None:
    import torch

    temporary = path.with_suffix(".tmp")
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "schedule": schedule.state_dict(),
        "step": step,
        "config": asdict(config),
        "features": n_features,
        "rng": torch.get_rng_state(),
    }
    torch.save(state, temporary)
    os.replace(temporary, path)  # a kill mid-write leaves the previous checkpoint whole


def _bar(total: int, done: int, show: bool):
    from tqdm import tqdm

    return tqdm(
        total=total, initial=done, unit="step", desc="Training reader", disable=not show, ncols=90
    )


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


__all__ = [
    "TrainConfig",
    "group_batches",
    "load_reader_weights",
    "predict_logits",
    "train",
    "window_tokenizer",
]
