"""Today's engine against the new one, side by side on the same questions, in one run.

"today" is Footnote as it was before issue 25 (commit TODAY: the hand-written numpy BERT, no
batching), checked out into a temporary git worktree; "new" is this checkout (ONNX Runtime,
the reader's windows and the question vectors of waiting questions batched together) at fp32
and at int8. Each runs in its own process on its own copy of the seed index, with its own
answering workers: the warm single-question p50, then 1, 8 and 50 concurrent askers through the
answering pool every front end uses, each asker asking its questions one after another. Prints
a markdown table with the ratios to today, the share of answers identical to today's, and plots
answer time against concurrent askers (docs/answer-time-vs-askers.png).

Run with `make bench-engine` (about 6 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from askers import ask_concurrently, percentile, seeds_questions

ROOT = Path(__file__).resolve().parent.parent
TODAY = "6786d5b0eda4467d2ce54633c82508d370284a15"  # main before the ONNX engine (issue 25)
ASKERS = (1, 8, 50)
PLOT = ROOT / "docs" / "answer-time-vs-askers.png"
COLOURS = ("tab:red", "tab:blue", "tab:green")


# --- one engine, in its own process (`--measure`): imports whichever code PYTHONPATH names ---


def measure(per: int) -> dict:
    import asyncio
    import statistics

    try:
        from bot.footnote import Footnote
    except ImportError:  # a commit from before engine.py was named for the class it holds
        from bot.engine import Footnote
    from bot.frontends.workers import AnsweringPool
    from bot.settings import Settings

    settings = Settings.from_env()
    pool_questions = seeds_questions()
    engine = Footnote.open(settings)
    for q in pool_questions[:5]:
        engine.ask(q)  # load the models, open the ONNX sessions, warm the caches
    single = []
    for q in pool_questions[:30]:
        started = time.perf_counter()
        engine.ask(q)
        single.append((time.perf_counter() - started) * 1000)

    async def load(pool: AnsweringPool, asked: list[str], askers: int) -> dict:
        async def ask(question: str) -> list:
            answer = await pool.run(engine.ask, question)
            return [answer.short_answer, answer.answer]

        loaded = await ask_concurrently(asked, askers, ask)
        return {
            "questions": len(loaded.times_ms),
            "throughput": loaded.throughput,
            "p50": percentile(loaded.times_ms, 0.5),
            "p95": percentile(loaded.times_ms, 0.95),
            "answers": loaded.results,
        }

    out: dict = {"single_p50": statistics.median(single), "askers": {}}
    pool = AnsweringPool(settings.answer_workers, queue=10_000)
    try:
        for askers in ASKERS:
            n = max(per * askers, 30)
            asked = [pool_questions[i % len(pool_questions)] for i in range(n)]
            out["askers"][str(askers)] = asyncio.run(load(pool, asked, askers))
    finally:
        pool.close()
    out["workers"] = settings.answer_workers
    return out


# --- the driver: a worktree for today, a process per engine, the table and the plot ---


def run_engine(code: Path, name: str, env_extra: dict[str, str], per: int, tmp: Path) -> dict:
    """Index the seeds with `code`'s own build, then measure in a fresh process (so questions
    are encoded by the quick path, as `footnote ask` and the front ends encode them)."""
    run = tmp / "runs" / name  # beside, not inside, the worktree (whose index/ is code)
    index_dir = run / "index"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(code),
        "FOOTNOTE_INDEX_DIR": str(index_dir),
        "FOOTNOTE_CORPUS": str(code / "seeds"),
        "FOOTNOTE_FEEDBACK_LOG": str(run / "feedback.jsonl"),
        "XDG_CACHE_HOME": str(tmp / "cache"),  # ONNX graphs built once for both "new" runs
        **env_extra,
    }
    cli = "from bot.frontends.cli import main; raise SystemExit(main())"
    subprocess.run(
        [sys.executable, "-c", cli, "index", str(code / "seeds")],
        env=env,
        check=True,
        capture_output=True,
    )
    result = run / "result.json"
    subprocess.run(
        [sys.executable, __file__, "--measure", "--per", str(per), "--out", str(result)],
        env=env,
        check=True,
    )
    return json.loads(result.read_text())


def plot(results: dict[str, dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for (name, r), colour in zip(results.items(), COLOURS, strict=False):
        xs = [int(a) for a in r["askers"]]
        for q, style in (("p50", "-o"), ("p95", "--x")):
            ys = [r["askers"][str(x)][q] / 1000 for x in xs]
            ax.plot(xs, ys, style, color=colour, label=f"{name}, {q}")
    ax.set_xscale("log")
    ax.set_xticks(list(ASKERS), [str(a) for a in ASKERS])
    ax.set_xlabel("concurrent askers")
    ax.set_ylabel("answer time (s)")
    ax.set_title("Answer time against concurrent askers (seed index, 2 cores)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=120)


def table(results: dict[str, dict]) -> str:
    """A row per figure: each engine's value, then each new one's ratio to today's."""
    names = list(results)
    today = results[names[0]]
    header = [*names, *(f"{n} / today" for n in names[1:])]
    lines = ["| measure | " + " | ".join(header) + " |", "| --- |" + " ---: |" * len(header)]

    def row(label: str, values: list[float], unit: str) -> None:
        cells = [f"{v:.1f} {unit}" for v in values]
        ratios = [f"{v / values[0]:.2f}" for v in values[1:]]
        lines.append(f"| {label} | " + " | ".join(cells + ratios) + " |")

    row("warm single question, p50", [r["single_p50"] for r in results.values()], "ms")
    for askers in ASKERS:
        loads = [r["askers"][str(askers)] for r in results.values()]
        row(f"{askers} askers: throughput", [x["throughput"] for x in loads], "q/s")
        row(f"{askers} askers: answer time p50", [x["p50"] for x in loads], "ms")
        row(f"{askers} askers: answer time p95", [x["p95"] for x in loads], "ms")
    lines.append("")
    for name in names[1:]:
        same = [
            _identical(today["askers"][a]["answers"], load["answers"])
            for a, load in results[name]["askers"].items()
        ]
        lines.append(
            f"{name}: short answer and quoted sentence identical to today's for "
            f"{100 * min(same):.1f}% of questions (the lowest of the three loads)"
        )
    return "\n".join(lines)


