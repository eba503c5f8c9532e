"""Planning a build: what each article's text yields, made afresh or lent by the previous index.

An article's plan holds its sentences and chunks and their vectors, and, when written, its
aliases, its sentences' referents and its chunks' BM25 terms. Text that is unchanged since the
previous index keeps all of it (vectors whenever the chunking matches; spans, aliases,
referents and BM25 counts only when the code that reads text, TEXT_RULES, is the same), so a
rebuild reads and encodes only new text. `index/build.py` runs plan -> embed -> write -> swap.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.aliases import Alias, find_aliases
from index.articles import Article, content_hash
from index.chunking import sentence_windows
from index.embedder import Embedder
from index.errors import FootnoteError, IndexMissingError
from index.index import Index
from index.opening import open_index
from index.referents import resolve_referents
from index.sentences import split_sentences
from index.sparse import BM25Index
from index.tokens import terms

if TYPE_CHECKING:
    from index.dense import DenseIndex

# How chunk vectors are made, recorded in the manifest: vectors are reused only between
# builds that made them the same way.
CHUNK_VECTORS = "pooled-sentences"
TEXT_RULES = (
    "index.sentences",
    "index.chunking",
    "index.aliases",
    "index.referents",
    "index.tokens",
    "index.vocabulary",
)


@dataclass(frozen=True)
class Planned:
    """One article's chunks and sentences, with their vectors once known (from the previous
    index, or from embed_plans)."""

    article: Article
    hash: str
    chunk_spans: list[tuple[int, int]]
    sentence_spans: list[tuple[int, int]]
    chunk_vectors: np.ndarray | None
    sentence_vectors: np.ndarray | None
    windows: list[tuple[int, int]]  # per chunk, its (first, last) sentence, inclusive
    # Kept from the previous index when the text and the text rules are unchanged; None:
    # computed while writing.
    aliases: list[Alias] | None = None
    referents: list[tuple[str, ...]] | None = None
    previous_chunks: list[int] | None = None  # its chunks' numbers in the previous index


@dataclass(frozen=True)
class Previous:
    """The previous index's articles as plans, by content hash, to reuse rather than redo.

    Vectors are reused whenever the chunking matches; spans, aliases, referents and BM25
    counts only when the rules that make them (TEXT_RULES) were the same code (`same_rules`).
    """

    by_hash: dict[str, Planned] = field(default_factory=dict)
    same_rules: bool = False
    # Its BM25 and dense index, numbered by chunk as previous_chunks counts.
    sparse: BM25Index | None = None
    dense: DenseIndex | None = None
    # Every article of the previous index, id -> content hash, even when nothing can be reused:
    # what a build reports as added, changed and removed. None: there was one, unreadable.
    articles: dict[str, str] | None = field(default_factory=dict)


def previous_index(
    index_dir: Path, embedder: Embedder, chunk_words: int, overlap_sentences: int
) -> Previous:
    """What a usable previous index at `index_dir` offers for reuse; empty if none."""
    try:
        index = open_index(index_dir, embedder)
    except IndexMissingError:
        return Previous()
    except FootnoteError:
        return Previous(articles=None)  # damaged or another model: everything is made afresh
    pairs = zip(index.article_order, index.hashes, strict=True)
    articles = {article.id: digest for article, digest in pairs}
    params = index.manifest
    if params["chunk_words"] != chunk_words or params["overlap_sentences"] != overlap_sentences:
        return Previous(articles=articles)
    if params.get("chunk_vectors") != CHUNK_VECTORS:
        return Previous(articles=articles)  # an index whose chunk vectors were made another way
    same_rules = params.get("text_rules") == text_rules() and index.sparse.counts is not None
    plans = _plans_by_hash(index)
    if not same_rules:
        return Previous(plans, articles=articles)
    return Previous(plans, True, index.sparse, index.dense, articles)


def _plans_by_hash(index: Index) -> dict[str, Planned]:
    """Each stored article as the plan that made it, previous_chunks its chunk rows."""
    chunk_vectors = index.dense.vectors()
    sentence_vectors = index.sentence_vectors  # float16, mapped: copied only when written
    plans = {}
    for number, digest in enumerate(index.hashes):
        chunk_low, chunk_high = index.chunk_range(number)
        low, high = index.sentence_range(number)
        plans[digest] = Planned(
            index.article_order[number],
            digest,
            chunk_spans=[(int(s), int(e)) for _, s, e in index.chunk_rows[chunk_low:chunk_high]],
            sentence_spans=[(int(s), int(e)) for _, s, e in index.sentence_rows[low:high]],
            chunk_vectors=chunk_vectors[chunk_low:chunk_high],
            sentence_vectors=sentence_vectors[low:high],
            windows=[
                (int(first) - low, int(last) - 1 - low)
                for first, last in index.chunk_sentences[chunk_low:chunk_high]
            ],
            aliases=index.article_aliases[number],
            referents=index.sentence_referents[low:high],
            previous_chunks=list(range(chunk_low, chunk_high)),
        )
    return plans


@functools.cache
def text_rules() -> str:
    """A digest of the code that turns text into sentences, chunks, aliases, referents and
    BM25 terms: an index made under other rules has its spans and counts made anew."""
    digest = hashlib.sha256()
    for module in TEXT_RULES:
        digest.update(Path(importlib.util.find_spec(module).origin).read_bytes())
    return digest.hexdigest()[:16]


def plan_article(
    article: Article, previous: Previous, chunk_words: int, overlap_sentences: int
) -> Planned:
    """`article`'s sentences and chunks, with whatever the previous index can lend them."""
    digest = content_hash(article.text)
    stored = previous.by_hash.get(digest)
    if stored is not None and previous.same_rules:
        return dataclasses.replace(stored, article=article)  # its id or title may be new
    sentences = split_sentences(article.text)
    # The same windows chunk_article makes, without splitting the text into sentences twice.
    windows = sentence_windows(article.text, sentences, chunk_words, overlap_sentences)
    chunks = [(sentences[first][0], sentences[last][1]) for first, last in windows]
    chunk_vectors = sentence_vectors = None
    if stored is not None and (
        len(stored.chunk_vectors) == len(chunks) and len(stored.sentence_vectors) == len(sentences)
    ):
        chunk_vectors, sentence_vectors = stored.chunk_vectors, stored.sentence_vectors
    return Planned(article, digest, chunks, sentences, chunk_vectors, sentence_vectors, windows)


