"""Evaluation sets: the seeds' JSONL questions and SQuAD v1.1/v2.0 JSON, read into one shape."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.shared_data import dev_half, require, shared_data
from index.articles import Article, read_articles
from index.dates import parse_date
from index.errors import FootnoteError

# What a question expects of the bot; every group but ANSWERABLE should be refused.
ANSWERABLE = "answerable"
# Unanswerable, but written against the indexed articles to sound answerable: SQuAD v2's
# is_impossible questions, and JSONL questions without answers whose type names a near miss.
NEAR_MISS = "near_miss"
UNANSWERABLE = "unanswerable"  # a JSONL question with no answers: off topic for the corpus
OUT_OF_CORPUS = "out_of_corpus"  # a SQuAD question whose article was held out of the index
GROUPS = (ANSWERABLE, NEAR_MISS, UNANSWERABLE, OUT_OF_CORPUS)

# A JSONL set with a folder of this name beside it brings its own corpus (eval/news/).
OWN_ARTICLES = "articles"

# Every 4th SQuAD title (by position) stays out of the index so out-of-corpus refusal is measurable.
HOLD_OUT_EVERY = 4

SQUAD_ATTRIBUTION = (
    "SQuAD 2.0 (Rajpurkar, Jia and Liang, 2018), CC BY-SA 4.0: "
    "https://creativecommons.org/licenses/by-sa/4.0/"
)


class DatasetError(FootnoteError):
    """An evaluation file that is missing or cannot be read as a question/answer set."""


@dataclass(frozen=True)
class GoldSpan:
    """Where a gold answer sits: a half-open character span of one article."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalQuestion:
    """One question with its gold answers; `spans` is filled only when the set gives offsets."""

    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str | None
    group: str
    type: str | None = None
    spans: tuple[GoldSpan, ...] = ()
    asked_at: dt.date | None = None  # the question's now: later articles are not evidence

    @property
    def answerable(self) -> bool:
        return self.group == ANSWERABLE


@dataclass(frozen=True)
class Dataset:
    """A question set; `articles` is the corpus to index when the set brings its own (SQuAD)."""

    name: str
    path: Path
    format: str  # "jsonl" or "squad"
    sha256: str
    questions: tuple[EvalQuestion, ...]
    articles: tuple[Article, ...] = ()
    held_out_titles: tuple[str, ...] = ()
    attribution: str | None = None
    reader_trained_on: tuple[str, ...] = ()  # titles whose questions were left out: see runner

    @property
    def brings_corpus(self) -> bool:
        return bool(self.articles)

    def counts(self) -> dict[str, int]:
        """How many questions fall in each group."""
        return {g: sum(q.group == g for q in self.questions) for g in GROUPS}

    def sample(self, limit: int | None) -> Dataset:
        """A deterministic spread of `limit` questions in file order (all when limit is None)."""
        if limit is None or limit >= len(self.questions):
            return self
        keep = sorted(random.Random(0).sample(range(len(self.questions)), limit))
        return replace(self, questions=tuple(self.questions[i] for i in keep))


