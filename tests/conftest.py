"""Session fixtures: the real embedder, and one real index over seeds/ built once per test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def embedder():
    from index import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def seeds_index_dir(tmp_path_factory, embedder) -> Path:
    from index import build_index

    index_dir = tmp_path_factory.mktemp("seeds-index") / "index"
    build_index([SEEDS], index_dir, embedder)
    return index_dir


@pytest.fixture(scope="session")
def settings(seeds_index_dir):
    from bot.settings import Settings

    return Settings(index_dir=seeds_index_dir, corpus=(SEEDS,))


@pytest.fixture(scope="session")
def engine(settings, embedder):
    from bot.engine import Footnote

    return Footnote.open(settings, embedder=embedder)
