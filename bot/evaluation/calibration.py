"""Calibration: the answering model (span choice, answerability, threshold), fitted held out.

`footnote eval --calibrate` reads both question sets, keeps the SQuAD questions on articles the
reader did not train on, and runs retrieval and reading on each once. Then, in folds by article,
it fits the span-choice weights and the answerability model on SQuAD alone (the seeds set is
never trained on) and chooses the threshold on both sets pooled, each fold's choices made
without it; the out-of-corpus questions on the reader's own articles join every fold's
threshold and are never scored (THRESHOLD_ONLY). Asked for (`--unread-articles N`), SQuAD
training questions the reader never drew (unread.py) join every fold's span choice, never
scored (UNREAD), and their out-of-corpus ones every fold's threshold: measured, and not
shipped (README, Calibration). It writes answering.json into the reader's
folder: the model fitted on everything, and each fold's, which `footnote eval` uses on that
fold's articles so its figures are held out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.answer_types import AnswerType
from bot.answering.answerability import (
    ANSWERABILITY_FEATURES,
    COVERED_FEATURES,
    answerability_features,
    confidence,
    covered_features,
)
from bot.answering.answering_model import MODEL_FILE, AnsweringModel, load_model, save_model
from bot.answering.candidates import find_candidates
from bot.answering.choice import SPAN_FEATURES, ranked_scores
from bot.answering.pipeline import examine
from bot.answering.reader_folder import TRAINING, WEIGHTS, write_checksums
from bot.evaluation.datasets import (
    ANSWERABLE,
    NEAR_MISS,
    OUT_OF_CORPUS,
    UNANSWERABLE,
    Dataset,
    EvalQuestion,
    load_dataset,
    resolve_dataset_path,
)
from bot.evaluation.fitting import (
    fit_logistic,
    fit_ranker,
    group_folds,
    refusal_threshold,
    transferred_refusal_threshold,
)
from bot.evaluation.metrics import f1_score, share
from bot.evaluation.runner import (
    Retriever,
    encode_questions,
    held_out_of_reader,
    out_of_corpus_on_reader_articles,
    search,
)
from bot.evaluation.unread import UNREAD_FILE, unread_questions
from bot.settings import Settings
from bot.shared_data import dev_half, require
from index.passages import passages_of

SEEDS_SET = Path("eval/seeds_qa.jsonl")
DEFAULT_REPORT = Path("eval/calibration.json")
N_FOLDS = 2
# Share of out-of-corpus and off-topic questions the threshold must refuse, pooled.
REFUSE_TARGET = 0.97
MUST_REFUSE = (OUT_OF_CORPUS, UNANSWERABLE)
CORRECT_F1 = 0.5  # a span at least this close to a gold answer counts as a right choice
# The span choice is fitted on ~200 questions a fold: held out on SQuAD's folds, its right
# choices rise with this penalty up to 3 and stay level past it, for both readers measured.
CHOICE_L2 = 3.0
# Weights whose sign is fixed: more reader confidence, or a value of the asked type, never makes
# a span less likely, and echoing the question never more. Fitted freely on ~200 questions, the
# type weight came out negative and chose "February" over the reader's "1 February".
CHOICE_SIGNS = {"reader": 1, "reader_gap": 1, "null_margin": 1, "type_match": 1, "echo": -1}
# SPAN_FEATURES the choice leaves to the reader (weight 0): held out (scripts/ablation.py, README,
# Evaluation), with the reader of issue 27 its fitted weight changed no figure of either set.
# Answerability still reads it. The sentence prior left the choice for the same reason.
CHOICE_IGNORES = ("echo",)
# The fold of the out-of-corpus questions on articles the reader trained on: they are never
# scored (the reader has read them), but every fold's threshold learns from them what an
# article outside the index looks like. With them each fold's threshold sees three such
# articles, not one.
THRESHOLD_ONLY = -1
# The fold of the answerable questions the reader never drew (unread.py): every fold's span
# choice learns from them, four times the dev half's ~480; they are never scored. Off by
# default: with them the refit threshold refused easy questions the shipped one answers
# (README, Calibration, "Questions the reader never drew").
UNREAD = -2
NOT_SCORED = (THRESHOLD_ONLY, UNREAD)

Note = Callable[[str], None]


@dataclass(frozen=True)
class Item:
    """One question as the answering model sees it: its span options and how right each is."""

    source: str  # the set's name
    question: EvalQuestion
    fold: int
    features: np.ndarray  # (options, len(SPAN_FEATURES))
    f1: np.ndarray  # (options,) each option's F1 against the gold answers
    best_null_margin: float
    covered: np.ndarray  # COVERED_FEATURES: retrieval evidence, no reader
    squad: bool
    kind: AnswerType  # the answer type the candidates were found for

    @property
    def must_refuse(self) -> bool:
        return self.question.group in MUST_REFUSE


@dataclass(frozen=True)
class Cover:
    """A SQuAD question's retrieval evidence alone, for the "covered" model."""

    title: str
    group: str
    covered: np.ndarray  # COVERED_FEATURES


