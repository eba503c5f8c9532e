"""The answering model: the fitted weights of choice and answerability, and where they live.

`footnote eval --calibrate` fits them, held out by article, on the reader's own scores and
writes them beside it as answering.json: the weights fitted on all its questions (what Footnote
answers with), and those of each fold, which `footnote eval` uses on that fold's articles so
its figures stay held out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.answering.reader_folder import ANSWERING
from bot.answering.tuning import SENTENCES_READ, WINDOWS_READ
from index.errors import FootnoteError

MODEL_FILE = ANSWERING  # inside the reader's folder: it is fitted to that reader
# Feature names an answering.json written before they were renamed may still use: "window"
# meant the coverage over a sentence and the one before it, not a reader window.
_RENAMED = {"window": "coverage_with_previous", "prior_window": "prior_coverage_with_previous"}


@dataclass(frozen=True)
class AnsweringModel:
    """Weights by feature name; `sentences` and `windows` say how much the reader reads."""

    choice: Mapping[str, float]
    answerability: Mapping[str, Mapping[str, float]]  # "covered" and "answers" models
    threshold: float  # P(answerable) below which Footnote abstains
    # 6 and 6 hold the gold span for 98.8% of held-out SQuAD questions (4 and 4: 97.2%), and
    # neighbouring ranges merge, so about three windows are read on average.
    sentences: int = SENTENCES_READ
    windows: int = WINDOWS_READ
    folds: Mapping[str, AnsweringModel] = field(default_factory=dict)
    fold_of: Mapping[str, str] = field(default_factory=dict)  # article -> fold name

    def for_article(self, article: str | None) -> AnsweringModel:
        """The model fitted without `article` (for held-out evaluation), else this one."""
        fold = self.fold_of.get(article or "")
        return self.folds.get(fold, self) if fold else self

    def to_json(self) -> dict:
        out = {
            "choice": dict(self.choice),
            "answerability": {k: dict(v) for k, v in self.answerability.items()},
            "threshold": self.threshold,
            "sentences": self.sentences,
            "windows": self.windows,
        }
        if self.folds:
            out["folds"] = {k: v.to_json() for k, v in self.folds.items()}
            out["fold_of"] = dict(self.fold_of)
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> AnsweringModel:
        return cls(
            choice={_RENAMED.get(k, k): float(v) for k, v in data["choice"].items()},
            answerability={
                part: {_RENAMED.get(k, k): float(v) for k, v in weights.items()}
                for part, weights in data["answerability"].items()
            },
            threshold=float(data["threshold"]),
            sentences=int(data.get("sentences", SENTENCES_READ)),
            windows=int(data.get("windows", WINDOWS_READ)),
            folds={k: cls.from_json(v) for k, v in data.get("folds", {}).items()},
            fold_of=dict(data.get("fold_of", {})),
        )


# Before calibration: the reader's ranking, a value of the asked type, never the question's own
# words, and a no-answer margin.
UNCALIBRATED = AnsweringModel(
    choice={"reader": 1.0, "type_match": 1.0, "echo": -5.0},
    answerability={
        "covered": {"bias": -2.0, "top_dense": 4.0},
        "answers": {"bias": 0.0, "best_null_margin": 0.5},
    },
    threshold=0.5,
)


class AnsweringModelError(FootnoteError):
    """The answering model's file is damaged."""


def load_model(path: Path) -> AnsweringModel:
    """The model at `path` (a reader folder's answering.json); the uncalibrated defaults when
    that reader has not been calibrated yet."""
    if not path.exists():
        return UNCALIBRATED
    try:
        return AnsweringModel.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise AnsweringModelError(
            f"The answering model {path} is damaged ({error}); restore it with "
            "`git checkout -- bot/models/reader` or refit it with "
            "`footnote eval --calibrate`."
        ) from error


def save_model(model: AnsweringModel, path: Path) -> None:
    path.write_text(json.dumps(model.to_json(), indent=2, sort_keys=True) + "\n")


__all__ = ["MODEL_FILE", "AnsweringModel", "AnsweringModelError", "load_model", "save_model"]
