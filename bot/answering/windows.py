"""Reader windows: a question and a stretch of passage text as the reader's token ids.

Training and answering build windows with this one module, so the reader is always shown its
input the same way: `[CLS] question [SEP] passage [SEP]`, question tokens of type 0 and passage
tokens of type 1, as BERT reads a pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answering.tuning import MAX_LENGTH, MAX_QUESTION_TOKENS, STRIDE
from index.onnx_bert import padded


@dataclass(frozen=True)
class Window:
    """One reader input. offsets[i] is the character span of passage token i in the article."""

    ids: np.ndarray  # (n,) int64: [CLS] question [SEP] passage [SEP]
    type_ids: np.ndarray  # (n,) int64
    first: int  # position of the first passage token in `ids`
    offsets: np.ndarray  # (n_passage, 2) absolute character offsets
    source: str = ""  # the article the passage is from

    @property
    def last(self) -> int:
        """Position just past the last passage token (the closing [SEP])."""
        return self.first + len(self.offsets)


class WindowTokenizer:
    """Turns (question, text) into Windows with the reader's WordPiece vocabulary."""

    def __init__(
        self,
        tokenizer_file: Path,
        *,
        max_length: int = MAX_LENGTH,
        stride: int = STRIDE,
        max_question_tokens: int = MAX_QUESTION_TOKENS,
    ) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.cls = self._tokenizer.token_to_id("[CLS]")
        self.sep = self._tokenizer.token_to_id("[SEP]")
        self.mask = self._tokenizer.token_to_id("[MASK]")  # training's question masking
        self.max_length = max_length
        self.stride = stride
        self.max_question_tokens = max_question_tokens

    def question_ids(self, question: str) -> list[int]:
        """The question's token ids, its end kept when too long (the wh-word is usually there)."""
        ids = self._tokenizer.encode(question, add_special_tokens=False).ids
        return ids[-self.max_question_tokens :]

    def tokens(self, texts: list[str]) -> list[tuple[list[int], np.ndarray]]:
        """(ids, character offsets) of each text, tokenized without special tokens."""
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [(e.ids, np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2)) for e in encodings]

    def windows(
        self,
        question_ids: list[int],
        passage_ids: list[int],
        passage_offsets: np.ndarray,
        *,
        base: int = 0,
        source: str = "",
    ) -> list[Window]:
        """Windows sliding over one tokenized passage; `base` shifts offsets into the article."""
        room = self.max_length - len(question_ids) - 3
        head = [self.cls, *question_ids, self.sep]
        step = max(room - self.stride, 1)
        out: list[Window] = []
        start = 0
        while True:
            piece = passage_ids[start : start + room]
            ids = np.asarray([*head, *piece, self.sep], dtype=np.int64)
            type_ids = np.zeros(len(ids), dtype=np.int64)
            type_ids[len(head) :] = 1
            offsets = passage_offsets[start : start + room] + base
            out.append(Window(ids, type_ids, len(head), offsets, source))
            if start + room >= len(passage_ids):
                return out
            start += step


def pad(windows: list[Window]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids, type ids and attention mask of windows padded to the longest, as (batch, n) arrays."""
    ids, mask = padded([w.ids for w in windows])
    type_ids, _ = padded([w.type_ids for w in windows])
    return ids, type_ids, mask


def around(
    sentences: Sequence[tuple[str, int, int]],
    neighbours: Callable[[int], tuple[int, int]],
    limit: int,
) -> list[tuple[str, int, int]]:
    """Character ranges to read: each chosen sentence widened to its neighbours, merged.

    `sentences` are (article_id, start, end), best first; `neighbours(i)` gives the range from
    the start of the sentence before sentence i to the end of the one after it. Ranges of one
    article that touch merge, and at most `limit` ranges are kept, in the order they were chosen.
    """
    ranges: list[list] = []
    for i, (article, _, _) in enumerate(sentences):
        start, end = neighbours(i)
        for r in ranges:
            if r[0] == article and start <= r[2] and r[1] <= end:
                r[1], r[2] = min(r[1], start), max(r[2], end)
                break
        else:
            if len(ranges) == limit:
                continue
            ranges.append([article, start, end])
    return [(a, s, e) for a, s, e in ranges]


__all__ = ["Window", "WindowTokenizer", "around", "pad"]