def run_calibration(args: argparse.Namespace, settings: Settings) -> int:
    """`footnote eval --calibrate`: fit, write the model and the report, print the figures."""
    from bot.footnote import load_reader

    folder = load_reader(settings).folder
    result, model = calibrate(
        settings,
        paths=(args.dataset,) if getattr(args, "dataset", None) else None,
        cache_root=getattr(args, "cache_dir", None),
        limit=getattr(args, "limit", None),
        k=getattr(args, "k", None),
        refuse_target=getattr(args, "refuse_target", None) or REFUSE_TARGET,
        unread=getattr(args, "unread_articles", None) or 0,
    )
    out = args.out / "calibration.json" if getattr(args, "out", None) else DEFAULT_REPORT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    target = args.out if getattr(args, "out", None) else folder
    save_model(model, target / MODEL_FILE)
    if target == folder:
        write_checksums(folder)  # the reader's folder lists answering.json among its files
    print(f"Wrote {out} and {target / MODEL_FILE}", file=sys.stderr)
    print(json.dumps(result, indent=2) if getattr(args, "json", False) else render(result))
    return 0


def calibrate(
    settings: Settings,
    *,
    paths: Sequence[Path] | None = None,
    cache_root: Path | None = None,
    limit: int | None = None,
    k: int | None = None,
    refuse_target: float = REFUSE_TARGET,
    unread: int = 0,
    note: Note | None = None,
) -> tuple[dict[str, Any], AnsweringModel]:
    """The fitted model and a report of its held-out figures; `unread`: how many articles'
    unread questions (unread.py) the choice and threshold also learn from."""
    started = time.perf_counter()
    gathered = gather(
        settings, paths=paths, cache_root=cache_root, limit=limit, k=k, unread=unread, note=note
    )
    folds, model = fit_folds(gathered, refuse_target)
    items, reader = gathered.items, gathered.reader
    report = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "reader": str(reader.folder),
        "reader_held_out": list(reader.held_out),
        "k": gathered.k,
        "folds": N_FOLDS,
        "refuse_target": refuse_target,
        "datasets": gathered.datasets,
        "threshold": model.threshold,
        "choice_weights": dict(model.choice),
        "answerability_weights": {k: dict(v) for k, v in model.answerability.items()},
        "fold_thresholds": {name: m.threshold for name, m in folds.items()},
        "threshold_transfer": _threshold_transfer(items, folds, refuse_target),
        "held_out": held_out_figures(items, folds),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return report, model


@dataclass(frozen=True)
class Gathered:
    """Every calibration question read once: what fitting (and ablating) the model needs."""

    items: list[Item]
    covers: list[Cover]
    base: AnsweringModel  # the reader's current model: its reading depths are kept
    reader: Any
    datasets: list[dict[str, Any]]
    k: int


