"""A stored file's checksum: the sha256 every Footnote folder records for its files.

The index's manifest (`index/index_folder.py`), the reader's SHA256SUMS
(`bot/answering/reader_folder.py`) and training's record of its data (`bot/training/mixing.py`)
all fingerprint files with `file_digest`, so a file damaged or swapped since it was written is
caught when it is read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: Path) -> str:
    """The hex sha256 of the file at `path`, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
