"""Rendering a summary: a terminal table, JSON, a markdown report and the hit@k plot."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.evaluation.runner import EvalRun

Row = tuple[str, Callable[[dict[str, Any]], str]]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _dec(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _pair(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None else f"{a:.1f} / {b:.1f}"


def _rows(summary: dict[str, Any]) -> list[tuple[str, list[Row]]]:
    groups = summary["dataset"]["groups"]
    answerable = groups["answerable"]
    sections: list[tuple[str, list[Row]]] = [
        (
            f"Retrieval ({answerable} answerable)",
            [
                ("hit@1", lambda r: _pct(r["retrieval"]["hit@1"])),
                ("hit@3", lambda r: _pct(r["retrieval"]["hit@3"])),
                ("hit@5", lambda r: _pct(r["retrieval"]["hit@5"])),
                ("MRR@10", lambda r: _dec(r["retrieval"]["mrr@10"])),
            ],
        ),
        (
            f"Answers (k={summary['settings']['k']})",
            [
                ("candidate recall", lambda r: _pct(r["answers"]["candidate_recall"])),
                ("answer-sentence accuracy", lambda r: _pct(r["answers"]["sentence_accuracy"])),
                (
                    "  accuracy of answered",
                    lambda r: _pct(r["answers"]["sentence_accuracy_answered"]),
                ),
                ("short-answer EM", lambda r: _pct(r["answers"]["em"])),
                ("short-answer F1", lambda r: _pct(r["answers"]["f1"])),
                ("  EM of answered", lambda r: _pct(r["answers"]["em_answered"])),
                ("  F1 of answered", lambda r: _pct(r["answers"]["f1_answered"])),
                ("quote inside citation", lambda r: _pct(r["answers"]["quote_in_citation"])),
            ],
        ),
    ]
    abstention: list[Row] = [
        ("answerable: answered", lambda r: _pct(r["abstention"]["answerable_answered"]))
    ]
    if groups["near_miss"]:
        label = f"near miss ({groups['near_miss']}): abstained"
        abstention.append((label, lambda r: _pct(r["abstention"]["near_miss_abstained"])))
    if groups["unanswerable"]:
        label = f"unanswerable ({groups['unanswerable']}): abstained"
        abstention.append((label, lambda r: _pct(r["abstention"]["unanswerable_abstained"])))
    if groups["out_of_corpus"]:
        label = f"out of corpus ({groups['out_of_corpus']}): abstained"
        abstention.append((label, lambda r: _pct(r["abstention"]["out_of_corpus_abstained"])))
    sections.append(("Abstention", abstention))
    if summary["dataset"].get("asked_at"):
        sections.append(("Time (answered from the gold article's period)", _time_rows(summary)))
    lat = "latency_ms"
    sections.append(
        (
            "Speed",
            [
                (
                    "retrieve p50 / p95 ms",
                    lambda r: _pair(r[lat]["retrieve"]["p50"], r[lat]["retrieve"]["p95"]),
                ),
                (
                    "answer p50 / p95 ms",
                    lambda r: _pair(r[lat]["answer"]["p50"], r[lat]["answer"]["p95"]),
                ),
                ("questions / s", lambda r: f"{r['questions_per_second']:.1f}"),
            ],
        )
    )
    return sections


def _time_rows(summary: dict[str, Any]) -> list[Row]:
    """Per question type, the share answered from the gold article, the report of the period
    asked about; then the evidence dated after a question's asked_at, which must be 0."""
    first = next(iter(summary["retrievers"].values()))
    rows: list[Row] = []
    for kind, figures in first["by_type"].items():
        if figures["right_article"] is None:
            continue
        label = f"{kind.replace('_', ' ')} ({figures['questions']})"
        rows.append((label, lambda r, kind=kind: _pct(r["by_type"][kind]["right_article"])))
    rows.append(("all answerable", lambda r: _pct(r["answers"]["right_article"])))
    rows.append(("evidence after asked_at", lambda r: str(r["later_evidence"])))
    return rows


