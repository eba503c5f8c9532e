"""The answer and abstention figures of a `footnote eval --out` run, restricted to some articles.

Used to measure the answerer Footnote had before the reader on exactly the questions the reader
is scored on (the SQuAD titles it did not train on), from that run's questions.jsonl:

    python scripts/held_out_figures.py REPORT_DIR/questions.jsonl [--titles T ...]

Without --titles, the held-out titles recorded in the shipped reader's config are used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def figures(rows: list[dict]) -> dict[str, float | int | None]:
    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 4) if flags else None

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    answerable = [r for r in rows if r["group"] == "answerable"]
    answered = [r for r in answerable if r["answered"]]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "em_answered": mean([r["em"] for r in answered]),
        "f1_answered": mean([r["f1"] for r in answered]),
        "em_all_answerable": mean([r["em"] for r in answerable]),
        "f1_all_answerable": mean([r["f1"] for r in answerable]),
        "sentence_accuracy": share([bool(r["sentence_correct"]) for r in answerable]),
        "answerable_answered": share([r["answered"] for r in answerable]),
        "near_miss_refused": share([not r["answered"] for r in rows if r["group"] == "near_miss"]),
        "out_of_corpus_refused": share(
            [not r["answered"] for r in rows if r["group"] == "out_of_corpus"]
        ),
        "off_topic_refused": share(
            [not r["answered"] for r in rows if r["group"] == "unanswerable"]
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, help="questions.jsonl of a `footnote eval --out`")
    parser.add_argument("--titles", nargs="*", help="SQuAD titles (or article ids) to keep")
    parser.add_argument("--retriever", default="hybrid")
    args = parser.parse_args(argv)
    titles = args.titles
    if titles is None:
        config = json.loads((ROOT / "bot/models/reader/config.json").read_text())
        titles = config["footnote_reader"]["held_out"]
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line]
    rows = [r for r in rows if r["retriever"] == args.retriever]
    if titles:
        keep = set(titles)
        rows = [r for r in rows if (r.get("gold_article") or "").split("#")[0] in keep]
    print(json.dumps({"titles": titles, **figures(rows)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