def gather(
    settings: Settings,
    *,
    paths: Sequence[Path] | None = None,
    cache_root: Path | None = None,
    limit: int | None = None,
    k: int | None = None,
    unread: int = 0,
    note: Note | None = None,
) -> Gathered:
    """Retrieval and reading for every question of `paths`, and of `unread` articles' questions
    the reader never drew (cached: minutes the first time)."""
    from bot.evaluation.corpus import open_eval_index
    from bot.footnote import load_embedder, load_reader

    note = note or (lambda text: print(text, file=sys.stderr))
    paths = paths or calibration_sets()
    k = k or settings.k
    embedder = load_embedder(settings)
    reader = load_reader(settings)
    base = load_model(reader.folder / MODEL_FILE)
    items: list[Item] = []
    covers: list[Cover] = []
    datasets: list[dict[str, Any]] = []
    for path in paths:
        full = load_dataset(resolve_dataset_path(path)).sample(limit)
        dataset = held_out_of_reader(full, reader)
        index, _ = open_eval_index(
            dataset, settings, embedder, cache_root=cache_root, announce=note
        )
        if full.format.startswith("squad"):
            note(f"Retrieving for all {len(full.questions)} questions of {full.name} ...")
            covers += _cached(
                _cache_path(cache_root, full, reader, base, settings, k, "covers"),
                lambda full=full, index=index: _covers(full, index, embedder, settings, k),
            )
        note(f"Reading {len(dataset.questions)} questions of {dataset.name} ...")
        items += _cached(
            _cache_path(cache_root, dataset, reader, base, settings, k, "items"),
            lambda dataset=dataset, index=index: _items(
                dataset, index, embedder, reader, base, settings, k
            ),
        )
        outside = out_of_corpus_on_reader_articles(full, reader)
        if outside.questions:
            note(f"Reading {len(outside.questions)} out-of-corpus questions for the threshold ...")
            items += _cached(
                _cache_path(cache_root, outside, reader, base, settings, k, "refusals"),
                lambda outside=outside, index=index: _items(
                    outside, index, embedder, reader, base, settings, k, fold=THRESHOLD_ONLY
                ),
            )
        datasets.append(_described(dataset, len(outside.questions)))
    if unread > 0:
        extra = unread_questions(_training_record(reader.folder), unread)
        if extra is None:
            note(
                f"The reader's training.json does not say which {UNREAD_FILE} questions it "
                "drew: the span choice learns from the evaluation sets alone."
            )
        else:
            index, _ = open_eval_index(
                extra, settings, embedder, cache_root=cache_root, announce=note
            )
            note(
                f"Reading {len(extra.questions)} questions of {unread} {UNREAD_FILE} articles "
                "that the reader never drew ..."
            )
            read = _cached(
                _cache_path(cache_root, extra, reader, base, settings, k, "unread"),
                lambda: _items(extra, index, embedder, reader, base, settings, k, fold=UNREAD),
            )
            items += [
                replace(it, fold=THRESHOLD_ONLY) if it.question.group == OUT_OF_CORPUS else it
                for it in read
            ]
            counts = extra.counts()
            datasets.append(
                _described(extra, counts[OUT_OF_CORPUS])
                | {"answerable_for_the_choice_only": counts[ANSWERABLE]}
            )
    return Gathered(items, covers, base, reader, datasets, k)


def _described(dataset: Dataset, threshold_only: int) -> dict[str, Any]:
    """What the calibration report says of one set it read."""
    return {
        "name": dataset.name,
        "sha256": dataset.sha256,
        "questions": len(dataset.questions),
        "groups": dataset.counts(),
        "out_of_corpus_for_the_threshold_only": threshold_only,
        "attribution": dataset.attribution,
    }


def _training_record(folder: Path) -> dict[str, Any]:
    """The reader's training.json ({} for a reader without one)."""
    path = folder / TRAINING
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def fit_folds(
    gathered: Gathered,
    refuse_target: float = REFUSE_TARGET,
    *,
    drop: Sequence[str] = CHOICE_IGNORES,
) -> tuple[dict[str, AnsweringModel], AnsweringModel]:
    """Each fold's model, fitted without its articles, and the model fitted on everything.

    `drop`: SPAN_FEATURES the choice may not use (weight 0): CHOICE_IGNORES, or others to
    measure what each is worth.
    """
    items, covers, base = gathered.items, gathered.covers, gathered.base
    folds: dict[str, AnsweringModel] = {}
    for fold in range(N_FOLDS):
        mine = {_title(it.question) for it in items if it.fold == fold}
        others = [it for it in items if it.fold != fold]
        folds[str(fold)] = _fit(
            others, [c for c in covers if c.title not in mine], base, refuse_target, drop
        )
    fitted = _fit(items, covers, base, refuse_target, drop)
    model = AnsweringModel(
        choice=fitted.choice,
        answerability=fitted.answerability,
        threshold=fitted.threshold,
        sentences=base.sentences,
        windows=base.windows,
        folds=folds,
        fold_of=_fold_of(items),
    )
    return folds, model


