"""Every tunable of Footnote in one dataclass: defaults, FOOTNOTE_* variables and flags."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from bot.answering.config import AnsweringConfig
from index.onnx_session import PRECISIONS, InferenceConfig
from index.search import RetrievalConfig

ENV_PREFIX = "FOOTNOTE_"
DEFAULT_CORPUS = (Path("seeds"),)
_RETRIEVAL = RetrievalConfig()  # retrieval's own defaults, defined in index/search.py
_ANSWERING = AnsweringConfig()  # answering's own defaults, defined in bot/answering/config.py
_INFERENCE = InferenceConfig()  # the models' own defaults, defined in index/onnx_session.py
_Config = TypeVar("_Config", RetrievalConfig, AnsweringConfig)


@dataclass(frozen=True)
class Settings:
    """Defaults. The fusion weight was chosen held out by the retrieval calibration (commit
    0f7d433); the abstention threshold, unless set, is the reader's calibrated one."""

    # Where things live.
    index_dir: Path = Path(".footnote")
    corpus: tuple[Path, ...] = ()  # empty: what the index was built from, else DEFAULT_CORPUS
    embedder: str = "all-MiniLM-L6-v2"  # the sentence embedding model (FOOTNOTE_EMBEDDER)

    # Chunking: sentence windows of about this many words, sharing this many sentences.
    chunk_words: int = 100
    chunk_overlap_sentences: int = 1
    # FAISS index: "flat" (exact), "ivf", "hnsw", or "auto" (flat to 40,000 chunks, then HNSW).
    dense: str = "auto"

    # Retrieval.
    k: int = 5
    # How a question is searched: RetrievalConfig (index/search.py) says what each one means.
    fusion: str = _RETRIEVAL.fusion
    dense_weight: float = _RETRIEVAL.dense_weight
    rrf_k: int = _RETRIEVAL.rrf_k
    candidates: int = _RETRIEVAL.candidates
    sentence_share: float = _RETRIEVAL.sentence_share
    # Time words in a question ("last week", "in 2013", "latest"): "filter" keeps only the
    # period's articles, "boost" ranks them first, "off" ignores the words (index/time_words.py)
    time_words: str = "filter"

    # Answering.
    reader: str = ""  # folder of a reader from `footnote train-reader`; empty: the packaged one
    # How a question is answered: AnsweringConfig (bot/answering/config.py) says what each one
    # means; report_margin applies with time words on.
    abstain_threshold: float | None = _ANSWERING.abstain_threshold  # None: the reader's own
    max_question_chars: int = 1000
    max_citations: int = _ANSWERING.max_citations
    citation_margin: float = _ANSWERING.citation_margin
    report_margin: float = _ANSWERING.report_margin
    # Timelines (`footnote timeline`): passages searched for the topic, and reports shown.
    timeline_passages: int = 40
    timeline_entries: int = 10

    # How the reader and the question encoder run on ONNX Runtime: InferenceConfig
    # (index/onnx_session.py) says what each one means. Precision "fp32" or "int8" (the reader's
    # only; see `encoding`); threads per model, 0: one per core.
    engine_precision: str = _INFERENCE.precision
    engine_threads: int = _INFERENCE.threads

    # Every front end: questions answered at once (0: one per core) and how many may wait.
    # Four workers: while one question's windows are read, the others retrieve and prepare
    # theirs, and questions waiting together share the reader's runs (index/batching.py). With
    # 50 askers on 2 cores (fp32), 1, 2, 4 and 8 workers answered 18.5, 17.3, 18.4 and 19.1
    # questions/s (scripts/engine_benchmark.py's load): the count matters little, but with one
    # nothing is ever batched. Past the queue: "busy, try again in a minute".
    answer_workers: int = 4
    answer_queue: int = 64
    feedback_log: Path = Path("footnote-feedback.jsonl")
    # Conversations and sent answers, kept across restarts; unset: beside the feedback log.
    state_db: Path = Path()

    # Discord front end.
    discord_channels: tuple[int, ...] = ()
    discord_ask_channels: tuple[int, ...] = ()  # every message there is a question
    discord_forums: tuple[int, ...] = ()  # every new post there is a question
    discord_cooldown_seconds: float = 10.0
    discord_heartbeat_file: Path = Path()  # touched while connected, for a HEALTHCHECK; unset: off

    # HTTP API and chat page (`footnote serve`). Keys stay out of repr, so never in a log line.
    serve_host: str = "127.0.0.1"  # any other address needs api_key
    serve_port: int = 8000
    api_key: str = field(default="", repr=False)  # Bearer token for /api/*; empty: none asked
    admin_key: str = field(default="", repr=False)  # Bearer token for /api/reindex; empty: off
    cors_origins: tuple[str, ...] = ()  # browser origins that may call the API; empty: none
    api_rate_per_minute: int = 60  # requests per client per minute, bursts included; 0: no limit
    api_max_body_bytes: int = 16_384  # a question is at most max_question_chars anyway

    def __post_init__(self) -> None:
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise SettingsError(
                    f"{name.replace('_', ' ')} must be between {low} and {high}, not {value} "
                    f"(set by {ENV_PREFIX}{name.upper()} or its flag)"
                )
        if self.dense not in DENSE_KINDS:
            raise SettingsError(
                f"dense index must be one of {', '.join(DENSE_KINDS)}, not {self.dense!r}"
            )
        if self.fusion not in FUSIONS:
            raise SettingsError(f"fusion must be one of {', '.join(FUSIONS)}, not {self.fusion!r}")
        if self.time_words not in TIME_WORDS:
            raise SettingsError(
                f"time words must be one of {', '.join(TIME_WORDS)}, not {self.time_words!r}"
            )
        if self.engine_precision not in PRECISIONS:
            raise SettingsError(
                f"engine precision must be one of {', '.join(PRECISIONS)}, "
                f"not {self.engine_precision!r}"
            )

    @property
    def retrieval(self) -> RetrievalConfig:
        """How retrieval searches, as these settings configure it."""
        return self._compose(RetrievalConfig)

    @property
    def answering(self) -> AnsweringConfig:
        """How answering answers, as these settings configure it."""
        return self._compose(AnsweringConfig)

    def _compose(self, config: type[_Config]) -> _Config:
        """A layer's config from the settings of the same names: each of its fields is one."""
        return config(**{f.name: getattr(self, f.name) for f in fields(config)})

    @property
    def inference(self) -> InferenceConfig:
        """How the reader runs, as these settings configure it."""
        return InferenceConfig(precision=self.engine_precision, threads=self.engine_threads)

    @property
    def encoding(self) -> InferenceConfig:
        """How the question encoder runs: always fp32. At int8 its vectors moved to cosines of
        0.98 with the fp32 ones for 2 ms a question, and `footnote eval` encodes its questions
        with sentence-transformers (fp32), so its figures would not show what int8 changed."""
        return InferenceConfig(precision="fp32", threads=self.engine_threads)

    @property
    def state_path(self) -> Path:
        """The state database: state_db if set, else footnote-state.sqlite3 by the feedback log."""
        if self.state_db != Path():
            return self.state_db
        return self.feedback_log.parent / "footnote-state.sqlite3"

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with the given fields changed; None values are ignored (unset flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by FOOTNOTE_<FIELD> variables; a bad value raises SettingsError."""
        env = os.environ if env is None else env
        hints = get_type_hints(cls)
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            for old in _OLD_NAMES.get(f.name, ()):
                raw = raw if raw is not None and raw.strip() else env.get(ENV_PREFIX + old)
            if raw is not None and raw.strip() != "":
                changes[f.name] = _parse(f.name, raw.strip(), hints[f.name])
        return cls().replace(**changes)


# Variables read under an earlier name too: FOOTNOTE_MODEL named the embedder when "model" also
# meant the answering model and the reader.
_OLD_NAMES = {"embedder": ("MODEL",)}
FUSIONS = ("weighted", "rrf")
TIME_WORDS = ("filter", "boost", "off")
DENSE_KINDS = ("auto", "flat", "ivf", "hnsw")  # index.dense.KINDS, without importing faiss
_RANGES = (
    ("dense_weight", 0.0, 1.0),
    ("sentence_share", 0.0, 1.0),
    ("abstain_threshold", 0.0, 1.0),
    ("report_margin", 0.0, 100.0),
    ("k", 1, 100),
    ("timeline_passages", 1, 1000),
    ("timeline_entries", 1, 100),
    ("candidates", 1, 10_000),
    ("rrf_k", 1, 10_000),
    ("chunk_words", 10, 10_000),
    ("chunk_overlap_sentences", 0, 10),
    ("max_question_chars", 1, 100_000),
    ("discord_cooldown_seconds", 0.0, 86_400.0),
    ("serve_port", 0, 65_535),
    ("api_rate_per_minute", 0, 1_000_000),
    ("api_max_body_bytes", 1_024, 100_000_000),
    ("answer_workers", 0, 256),
    ("engine_threads", 0, 256),
    ("answer_queue", 1, 100_000),
)


def flag_type(name: str) -> Callable[[str], Any]:
    """An argparse `type` for the numeric setting `name`: its type and its range, with a
    message a person can read ("-k abc" otherwise says "invalid _positive value")."""
    kind = get_type_hints(Settings)[name]
    low, high = next((low, high) for field_name, low, high in _RANGES if field_name == name)
    noun = "a whole number" if kind is int else "a number"

    def parse(text: str) -> Any:
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {noun} from {low} to {high}, not {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    return parse


class SettingsError(ValueError):
    """A FOOTNOTE_* variable or flag that cannot be read as its setting's type."""


def _parse(name: str, raw: str, kind: Any) -> Any:
    try:
        if kind is Path:
            return Path(raw)
        if kind == tuple[Path, ...]:
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
        if kind == tuple[str, ...]:
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        if kind == tuple[int, ...]:
            return tuple(int(p) for p in raw.replace(" ", "").split(",") if p)
        if kind in (int, float, str):
            return kind(raw)
        if kind == float | None:
            return float(raw)
    except ValueError:
        pass
    raise SettingsError(
        f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {name.replace('_', ' ')}"
    )


__all__ = ["Settings", "SettingsError", "flag_type"]