def _title(summary: dict[str, Any]) -> str:
    d = summary["dataset"]
    groups = ", ".join(f"{n} {g.replace('_', ' ')}" for g, n in d["groups"].items() if n)
    return f"{d['name']}: {d['questions']} questions ({groups})"


def _notes(summary: dict[str, Any]) -> list[str]:
    d, s, i = summary["dataset"], summary["settings"], summary["index"]
    fusion = f"{s['fusion']} (dense weight {s['dense_weight']})"
    if s["fusion"] == "rrf":
        fusion = f"rrf (k={s['rrf_k']})"
    notes = [
        f"Index: {i['articles']} articles, {i['chunks']} chunks at {i['dir']}; model {s['model']}.",
        f"hybrid = {fusion}; abstain below confidence "
        f"{s['abstain_threshold'] if s['abstain_threshold'] is not None else 'as calibrated'}.",
    ]
    if d["held_out_titles"]:
        notes.append(f"Held out of the index (out of corpus): {', '.join(d['held_out_titles'])}.")
    if d.get("reader_trained_on"):
        notes.append(
            "Scored only on articles the reader did not train on; left out (still indexed): "
            + ", ".join(d["reader_trained_on"])
            + "."
        )
    notes.append(f"Ran in {summary['timing']['seconds']:.1f} s.")
    if d["attribution"]:
        notes.append(f"Data: {d['attribution']}")
    return notes


def render_table(summary: dict[str, Any]) -> str:
    """The terminal report: one column per retriever, one row per figure."""
    names = list(summary["retrievers"])
    results = [summary["retrievers"][n] for n in names]
    sections = _rows(summary)
    width = max(len(label) for _, rows in sections for label, _ in rows) + 2
    # As wide as the widest cell plus a gap: "301.0 / 3111.4" must not run into its neighbour.
    cells = [cell(r) for _, rows in sections for _, cell in rows for r in results]
    col = max(13, *(len(n) + 3 for n in names), *(len(c) + 3 for c in cells))
    lines = [_title(summary), "", " " * width + "".join(n.rjust(col) for n in names)]
    for heading, rows in sections:
        lines.append(heading)
        for label, cell in rows:
            lines.append(("  " + label).ljust(width) + "".join(cell(r).rjust(col) for r in results))
    lines.append("")
    lines.extend(_notes(summary))
    return "\n".join(lines)


def render_markdown(summary: dict[str, Any], command: str | None = None) -> str:
    """The same figures as a markdown report."""
    names = list(summary["retrievers"])
    results = [summary["retrievers"][n] for n in names]
    lines = [f"# Footnote evaluation: {summary['dataset']['name']}", "", _title(summary), ""]
    if command:
        lines += [f"Command: `{command}`", ""]
    lines += ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for heading, rows in _rows(summary):
        lines.append(f"| **{heading}** |" + " |" * len(names))
        for label, cell in rows:
            lines.append(f"| {label.strip()} | " + " | ".join(cell(r) for r in results) + " |")
    lines += ["", "![hit@k per retriever](hitk.png)", ""]
    lines += [f"- {note}" for note in _notes(summary)]
    lines += ["", _DEFINITIONS]
    return "\n".join(lines) + "\n"


