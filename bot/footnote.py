"""Footnote: one loaded index, reader and answering model, answering questions and drawing
timelines for every front end (the CLI, the Discord bot, the HTTP API and its page)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.answering import Answer, answer_question
from bot.answering.answering_model import MODEL_FILE, AnsweringModel, load_model
from bot.answering.follow_up import Turn, resolve
from bot.answering.pipeline import Newest
from bot.answering.question import clean_question
from bot.answering.reader import PACKAGED_READER, Reader
from bot.settings import DEFAULT_CORPUS, Settings
from bot.timeline import Timeline, build_timeline, timeline_topic
from index import (
    BuildReport,
    Embedder,
    FootnoteError,
    Hit,
    Index,
    IndexCorruptError,
    IndexMissingError,
    build_index,
    open_index,
)
from index.index_folder import index_sources, read_manifest
from index.passages import passages_of
from index.recency import rerank
from index.scope import Scope
from index.time_words import TimeWords, read_time_words, within


class Footnote:
    """Answers questions from one index; `reindex` swaps in a fresh one without a pause."""

    def __init__(
        self,
        settings: Settings,
        index: Index,
        embedder: Embedder,
        reader: Reader | None = None,
        model: AnsweringModel | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._index = index
        self._reindex_lock = threading.Lock()
        self.reader = reader or load_reader(settings)
        self.model = model or load_model(self.reader.folder / MODEL_FILE)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> Footnote:
        """Load the index at settings.index_dir, building it from `corpus_of` if missing."""
        embedder = embedder or load_embedder(settings)
        try:
            index = open_index(settings.index_dir, embedder)
        except IndexMissingError:
            corpus = corpus_of(settings)
            missing = [str(p) for p in corpus if not Path(p).exists()]
            if missing:  # an index of nothing would refuse every question: say so instead
                raise IndexMissingError(
                    f"No index at {settings.index_dir}, and no articles to build one from: "
                    f"{', '.join(missing)} does not exist. Index yours with `footnote index "
                    "PATH`, or set FOOTNOTE_CORPUS to their folder."
                ) from None
            if announce:
                names = ", ".join(str(p) for p in corpus)
                announce(f"No index at {settings.index_dir} yet; building it from {names} first.")
            build(settings, embedder, corpus, progress=announce is not None)
            index = open_index(settings.index_dir, embedder)
        return cls(settings, index, embedder)

    @property
    def index(self) -> Index:
        return self._index

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        context: Sequence[Turn] = (),
        scope: Scope | None = None,
    ) -> Answer:
        """Answer a question; `context` holds the earlier turns of a conversation, oldest first.

        `scope` is the question's now and filters; its `as_of` defaults to today, so an
        article dated later (a clock set wrong, a scheduled post) is never evidence.
        """
        started = time.perf_counter()
        scope = scope or Scope()
        if scope.as_of is None:
            scope = replace(scope, as_of=dt.date.today())
        question = clean_question(question, self.settings.max_question_chars)
        index = self._index  # one consistent index for the whole question, even mid-reindex
        index.check_files()  # a mapped file truncated since opening: a clear error, no crash
        query = resolve(question, context)
        search_text = " ".join([*query.context, query.text])
        query_vector = self.embedder.encode([search_text])[0]
        s = self.settings
        words = time_words_of(query.text, scope, s)
        hits = retrieve_in_time(index, search_text, query_vector, s, k or s.k, scope, words)
        passages = passages_of(index, hits)
        retrieved = time.perf_counter()
        answer = answer_question(
            query.text,
            passages,
            self.reader,
            self.model,
            query_vector,
            config=s.answering,
            conversation=query.conversation,
            newest=newest_first(words, s),
        )
        done = time.perf_counter()
        timings = {
            "retrieve": round((retrieved - started) * 1000, 2),
            "answer": round((done - retrieved) * 1000, 2),
            "total": round((done - started) * 1000, 2),
        }
        resolved = query.text if query.text != question else None
        return replace(
            answer, question=question, timings_ms=timings, resolved=resolved, about=query.about
        )

    def reindex(self, *, progress: bool = False) -> BuildReport:
        """Rebuild from the corpus (`corpus_of`) and swap the new index in; one at a time."""
        with self._reindex_lock:
            # The loaded index remembers its sources: a folder deleted meanwhile is rebuilt from
            # them, not from the sample articles.
            known = [Path(p) for p in self._index.manifest.get("sources", [])]
            paths = corpus_of(self.settings, known)
            report = build(self.settings, self.embedder, paths, progress=progress)
            self._index = open_index(self.settings.index_dir, self.embedder)
        return report

    def timeline(self, topic: str, *, scope: Scope | None = None) -> Timeline:
        """What the articles reported about `topic` ("the rail strikes", or "What happened with
        the rail strikes?"), dated quotes oldest first, within `scope` (as of today by default,
        like `ask`). QuestionError for a topic that is empty or too long."""
        started = time.perf_counter()
        scope = scope or Scope()
        if scope.as_of is None:
            scope = replace(scope, as_of=dt.date.today())
        topic = clean_question(topic, self.settings.max_question_chars)
        topic = timeline_topic(topic) or topic
        index = self._index
        index.check_files()
        vector = self.embedder.encode([topic])[0]
        s = self.settings
        hits = retrieve(index, topic, vector, s, s.timeline_passages, allowed=index.allowed(scope))
        passages = passages_of(index, hits)
        timeline = build_timeline(topic, passages, vector, limit=s.timeline_entries)
        total = round((time.perf_counter() - started) * 1000, 2)
        return replace(timeline, timings_ms={"total": total})


def load_embedder(settings: Settings) -> Embedder:
    """The sentence embedder in settings.embedder, its quick path always at fp32
    (Settings.encoding)."""
    return Embedder(settings.embedder, settings.encoding)


def load_reader(settings: Settings) -> Reader:
    """The reader in settings.reader (a `footnote train-reader` folder), else the packaged one."""
    folder = Path(settings.reader) if settings.reader else PACKAGED_READER
    return Reader(folder, settings.inference)


def retrieve(
    index: Index,
    text: str,
    vector: np.ndarray,
    settings: Settings,
    k: int,
    *,
    method: str | None = None,
    allowed: np.ndarray | None = None,
) -> list[Hit]:
    """The top `k` hits for an encoded question, searched the way `settings` configure.

    `method` overrides the fusion, e.g. "bm25" or "dense" alone for the eval's comparison;
    `allowed` (Index.allowed of a Scope) the chunks that may be hits.
    """
    return index.searcher.search(
        text, k, config=settings.retrieval, method=method, query_vector=vector, allowed=allowed
    )


def time_words_of(question: str, scope: Scope, settings: Settings) -> TimeWords | None:
    """The period or recency `question` asks about, as of the scope's now (today when unset);
    None when it names none or settings.time_words is "off"."""
    if settings.time_words == "off":
        return None
    return read_time_words(question, scope.as_of or dt.date.today())


def newest_first(words: TimeWords | None, settings: Settings) -> Newest | None:
    """How answering weighs the dates of reports that disagree: the newest first (inside the
    period `words` name; within settings.report_margin, which `Settings.answering` carries);
    None, as before time words, when settings.time_words is "off"."""
    if settings.time_words == "off":
        return None
    return Newest(period=words)


def retrieve_in_time(
    index: Index,
    text: str,
    vector: np.ndarray,
    settings: Settings,
    k: int,
    scope: Scope,
    words: TimeWords | None,
    *,
    method: str | None = None,
) -> list[Hit]:
    """`retrieve` within `scope`, with the question's time `words` applied as settings say:
    "filter" searches only the period's articles, "boost" ranks them first; a question that
    wants the newest report ranks the newer of a wider pool first. Without time words this
    is `retrieve` within `scope`, unchanged."""
    if words is None:
        return retrieve(
            index, text, vector, settings, k, method=method, allowed=index.allowed(scope)
        )
    filtering = settings.time_words == "filter"
    searched = within(scope, words) if filtering else scope
    pool = k if filtering and not words.recent else max(3 * k, 20)
    hits = retrieve(
        index, text, vector, settings, pool, method=method, allowed=index.allowed(searched)
    )
    if pool == k:
        return hits
    return rerank(hits, lambda a: _day(index, a), words, period=not filtering)[:k]


def _day(index: Index, article_id: str) -> dt.date | None:
    date = index.articles[article_id].date
    return dt.date.fromisoformat(date) if date else None


def build(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence = (),
    *,
    progress: bool = False,
    ray: str | None = None,
) -> BuildReport:
    """Build or update the index at settings.index_dir from `paths` (default: `corpus_of`).

    `ray`: build on the Ray cluster at that address ("auto": the one this machine is part of,
    else a local one) instead of on this machine; the index is the same.
    """
    options = {
        "chunk_words": settings.chunk_words,
        "overlap_sentences": settings.chunk_overlap_sentences,
        "dense": settings.dense,
        "progress": progress,
    }
    paths = list(paths) or corpus_of(settings)
    if ray is not None:
        from index import build_index_on_ray  # only a Ray build pays for importing its module

        return build_index_on_ray(paths, settings.index_dir, embedder, address=ray, **options)
    return build_index(paths, settings.index_dir, embedder, **options)


def corpus_of(settings: Settings, known: Sequence[Path] = ()) -> list[Path]:
    """What a build without paths reads: FOOTNOTE_CORPUS if set, else what the current index was
    built from (its manifest says, else `known`: what the running engine loaded), else seeds/
    when there is no index yet. So `/reindex` never swaps a user's index for the seeds; when an
    index exists but its sources can't be read, the user is asked for them."""
    if settings.corpus:
        return list(settings.corpus)
    sources = index_sources(settings.index_dir) or list(known)
    if sources:
        return sources
    try:
        read_manifest(settings.index_dir)
    except IndexMissingError:
        return list(DEFAULT_CORPUS)
    except IndexCorruptError:
        pass
    raise SourcesUnknownError(
        f"The index at {settings.index_dir} does not say which articles it was built from "
        "(its manifest is damaged or older), so it is not rebuilt from the sample articles: "
        "name yours with `footnote index PATH ...` or FOOTNOTE_CORPUS."
    )


class SourcesUnknownError(FootnoteError):
    """An index exists but its sources can't be read, and no corpus was given."""
