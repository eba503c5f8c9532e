"""Runs a question set through each retriever and through answering, timing every stage."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bot.answering import answer_question
from bot.answering.answering_model import AnsweringModel
from bot.answering.reader import Reader
from bot.evaluation.datasets import OUT_OF_CORPUS, Dataset, EvalQuestion
from bot.evaluation.judge import (
    em_f1,
    passage_answers,
    passage_is_relevant,
    quote_is_faithful,
)
from bot.evaluation.metrics import contains_answer, first_relevant_rank
from bot.footnote import newest_first, retrieve_in_time, time_words_of
from bot.settings import Settings
from index import Embedder, Index
from index.passages import Passages, passages_of
from index.scope import Scope
from index.search import Hit, RetrievalConfig

RETRIEVER_NAMES = ("bm25", "dense", "hybrid")
RANK_DEPTH = 10  # hits kept per question for hit@1..10 and MRR@10
ENCODE_BATCH = 64


@dataclass(frozen=True)
class Retriever:
    """One way of searching: a Searcher method and its fusion parameters."""

    name: str
    method: str
    dense_weight: float = RetrievalConfig.dense_weight
    rrf_k: int = RetrievalConfig.rrf_k
    time_words: str | None = None  # "filter", "boost" or "off"; None: the settings'


def retrievers_for(
    choice: str, settings: Settings, time_words: Sequence[str] = ()
) -> tuple[Retriever, ...]:
    """ "bm25", "dense", "hybrid" (the configured fusion) or "all" three, in that order; with
    several `time_words` modes, each retriever once per mode, side by side ("hybrid, time
    off")."""
    chosen = _retrievers(choice, settings)
    if len(time_words) < 2:
        mode = time_words[0] if time_words else None
        return tuple(replace(r, time_words=mode) for r in chosen)
    return tuple(
        replace(r, name=f"{r.name}, time {mode}", time_words=mode)
        for r in chosen
        for mode in time_words
    )


def _retrievers(choice: str, settings: Settings) -> tuple[Retriever, ...]:
    known = {
        "bm25": Retriever("bm25", "bm25"),
        "dense": Retriever("dense", "dense"),
        "hybrid": Retriever("hybrid", settings.fusion, settings.dense_weight, settings.rrf_k),
    }
    if choice == "all":
        return tuple(known.values())
    if choice not in known:
        raise ValueError(f"unknown retriever {choice!r}; choose bm25, dense, hybrid or all")
    return (known[choice],)


@dataclass(frozen=True)
class Outcome:
    """What happened to one question under one retriever. None: not applicable to its group."""

    question_id: str
    group: str
    type: str | None
    rank: int | None  # first relevant hit within RANK_DEPTH (answerable questions)
    candidate_hit: bool | None  # some sentence of the k passages holds a gold answer
    right_article: bool | None  # the answer cites the gold article first (its period's report)
    later_evidence: int  # hits and citations dated after the question's asked_at: must be 0
    answered: bool
    answer: str | None
    short_answer: str | None
    confidence: float
    sentence_correct: bool | None
    em: float
    f1: float
    quote_ok: bool | None  # only for answered questions
    search_ms: float
    answer_ms: float


@dataclass(frozen=True)
class RetrieverRun:
    retriever: Retriever
    outcomes: tuple[Outcome, ...]
    seconds: float  # searching and answering, wall clock


@dataclass(frozen=True)
class EvalRun:
    """Everything measured in one `footnote eval`."""

    dataset: Dataset
    index_dir: Path
    index_articles: int
    index_chunks: int
    k: int
    runs: tuple[RetrieverRun, ...]
    encode_seconds: float  # batch-encoding every question once, shared by the retrievers
    seconds: float


def encode_questions(
    embedder: Embedder, questions: Sequence[EvalQuestion], *, progress: bool = False
) -> np.ndarray:
    """Every question's vector in batches, so retrieval and answering never encode one at a time."""
    return embedder.encode(
        [q.question for q in questions], batch_size=ENCODE_BATCH, progress=progress
    )


def held_out_of_reader(dataset: Dataset, reader: Reader) -> Dataset:
    """`dataset` without the questions on articles the reader was trained on (SQuAD titles).

    Their paragraphs stay in the index, as distractors; only the figures leave them out.
    """
    trained = set(reader.trained_on)
    if not trained:
        return dataset
    keep = tuple(q for q in dataset.questions if _title(q) not in trained)
    dropped = tuple(sorted({_title(q) for q in dataset.questions} & trained))
    return replace(dataset, questions=keep, reader_trained_on=dropped)


def out_of_corpus_on_reader_articles(dataset: Dataset, reader: Reader) -> Dataset:
    """The out-of-corpus questions of `dataset` on articles the reader was trained on: never
    scored, but calibration's threshold learns from them what an article outside the index
    looks like (the reader read them beside their own passages, never these)."""
    trained = set(reader.trained_on)
    keep = tuple(q for q in dataset.questions if q.group == OUT_OF_CORPUS and _title(q) in trained)
    return replace(dataset, questions=keep)


def _title(q: EvalQuestion) -> str:
    return (q.article_id or "").split("#")[0]


def run_evaluation(
    dataset: Dataset,
    index: Index,
    embedder: Embedder,
    settings: Settings,
    retrievers: Sequence[Retriever],
    *,
    index_dir: Path,
    reader: Reader,
    model: AnsweringModel,
    k: int | None = None,
    progress: bool = True,
) -> EvalRun:
    """Search, answer and judge every question of `dataset` with each retriever.

    Each question is answered with the model fitted without its article (`model.for_article`),
    when calibration made one, so the figures stay held out.
    """
    started = time.perf_counter()
    k = k or settings.k
    questions = dataset.questions
    # Untimed: loading the model and torch's first full batch (seconds) are not per-question work.
    encode_questions(embedder, questions[:ENCODE_BATCH])
    encode_start = time.perf_counter()
    vectors = encode_questions(embedder, questions)
    encode_seconds = time.perf_counter() - encode_start
    bar = tqdm(
        total=len(questions) * len(retrievers),
        desc="eval",
        unit="q",
        disable=None if progress else True,  # None: shown only when stderr is a terminal
        leave=False,
    )
    if questions:
        # Untimed warm-up: the first answer pays for numpy's first large matrix products.
        _one(questions[0], vectors[0], retrievers[0], index, reader, model, settings, k)
    runs = []
    with bar:
        for retriever in retrievers:
            bar.set_description(f"eval {retriever.name}")
            run_start = time.perf_counter()
            outcomes = []
            for q, vector in zip(questions, vectors, strict=True):
                outcomes.append(_one(q, vector, retriever, index, reader, model, settings, k))
                bar.update()
            runs.append(RetrieverRun(retriever, tuple(outcomes), time.perf_counter() - run_start))
    return EvalRun(
        dataset=dataset,
        index_dir=index_dir,
        index_articles=len(index.articles),
        index_chunks=len(index.chunks),
        k=k,
        runs=tuple(runs),
        encode_seconds=encode_seconds,
        seconds=time.perf_counter() - started,
    )


def search(
    question: str,
    vector: np.ndarray,
    retriever: Retriever,
    index: Index,
    settings: Settings,
    depth: int,
    *,
    as_of: dt.date | None = None,
) -> list[Hit]:
    """The top `depth` hits of one retriever for an already-encoded question; with `as_of`
    (a question's `asked_at`), only from articles not dated after it, and its time words read
    as of then (else as of today), as the retriever's `time_words` mode says."""
    configured = settings.replace(
        dense_weight=retriever.dense_weight,
        rrf_k=retriever.rrf_k,
        time_words=retriever.time_words,
    )
    scope = Scope(as_of=as_of)
    words = time_words_of(question, scope, configured)
    return retrieve_in_time(
        index, question, vector, configured, depth, scope, words, method=retriever.method
    )


def _one(
    q: EvalQuestion,
    vector: np.ndarray,
    retriever: Retriever,
    index: Index,
    reader: Reader,
    model: AnsweringModel,
    settings: Settings,
    k: int,
) -> Outcome:
    t0 = time.perf_counter()
    depth = max(k, RANK_DEPTH)
    hits = search(q.question, vector, retriever, index, settings, depth, as_of=q.asked_at)
    t1 = time.perf_counter()
    timed = settings.replace(time_words=retriever.time_words)
    words = time_words_of(q.question, Scope(as_of=q.asked_at), timed)
    passages = passages_of(index, hits[:k])
    answer = answer_question(
        q.question,
        passages,
        reader,
        model.for_article(_title(q) or q.id),
        vector,
        config=timed.answering,
        newest=newest_first(words, timed),
    )
    t2 = time.perf_counter()
    em, f1 = em_f1(q, answer)
    answerable = q.answerable
    rank = candidate_hit = sentence_correct = right_article = None
    if answerable:
        rank = first_relevant_rank(
            passage_is_relevant(q, h.chunk.article_id, h.chunk.start, h.chunk.end, h.chunk.text)
            for h in hits[:RANK_DEPTH]
        )
        candidate_hit = _candidates_hold_answer(q, passages)
        cited = answer.citations[0].article_id if answer.citations else ""
        sentence_correct = not answer.abstained and passage_answers(q, cited, answer.answer or "")
        if q.article_id is not None:
            right_article = not answer.abstained and cited == q.article_id
    return Outcome(
        question_id=q.id,
        group=q.group,
        type=q.type,
        rank=rank,
        candidate_hit=candidate_hit,
        right_article=right_article,
        later_evidence=_later(q.asked_at, [h.chunk.article_id for h in hits], answer, index),
        answered=not answer.abstained,
        answer=None if answer.abstained else answer.answer,
        short_answer=None if answer.abstained else answer.short_answer,
        confidence=float(answer.confidence),
        sentence_correct=sentence_correct,
        em=em,
        f1=f1,
        quote_ok=None if answer.abstained else quote_is_faithful(answer, index),
        search_ms=(t1 - t0) * 1000,
        answer_ms=(t2 - t1) * 1000,
    )


def _later(asked_at: dt.date | None, hit_articles: Sequence[str], answer, index: Index) -> int:
    """How many of the hits and citations are dated after `asked_at` (none may be)."""
    if asked_at is None:
        return 0
    ids = [*hit_articles, *(c.article_id for c in answer.citations)]
    dates = [index.articles[i].date for i in ids]
    return sum(d is not None and dt.date.fromisoformat(d) > asked_at for d in dates)


def _candidates_hold_answer(q: EvalQuestion, passages: Passages) -> bool:
    for passage in passages:
        chunk = passage.chunk
        if q.article_id is not None and chunk.article_id != q.article_id:
            continue
        if not contains_answer(chunk.text, q.answers):
            continue  # no sentence inside can hold it either
        if any(passage_answers(q, s.article_id, s.text) for s in passage.sentences):
            return True
    return False


__all__ = [
    "RANK_DEPTH",
    "RETRIEVER_NAMES",
    "EvalRun",
    "Outcome",
    "Retriever",
    "RetrieverRun",
    "encode_questions",
    "held_out_of_reader",
    "out_of_corpus_on_reader_articles",
    "retrievers_for",
    "run_evaluation",
    "search",
]
