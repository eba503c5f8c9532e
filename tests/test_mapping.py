"""Vector files: read into memory when small, mapped and size-checked when large, so a file
truncated under a running bot is never a Bus error. The damaging runs are subprocesses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import IndexCorruptError, open_index
from index.index_folder import DENSE, SENTENCE_VECTORS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy_of_seeds(seeds_index_dir, tmp_path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(seeds_index_dir, copy)
    return copy


def damage_in_a_subprocess(mode: str, index_dir: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.damaged_index", mode, str(index_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"exit {done.returncode} (-7: Bus error)\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.splitlines()[-1]) | {"log": done.stderr}


def test_a_small_index_is_read_into_memory(copy_of_seeds, embedder):
    index = open_index(copy_of_seeds, embedder)
    assert index.mapped == ()
    assert not isinstance(index.sentence_vectors, np.memmap)


def test_a_mapped_file_cut_since_opening_is_named_before_use(copy_of_seeds, embedder):
    index = open_index(copy_of_seeds, embedder, map_from=0)
    assert isinstance(index.sentence_vectors, np.memmap) and len(index.mapped) == 2
    index.check_files()  # intact: nothing to say
    with (copy_of_seeds / SENTENCE_VECTORS).open("r+b") as stream:
        stream.truncate(64)
    with pytest.raises(IndexCorruptError, match=rf"{SENTENCE_VECTORS} is 64 bytes, expected \d+"):
        index.check_files()


def test_a_rebuild_renamed_over_a_mapped_index_is_not_damage(copy_of_seeds, embedder, tmp_path):
    index = open_index(copy_of_seeds, embedder, map_from=0)
    aside = tmp_path / "aside"
    copy_of_seeds.rename(aside)  # what a rebuild does with the old folder; a new one comes in
    shutil.copytree(aside, copy_of_seeds)
    (copy_of_seeds / DENSE).write_bytes(b"another index")
    index.check_files()  # the mapping still holds the old file, whole


def test_truncated_under_a_running_engine_it_still_answers_from_memory(copy_of_seeds):
    result = damage_in_a_subprocess("engine", copy_of_seeds)
    assert result["before"] == result["after"] == "1 February"


def test_truncated_under_the_bot_a_mapped_index_is_one_log_line_and_a_clear_reply(copy_of_seeds):
    result = damage_in_a_subprocess("discord", copy_of_seeds)
    answered, damaged, still_up = result["replies"]
    assert "1 February" in answered
    for reply in (damaged, still_up):
        assert "is damaged" in reply and "footnote index" in reply, reply
    lines = [line for line in result["log"].splitlines() if "is damaged" in line]
    assert len(lines) == 2 and all(line.startswith("ERROR footnote.discord") for line in lines)
    assert "Traceback" not in result["log"]