def embed_plans(
    plans: list[Planned], embedder: Embedder, progress: bool = False
) -> tuple[list[Planned], int]:
    """`plans` with every missing vector filled in, and how many texts (chunks plus sentences)
    got new vectors.

    Only the sentences are encoded (packed, so each token goes through the encoder once); a
    chunk's vector is the mean token state over its sentences, since chunks are runs of whole
    sentences. Encoding chunks as well would cost a second pass, for held-out retrieval within
    0.5 point of this (README, Speed). Articles are encoded in groups of about GROUP_TEXTS
    sentences, so `progress` can count articles done, with an ETA, rather than encoder batches.
    """
    from tqdm import tqdm

    missing = [n for n, plan in enumerate(plans) if plan.chunk_vectors is None]
    plans = list(plans)
    bar = tqdm(
        total=len(missing),
        desc="Embedding new or changed articles",
        unit="article",
        disable=not progress or not missing,
    )
    with bar:
        for group in _groups(missing, [len(plan.sentence_spans) for plan in plans]):
            texts = [plans[n].article.text[s:e] for n in group for s, e in plans[n].sentence_spans]
            pooled = embedder.encode_pooled(texts)
            offset = 0
            for n in group:
                plan = plans[n]
                count = len(plan.sentence_spans)
                windows = [(offset + first, offset + last + 1) for first, last in plan.windows]
                plans[n] = dataclasses.replace(
                    plan,
                    chunk_vectors=pooled.span_vectors(windows),
                    sentence_vectors=pooled.vectors[offset : offset + count],
                )
                offset += count
            bar.update(len(group))
    return plans, sum(len(plans[n].chunk_spans) + len(plans[n].sentence_spans) for n in missing)


# Sentences encoded per call: enough to pack the encoder's batches full (2,048 sentences fill
# about 250 sequences of 256 tokens), few enough that progress moves every few seconds.
GROUP_TEXTS = 2048


def _groups(numbers: list[int], sizes: list[int]) -> list[list[int]]:
    """`numbers` in order, cut into runs of about GROUP_TEXTS texts (never splitting one)."""
    groups: list[list[int]] = []
    total = GROUP_TEXTS
    for n in numbers:
        if total >= GROUP_TEXTS:
            groups.append([])
            total = 0
        groups[-1].append(n)
        total += sizes[n]
    return groups


def bm25_documents(
    plans: list[Planned], previous_sparse: BM25Index | None
) -> list[list[str] | int]:
    """Per chunk, in row order: its BM25 terms, or its document number in `previous_sparse`
    when its article is unchanged (its counts are kept rather than tokenized again)."""
    documents: list[list[str] | int] = []
    for plan in plans:
        if plan.previous_chunks is not None and previous_sparse is not None:
            documents += plan.previous_chunks
        else:
            documents += [terms(plan.article.text[s:e]) for s, e in plan.chunk_spans]
    return documents


def aliases_and_referents(
    plans: list[Planned],
) -> tuple[list[list[Alias]], list[tuple[str, ...]]]:
    """Each article's aliases, and each sentence's referents in sentence-row order: kept from
    the previous index for unchanged articles under unchanged rules, else read afresh."""
    aliases, referents = [], []
    for plan in plans:
        if plan.aliases is not None and plan.referents is not None:
            found, resolved = plan.aliases, plan.referents
        else:
            found = find_aliases(plan.article.text)
            resolved = resolve_referents(plan.article.text, plan.sentence_spans, found)
        aliases.append(found)
        referents += resolved
    return aliases, referents
