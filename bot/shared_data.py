"""Where the public QA sets live: `../shared/data/`, read in place and never copied in.

Training, calibration, the SQuAD evaluation and the tests that need them read these files from
there (`FOOTNOTE_SHARED_DATA` names another folder). Answering never needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

from index.errors import FootnoteError

_ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """The folder of the shared QA sets: `FOOTNOTE_SHARED_DATA`, else `../shared/data` beside
    the checkout."""
    configured = os.environ.get("FOOTNOTE_SHARED_DATA")
    return Path(configured) if configured else _ROOT.parent / "shared" / "data"


def dev_half() -> Path:
    """Half of the SQuAD 2.0 development set (16 articles, with unanswerables)."""
    return shared_data() / "squad2-dev-half.json"


class MissingDataError(FootnoteError):
    """A shared QA file that is not where it should be."""


def require(path: Path) -> Path:
    """`path` if it exists, else a MissingDataError saying which file and where to get it."""
    if path.is_file():
        return path
    raise MissingDataError(
        f"{path} is missing: it is one of the shared QA sets read in place (set "
        "FOOTNOTE_SHARED_DATA to their folder). SQuAD 2.0 is at "
        "https://rajpurkar.github.io/SQuAD-explorer/; the dev half is "
        "data/dev-v2.0.json of github.com/chrischute/squad (16 of its 35 articles)."
    )


__all__ = ["MissingDataError", "dev_half", "require", "shared_data"]
