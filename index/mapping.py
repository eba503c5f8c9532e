"""Index files in memory when small, memory-mapped when large; a mapped file keeps a handle
whose size is checked before use, so a file damaged on disk is reported, not a Bus error.

A mapped page read past the end of a file truncated since (in place, while the bot runs) ends
the process with SIGBUS, which no Python code can catch. A copy in memory cannot be damaged
that way, so only files too big to copy stay mapped (README, "Damaged indexes").
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import numpy as np

# Below this a file is read into memory. A flat index of FLAT_UP_TO (40,000) chunks at 384
# dimensions is 61 MB, so the dense file is mapped about where HNSW takes over; the sentence
# vectors (float16, about 3.5 a chunk on the seeds) from about 25,000 chunks.
MAP_FROM_BYTES = 64 << 20


class MappedFile:
    """A handle on a memory-mapped file that follows the file the mapping holds, whatever is
    renamed over its path later (a rebuild renames a fresh index into place)."""

    def __init__(self, path: Path, expected_bytes: int) -> None:
        self.path = path
        self.expected_bytes = expected_bytes
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def damage(self) -> str | None:
        """Why reading the mapping could crash (the file is not the size the manifest gives),
        or None."""
        size = os.fstat(self._fd).st_size
        if size != self.expected_bytes:
            return f"{self.path.name} is {size} bytes, expected {self.expected_bytes}"
        return None


def mapped_file(path: Path, expected_bytes: int, map_from: int) -> MappedFile | None:
    """A MappedFile for `path` if, at `expected_bytes`, it is to be mapped; None: read it."""
    return MappedFile(path, expected_bytes) if expected_bytes >= map_from else None


def load_array(path: Path, handle: MappedFile | None) -> np.ndarray:
    """The .npy array at `path`: memory-mapped given its MappedFile, else read into memory."""
    return np.load(path, mmap_mode="r" if handle else None, allow_pickle=False)