def _items(
    dataset: Dataset,
    index: Any,
    embedder: Any,
    reader: Any,
    base: AnsweringModel,
    settings: Settings,
    k: int,
    *,
    fold: int | None = None,
) -> list[Item]:
    """Every question's Item, in its fold by article (or all in `fold`)."""
    hybrid = Retriever("hybrid", settings.fusion, settings.dense_weight, settings.rrf_k)
    vectors = encode_questions(embedder, dataset.questions)
    folds = _folds(dataset) if fold is None else np.full(len(dataset.questions), fold)
    out = []
    for i, q in enumerate(dataset.questions):
        hits = search(q.question, vectors[i], hybrid, index, settings, k)
        if not hits:
            continue
        examined = examine(q.question, passages_of(index, hits), reader, base, vectors[i])
        options = examined.options
        if not options.items:
            continue
        f1 = np.array([f1_score(o.text, q.answers) if q.answers else 0.0 for o in options.items])
        out.append(
            Item(
                dataset.name,
                q,
                int(folds[i]),
                options.features,
                f1,
                examined.reading.best_null_margin,
                covered_features(examined.candidates),
                dataset.format.startswith("squad"),
                examined.candidates.kind,
            )
        )
    return out


def _cached(path: Path, compute: Callable[[], list]) -> list:
    """`compute()`, kept at `path` (pickled) and read back on later runs with the same inputs."""
    if path.exists():
        return pickle.loads(path.read_bytes())
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(pickle.dumps(result))
    temporary.replace(path)
    return result


def _covers(dataset: Dataset, index: Any, embedder: Any, settings: Settings, k: int) -> list[Cover]:
    """Every question's COVERED_FEATURES: retrieval and candidates, no reader (so the reader's
    training articles may take part)."""
    hybrid = Retriever("hybrid", settings.fusion, settings.dense_weight, settings.rrf_k)
    vectors = encode_questions(embedder, dataset.questions)
    out = []
    for q, vector in zip(dataset.questions, vectors, strict=True):
        hits = search(q.question, vector, hybrid, index, settings, k)
        if hits:
            candidates = find_candidates(q.question, passages_of(index, hits), vector)
            out.append(Cover(_title(q), q.group, covered_features(candidates)))
    return out


def _title(q: EvalQuestion) -> str:
    return (q.article_id or "").split("#")[0] or q.id


