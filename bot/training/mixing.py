"""Training sets mixed with a weight each, and the record of what each file was.

`--dataset FILE:WEIGHT` draws WEIGHT times a file's questions per epoch (0.5: half of them, drawn
with the seed; 2: each twice), so a small set of realistic questions can count for more beside
SQuAD's 87,000. The first file is the one held out by article and scored; the rest only train.

A later stage (`--init-from`) can draw a file's share only from the questions no earlier stage
drew (`--unread-only FILE`): new supervision rather than a second pass. Each stage records the
seed of every draw, so `drawn` tells again which questions a reader saw.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.training.examples import QAExample, load_examples
from bot.training.folds import split_by_article
from index.checksums import file_digest

# Licences of the shared QA sets (../shared/data/README.md), recorded beside their digests.
LICENCES = {
    "squad2-dev-half.json": "CC BY-SA 4.0",
    "squad11-train.json.gz": "CC BY-SA 4.0",
    "tydiqa-goldp-en-train.json.gz": "Apache-2.0",
    "nq-qed-train.json.gz": "CC BY-SA 3.0",
    "squadshifts-new-wiki.json.gz": "CC BY 4.0",
}


@dataclass(frozen=True)
class DatasetSpec:
    """One `--dataset` argument: a file and how many times its questions are drawn per epoch."""

    path: Path
    weight: float = 1.0


def parse_dataset(text: str) -> DatasetSpec:
    """`FILE` or `FILE:WEIGHT` (a weight is a non-negative number after the last colon)."""
    head, colon, tail = text.rpartition(":")
    if colon and head:
        try:
            weight = float(tail)
        except ValueError:
            return DatasetSpec(Path(text))
        if weight < 0:
            raise ValueError(f"a dataset weight must be 0 or more, not {tail}")
        return DatasetSpec(Path(head), weight)
    return DatasetSpec(Path(text))


def mix(
    specs: Sequence[DatasetSpec],
    articles: Mapping[str, str] | None,
    folds: int,
    hold_out: Sequence[int],
    seed: int,
    note: Callable[[str], None] = print,
    *,
    earlier: dict[str, Any] | None = None,
    unread_only: Collection[str] = (),
) -> tuple[list[QAExample], list[QAExample], list[dict]]:
    """(train, held out, provenance): the first file split by article, the rest weighted. Files
    named in `unread_only` are drawn only from the questions that no stage of `earlier` (the
    starting reader's training.json) drew."""
    train_set: list[QAExample] = []
    test_set: list[QAExample] = []
    sources = []
    for number, spec in enumerate(specs):
        examples, (report,) = load_examples([spec.path], articles)
        skipped = f", {report.skipped} skipped (answer not in its text)" if report.skipped else ""
        note(f"{spec.path}: {report.examples} examples{skipped}")
        fresh = number > 0 and spec.path.name in unread_only
        if number == 0:
            kept, test_set = split_by_article(examples, folds, hold_out)
        elif fresh:
            kept = _unread(examples, spec.path, earlier)
            note(f"{spec.path}: {len(kept)} examples no earlier stage drew")
        else:
            kept = examples
        kept = weighted(kept, spec.weight, seed + number)
        train_set += kept
        sources.append(
            provenance(spec, report.examples, len(kept), seed + number)
            | ({"unread_only": True} if fresh else {})
        )
    return train_set, test_set, sources


def _unread(
    examples: Sequence[QAExample], path: Path, earlier: dict[str, Any] | None
) -> list[QAExample]:
    """`examples` less those any stage of `earlier` drew; an error when that cannot be told."""
    seen = drawn(earlier, path, examples) if earlier else None
    if seen is None:
        raise UnreadError(
            f"Cannot tell which questions of {path.name} the starting reader drew: --unread-only "
            "needs --init-from a reader whose training.json records each draw's seed, and the "
            "file must be the one it was trained on."
        )
    return [e for e in examples if e.id not in seen]


class UnreadError(ValueError):
    """--unread-only on a file whose earlier draws cannot be reproduced."""


def drawn(
    training: dict[str, Any], path: Path, examples: Sequence[QAExample] | None = None
) -> set[str] | None:
    """Ids of the questions of `path` that the stage `training` (a training.json) or any stage
    it started from drew, or None when a draw cannot be reproduced: a stage without its seed,
    another file of that name, a count that does not match, or the file being a stage's first
    (split by article, never drawn). `examples`: the file's, when already loaded."""
    if examples is None:
        examples, _ = load_examples([path])
    return _drawn(training, path.name, file_digest(path), examples)


def _drawn(
    stage: dict[str, Any], name: str, digest: str, examples: Sequence[QAExample]
) -> set[str] | None:
    """`drawn` for one stage, oldest stage first: a share drawn only from unread questions is
    drawn from what the stages before it left."""
    earlier = stage.get("started_from")
    seen = _drawn(earlier, name, digest, examples) if earlier else set()
    if seen is None:
        return None
    for number, entry in enumerate(stage.get("datasets", [])):
        if entry.get("file") != name:
            continue
        if number == 0 or "seed" not in entry or entry.get("sha256") != digest:
            return None
        pool = [e for e in examples if e.id not in seen] if entry.get("unread_only") else examples
        draw = weighted(pool, float(entry["weight"]), int(entry["seed"]))
        if len(draw) != entry.get("questions_trained_on"):
            return None
        seen = seen | {e.id for e in draw}
    return seen


def weighted(examples: Sequence[QAExample], weight: float, seed: int) -> list[QAExample]:
    """`examples` repeated int(weight) times plus the fraction drawn with `seed`, in order."""
    whole, part = int(weight), weight - int(weight)
    rng = random.Random(seed)
    drawn = [e for e in examples if rng.random() < part] if part > 0 else []
    return [*examples] * whole + drawn


def provenance(spec: DatasetSpec, questions: int, used: int, seed: int) -> dict:
    """What training.json and the model card say of one file: digest, size, weight, licence,
    and the seed its share was drawn with (so calibration can tell which questions the reader
    never saw: bot/evaluation/unread.py)."""
    return {
        "file": spec.path.name,
        "sha256": file_digest(spec.path),
        "questions": questions,
        "weight": spec.weight,
        "seed": seed,
        "questions_trained_on": used,
        "licence": LICENCES.get(spec.path.name, "unknown: state it in the model card"),
    }


__all__ = [
    "LICENCES",
    "DatasetSpec",
    "UnreadError",
    "drawn",
    "mix",
    "parse_dataset",
    "provenance",
    "weighted",
]
