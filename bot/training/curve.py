"""A learning curve from one run: held-out scores as the run reads more questions.

Scoring at 10k, 30k and all questions within one run costs seconds per point, where separate runs
would cost hours on two cores. The points before the last are read mid-schedule (the learning
rate not yet decayed), so they understate what a run of that size alone would reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path


class LearningCurve:
    """`on_step` for `train`: scores the model when the windows read pass each point, measured
    in questions (steps / total x questions), and appends the figures to a JSON file that a
    resumed run keeps."""

    def __init__(
        self,
        path: Path,
        points: Sequence[int],
        questions: int,
        score: Callable[[object], dict],
    ):
        self.path, self.questions, self.score = path, questions, score
        self.points = sorted(p for p in points if 0 < p < questions)
        self.figures: list[dict] = (
            json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        )

    def __call__(self, step: int, total: int, model) -> None:
        read = step * self.questions // total
        done = {f["questions"] for f in self.figures}
        due = [p for p in self.points if p <= read and p not in done]
        if not due:
            return
        model.eval()
        figures = self.score(model)
        model.train()
        for point in due:
            self.figures.append({"questions": point, "step": step, **_renamed(figures)})
        self.path.write_text(json.dumps(self.figures, indent=2) + "\n", encoding="utf-8")
        print(f"Learning curve at {read} questions: {figures}", flush=True)


def _renamed(figures: dict) -> dict:
    return {("scored" if k == "questions" else k): v for k, v in figures.items()}


__all__ = ["LearningCurve"]
