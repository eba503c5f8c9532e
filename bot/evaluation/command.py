"""`footnote eval`: its flags, and the run that loads a set, scores it and prints the report.

Imported when the CLI builds its parser, so nothing heavy is imported at module level.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings, flag_type

DEFAULT_DATASET = Path("eval/seeds_qa.jsonl")
RETRIEVER_CHOICES = ("bm25", "dense", "hybrid", "all")


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The `footnote eval` flags. `-k` is stored as `k`, which the CLI copies into Settings.k."""
    parser.add_argument(
        "--dataset",
        type=Path,
        metavar="FILE",
        help=f"JSONL question set or SQuAD v1.1/v2.0 JSON (default {DEFAULT_DATASET})",
    )
    parser.add_argument(
        "--retriever",
        choices=RETRIEVER_CHOICES,
        default="all",
        help="which retrieval to score; 'all' puts bm25, dense and hybrid side by side (default)",
    )
    parser.add_argument(
        "-k", type=flag_type("k"), help="passages given to answering, 1-100 (default 5)"
    )
    parser.add_argument(
        "--time-words",
        type=_time_modes,
        metavar="MODE[,MODE]",
        help="how the questions' time words ('last week', 'in 2013', 'latest') are used: "
        "filter, boost or off; several put each retriever once per mode side by side "
        "(default: the configured one, beside 'off' for a set whose questions carry asked_at)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object with every figure, nothing else"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="also write report.md, report.json, hitk.png and questions.jsonl",
    )
    parser.add_argument(
        "--limit", type=_positive, metavar="N", help="score a fixed sample of N questions"
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="fit the answering model (span choice, answerability, threshold) held out by "
        "article on the SQuAD dev half (../shared/data) + eval/seeds_qa.jsonl (or --dataset) "
        "and write answering.json beside the reader and eval/calibration.json (or both into "
        "DIR with --out)",
    )
    parser.add_argument(
        "--refuse-target",
        type=_share,
        metavar="SHARE",
        help="with --calibrate: share of out-of-corpus and off-topic questions the threshold "
        "must refuse, of an article it was not chosen on too (default 0.97)",
    )
    parser.add_argument(
        "--unread-articles",
        type=_count,
        metavar="N",
        help="with --calibrate: also teach the span choice and threshold with the questions "
        "the reader never drew of N SQuAD v1.1 train articles, read from "
        "../shared/data/squad11-train.json.gz (default 0; measured with 40, not shipped)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where indexes of sets that bring their own articles (SQuAD) are kept "
        "(default ~/.cache/footnote/eval)",
    )


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Run `footnote eval`; FootnoteErrors (a missing set, a broken index) reach the CLI."""
    if getattr(args, "calibrate", False):
        from bot.evaluation.calibration import run_calibration

        return run_calibration(args, settings)

    from bot.answering.answering_model import MODEL_FILE, load_model
    from bot.evaluation.corpus import open_eval_index
    from bot.evaluation.datasets import load_dataset, resolve_dataset_path
    from bot.evaluation.report import render_json, render_table, write_reports
    from bot.evaluation.runner import held_out_of_reader, retrievers_for, run_evaluation
    from bot.evaluation.summary import summarize
    from bot.footnote import load_embedder, load_reader

    def note(text: str) -> None:
        print(text, file=sys.stderr)  # stdout carries only the report (or the JSON)

    path = resolve_dataset_path(args.dataset or DEFAULT_DATASET)
    reader = load_reader(settings)
    dataset = held_out_of_reader(load_dataset(path), reader).sample(getattr(args, "limit", None))
    if dataset.reader_trained_on:
        note(
            f"Scoring {len(dataset.questions)} questions: those on the "
            f"{len(dataset.reader_trained_on)} articles the reader was trained on are left out."
        )
    embedder = load_embedder(settings)
    index, index_dir = open_eval_index(
        dataset, settings, embedder, cache_root=getattr(args, "cache_dir", None), announce=note
    )
    _check_articles(dataset, index, index_dir, note)
    run = run_evaluation(
        dataset,
        index,
        embedder,
        settings,
        retrievers_for(args.retriever, settings, _time_words_for(args, dataset, settings)),
        index_dir=index_dir,
        reader=reader,
        model=load_model(reader.folder / MODEL_FILE),
        k=getattr(args, "k", None),
    )
    summary = summarize(run, settings)
    if args.out:
        paths = write_reports(summary, args.out, command=_command_line(), run=run)
        note("Wrote " + ", ".join(str(p) for p in paths))
    print(render_json(summary) if args.json else render_table(summary))
    return 0


def _check_articles(dataset, index, index_dir: Path, note) -> None:
    """Warn when some articles the questions name are not indexed; refuse when none are, as
    every figure would be 0% for a reason that has nothing to do with Footnote's answers."""
    from index.errors import FootnoteError

    named = {q.article_id for q in dataset.questions if q.answerable and q.article_id}
    missing = sorted(named - set(index.articles))
    shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
    if named and len(missing) == len(named):
        raise FootnoteError(
            f"The index at {index_dir} holds none of the {len(named)} articles the questions "
            f"of {dataset.name} are about ({shown}), so every figure would be 0%. Index them "
            f"into a folder of their own and evaluate that: `footnote --index-dir DIR index "
            f"PATH` then `footnote --index-dir DIR eval`."
        )
    if missing:
        note(
            f"warning: {len(missing)} article(s) named by the questions are not in the index "
            f"({shown}); their questions cannot be retrieved."
        )


def _time_words_for(args: argparse.Namespace, dataset, settings: Settings) -> tuple[str, ...]:
    """The time-word modes to score: as asked, else the configured one, beside "off" when the
    set's questions have a now (asked_at) that their time words are read against."""
    if getattr(args, "time_words", None):
        return args.time_words
    if settings.time_words != "off" and any(q.asked_at for q in dataset.questions):
        return (settings.time_words, "off")
    return ()


def _time_modes(text: str) -> tuple[str, ...]:
    from bot.settings import TIME_WORDS

    modes = tuple(dict.fromkeys(m.strip() for m in text.split(",") if m.strip()))
    wrong = [m for m in modes if m not in TIME_WORDS]
    if wrong or not modes:
        raise argparse.ArgumentTypeError(
            f"expected {', '.join(TIME_WORDS)} or several joined by commas, not {text!r}"
        )
    return modes


def _command_line() -> str:
    return "footnote " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def _whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


_count, _positive = _whole(0), _whole(1)


__all__ = ["add_eval_arguments", "run_eval"]
