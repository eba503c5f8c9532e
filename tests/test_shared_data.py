"""The shared QA sets are read in place; without them, one line says which file and where."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "--dataset", "squad2-dev-half.json"],
        ["eval", "--calibrate"],
        ["train-reader", "--out", "never-written"],
    ],
)
def test_a_missing_shared_set_is_one_line_naming_it(argv, tmp_path):
    env = {"FOOTNOTE_SHARED_DATA": str(tmp_path / "nowhere"), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "--index-dir", str(tmp_path / "i"), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(tmp_path / "nowhere" / "squad2-dev-half.json") in lines[0]
    assert "SQuAD" in lines[0] and "Traceback" not in result.stderr
    assert not (ROOT / "never-written").exists()


def test_the_repository_holds_no_copy_of_the_shared_sets():
    names = {"squad2-dev-half.json", "squad11-train.json.gz", "nq-qed-train.json.gz"}
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [p for p in tracked if Path(p).name in names]
