"""Where Footnote keeps what it can build again: the user's cache folder."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(part: str) -> Path:
    """~/.cache/footnote/`part`, or under $XDG_CACHE_HOME when that is set."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "footnote" / part


__all__ = ["cache_folder"]
