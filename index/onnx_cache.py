"""Built ONNX models on disk, under the user's cache, so only the first load pays for a build.

Each file is named by its caller for everything it is made from (the weights' sha256, the graph
format, the precision), so a changed input is a new name, never a stale file. Beside each lies
its own sha256: a file cut short or damaged since it was written is built again, not run.
Only the KEEP most recently used files stay: each retrained reader would otherwise leave a
43 MB graph behind for good.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.cache_folder import cache_folder

# Graphs kept in the cache: the reader's and the question encoder's, each at both precisions.
KEEP = 4


def default_cache_root() -> Path:
    """~/.cache/footnote/onnx, or under $XDG_CACHE_HOME when that is set."""
    return cache_folder("onnx")


def cached_model(name: str, build: Callable[[], bytes], root: Path | None = None) -> str | bytes:
    """What onnxruntime.InferenceSession opens for the model cached as `name`: the path of its
    checked file, or, when the cache cannot be written (a read-only home, a full disk), the
    bytes `build` made. A file missing or damaged is made again with `build`.

    A path rather than the bytes already read for the check: ORT opened the 43 MB fp32 reader
    in 50 ms from its path, 70-110 ms from bytes.
    """
    path = (root or default_cache_root()) / name
    if _intact(path):
        _used(path)
        return str(path)
    data = build()
    try:
        _write(path, data)
    except OSError:
        return data  # the next process builds again
    _prune(path.parent, KEEP)
    return str(path)


def _used(path: Path) -> None:
    """Mark `path` as just used (its modification time), so pruning keeps it."""
    with contextlib.suppress(OSError):  # a read-only cache: nothing is pruned there either
        os.utime(path)


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the `keep` most recently used models of `folder`, with their digests. A
    process that has one open keeps its copy; one that needs it again builds it again."""
    try:
        models = sorted(folder.glob("*.onnx"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in models[keep:]:
            old.unlink(missing_ok=True)
            _digest_path(old).unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned at the same time: what is left is still whole


def _intact(path: Path) -> bool:
    try:
        data = path.read_bytes()
        expected = _digest_path(path).read_text().strip()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == expected


def _write(path: Path, data: bytes) -> None:
    """The model, then its digest, each to a temporary file renamed into place: a reader sees
    a whole file or none, and a crash between the two leaves a model without a digest, which
    is built again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, data)
    _replace(_digest_path(path), hashlib.sha256(data).hexdigest().encode() + b"\n")


def _replace(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


__all__ = ["KEEP", "cached_model", "default_cache_root"]