_DEFINITIONS = """\
## How the figures are computed

- **hit@k / MRR@10** (answerable questions): a retrieved passage is relevant when it overlaps a
  gold answer span of the gold article (SQuAD offsets) or, for sets without offsets, contains a
  gold answer (normalised) and comes from the named article.
- **candidate recall**: some sentence of the k passages given to answering contains a gold answer.
- **answer-sentence accuracy**: the quoted sentence contains a gold answer (SQuAD normalisation:
  lowercase, no punctuation, no a/an/the) and comes from the gold article when the set names it.
  Abstaining on an answerable question counts as wrong.
- **short-answer EM / F1**: SQuAD scoring of the short answer, or of the quoted sentence when
  there is no short answer (its EM is then almost always 0), max over gold answers; abstaining
  scores 0. "of answered" restricts both to the questions it answered.
- **quote inside citation**: the quote is a substring of citation [1] and every citation equals
  its article's text at its offsets. Must be 100%.
- **abstention**: near miss = unanswerable questions written against the indexed articles
  (SQuAD v2 `is_impossible`; JSONL questions without answers whose type names a near miss);
  out of corpus = questions on SQuAD titles held out of the index (every 4th title);
  unanswerable = a JSONL set's other questions without answers (off topic).
- **time** (sets whose questions carry `asked_at`): the share of each type's answerable
  questions answered (first citation) from the gold article, which in a dated set is the report
  of the period the question is about; and how many retrieved passages or citations, over all
  questions, are dated after their question's `asked_at` (must be 0). "time off" columns
  ignore the time words in the questions and answer as if reports had no dates (no newest
  report first); `asked_at` still applies.
- **latency**: retrieve includes each question's share of the batched question encoding.
"""


def render_json(summary: dict[str, Any]) -> str:
    """The whole summary as one JSON object."""
    return json.dumps(summary, indent=2, ensure_ascii=False)


def plot_hit_at_k(summary: dict[str, Any], path: Path) -> None:
    """hit@k for k = 1..10, one line per retriever, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server or in CI
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, result in summary["retrievers"].items():
        values = [v * 100 if v is not None else float("nan") for v in result["retrieval"]["hit@k"]]
        ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("hit@k (% of answerable questions)")
    ax.set_title(f"Retrieval: {summary['dataset']['name']}")
    ax.set_xticks(range(1, 11))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_time(summary: dict[str, Any], path: Path) -> None:
    """Per question type, the share answered from the report of the right period, one bar per
    column (time words filtering, boosting, off), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(summary["retrievers"])
    first = summary["retrievers"][names[0]]["by_type"]
    kinds = [k for k, figures in first.items() if figures["right_article"] is not None]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    width = 0.8 / len(names)
    for n, name in enumerate(names):
        by_type = summary["retrievers"][name]["by_type"]
        values = [(by_type[k]["right_article"] or 0) * 100 for k in kinds]
        ax.bar([i + n * width for i in range(len(kinds))], values, width, label=name)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(kinds))])
    ax.set_xticklabels([f"{k}\n({first[k]['questions']})" for k in kinds])
    ax.set_ylabel("answered from the right report (%)")
    ax.set_ylim(0, 125)  # room above the bars for the legend
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(f"Time words: {summary['dataset']['name']}")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncol=len(names), fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_reports(
    summary: dict[str, Any],
    out_dir: Path,
    command: str | None = None,
    run: EvalRun | None = None,
) -> list[Path]:
    """report.md, report.json and hitk.png in `out_dir` (created if needed), time.png for a
    set whose questions carry asked_at, and with `run` questions.jsonl: one line per question
    and retriever, for reading the failures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "report.md", out_dir / "report.json", out_dir / "hitk.png"]
    paths[0].write_text(render_markdown(summary, command), encoding="utf-8")
    paths[1].write_text(render_json(summary) + "\n", encoding="utf-8")
    plot_hit_at_k(summary, paths[2])
    if summary["dataset"].get("asked_at"):
        paths.append(out_dir / "time.png")
        plot_time(summary, paths[-1])
    if run is not None:
        paths.append(out_dir / "questions.jsonl")
        write_outcomes(run, paths[-1])
    return paths


def write_outcomes(run: EvalRun, path: Path) -> None:
    """Every question's outcome under every retriever, with the question and gold answers."""
    questions = {q.id: q for q in run.dataset.questions}
    with path.open("w", encoding="utf-8") as out:
        for r in run.runs:
            for o in r.outcomes:
                q = questions[o.question_id]
                record = {
                    "retriever": r.retriever.name,
                    "question": q.question,
                    "gold": list(q.answers),
                    "gold_article": q.article_id,
                    **asdict(o),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


__all__ = [
    "plot_hit_at_k",
    "plot_time",
    "render_json",
    "render_markdown",
    "render_table",
    "write_outcomes",
    "write_reports",
]
