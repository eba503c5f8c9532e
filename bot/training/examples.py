"""Training examples: SQuAD-format files and Footnote JSONL Q/A pairs, read into one shape."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import FootnoteError


class TrainingDataError(FootnoteError):
    """A training file that is missing or cannot be read as question/answer pairs."""


@dataclass(frozen=True)
class QAExample:
    """A question about one passage; `answers` are (character start, text), empty: no answer."""

    id: str
    question: str
    context: str
    answers: tuple[tuple[int, str], ...]
    article: str  # what folds split by: the SQuAD title or the article id

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class LoadReport:
    """What was read from one file, and what was skipped (answers not found in their text)."""

    path: Path
    examples: int
    skipped: int


def load_examples(
    paths: Sequence[Path], articles: Mapping[str, str] | None = None
) -> tuple[list[QAExample], list[LoadReport]]:
    """Examples from SQuAD JSON files and JSONL files, told apart by content.

    A JSONL line is `{"question", "answers": [...], "context"}` or names an `article_id` whose text
    `articles` holds; each answer string is located in that text (its first occurrence), and a
    line none of whose answers occur there is skipped and counted.
    """
    examples: list[QAExample] = []
    reports: list[LoadReport] = []
    for path in paths:
        text = _read(path)
        if text.lstrip().startswith("{") and '"data"' in text[:2000]:
            found, skipped = _squad(path, text), 0
        else:
            found, skipped = _jsonl(path, text, articles or {})
        examples.extend(found)
        reports.append(LoadReport(path, len(found), skipped))
    if not examples:
        raise TrainingDataError(
            "No training examples in " + ", ".join(str(p) for p in paths) + ": give SQuAD JSON "
            "or JSONL lines of {question, answers, context or article_id}."
        )
    return examples, reports


def _read(path: Path) -> str:
    """The file's text; a `.gz` file is decompressed (the shared SQuAD-format sets come so)."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
                return handle.read()
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise TrainingDataError(f"No training file at {path}") from error
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise TrainingDataError(f"Cannot read the training file {path}: {error}") from error


def _squad(path: Path, text: str) -> list[QAExample]:
    try:
        data = json.loads(text)["data"]
        out = []
        for article in data:
            for paragraph in article["paragraphs"]:
                context = paragraph["context"]
                for qa in paragraph["qas"]:
                    answers = () if qa.get("is_impossible") else _squad_answers(qa, context)
                    out.append(
                        QAExample(qa["id"], qa["question"], context, answers, article["title"])
                    )
        return out
    except (ValueError, KeyError, TypeError) as error:
        raise TrainingDataError(f"{path} is not a SQuAD file: {error!r}") from error


def _squad_answers(qa: dict, context: str) -> tuple[tuple[int, str], ...]:
    answers = []
    for a in qa.get("answers", []):
        start, answer = int(a["answer_start"]), a["text"]
        if context[start : start + len(answer)] == answer:
            answers.append((start, answer))
    return tuple(dict.fromkeys(answers))


def _jsonl(path: Path, text: str, articles: Mapping[str, str]) -> tuple[list[QAExample], int]:
    out: list[QAExample] = []
    skipped = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = str(row["question"])
            golds = [str(a) for a in row.get("answers", [])]
        except (ValueError, KeyError, TypeError) as error:
            raise TrainingDataError(f"{path}, line {number}: not a Q/A line ({error!r})") from error
        article = str(row.get("article_id") or f"{path.name}:{number}")
        context = row.get("context") or articles.get(article)
        if context is None:
            raise TrainingDataError(
                f"{path}, line {number}: no `context`, and article {article!r} is not among the "
                "articles given with --articles"
            )
        answers = tuple((at, g) for g in golds if (at := context.find(g)) >= 0)
        if golds and not answers:
            skipped += 1
            continue
        out.append(QAExample(str(row.get("id", number)), question, context, answers, article))
    return out, skipped


__all__ = ["LoadReport", "QAExample", "TrainingDataError", "load_examples"]
