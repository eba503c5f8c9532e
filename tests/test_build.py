"""Building: what a build refuses to write, and what it says it changed; real model and FAISS."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index import NoArticlesError, build_index, open_index
from index.build import IndexWriteError
from tests.conftest import SEEDS


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_a_missing_corpus_folder_writes_nothing(tmp_path, embedder):
    index_dir = tmp_path / "deep" / "index"
    with pytest.raises(NoArticlesError, match="nowhere"):
        build_index([tmp_path / "nowhere"], index_dir, embedder)
    assert not (tmp_path / "deep").exists()  # not even the index's parent folder


def test_a_folder_without_articles_is_refused_and_keeps_the_old_index(tmp_path, embedder):
    index_dir = tmp_path / "index"
    build_index([SEEDS], index_dir, embedder)
    empty = tmp_path / "empty"
    write(empty, "blank.txt", "  \n")
    (empty / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    with pytest.raises(NoArticlesError) as refused:
        build_index([empty], index_dir, embedder)
    message = str(refused.value)
    assert "Found no articles in" in message and "2 files skipped" in message
    assert "blank.txt" in message and "is unchanged" in message
    assert len(open_index(index_dir, embedder).articles) == 2  # the seeds index still serves


def test_a_rebuild_reports_articles_added_changed_and_removed(tmp_path, embedder):
    corpus = tmp_path / "articles"
    write(corpus, "meeting.txt", "The allotment committee meets on the first Friday of May.\n")
    write(corpus, "potatoes.txt", "Seed potatoes are sold at the gate every Saturday.\n")
    write(corpus, "hens.txt", "Hens may be kept on plots larger than ten rods.\n")
    index_dir = tmp_path / "index"
    first = build_index([corpus], index_dir, embedder)
    assert first.compared and first.changes() == "3 added, 0 changed, 0 removed"
    (corpus / "hens.txt").unlink()
    write(corpus, "potatoes.txt", "Seed potatoes are sold at the gate every Sunday.\n")
    write(corpus, "water.txt", "Water troughs are refilled on Tuesdays.\n")
    again = build_index([corpus], index_dir, embedder)
    assert (again.added, again.changed, again.removed) == (
        ("water.txt",),
        ("potatoes.txt",),
        ("hens.txt",),
    )
    assert again.changes() == "1 added, 1 changed, 1 removed"


def test_a_rebuild_over_an_unreadable_index_says_changes_are_unknown(tmp_path, embedder):
    index_dir = tmp_path / "index"
    build_index([SEEDS], index_dir, embedder)
    (index_dir / "manifest.json").write_text("{", encoding="utf-8")
    report = build_index([SEEDS], index_dir, embedder)
    assert not report.compared and "unknown" in report.changes()


def test_an_index_folder_that_cannot_be_written_is_named_not_the_staging_folder(tmp_path, embedder):
    if os.geteuid() == 0:
        index_dir = Path("/proc/footnote-index")  # root may write anywhere else
    else:
        blocked = tmp_path / "read-only"
        blocked.mkdir()
        blocked.chmod(0o500)
        index_dir = blocked / "index"
    with pytest.raises(IndexWriteError) as refused:
        build_index([SEEDS], index_dir, embedder)
    message = str(refused.value)
    assert str(index_dir) in message and ".build-" not in message


def test_the_build_counts_articles_not_encoder_batches(tmp_path, embedder, capfd):
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    build_index([corpus], tmp_path / "index", embedder, progress=True)
    shown = capfd.readouterr().err
    assert "Batches" not in shown
    assert "Embedding new or changed articles" in shown and "2/2" in shown
    build_index([corpus], tmp_path / "index", embedder, progress=True)
    assert capfd.readouterr().err == ""  # nothing new to embed: no bar at all
