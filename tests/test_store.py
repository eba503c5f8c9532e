"""The index directory: verified on open, rebuilt incrementally, replaced atomically."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index import (
    Embedder,
    FootnoteError,
    IndexCorruptError,
    IndexMissingError,
    ModelMismatchError,
    build_index,
    open_index,
)
from index.index_folder import ALIASES, DATA_FILES, FORMAT_VERSION, MANIFEST, REFERENTS
from tests.encoded_search import search

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = {
    "rail.txt": "Monday, 9 January 2023\nRail workers will strike on Friday. The RMT union said "
    "talks had failed. Trains will not run in most of the country.\n",
    "nurses.md": "---\ntitle: Nurses vote\ndate: 2023-01-10\n---\nNurses voted to strike again. "
    "Pat Cullen said the vote was clear. Hospitals are preparing for the walkout.\n",
    "teachers.txt": "Teachers in Scotland walked out on Tuesday. Schools were closed. "
    "The EIS union wants a ten percent rise.\n",
}


def write_corpus(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("store")
    corpus = write_corpus(base / "corpus", ARTICLES)
    index_dir = base / "index"
    report = build_index([corpus], index_dir, embedder)
    return corpus, index_dir, report


@pytest.fixture
def copy_of_index(built, tmp_path):
    _, index_dir, _ = built
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    return copy


def test_a_build_writes_a_manifest_and_opens(built, embedder):
    _, index_dir, report = built
    assert (report.articles, report.embedded, report.reused) == (
        3,
        report.chunks + report.sentences,
        0,
    )
    manifest = json.loads((index_dir / MANIFEST).read_text())
    assert manifest["model"] == "all-MiniLM-L6-v2" and manifest["dim"] == 384
    assert (manifest["chunk_words"], manifest["overlap_sentences"]) == (100, 1)
    assert manifest["counts"] == {
        "articles": 3,
        "chunks": report.chunks,
        "sentences": report.sentences,
    }
    assert set(manifest["files"]) == set(DATA_FILES)
    index = open_index(index_dir, embedder)
    assert index.articles["nurses.md"].title == "Nurses vote"
    assert index.articles["rail.txt"].date == "2023-01-09"
    assert (
        search(index.searcher, embedder, "Who leads the nurses?", k=1)[0].chunk.article_id
        == "nurses.md"
    )
    assert sorted(p.name for p in index_dir.parent.iterdir()) == ["corpus", "index"]


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # garbled: same size, different bytes
        middle = len(data) // 2
        path.write_bytes(
            data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 8]) + data[middle + 8 :]
        )


@pytest.mark.parametrize("how", ["missing", "truncated", "garbled"])
@pytest.mark.parametrize("name", [MANIFEST, *DATA_FILES])
def test_any_damaged_file_is_reported_with_the_rebuild_hint(copy_of_index, embedder, name, how):
    damage(copy_of_index / name, how)
    with pytest.raises(IndexCorruptError) as raised:
        open_index(copy_of_index, embedder)
    message = str(raised.value)
    assert message.startswith(f"The index at {copy_of_index} is damaged (")
    assert message.endswith("Rebuild it with `footnote index`.")


def test_a_damaged_index_is_rebuilt_from_scratch(built, copy_of_index, embedder):
    corpus, _, _ = built
    damage(copy_of_index / "dense.faiss", "garbled")
    report = build_index([corpus], copy_of_index, embedder)
    assert report.reused == 0
    assert open_index(copy_of_index, embedder).manifest["counts"]["articles"] == 3


def test_an_index_of_an_older_format_asks_for_a_rebuild(built, copy_of_index, embedder):
    corpus, _, _ = built
    manifest = json.loads((copy_of_index / MANIFEST).read_text())
    manifest["format_version"] = FORMAT_VERSION - 1
    for name in (ALIASES, REFERENTS):  # files an older Footnote did not write
        del manifest["files"][name]
        (copy_of_index / name).unlink()
    (copy_of_index / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError) as raised:
        open_index(copy_of_index, embedder)
    assert f"format version {FORMAT_VERSION - 1}, this Footnote reads {FORMAT_VERSION}" in str(
        raised.value
    )
    assert str(raised.value).endswith("Rebuild it with `footnote index`.")
    report = build_index([corpus], copy_of_index, embedder)
    assert report.reused == 0
    assert open_index(copy_of_index, embedder).manifest["format_version"] == FORMAT_VERSION


def test_no_index_says_how_to_build_one(tmp_path, embedder):
    for missing in (tmp_path / "nothing-here", tmp_path):  # absent, and an empty directory
        with pytest.raises(IndexMissingError) as raised:
            open_index(missing, embedder)
        assert (
            str(raised.value)
            == f"No index at {missing}. Build one with `footnote index [PATH ...]`."
        )


def test_another_model_is_a_mismatch(built):
    _, index_dir, _ = built
    with pytest.raises(ModelMismatchError) as raised:
        open_index(index_dir, Embedder("some/other-model"))
    assert str(raised.value) == (
        f"The index at {index_dir} was built with embedder all-MiniLM-L6-v2, but the configured "
        "embedder is some/other-model. Rebuild with `footnote index`, or set "
        "FOOTNOTE_EMBEDDER=all-MiniLM-L6-v2."
    )


def test_rebuilds_reuse_vectors_of_unchanged_articles(built, copy_of_index, embedder, tmp_path):
    corpus, _, first = built
    again = build_index([corpus], copy_of_index, embedder)
    assert (again.embedded, again.reused) == (0, first.chunks + first.sentences)
    before = open_index(built[1], embedder)
    after = open_index(copy_of_index, embedder)
    np.testing.assert_array_equal(after.dense.vectors(), before.dense.vectors())

    changed = write_corpus(tmp_path / "changed", ARTICLES)
    (changed / "teachers.txt").unlink()
    (changed / "new.txt").write_text("Doctors will ballot in February. The BMA confirmed it.\n")
    (changed / "zz-copy-of-rail.txt").write_text(ARTICLES["rail.txt"])
    report = build_index([changed], copy_of_index, embedder)
    index = open_index(copy_of_index, embedder)
    assert sorted(index.articles) == ["new.txt", "nurses.md", "rail.txt"]
    assert report.embedded == 1 + 2  # the new article: one chunk, two sentences
    assert report.reused == report.chunks + report.sentences - 3
    assert [(s.path.rsplit("/", 1)[-1], s.reason) for s in report.skipped] == [
        ("zz-copy-of-rail.txt", "duplicate of rail.txt")
    ]
    hit = search(index.searcher, embedder, "Which union represents doctors?", k=1)[0]
    assert hit.chunk.article_id == "new.txt"


def test_an_incremental_rebuild_reads_only_new_text_and_equals_a_fresh_build(
    built, copy_of_index, embedder, tmp_path, monkeypatch
):
    import index.planning as building

    corpus, _, _ = built
    changed = write_corpus(tmp_path / "changed", ARTICLES)
    (changed / "rail.txt").unlink()
    new_text = "Doctors will ballot in February. The BMA (British Medical Association) said so.\n"
    (changed / "new.txt").write_text(new_text)
    read: list[str] = []
    for name in ("split_sentences", "find_aliases", "terms"):
        original = getattr(building, name)
        monkeypatch.setattr(
            building,
            name,
            lambda text, *a, _f=original, **k: read.append(text) or _f(text, *a, **k),
        )
    build_index([changed], copy_of_index, embedder)
    # Sentence splitting, alias finding and BM25 tokenizing saw the new article and nothing else.
    assert read and all(text in new_text for text in read)
    monkeypatch.undo()

    incremental = open_index(copy_of_index, embedder)
    fresh_dir = tmp_path / "fresh"
    build_index([changed], fresh_dir, embedder)
    fresh = open_index(fresh_dir, embedder)
    assert [a.id for a in incremental.article_order] == [a.id for a in fresh.article_order]
    np.testing.assert_array_equal(incremental.chunk_rows, fresh.chunk_rows)
    np.testing.assert_array_equal(incremental.sentence_rows, fresh.sentence_rows)
    np.testing.assert_allclose(incremental.dense.vectors(), fresh.dense.vectors(), atol=1e-5)
    assert incremental.sentence_referents == fresh.sentence_referents
    assert incremental.aliases["bma"] == "British Medical Association"
    for query in (["strike"], ["doctor", "ballot"], ["nurs", "vote"]):
        np.testing.assert_allclose(incremental.sparse.scores(query), fresh.sparse.scores(query))
    assert sorted(incremental.sparse.vocab) == sorted(fresh.sparse.vocab)


def test_an_hnsw_index_keeps_its_graph_across_rebuilds(built, embedder, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", ARTICLES)
    index_dir = tmp_path / "hnsw"
    build_index([corpus], index_dir, embedder, dense="hnsw")
    (corpus / "rail.txt").unlink()
    (corpus / "doctors.txt").write_text("Doctors will ballot in February. The BMA said so.\n")
    report = build_index([corpus], index_dir, embedder, dense="hnsw")
    index = open_index(index_dir, embedder)
    graph = index.dense._index
    # The rail chunk's node is still in the graph, marked dead; the doctors' chunk was added.
    assert graph.ntotal == index.dense.ntotal + 1 == report.chunks + 1
    fresh_dir = tmp_path / "fresh"
    build_index([corpus], fresh_dir, embedder, dense="hnsw")
    fresh = open_index(fresh_dir, embedder)
    np.testing.assert_allclose(index.dense.vectors(), fresh.dense.vectors(), atol=1e-6)
    for n, vector in enumerate(fresh.dense.vectors()):
        _, ids = index.dense.search(vector[None], 2)
        assert ids[0][0] == n  # every chunk finds itself, and never the removed one
    hit = search(index.searcher, embedder, "Which union represents doctors?", k=1)[0]
    assert hit.chunk.article_id == "doctors.txt"
    assert all(
        h.chunk.article_id != "rail.txt" for h in search(index.searcher, embedder, "rail strike")
    )


def test_changed_chunking_reencodes_everything(built, copy_of_index, embedder):
    corpus, _, _ = built
    report = build_index([corpus], copy_of_index, embedder, chunk_words=10)
    assert report.reused == 0
    assert open_index(copy_of_index, embedder).manifest["chunk_words"] == 10


def test_a_folder_that_is_not_an_index_is_never_replaced(built, tmp_path, embedder):
    corpus, _, _ = built
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(FootnoteError, match="not part of a Footnote index"):
        build_index([corpus], tmp_path, embedder)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_a_killed_build_leaves_the_old_index_and_the_next_build_cleans_up(
    built, copy_of_index, embedder, tmp_path
):
    corpus, _, _ = built
    rng = np.random.default_rng(0)
    words = np.array(["strike", "union", "pay", "talks", "vote", "nurses", "rail", "school"])
    big = tmp_path / "big"
    big.mkdir()
    for n in range(150):
        sentences = [" ".join(rng.choice(words, 15)).capitalize() + "." for _ in range(20)]
        (big / f"{n:03}.txt").write_text(" ".join(sentences))
    log = tmp_path / "build.log"
    script = (
        "import sys; from pathlib import Path; from index import Embedder, build_index; "
        "build_index([Path(sys.argv[1])], Path(sys.argv[2]), Embedder(), progress=True)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with log.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(big), str(copy_of_index)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + 90
        while b"Embedding" not in log.read_bytes() and child.poll() is None:
            assert time.monotonic() < deadline, "the build never started encoding"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL, log.read_text()

    # Killed while encoding, it had written nothing yet; killed while writing, it would have
    # left its staging directory, named by its pid: the next build must clear that away.
    assert list(tmp_path.glob(".index.build-*")) == []
    half_written = tmp_path / f".index.build-{child.pid}-0badcafe"
    half_written.mkdir()
    (half_written / "chunks.npy").write_bytes(b"half a file")
    leftovers = [half_written]
    index = open_index(copy_of_index, embedder)
    assert sorted(index.articles) == sorted(ARTICLES)
    assert search(index.searcher, embedder, "rail strike", k=1)[0].chunk.article_id == "rail.txt"

    report = build_index([corpus], copy_of_index, embedder)
    assert report.embedded == 0
    assert not any(p.exists() for p in leftovers)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_build_killed_between_its_two_renames_gets_the_old_index_back(
    built, copy_of_index, embedder
):
    corpus, _, _ = built
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid now names a build that is no longer running
    retired = copy_of_index.parent / f".index.old-{finished.pid}-0badcafe"
    os.rename(copy_of_index, retired)
    report = build_index([corpus], copy_of_index, embedder)
    assert report.embedded == 0  # the restored index supplied every vector
    assert not retired.exists()
    assert sorted(open_index(copy_of_index, embedder).articles) == sorted(ARTICLES)


def test_an_index_inside_the_corpus_folder_is_not_read_as_articles(tmp_path, embedder):
    corpus = write_corpus(tmp_path / "corpus", {"rail.txt": ARTICLES["rail.txt"]})
    build_index([corpus], corpus / "index", embedder)
    report = build_index([corpus], corpus / "index", embedder)
    assert (report.articles, report.skipped, report.embedded) == (1, [], 0)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_a_build_with_an_approximate_dense_index_records_it_and_finds_the_same(
    built, copy_of_index, embedder, kind
):
    corpus, index_dir, _ = built
    report = build_index([corpus], copy_of_index, embedder, dense=kind)
    assert report.dense == kind and report.embedded == 0  # the vectors were reused
    index = open_index(copy_of_index, embedder)
    assert index.manifest["dense"] == kind and index.dense.kind == kind
    exact = open_index(index_dir, embedder)
    assert exact.manifest["dense"] == "flat"  # a small corpus: auto is exact
    for query in ("rail strike on Friday", "nurses vote", "teachers pay rise"):
        got = search(index.searcher, embedder, query, k=1)[0].chunk.article_id
        assert got == search(exact.searcher, embedder, query, k=1)[0].chunk.article_id


def test_a_full_disk_mid_build_leaves_the_old_index_serving_and_says_so(
    built, copy_of_index, embedder, tmp_path
):
    # A file-size limit makes the kernel refuse a write mid-build, as a full disk would; the
    # article with a huge title makes the first data file the one that overflows.
    corpus = tmp_path / "more"
    corpus.mkdir()
    record = {"title": "T" * 400_000, "text": "Bus drivers will strike on Monday."}
    (corpus / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))\n"
        "from bot.frontends.cli import main\n"
        "sys.exit(main(['--index-dir', sys.argv[1], 'index', sys.argv[2]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(copy_of_index), str(corpus)],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert "could not write the new index (File too large)" in message
    assert "is unchanged and still serves" in message and "Traceback" not in done.stderr
    index = open_index(copy_of_index, embedder)
    assert sorted(index.articles) == sorted(ARTICLES)
    assert not list(tmp_path.glob(".index.build-*"))
