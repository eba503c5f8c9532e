"""Built ONNX models on disk, under the user's cache, so only the first load pays for a build.

Each file is named by its caller for everything it is made from (the weights' sha256, the graph
format, the precision), so a changed input is a new name, never a stale file. Beside each lies
its own sha256: a file cut short or damaged since it was written is built again, not run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def default_cache_root() -> Path:
    """~/.cache/footnote/onnx, or under $XDG_CACHE_HOME when that is set."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "footnote" / "onnx"


def cached_model(name: str, build: Callable[[], bytes], root: Path | None = None) -> str | bytes:
    """What onnxruntime.InferenceSession opens for the model cached as `name`: the path of its
    checked file, or, when the cache cannot be written (a read-only home, a full disk), the
    bytes `build` made. A file missing or damaged is made again with `build`.

    A path rather than the bytes already read for the check: ORT opened the 43 MB fp32 reader
    in 50 ms from its path, 70-110 ms from bytes.
    """
    path = (root or default_cache_root()) / name
    if _intact(path):
        return str(path)
    data = build()
    try:
        _write(path, data)
    except OSError:
        return data  # the next process builds again
    return str(path)


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


__all__ = ["cached_model", "default_cache_root"]