def _identical(a: list, b: list) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", default=TODAY, help="the commit to measure as today's")
    parser.add_argument("--workers", type=int, help="the new engine's answering workers")
    parser.add_argument("--per", type=int, default=4, help="questions per asker (8 askers)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, os.environ["PYTHONPATH"])
        args.out.write_text(json.dumps(measure(args.per)))
        return 0
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        worktree = tmp / "today"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.today],
            check=True,
            capture_output=True,
        )
        try:
            workers = {"FOOTNOTE_ANSWER_WORKERS": str(args.workers)} if args.workers else {}
            runs = {
                "today": (worktree, {"FOOTNOTE_ANSWER_WORKERS": "1"}),
                "new fp32": (ROOT, {**workers, "FOOTNOTE_ENGINE_PRECISION": "fp32"}),
                "new int8": (ROOT, {**workers, "FOOTNOTE_ENGINE_PRECISION": "int8"}),
            }
            results = {}
            for label, (code, env) in runs.items():
                print(f"Measuring {label} ...", file=sys.stderr)
                results[label] = run_engine(code, label.replace(" ", "-"), env, args.per, tmp)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                check=False,
                capture_output=True,
            )
    workers_new = results["new fp32"]["workers"]
    print(
        f"Seed index, {os.cpu_count()} cores; today: 1 answering worker (its default), "
        f"new: {workers_new}; commit {args.today[:7]} as today\n"
    )
    print(table(results))
    plot(results)
    print(f"\nPlot: {PLOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
