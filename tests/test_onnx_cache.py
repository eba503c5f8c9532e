"""The ONNX cache: a graph built once per weights, format and precision, built again when its
file is damaged, and kept in memory when the cache cannot be written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.embedder import _packaged_path
from index.onnx_bert import FORMAT, bert_graph
from index.onnx_cache import KEEP, cached_model, default_cache_root
from index.onnx_session import InferenceConfig, bert_session


@pytest.fixture(scope="module")
def encoder_graph():
    """The packaged MiniLM's real graph (built in about a second)."""
    from safetensors.numpy import load_file

    model = _packaged_path()
    config = json.loads((model / "config.json").read_text())
    return bert_graph(load_file(str(model / "model.safetensors")), config, "pooled")


class Builds:
    """Counts the builds of a real graph's bytes."""

    def __init__(self, graph) -> None:
        self.data = graph.SerializeToString()
        self.count = 0

    def __call__(self) -> bytes:
        self.count += 1
        return self.data


def test_a_graph_is_built_once_then_read_from_the_cache(encoder_graph, tmp_path):
    build = Builds(encoder_graph)
    assert cached_model("m.onnx", build, tmp_path) == str(tmp_path / "m.onnx")
    assert cached_model("m.onnx", build, tmp_path) == str(tmp_path / "m.onnx")
    assert build.count == 1 and (tmp_path / "m.onnx").read_bytes() == build.data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "m.onnx.sha256"]


def _cut_short(path):
    path.write_bytes(path.read_bytes()[:1000])


def _one_byte_flipped(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _digest_lost(path):
    path.with_name(path.name + ".sha256").unlink()


@pytest.mark.parametrize("damage", [_cut_short, _one_byte_flipped, _digest_lost])
def test_a_damaged_cache_file_is_built_again(damage, encoder_graph, tmp_path):
    import onnxruntime as ort

    build = Builds(encoder_graph)
    cached_model("m.onnx", build, tmp_path)
    damage(tmp_path / "m.onnx")
    model = cached_model("m.onnx", build, tmp_path)
    assert build.count == 2 and model == str(tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").read_bytes() == build.data  # the file is whole again
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    feed = {"words": np.ones((1, 3, 384), np.float32), "attention_mask": np.ones((1, 3), np.int64)}
    assert session.run(None, feed)[0].shape == (1, 384)


def test_an_unwritable_cache_keeps_the_graph_in_memory(encoder_graph, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot make a folder inside a file
    build = Builds(encoder_graph)
    assert cached_model("m.onnx", build, blocked / "onnx") == build.data
    assert cached_model("m.onnx", build, blocked / "onnx") == build.data
    assert build.count == 2  # each load builds again, and nothing fails


def test_the_cache_is_under_xdg_cache_home_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_root() == tmp_path / "footnote" / "onnx"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_root().parts[-3:] == (".cache", "footnote", "onnx")


def test_sessions_are_named_for_digest_format_and_precision_and_made_once(encoder_graph, tmp_path):
    digest = "0123abcd" * 8  # not the packaged model's: a session of its own
    sessions = {
        precision: bert_session(
            digest, "pooled", lambda: encoder_graph, InferenceConfig(precision), tmp_path
        )
        for precision in ("fp32", "int8")
    }
    names = sorted(p.name for p in tmp_path.glob("*.onnx"))
    assert names == [f"bert-pooled-{digest}-v{FORMAT}-{p}.onnx" for p in ("fp32", "int8")]
    again = bert_session(digest, "pooled", lambda: 1 / 0, InferenceConfig("int8"), tmp_path)
    assert again is sessions["int8"]  # one session per model per process, never rebuilt
    assert (tmp_path / names[1]).stat().st_size < (tmp_path / names[0]).stat().st_size / 3


def test_only_the_most_recently_used_graphs_stay(encoder_graph, tmp_path):
    import os
    import time

    build = Builds(encoder_graph)
    old = [f"reader-{n}.onnx" for n in range(KEEP + 2)]  # readers trained and replaced
    for age, name in enumerate(old):
        cached_model(name, build, tmp_path)
        past = time.time() - 3600 * (len(old) - age)
        os.utime(tmp_path / name, (past, past))
    cached_model(old[0], build, tmp_path)  # the oldest, used again: it stays
    cached_model("reader-new.onnx", build, tmp_path)  # a new build prunes the cache
    kept = sorted(p.name for p in tmp_path.glob("*.onnx"))
    assert len(kept) == KEEP and {"reader-new.onnx", old[0], old[-1]} <= set(kept)
    assert sorted(p.name for p in tmp_path.glob("*.sha256")) == [f"{n}.sha256" for n in kept]