def _cache_path(
    cache_root: Path | None,
    dataset: Dataset,
    reader: Any,
    base: AnsweringModel,
    settings: Settings,
    k: int,
    kind: str,
) -> Path:
    """Where one set's Items (or Covers) are kept: they depend only on these, and take
    minutes to compute."""
    from bot.evaluation.corpus import default_cache_root
    from index.checksums import file_digest

    key = json.dumps(
        [
            file_digest(reader.folder / WEIGHTS),
            dataset.sha256,
            len(dataset.questions),
            [settings.fusion, settings.dense_weight, settings.rrf_k, settings.candidates],
            [settings.sentence_share, settings.embedder, k, base.sentences, base.windows],
            settings.engine_precision,  # int8 moves the reader's logits
            SPAN_FEATURES,
            ANSWERABILITY_FEATURES,
            _answering_code(),
            kind,
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = (cache_root or default_cache_root()) / "calibration"
    return folder / f"{dataset.name}-{kind}-{digest}.pkl"


def _answering_code(folder: Path | None = None) -> str:
    """A digest of the answering stages' source (in `folder`, by default bot/answering) and of
    this module, which defines Item: a changed pattern or weighting changes every option's
    features, and a changed Item does not unpickle, so items cached before must not be read."""
    import bot.answering

    folder = folder or Path(bot.answering.__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted([*folder.glob("*.py"), *folder.glob("data/*")]), Path(__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _folds(dataset: Dataset) -> np.ndarray:
    """Folds by article, each holding some of every kind (in corpus, out of corpus, off topic)."""
    strata, groups = [], []
    for q in dataset.questions:
        article = (q.article_id or "").split("#")[0]
        strata.append(f"{q.group == OUT_OF_CORPUS}:{bool(article)}")
        groups.append(article or q.id)
    return group_folds(strata, groups, N_FOLDS)


def _fold_of(items: Sequence[Item]) -> dict[str, str]:
    """Article (or, for off-topic questions, question id) -> its fold, as `footnote eval` looks
    it up."""
    out = {}
    for it in items:
        if it.fold not in NOT_SCORED:
            out[_title(it.question)] = str(it.fold)
    return out


def _fit(
    items: Sequence[Item],
    covers: Sequence[Cover],
    base: AnsweringModel,
    refuse_target: float,
    drop: Sequence[str] = CHOICE_IGNORES,
) -> AnsweringModel:
    """Choice weights, then answerability on the choices they make, then the threshold.

    "covered" learns from `covers` (every SQuAD article not held out), the choice from `items`
    (the reader's held-out articles and its UNREAD questions), "answers" from the held-out
    articles alone (the unread questions hold no near misses), the threshold from both sets.
    """
    answerable = [it for it in items if it.squad and it.question.group == ANSWERABLE]
    squad = [it for it in items if it.squad and it.fold != UNREAD]
    weights = fit_ranker(
        [_scaled(it.features) for it in answerable],
        [it.f1 >= CORRECT_F1 for it in answerable],
        l2=CHOICE_L2,
        signs=[CHOICE_SIGNS.get(name, 0) for name in SPAN_FEATURES],
        fixed=[name in drop for name in SPAN_FEATURES],
    )
    choice = {
        name: float(w) / scale
        for name, w, scale in zip(SPAN_FEATURES, weights, _SCALE, strict=True)
    }
    provisional = AnsweringModel(choice, {}, 0.5, base.sentences, base.windows)
    rows = {id(it): _answerability_row(it, provisional) for it in squad}
    answerability = {
        "covered": _covered_model(covers),
        "answers": _logistic(rows, squad, (ANSWERABLE,), (NEAR_MISS,)),
    }
    model = AnsweringModel(choice, answerability, 0.5, base.sentences, base.windows)
    threshold = _refusal_threshold(items, model, refuse_target)
    return AnsweringModel(choice, answerability, threshold, base.sentences, base.windows)


def _refusal_threshold(items: Sequence[Item], model: AnsweringModel, refuse_target: float) -> float:
    """The lowest threshold in [0, 1] that refuses `refuse_target` of the must-refuse items,
    and still would of each of their articles (the off-topic questions are one) chosen
    without it (fitting.transferred_refusal_threshold)."""
    refuse = [it for it in items if it.must_refuse]
    scores = [_confidence(it, model) for it in refuse]
    groups = [_title(it.question) if it.question.article_id else "off topic" for it in refuse]
    return min(max(transferred_refusal_threshold(scores, groups, refuse_target), 0.0), 1.0)


def _own_threshold(items: Sequence[Item], model: AnsweringModel, refuse_target: float) -> float:
    """The threshold `items` would choose for themselves: `refuse_target` of theirs, pooled."""
    refuse = [_confidence(it, model) for it in items if it.must_refuse]
    return min(max(refusal_threshold(refuse, refuse_target), 0.0), 1.0)


def _covered_model(covers: Sequence[Cover]) -> dict[str, float]:
    """P(the articles cover it): indexed articles' questions against out-of-corpus ones."""
    x = np.stack([c.covered for c in covers])
    y = np.array([c.group != OUT_OF_CORPUS for c in covers])
    return _fitted(x, y, COVERED_FEATURES)


def _fitted(
    x: np.ndarray, y: np.ndarray, names: Sequence[str], *, monotone: bool = False
) -> dict[str, float]:
    """Logistic regression on standardised `x`, returned as raw-feature weights by `names`.

    `monotone`: no evidence (a score, a margin, a similarity, an overlap) may lower the
    probability, and echoing the question may not raise it.
    """
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    signs = [-1 if name == "echo" else 1 for name in names] if monotone else None
    bias, coef = fit_logistic((x - mean) / spread, y, l2=1e-3, signs=signs)
    raw = coef / spread  # z = bias + sum(c (x - m) / s)
    return {"bias": float(bias - raw @ mean)} | {
        n: float(c) for n, c in zip(names, raw, strict=True)
    }


def _logistic(
    rows: dict[int, np.ndarray],
    items: Sequence[Item],
    positive: tuple[str, ...],
    negative: tuple[str, ...],
) -> dict[str, float]:
    """A logistic model of `positive` against `negative` groups, on standardised features,
    returned in raw-feature weights so answering needs no scaler."""
    chosen = [it for it in items if it.question.group in positive + negative]
    x = np.stack([rows[id(it)] for it in chosen])
    y = np.array([it.question.group in positive for it in chosen])
    # SQuAD 2.0's near misses were written to echo their paragraph, so fitted freely "answers"
    # learns that more overlap means less answerable, and refuses "How many members does PCS
    # have?": monotone, it may only weigh the evidence up.
    return _fitted(x, y, ANSWERABILITY_FEATURES, monotone=True)


# Typical spread of each SPAN_FEATURES column, so one l2 penalty treats them alike.
_SCALE = np.array(
    [
        {
            "reader": 5.0,
            "reader_gap": 5.0,
            "null_margin": 5.0,
            "cosine": 0.2,
            "coverage": 0.3,
            "coverage_with_previous": 0.3,
            "retrieval": 0.3,
            "type_match": 1.0,
            "echo": 0.5,
            "length": 0.3,
        }[name]
        for name in SPAN_FEATURES
    ]
)


def _scaled(features: np.ndarray) -> np.ndarray:
    return features / _SCALE


def _answerability_row(item: Item, model: AnsweringModel) -> np.ndarray:
    scores = ranked_scores(item.features, model.choice, item.kind)
    best = int(np.argmax(scores))
    return answerability_features(item.features, scores, best, item.best_null_margin, item.covered)


def _confidence(item: Item, model: AnsweringModel) -> float:
    scores = ranked_scores(item.features, model.choice, item.kind)
    best = int(np.argmax(scores))
    return confidence(
        item.kind,
        item.features,
        scores,
        best,
        item.best_null_margin,
        item.covered,
        model.answerability,
    )


def _chosen_f1(item: Item, model: AnsweringModel) -> float:
    return float(item.f1[int(np.argmax(ranked_scores(item.features, model.choice, item.kind)))])


def held_out_figures(items: Sequence[Item], folds: dict[str, AnsweringModel]) -> dict:
    """Per set: each question judged by the model of the fold that left it out (the
    THRESHOLD_ONLY and UNREAD questions are on the reader's own articles, and not judged)."""
    items = [it for it in items if it.fold not in NOT_SCORED]
    out: dict[str, Any] = {}
    for source in dict.fromkeys(it.source for it in items):
        mine = [it for it in items if it.source == source]
        answered = {}
        f1 = []
        for it in mine:
            model = folds[str(it.fold)]
            answered[it.question.id] = _confidence(it, model) >= model.threshold
            if it.question.group == ANSWERABLE:
                f1.append(_chosen_f1(it, model) if answered[it.question.id] else 0.0)

        def refused(
            groups: tuple[str, ...], of: list[Item] = mine, said: dict = answered
        ) -> float | None:
            return share([not said[q.question.id] for q in of if q.question.group in groups])

        out[source] = {
            "answerable_answered": share(
                [answered[it.question.id] for it in mine if it.question.group == ANSWERABLE]
            ),
            "f1_all_answerable_short_answer": float(np.mean(f1)) if f1 else None,
            "near_miss_refused": refused(("near_miss",)),
            "out_of_corpus_refused": refused((OUT_OF_CORPUS,)),
            "off_topic_refused": refused((UNANSWERABLE,)),
        }
    return out


def _threshold_transfer(
    items: Sequence[Item], folds: dict[str, AnsweringModel], refuse_target: float
) -> dict[str, dict[str, float | None]]:
    """Per fold: the threshold chosen without it, and the one its own questions would have
    chosen (in sample), each with the share of its answerable questions answered.

    Where the two differ widely, the shortfall in refusals held out is the threshold not
    carrying over from one article's out-of-corpus questions to another's, not features that
    fail to tell them apart.
    """
    out = {}
    for name, model in folds.items():
        mine = [it for it in items if str(it.fold) == name]
        own = _own_threshold(mine, model, refuse_target)
        answerable = [_confidence(it, model) for it in mine if it.question.group == ANSWERABLE]
        out[name] = {
            "chosen": model.threshold,
            "answered_at_chosen": share([c >= model.threshold for c in answerable]),
            "own": own,
            "answered_at_own": share([c >= own for c in answerable]),
        }
    return out


def render(result: dict[str, Any]) -> str:
    """The fitted model's held-out figures, for a terminal."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    lines = [
        f"Calibration: {result['folds']} folds by article, {result['seconds']:.0f} s; "
        f"threshold {result['threshold']:.4f} (fold thresholds {result['fold_thresholds']})",
    ]
    for name, figures in result["held_out"].items():
        cells = ", ".join(f"{k.replace('_', ' ')} {pct(v)}" for k, v in figures.items())
        lines.append(f"  held out, {name}: {cells}")
    for name, t in result.get("threshold_transfer", {}).items():
        lines.append(
            f"  fold {name}: threshold {t['chosen']:.4f} chosen without it answers "
            f"{pct(t['answered_at_chosen'])} of its answerable; its own refusals would need "
            f"{t['own']:.4f}, answering {pct(t['answered_at_own'])}"
        )
    return "\n".join(lines)


def calibration_sets() -> tuple[Path, ...]:
    """The SQuAD dev half (read in place from the shared data) and the seeds set."""
    return (require(dev_half()), SEEDS_SET)


__all__ = [
    "NOT_SCORED",
    "UNREAD",
    "Gathered",
    "calibrate",
    "calibration_sets",
    "fit_folds",
    "gather",
    "held_out_figures",
    "render",
    "run_calibration",
]
