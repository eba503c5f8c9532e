"""Does int8 keep the answers? Full precision and int8, side by side, on the held-out figures.

Runs `footnote eval` on the seeds set and on the SQuAD dev half (its held-out articles, as the
README's figures are) once with the engine at fp32 and once at int8, then prints, per set, the
share of questions whose short answer and quoted sentence are identical, and every figure the
README quotes with the difference in points. Issue 25's bar: >= 99% identical, every figure
within 0.5 points.

Run with `make engine-agreement` (about 10 minutes on 2 cores; needs ../shared/data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOOTNOTE = Path(sys.executable).parent / "footnote"
OUT = ROOT / "build" / "agreement"
SETS = {"seeds": [], "squad": ["--dataset", "squad2-dev-half.json"]}
PRECISIONS = ("fp32", "int8")


def run_eval(name: str, precision: str) -> Path:
    out = OUT / f"{name}-{precision}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FOOTNOTE_ENGINE_PRECISION": precision}
    subprocess.run(
        [str(FOOTNOTE), "eval", *SETS[name], "--retriever", "hybrid", "--out", str(out)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def answers(folder: Path) -> dict[str, tuple]:
    with (folder / "questions.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {r["question_id"]: (r["answered"], r["short_answer"], r["answer"]) for r in rows}


def figures(folder: Path) -> dict[str, float | None]:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    hybrid = report["retrievers"]["hybrid"]
    a, b = hybrid["answers"], hybrid["abstention"]
    return {
        "answer sentence": a["sentence_accuracy"],
        "short-answer F1": a["f1"],
        "short-answer EM": a["em"],
        "answerable answered": b["answerable_answered"],
        "near misses refused": b["near_miss_abstained"],
        "out of corpus refused": b["out_of_corpus_abstained"],
        "off topic refused": b["unanswerable_abstained"],
    }


def main() -> int:
    failed = False
    for name in SETS:
        full, low = (run_eval(name, p) for p in PRECISIONS)
        a, b = answers(full), answers(low)
        same = sum(a[q] == b[q] for q in a) / len(a)
        print(f"\n{name}: {len(a)} questions; identical answer and quote: {100 * same:.1f}%")
        print("| figure | fp32 | int8 | difference (points) |\n| --- | ---: | ---: | ---: |")
        fa, fb = figures(full), figures(low)
        for figure, x in fa.items():
            y = fb[figure]
            if x is None or y is None:
                continue
            diff = 100 * (y - x)
            failed |= abs(diff) > 0.5
            print(f"| {figure} | {100 * x:.1f}% | {100 * y:.1f}% | {diff:+.1f} |")
        failed |= same < 0.99
    print("\nint8 keeps the answers." if not failed else "\nint8 misses the bar above.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
