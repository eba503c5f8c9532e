"""Plot the shipped reader's learning curve (docs/learning-curve.png) from its model folder.

`footnote train-reader --curve-at N,...` scores the held-out SQuAD dev-half articles (gold passage,
answer forced) as the run reads more questions and writes `learning_curve.json`; the run's final
figures are in `training.json`. The reader trained on 3,211 questions before it is drawn as the
earlier point. Usage: python scripts/learning_curve.py [READER_FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The reader shipped before the new data: 3,211 dev-half questions, three epochs (README).
EARLIER = {"questions": 3211, "exact_match": 51.5, "f1": 62.6}


def points(folder: Path) -> list[dict]:
    """The curve of the run that read the questions: a second stage (--init-from) has none of
    its own, so its record's `started_from`, the first stage, gives the final point."""
    curve = json.loads((folder / "learning_curve.json").read_text(encoding="utf-8"))
    record = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    record = record.get("started_from") or record
    final = {**record["held_out_gold_passage"], "questions": record["questions"]}
    return [*curve, final]


def plot(run: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4))
    sizes = [p["questions"] for p in run]
    for key, label, colour in (("f1", "F1", "tab:blue"), ("exact_match", "EM", "tab:orange")):
        axes.plot(sizes, [p[key] for p in run], marker="o", color=colour, label=f"{label}, one run")
        axes.scatter([EARLIER["questions"]], [EARLIER[key]], marker="x", color=colour, s=60)
    axes.scatter([], [], marker="x", color="grey", label="the earlier reader (3 epochs)")
    axes.axhline(80, color="tab:blue", linestyle=":", alpha=0.6, label="target F1 80")
    axes.axhline(70, color="tab:orange", linestyle=":", alpha=0.6, label="target EM 70")
    axes.set_xscale("log")
    axes.set_xlabel("training questions read (log scale)")
    axes.set_ylabel("held-out gold passage, %")
    axes.set_title("Reader learning curve: 824 held-out SQuAD dev-half questions")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bot" / "models" / "reader"
    run = points(folder)
    print("| questions read | EM | F1 | answer sentence |\n| ---: | ---: | ---: | ---: |")
    for p in run:
        print(f"| {p['questions']:,} | {p['exact_match']} | {p['f1']} | {p['answer_sentence']}% |")
    plot(run, ROOT / "docs" / "learning-curve.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
