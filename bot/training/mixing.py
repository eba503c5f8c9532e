"""Training sets mixed with a weight each, and the record of what each file was.

`--dataset FILE:WEIGHT` draws WEIGHT times a file's questions per epoch (0.5: half of them, drawn
with the seed; 2: each twice), so a small set of realistic questions can count for more beside
SQuAD's 87,000. The first file is the one held out by article and scored; the rest only train.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

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
) -> tuple[list[QAExample], list[QAExample], list[dict]]:
    """(train, held out, provenance): the first file split by article, the rest weighted."""
    train_set: list[QAExample] = []
    test_set: list[QAExample] = []
    sources = []
    for number, spec in enumerate(specs):
        examples, (report,) = load_examples([spec.path], articles)
        skipped = f", {report.skipped} skipped (answer not in its text)" if report.skipped else ""
        note(f"{spec.path}: {report.examples} examples{skipped}")
        if number == 0:
            kept, test_set = split_by_article(examples, folds, hold_out)
        else:
            kept = examples
        kept = weighted(kept, spec.weight, seed + number)
        train_set += kept
        sources.append(provenance(spec, report.examples, len(kept), seed + number))
    return train_set, test_set, sources


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


__all__ = ["LICENCES", "DatasetSpec", "mix", "parse_dataset", "provenance", "weighted"]