def resolve_dataset_path(name: str | Path, roots: tuple[Path, ...] = ()) -> Path:
    """Find a dataset file as given, then under `roots`, the cwd, the repository root and the
    shared QA data (where the SQuAD dev half is read in place)."""
    path = Path(name).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        repo_root = Path(__file__).resolve().parents[2]
        candidates = [root / path for root in (*roots, Path.cwd(), repo_root)]
        candidates.append(shared_data() / path.name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if path.name == dev_half().name:
        require(dev_half())  # says which file is missing and where SQuAD 2.0 is found
    looked = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise DatasetError(
        f"No evaluation set at {name} (looked in {looked}). Pass one with --dataset FILE: "
        "a JSONL file of {id, question, answers, article_id, type} lines or a SQuAD JSON file."
    )


def load_dataset(path: Path, *, hold_out_every: int = HOLD_OUT_EVERY) -> Dataset:
    """Read a JSONL question set or a SQuAD v1.1/v2.0 file, telling them apart by content."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"Cannot read the evaluation set {path}: {error.strerror}") from error
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path} is not UTF-8 text") from error
    squad = _as_squad(text)
    if squad is not None:
        return squad_dataset(squad, path, digest, hold_out_every)
    return _jsonl_dataset(text, path, digest)


def _as_squad(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None  # a one-line JSONL file also starts with "{"
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(data, list) and all(isinstance(d, dict) and "paragraphs" in d for d in data):
        return doc
    return None


def _jsonl_dataset(text: str, path: Path, digest: str) -> Dataset:
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {line_no}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{where}: not JSON ({error.msg})") from error
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise DatasetError(f"{where}: expected an object with a 'question' string")
        answers = row.get("answers") or []
        if isinstance(answers, str):
            answers = [answers]
        if not all(isinstance(a, str) for a in answers):
            raise DatasetError(f"{where}: 'answers' must be a list of strings")
        qid = str(row.get("id") or f"{path.stem}-{line_no}")
        if qid in seen:
            raise DatasetError(f"{where}: duplicate id {qid!r}")
        seen.add(qid)
        answers = tuple(a for a in answers if a.strip())
        kind = row.get("type")
        asked_at = parse_date(str(row["asked_at"])) if row.get("asked_at") else None
        if row.get("asked_at") and asked_at is None:
            raise DatasetError(f"{where}: 'asked_at' {row['asked_at']!r} is not a date")
        if answers:
            group = ANSWERABLE
        elif isinstance(kind, str) and "near_miss" in kind:
            group = NEAR_MISS
        else:
            group = UNANSWERABLE
        questions.append(
            EvalQuestion(
                id=qid,
                question=row["question"],
                answers=answers,
                article_id=row.get("article_id") or None,
                group=group,
                type=kind,
                asked_at=asked_at,
            )
        )
    if not questions:
        raise DatasetError(f"{path} holds no questions")
    articles = _own_articles(path)
    if articles:  # the index is cached by this digest: it must change when an article does
        digest = hashlib.sha256(
            "|".join([digest, *(f"{a.id}:{a.date}:{a.outlet}:{a.text}" for a in articles)]).encode()
        ).hexdigest()
    return Dataset(path.stem, path, "jsonl", digest, tuple(questions), articles=articles)


def _own_articles(path: Path) -> tuple[Article, ...]:
    """The articles of a JSONL set that brings its own: those under an `articles/` folder
    beside it (eval/news/), indexed apart from the configured index, as SQuAD's are."""
    folder = path.parent / OWN_ARTICLES
    if not folder.is_dir():
        return ()
    articles, _ = read_articles([folder])
    return tuple(articles)


def squad_dataset(
    doc: dict[str, Any], path: Path, digest: str, hold_out_every: int = HOLD_OUT_EVERY
) -> Dataset:
    """A SQuAD document as a set: every `hold_out_every`th title out of the index (its questions
    out of corpus), the rest's paragraphs its corpus. `path` names the set, `digest` keys its
    caches."""
    articles: list[Article] = []
    questions: list[EvalQuestion] = []
    held_out: list[str] = []
    for t, entry in enumerate(doc["data"]):
        title = str(entry.get("title") or f"article-{t}")
        outside = hold_out_every > 0 and t % hold_out_every == hold_out_every - 1
        if outside:
            held_out.append(title)
        for p, paragraph in enumerate(entry["paragraphs"]):
            article_id = f"{title}#{p}"
            context = paragraph["context"]
            if not outside:
                articles.append(Article(id=article_id, text=context, title=title.replace("_", " ")))
            for qa in paragraph.get("qas", []):
                questions.append(_squad_question(qa, article_id, context, outside))
    if not questions:
        raise DatasetError(f"{path} holds no questions")
    version = str(doc.get("version", ""))
    return Dataset(
        name=path.stem,
        path=path,
        format=f"squad{version.lstrip('v')}" if version else "squad",
        sha256=digest,
        questions=tuple(questions),
        articles=tuple(articles),
        held_out_titles=tuple(held_out),
        attribution=SQUAD_ATTRIBUTION,
    )


def _squad_question(
    qa: dict[str, Any], article_id: str, context: str, outside: bool
) -> EvalQuestion:
    impossible = bool(qa.get("is_impossible", False))
    answers: list[str] = []
    spans: list[GoldSpan] = []
    for gold in [] if impossible else qa.get("answers", []):
        answer, start = gold["text"], int(gold["answer_start"])
        if answer not in answers:
            answers.append(answer)
        span = GoldSpan(article_id, start, start + len(answer))
        if context[span.start : span.end] == answer and span not in spans:
            spans.append(span)  # a bad offset is dropped; the text still scores the answer
    if outside:
        group = OUT_OF_CORPUS
    elif impossible or not answers:
        group = NEAR_MISS
    else:
        group = ANSWERABLE
    return EvalQuestion(
        id=str(qa["id"]),
        question=qa["question"],
        answers=tuple(answers),
        article_id=article_id,
        group=group,
        type="impossible" if impossible else "squad",
        spans=tuple(spans),
    )


__all__ = [
    "ANSWERABLE",
    "GROUPS",
    "HOLD_OUT_EVERY",
    "NEAR_MISS",
    "OUT_OF_CORPUS",
    "UNANSWERABLE",
    "Dataset",
    "DatasetError",
    "EvalQuestion",
    "GoldSpan",
    "load_dataset",
    "resolve_dataset_path",
    "squad_dataset",
]
