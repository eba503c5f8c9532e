"""Swapping an index folder in: a new index, written into a staging folder beside the old one,
replaces it by two renames, so an interrupted build leaves the previous index as it was.

Builds killed part way leave `.NAME.build-PID-*` (staging) and `.NAME.old-PID-*` (retired)
folders; `prepare_index_dir` removes those whose process is gone and puts back an index that
was retired but never replaced. It also refuses to replace a folder that holds anything but
an index's own files (`index/index_folder.py`), since replacing deletes it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from index.errors import FootnoteError
from index.index_folder import DATA_FILES, MANIFEST


def prepare_index_dir(index_dir: Path) -> None:
    """Make `index_dir`'s parent, tidy up after killed builds, and refuse a folder that is not
    a Footnote index (replacing it would delete someone's files)."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover_and_clean(index_dir)
    _refuse_foreign_directory(index_dir)


def staging_dir(index_dir: Path) -> Path:
    """Where a build writes the index that will replace `index_dir`: a hidden folder beside
    it, named for this process, so that a later build knows whether its writer is alive."""
    return index_dir.parent / f".{index_dir.name}.build-{os.getpid()}-{secrets.token_hex(4)}"


def swap_in(staging: Path, index_dir: Path) -> None:
    """Replace `index_dir` by `staging`: two renames, so the gap without an index is tiny."""
    if index_dir.exists():
        retired = index_dir.parent / f".{index_dir.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(index_dir, retired)
        os.rename(staging, index_dir)
        fsync(index_dir.parent)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, index_dir)
        fsync(index_dir.parent)


def fsync(path: Path) -> None:
    """Flush the file or folder at `path` to disk: a rename is only as durable as what it
    renames, and a folder's entries are only durable once the folder is synced."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _recover_and_clean(index_dir: Path) -> None:
    """Tidy up after builds that were killed: drop their staging directories and, if one died
    between its two renames, put the previous index back."""
    for path in sorted(index_dir.parent.glob(f".{index_dir.name}.old-*")):
        if _owner_alive(path):
            continue
        if not index_dir.exists() and (path / MANIFEST).exists():
            os.rename(path, index_dir)
        else:
            shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.parent.glob(f".{index_dir.name}.build-*"):
        if not _owner_alive(path):
            shutil.rmtree(path, ignore_errors=True)


def _owner_alive(path: Path) -> bool:
    """Whether the build process named in a staging directory's name is still running."""
    try:
        pid = int(path.name.rsplit("-", 2)[-2])
    except (ValueError, IndexError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse_foreign_directory(index_dir: Path) -> None:
    # Replacing index_dir deletes it; never do that to a folder Footnote did not make.
    if index_dir.is_dir():
        ours = {*DATA_FILES, MANIFEST}
        foreign = [p.name for p in index_dir.iterdir() if p.name not in ours]
        if foreign:
            raise FootnoteError(
                f"{index_dir} exists and holds files that are not part of a Footnote index "
                f"({', '.join(sorted(foreign)[:3])}); choose another index directory."
            )
    elif index_dir.exists():
        raise FootnoteError(f"{index_dir} is a file; choose another index directory.")
