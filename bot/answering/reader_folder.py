"""The reader's folder on disk: the name of every file in it, and its checksums.

Training writes the folder (`bot/training/export.py`), answering reads it (`reader.py`,
`answering_model.py`), calibration adds the fitted answering model to it; all three name its
files from here. `bot/models/reader` is the packaged one:

    reader.safetensors  fp16 weights of every layer but the word embeddings (the packaged
                        MiniLM's own, frozen in training; their digest is in config.json)
    config.json         the BERT config, plus `footnote_reader`: windowing, articles trained on
                        and held out, the command that made it
    tokenizer.json      the packaged MiniLM's tokenizer
    answering.json      the span choice and answerability fitted to this reader (calibration)
    training.json       the run's record: data with sha256 and licence, figures, first stage
    learning_curve.json held-out figures as the run read more questions
    MODEL_CARD.md       the model card, with the data's attribution
    SHA256SUMS          `sha256sum -c` lines for every other file
"""

from __future__ import annotations

from pathlib import Path

from index.checksums import file_digest

PACKAGED_READER = Path(__file__).resolve().parent.parent / "models" / "reader"

WEIGHTS = "reader.safetensors"
CONFIG = "config.json"
TOKENIZER = "tokenizer.json"
ANSWERING = "answering.json"
TRAINING = "training.json"
CURVE = "learning_curve.json"
CARD = "MODEL_CARD.md"
CHECKSUMS = "SHA256SUMS"
# A run in progress keeps these in its folder; they are never part of a finished reader.
CHECKPOINT = "checkpoint.pt"
CHECKPOINT_PART = "checkpoint.tmp"


def write_checksums(folder: Path) -> None:
    """SHA256SUMS over every file of the folder but itself, in `sha256sum -c` format."""
    lines = [
        f"{file_digest(path)}  {path.name}"
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name not in (CHECKSUMS, CHECKPOINT, CHECKPOINT_PART)
    ]
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n")


def read_checksums(folder: Path) -> dict[str, str]:
    """File name -> sha256 from the folder's SHA256SUMS (OSError or ValueError if unreadable)."""
    lines = (folder / CHECKSUMS).read_text().splitlines()
    return {name: digest for digest, name in (line.split(None, 1) for line in lines if line)}


__all__ = [
    "ANSWERING",
    "CARD",
    "CHECKPOINT",
    "CHECKPOINT_PART",
    "CHECKSUMS",
    "CONFIG",
    "CURVE",
    "PACKAGED_READER",
    "TOKENIZER",
    "TRAINING",
    "WEIGHTS",
    "read_checksums",
    "write_checksums",
]
