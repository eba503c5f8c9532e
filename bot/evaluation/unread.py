"""Questions the reader never drew: more for the span choice to learn from, never scored.

Calibration fits the span choice on the dev half's 4 articles the reader did not train on, about
480 answerable questions. SQuAD v1.1 train is drawn per question with a weight and a seed
(`mixing.weighted`), and the shipped stages drew 60% of it: the other 35,000 questions were
never trained on, though the reader read their paragraphs beside other questions. Calibration
reads those of a few articles too. Their answerable questions join the choice's fit in every
fold, and their out-of-corpus ones (every 4th article stays out of the index, as in any SQuAD
set) join every fold's refusal threshold, like the reader's own out-of-corpus articles. None is
ever scored: the figures stay on the dev half's held-out articles and the seeds set.

Measured and not shipped (`footnote eval --calibrate --unread-articles 40`; README, Calibration):
SQuAD's figures rose, but the refit threshold refused easy seeds questions the shipped one
answers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.evaluation.datasets import Dataset, DatasetError, squad_dataset
from bot.shared_data import MissingDataError, shared_data
from bot.training.mixing import drawn

UNREAD_FILE = "squad11-train.json.gz"
# Articles read when asked for, as measured: 40 give ~2,000 answerable questions, four times
# the dev half's, and take about 4.5 minutes to read on 2 cores the first time (cached after).
UNREAD_ARTICLES = 40
PICK_SEED = 0
SQUAD11_ATTRIBUTION = (
    "SQuAD v1.1 training set (Rajpurkar, Zhang, Lopyrev and Liang, 2016), CC BY-SA 4.0: "
    "https://creativecommons.org/licenses/by-sa/4.0/"
)


def unread_questions(
    training: dict[str, Any], articles: int = UNREAD_ARTICLES, path: Path | None = None
) -> Dataset | None:
    """The questions of `articles` SQuAD v1.1 train articles (picked with PICK_SEED) that no
    stage of the reader described by `training` (its training.json) drew, with all of those
    articles' paragraphs as the corpus; None when no article is asked for, or when the draws
    cannot be reproduced (a stage without its seed, or a count that does not match)."""
    if articles <= 0:
        return None
    path = path or shared_data() / UNREAD_FILE
    if not path.is_file():
        raise MissingDataError(
            f"{path} is missing: calibration reads the SQuAD v1.1 training questions the reader "
            "never drew from it (set FOOTNOTE_SHARED_DATA to the shared QA sets' folder), or "
            "leave out --unread-articles to calibrate without them."
        )
    seen = drawn(training, path)
    if seen is None:
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
            doc = json.load(handle)
        titles = [entry["title"] for entry in doc["data"]]
    except (OSError, EOFError, ValueError, KeyError, TypeError) as error:
        raise DatasetError(f"Cannot read {path} as SQuAD JSON: {error}") from error
    picked = set(random.Random(PICK_SEED).sample(titles, min(articles, len(titles))))
    data = [_unread_only(entry, seen) for entry in doc["data"] if entry["title"] in picked]
    kept = {"version": "v1.1", "data": data}
    digest = hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()
    name = path.name.removesuffix(".gz").removesuffix(".json")
    dataset = squad_dataset(kept, path.with_name(f"{name}-unread.json"), digest)
    return replace(dataset, attribution=SQUAD11_ATTRIBUTION)


def _unread_only(entry: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    """One article with every paragraph (the corpus) and only the questions never drawn."""
    paragraphs = [
        {"context": p["context"], "qas": [qa for qa in p["qas"] if qa["id"] not in seen]}
        for p in entry["paragraphs"]
    ]
    return {"title": entry["title"], "paragraphs": paragraphs}


__all__ = ["PICK_SEED", "UNREAD_ARTICLES", "UNREAD_FILE", "unread_questions"]
