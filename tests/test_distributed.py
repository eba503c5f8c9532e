"""The Ray build against the single-machine one, on a local two-worker cluster started here."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import ray  # in the test extra, so CI runs these

from tests.conftest import ROOT, SEEDS
from tests.test_cli import TUC, assert_clean_failure, run

# Small enough that the test corpus's .jsonl is read as several shards and its articles go
# to both workers in several batches.
SHARD_BYTES = 2048
PER_BATCH = 4
# Files that depend only on the text, never on the vectors: the same bytes either way.
TEXT_FILES = (
    "articles.jsonl",
    "chunks.npy",
    "sentence_spans.npy",
    "bm25.npz",
    "bm25_vocab.json",
    "aliases.json",
    "referents.json",
)


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, squad_dev_half) -> Path:
    """SQuAD paragraphs as .txt files and one .jsonl export, with a file of every bad kind."""
    root = tmp_path_factory.mktemp("corpus")
    squad = json.loads(squad_dev_half.read_text(encoding="utf-8"))
    paragraphs = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
    for n, text in enumerate(paragraphs[:10]):
        (root / "news" / f"{n:02d}.txt").parent.mkdir(exist_ok=True)
        (root / "news" / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    (root / "note.md").write_text(f"---\ntitle: A note\ndate: 2024-03-01\n---\n{paragraphs[10]}\n")
    lines = [
        json.dumps({"title": f"Record {n}", "text": t}) for n, t in enumerate(paragraphs[11:31])
    ]
    lines[7:7] = ["", "{not json"]  # a blank line keeps its number; a bad one is reported by it
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (root / "report.pdf").write_bytes(b"%PDF-1.4")
    (root / "zz_copy.txt").write_text(paragraphs[3], encoding="utf-8")  # a duplicate
    return root


@pytest.fixture(scope="module")
def built(cluster, corpus, embedder, tmp_path_factory):
    """The same sources built on this machine and on the cluster."""
    from index import build_index, build_index_on_ray

    out = tmp_path_factory.mktemp("built")
    paths = [corpus, SEEDS]
    one = build_index(paths, out / "one", embedder)
    on_ray = build_index_on_ray(
        paths, out / "ray", embedder, shard_bytes=SHARD_BYTES, articles_per_batch=PER_BATCH
    )
    return {"paths": paths, "one": (out / "one", one), "ray": (out / "ray", on_ray)}


def opened(built, which: str, embedder):
    from index import open_index

    return open_index(built[which][0], embedder)


def test_ray_build_has_the_same_articles_chunks_and_sentences(built, embedder):
    one, on_ray = opened(built, "one", embedder), opened(built, "ray", embedder)
    assert on_ray.article_order == one.article_order  # ids, text, titles, dates, sources
    assert len(one.article_order) == 10 + 1 + 20 + 2
    assert on_ray.hashes == one.hashes
    assert np.array_equal(on_ray.chunk_rows, one.chunk_rows)
    assert np.array_equal(on_ray.sentence_rows, one.sentence_rows)
    files = {which: opened(built, which, embedder).manifest["files"] for which in ("one", "ray")}
    for name in TEXT_FILES:
        assert files["ray"][name] == files["one"][name], name


def test_ray_build_has_the_same_vectors(built, embedder):
    one, on_ray = opened(built, "one", embedder), opened(built, "ray", embedder)
    np.testing.assert_allclose(on_ray.dense.vectors(), one.dense.vectors(), rtol=0, atol=1e-5)
    # Sentence vectors are stored as float16: 1e-5 apart before storing can be one float16
    # step apart after it.
    a, b = one.sentence_vectors.astype(np.float32), on_ray.sentence_vectors.astype(np.float32)
    step = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(np.float16)).astype(np.float32)
    assert np.all(np.abs(a - b) <= 1e-5 + step)


def test_ray_built_index_answers_a_search_the_same(built, embedder):
    vector = embedder.encode([TUC])[0]
    hits = {
        which: opened(built, which, embedder).searcher.search(TUC, 5, query_vector=vector)
        for which in ("one", "ray")
    }
    assert [h.chunk for h in hits["ray"]] == [h.chunk for h in hits["one"]]
    assert hits["ray"][0].chunk.article_id == "004_ae9d525e8a820230.txt"
    np.testing.assert_allclose(
        [h.score for h in hits["ray"]], [h.score for h in hits["one"]], atol=1e-5
    )


def test_ray_build_reports_what_it_did_and_skipped_like_one_machine(built, corpus):
    (_, one), (_, on_ray) = built["one"], built["ray"]
    assert on_ray.skipped == one.skipped
    reasons = {Path(s.path).name: s.reason for s in on_ray.skipped}
    assert reasons["latin1.txt"] == "not UTF-8 text (binary or another encoding)"
    assert reasons["zz_copy.txt"] == "duplicate of news/03.txt"
    assert "line 9 is not valid JSON" in reasons["feed.jsonl#9"]
    assert "unsupported file type" in reasons["report.pdf"]
    for count in ("articles", "chunks", "sentences", "embedded", "reused", "dense"):
        assert getattr(on_ray, count) == getattr(one, count), count
    assert on_ray.reused == 0
    assert on_ray.cluster.startswith("the Ray cluster at ") and "2 CPUs" in on_ray.cluster


def test_a_second_ray_build_reuses_every_vector(built, embedder, tmp_path):
    import shutil

    from index import build_index_on_ray, open_index

    index_dir = tmp_path / "index"
    shutil.copytree(built["ray"][0], index_dir)
    again = build_index_on_ray(built["paths"], index_dir, embedder, articles_per_batch=PER_BATCH)
    assert again.embedded == 0
    assert again.reused == again.chunks + again.sentences == built["one"][1].embedded
    vectors = open_index(index_dir, embedder).dense.vectors()
    np.testing.assert_array_equal(vectors, opened(built, "ray", embedder).dense.vectors())


def test_a_big_jsonl_is_read_in_shards_that_join_up_to_the_whole_file(corpus):
    from index.articles import read_file, read_jsonl_lines
    from index.distributed import jsonl_shards

    path = corpus / "feed.jsonl"
    shards = jsonl_shards(path, SHARD_BYTES)
    assert len(shards) > 2
    assert shards[0][0] == 0 and shards[-1][1] == path.stat().st_size
    assert all(end == start for (_, end, _), (start, _, _) in zip(shards, shards[1:], strict=False))
    joined = [
        item
        for start, end, line in shards
        for item in read_jsonl_lines(path, path.name, start, end, line)
    ]
    assert joined == list(read_file(path, path.name))


def test_plans_cross_the_cluster_whole(embedder):
    """Every field of Planned, whatever it holds by now, survives the trip to the driver."""
    import dataclasses

    from index import read_articles
    from index.distributed import _plan, _plan_columns
    from index.planning import Previous, embed_plans, plan_article

    articles, _ = read_articles([SEEDS])
    plans, _ = embed_plans([plan_article(a, Previous(), 100, 1) for a in articles], embedder)
    columns = _plan_columns([0, 1], plans, 99)
    for n, plan in enumerate(plans):
        back = _plan(plan.article, {name: values[n] for name, values in columns.items()})
        for field in dataclasses.fields(plan):
            mine, theirs = getattr(back, field.name), getattr(plan, field.name)
            if isinstance(theirs, np.ndarray):
                assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), field.name
            else:
                assert mine == theirs, field.name
    assert list(columns["encoded"]) == [99, 0]


def test_a_model_that_cannot_load_fails_before_the_cluster_is_asked(tmp_path):
    from index import Embedder, ModelLoadError, build_index_on_ray

    with pytest.raises(ModelLoadError, match="could not load embedding model"):
        build_index_on_ray([SEEDS], tmp_path / "index", Embedder(str(tmp_path / "no-model")))


def test_ray_build_refuses_a_missing_source_like_one_machine(cluster, corpus, embedder, tmp_path):
    from index import NoArticlesError, build_index, build_index_on_ray

    paths = [corpus, corpus / "missing.txt"]
    for build, out in ((build_index, tmp_path / "one"), (build_index_on_ray, tmp_path / "ray")):
        with pytest.raises(NoArticlesError, match="missing.txt"):
            build(paths, out, embedder)
        assert not out.exists()  # nothing written


def test_cli_index_on_ray_auto_starts_a_cluster_and_the_index_answers(tmp_path):
    index_dir = tmp_path / "index"
    result = run("index", "--ray", "auto", str(SEEDS), index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stdout.splitlines()  # the single-machine line, saying where it ran
    assert line.startswith("Indexed 2 articles (2 added, 0 changed, 0 removed) into 12 chunks ")
    assert " on the Ray cluster at " in line and f"Index: {index_dir}" in line
    answer = json.loads(run("ask", TUC, "--json", index_dir=index_dir).stdout)
    assert answer["short_answer"] == "1 February"


def test_cli_index_on_a_running_cluster_by_its_address(cluster, tmp_path):
    address = ray.get_runtime_context().gcs_address
    result = run("index", "--ray", address, str(SEEDS), index_dir=tmp_path / "index")
    assert result.returncode == 0, result.stderr
    assert f" on the Ray cluster at {address} (1 node, 2 CPUs): " in result.stdout


def test_cli_without_ray_installed_says_how_to_get_it(tmp_path):
    script = (
        "import sys; sys.modules['ray'] = None\n"  # what `import ray` meets when it is absent
        "from bot.frontends.cli import main\n"
        f"sys.exit(main(['index', '--ray', 'auto', {str(SEEDS)!r}]))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FOOTNOTE_INDEX_DIR": str(tmp_path / "index")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 1
    assert result.stderr == "footnote: the Ray build needs `pip install footnote[ray]`\n"
    assert not (tmp_path / "index").exists()


def test_cli_names_a_cluster_it_cannot_reach(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}"):
        result = run("index", "--ray", address, str(SEEDS), index_dir=tmp_path / "index")
        assert_clean_failure(result, 1, f"the Ray cluster at {address}")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_cli_ray_takes_an_address_not_a_folder(tmp_path):
    result = run("index", "--ray", str(SEEDS), index_dir=tmp_path / "index")
    assert_clean_failure(result, 2, "--ray auto")
