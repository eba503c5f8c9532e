"""ONNX Runtime sessions of the BERT graphs: built once, cached on disk, one per process."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.onnx_bert import FORMAT
from index.onnx_cache import cached_model

PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class InferenceConfig:
    """How the reader and the question encoder run.

    `precision` "int8" quantises their weight MatMuls (index/quantisation.py). On 2 cores a
    128-token window then reads in 7.8 ms rather than 10.8 (in batches of 8; alone 8.1 rather
    than 15.5), the reader's logits move by up to 1.6 and query vectors to cosines of 0.98 to
    0.996 with the fp32 ones; held-out answers decide whether it becomes the default.
    `threads` 0 gives each session one thread per core the process may use.
    """

    precision: str = "fp32"
    threads: int = 0

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}"
            )

    @property
    def batches(self) -> bool:
        """Whether rows may share one run. Not at int8: a run's activations are quantised with
        one scale for the whole batch, so a window's logits moved by up to 1.3 with the windows
        beside it (fp32: 0.0). Alone, each reads the same in any company, and no slower (9.6
        ms a window against 9.8 in batches of 8, on 2 cores)."""
        return self.precision != "int8"


DEFAULT_INFERENCE = InferenceConfig()

_sessions: dict[tuple[str, int], object] = {}
_lock = threading.Lock()


def bert_session(
    digest: str,
    head: str,
    build: Callable[[], object],
    config: InferenceConfig,
    cache_root: Path | None = None,
):
    """The onnxruntime.InferenceSession of the graph `build()` makes (an onnx.ModelProto) from
    the weights file with sha256 `digest`, at config's precision.

    One per model per process: a second Reader or encoder of the same weights shares the first
    one's session (run() is thread-safe), and only a process's first load reads the disk cache.
    """
    name = f"bert-{head}-{digest}-v{FORMAT}-{config.precision}.onnx"
    key = (name, config.threads)
    with _lock:  # one build, even when two threads load the same model at once
        if key not in _sessions:
            model = cached_model(name, lambda: _serialised(build(), config.precision), cache_root)
            _sessions[key] = _session(model, config.threads)
        return _sessions[key]


def _serialised(model, precision: str) -> bytes:
    if precision == "int8":
        from index.quantisation import quantised

        return quantised(model)
    return model.SerializeToString()


def _session(model: str | bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or _cores()
    options.inter_op_num_threads = 1
    # Threads that spin between runs took the cores from the rest of a question (retrieval,
    # the other model) and from a neighbouring process: on 2 busy cores a window read in 24-26
    # ms with them asleep against 26-37 ms spinning (fp32), 10-12 against 19-24 (int8).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


__all__ = ["DEFAULT_INFERENCE", "PRECISIONS", "InferenceConfig", "bert_session"]
