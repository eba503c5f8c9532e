"""Building on a Ray cluster: index.build's stages run as a Ray Data pipeline, same index out.

Two passes, so the result is the single-machine build's by construction:

1. read: the source files (a big .jsonl in shards of whole lines) are read by Ray tasks; the
   driver puts the articles back in read_articles' order and drops duplicates the same way
   (distinct_articles), so the kept articles, their ids and the skipped files are identical.
2. plan and embed: batches of those articles go to a pool of actors, each holding one
   Embedder, that call plan_article and embed_plans themselves; the driver puts the plans back
   in article order and writes them with write_index, the one index format.

Reading is cheap next to embedding, so the pause between the passes costs little, and it means
a duplicate is never embedded. The files must be readable at the same path on every node.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import pickle
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.articles import (
    Article,
    Skipped,
    distinct_articles,
    find_files,
    read_file,
    read_jsonl_lines,
)
from index.build import BuildReport, require_articles, require_sources, write_index
from index.embedder import Embedder
from index.errors import FootnoteError
from index.planning import Planned, Previous, embed_plans, plan_article, previous_index
from index.swapping import prepare_index_dir

# A .jsonl larger than this is read as shards of about this size, by as many tasks.
JSONL_SHARD_BYTES = 8 * 2**20
# Articles an actor plans and embeds in one embed_plans call: enough texts that sorting them by
# length leaves little padding, few enough that every worker gets a share of a small corpus.
ARTICLES_PER_BATCH = 64
# A cluster that does not answer a TCP connect in this time is down (Ray itself retries for
# minutes before it gives up on a GCS address).
CONNECT_TIMEOUT_S = 5.0
RAY_CLIENT_PORT = 10001  # ray://host without a port
RAY_GCS_PORT = 6379  # host without a port


@dataclasses.dataclass(frozen=True)
class RayBuildReport(BuildReport):
    """A BuildReport that also says which cluster ran the build."""

    cluster: str = ""


def build_index_on_ray(
    paths: Sequence[Path],
    index_dir: Path,
    embedder: Embedder,
    *,
    address: str = "auto",
    chunk_words: int = 100,
    overlap_sentences: int = 1,
    dense: str = "auto",
    progress: bool = False,
    shard_bytes: int = JSONL_SHARD_BYTES,
    articles_per_batch: int = ARTICLES_PER_BATCH,
) -> RayBuildReport:
    """build_index's result, built on the Ray cluster at `address`.

    `address` "auto" joins the cluster this machine belongs to (RAY_ADDRESS, or one started
    with `ray start`), else starts a local one for the build; anything else is a cluster
    address, `host:port` or `ray://host:port`. A connection already open (ray.init called by
    the caller) is used as it is and left open. Vectors of unchanged articles are reused from
    the index at `index_dir`, as on one machine.
    """
    started = time.perf_counter()
    require_sources(paths, index_dir)
    ray = _import_ray()
    prepare_index_dir(index_dir)  # refuse a foreign folder before any slow work
    # A model that cannot load fails here in one line, not on every worker in Ray's wrapping
    # (the packaged model's size is read without loading torch).
    _ = embedder.dim
    with _cluster(ray, address, progress) as cluster:
        articles, skipped = _read(ray, paths, index_dir, shard_bytes)
        require_articles(articles, skipped, paths, index_dir)
        previous = previous_index(index_dir, embedder, chunk_words, overlap_sentences)
        chunking = (chunk_words, overlap_sentences)
        plans, embedded = _plan_and_embed(
            ray, articles, previous, embedder.name, chunking, articles_per_batch
        )
    report = write_index(
        plans,
        index_dir,
        embedder,
        sources=paths,
        skipped=skipped,
        embedded=embedded,
        chunk_words=chunk_words,
        overlap_sentences=overlap_sentences,
        dense=dense,
        started=started,
        previous=previous,
    )
    values = {field.name: getattr(report, field.name) for field in dataclasses.fields(report)}
    return RayBuildReport(**values, cluster=cluster)


def jsonl_shards(path: Path, shard_bytes: int) -> list[tuple[int, int, int]]:
    """(start, end, first line number) of runs of whole lines, each about `shard_bytes`, that
    together are the file; the file is scanned once for line ends, never held in memory."""
    size = path.stat().st_size
    shards, start, line = [], 0, 1
    with path.open("rb") as file:
        while start < size:
            file.seek(start + shard_bytes)
            file.readline()  # on to the end of the line the boundary fell in
            end = min(file.tell(), size)
            shards.append((start, end, line))
            file.seek(start)
            for block in _blocks(file, end - start):
                line += block.count(b"\n")
            start = end
    return shards


def _blocks(file: Any, length: int, block: int = 2**20) -> Iterator[bytes]:
    while length > 0:
        data = file.read(min(block, length))
        if not data:
            return
        length -= len(data)
        yield data


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise FootnoteError("the Ray build needs `pip install footnote[ray]`") from None
    return ray


@contextlib.contextmanager
def _cluster(ray, address: str, progress: bool) -> Iterator[str]:
    """Connected to the cluster, described in words, for the body, with Ray's own chatter
    kept down; a connection opened here is closed after."""
    opened = _connect(ray, address)
    context, chatter = ray.data.DataContext.get_current(), logging.getLogger("ray.data")
    shown, level = context.enable_progress_bars, chatter.level
    context.enable_progress_bars = progress
    chatter.setLevel(logging.WARNING)  # each dataset's plan and log lines are Ray's business
    try:
        yield _describe(ray, address)
    finally:
        context.enable_progress_bars = shown
        chatter.setLevel(level)
        if opened:
            ray.shutdown()


def _connect(ray, address: str) -> bool:
    """Connect to the cluster; whether this call opened the connection (and so closes it)."""
    if ray.is_initialized():
        return False
    if address != "auto":
        _reachable(address)
    try:
        # Worker output stays on the workers: the build's own report is what a user reads.
        ray.init(
            address=None if address == "auto" else address,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    except Exception as error:  # every way of failing to connect is the same problem here
        where = "a local Ray cluster" if address == "auto" else f"the Ray cluster at {address}"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FootnoteError(f"could not connect to {where}: {reason}") from None
    return True


def _reachable(address: str) -> None:
    """Fail in seconds, naming the address, when nothing listens there."""
    client = address.startswith("ray://")
    host_port = address.removeprefix("ray://").rstrip("/")
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        host, port = host_port, str(RAY_CLIENT_PORT if client else RAY_GCS_PORT)
    try:
        socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise FootnoteError(
            f"could not reach the Ray cluster at {address} ({error.strerror or error}); "
            "is it running? (`ray start --head` starts one)"
        ) from None


def _describe(ray, address: str) -> str:
    nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
    cpus = int(ray.cluster_resources().get("CPU", 0))
    if address == "auto":
        try:
            address = ray.get_runtime_context().gcs_address
        except Exception:  # a client connection may not know it; the counts still say enough
            address = "auto"
    node_word = "node" if nodes == 1 else "nodes"
    return f"the Ray cluster at {address} ({nodes} {node_word}, {cpus} CPUs)"


def _cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


# Pass 1: read.

_ARTICLE_FIELDS = [field.name for field in dataclasses.fields(Article)]


def _read(
    ray, paths: Sequence[Path], index_dir: Path, shard_bytes: int
) -> tuple[list[Article], list[Skipped]]:
    """read_articles(paths), with the files read by Ray tasks."""
    import pyarrow as pa

    entries = list(_shards(paths, Path(index_dir), shard_bytes))
    shards = [entry for entry in entries if not isinstance(entry, Skipped)]
    items: dict[int, list[dict[str, Any]]] = {}
    if shards:
        groups = min(len(shards), 4 * _cpus(ray))  # a few tasks a CPU, for an even spread
        size = math.ceil(len(shards) / groups)
        tables = [
            pa.Table.from_pylist(shards[low : low + size], schema=_shard_schema())
            for low in range(0, len(shards), size)
        ]
        dataset = ray.data.from_arrow(tables).map_batches(
            _read_shards, batch_format="pyarrow", batch_size=None
        )
        for row in dataset.take_all():
            items.setdefault(row["shard"], []).append(row)

    def in_order() -> Iterator[tuple[Path, Article | Skipped]]:
        for entry in entries:
            if isinstance(entry, Skipped):
                yield Path(entry.path), entry
                continue
            for row in sorted(items.get(entry["shard"], []), key=lambda row: row["seq"]):
                yield Path(row["path"]), _item(row)

    return distinct_articles(in_order())


def _shards(paths: Sequence[Path], index_dir: Path, shard_bytes: int) -> Iterator[Any]:
    """What find_files finds, in its order: each file as one shard, or a big .jsonl as many,
    and a missing path as its Skipped. `end` -1: the whole file, read by read_file."""
    number = 0
    for found in find_files(paths, exclude=[index_dir]):
        if isinstance(found, Skipped):
            yield found
            continue
        path, article_id = found
        big = path.suffix.lower() == ".jsonl" and path.is_file()  # a FIFO is never opened
        big = big and path.stat().st_size > shard_bytes
        ranges = jsonl_shards(path, shard_bytes) if big else [(0, -1, 1)]
        for start, end, line in ranges:
            yield {
                "shard": number,
                "path": str(path),
                "id": article_id,
                "start": start,
                "end": end,
                "line": line,
            }
            number += 1


def _read_shards(batch):
    """Ray task: the articles and skipped files of a batch of shards, one row each."""
    import pyarrow as pa

    rows = []
    for shard in batch.to_pylist():
        path = Path(shard["path"])
        if shard["end"] < 0:
            items = read_file(path, shard["id"])
        else:
            items = read_jsonl_lines(path, shard["id"], shard["start"], shard["end"], shard["line"])
        for seq, item in enumerate(items):
            row = {"shard": shard["shard"], "seq": seq, "path": shard["path"]}
            if isinstance(item, Skipped):
                row |= {"kind": "skipped", "id": item.path, "reason": item.reason}
            else:
                row |= {"kind": "article", **dataclasses.asdict(item)}
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=_item_schema())


def _item(row: dict[str, Any]) -> Article | Skipped:
    if row["kind"] == "skipped":
        return Skipped(row["id"], row["reason"])
    return Article(**{name: row[name] for name in _ARTICLE_FIELDS})


def _shard_schema():
    import pyarrow as pa

    names = ["shard", "path", "id", "start", "end", "line"]
    return pa.schema(
        [(name, pa.string() if name in ("path", "id") else pa.int64()) for name in names]
    )


def _item_schema():
    # Explicit, so a batch whose titles are all missing has the same columns as any other.
    import pyarrow as pa

    text = ["kind", "path", "reason", *_ARTICLE_FIELDS]
    return pa.schema(
        [("shard", pa.int64()), ("seq", pa.int64())] + [(name, pa.string()) for name in text]
    )


# Pass 2: plan and embed.


def _plan_and_embed(
    ray,
    articles: list[Article],
    previous: Previous,
    model: str,
    chunking: tuple[int, int],
    articles_per_batch: int,
) -> tuple[list[Planned], int]:
    """embed_plans([plan_article(a, ...) for a in articles]), batch by batch on a pool of actors,
    and how many texts they encoded."""
    import pyarrow as pa

    if not articles:
        return [], 0
    schema = pa.schema([("order", pa.int64())] + [(name, pa.string()) for name in _ARTICLE_FIELDS])
    rows = [{"order": n, **dataclasses.asdict(a)} for n, a in enumerate(articles)]
    # One block a batch: Ray gives each block to one actor, so blocks are the unit of spread.
    tables = [
        pa.Table.from_pylist(rows[low : low + articles_per_batch], schema=schema)
        for low in range(0, len(rows), articles_per_batch)
    ]
    actors = min(_cpus(ray), len(tables))
    dataset = ray.data.from_arrow(tables).map_batches(
        PlanAndEmbed,
        batch_format="pyarrow",
        batch_size=None,
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=1,
        fn_constructor_kwargs={
            "model": model,
            # Into the object store once, not once an actor; without the previous BM25 and
            # dense index, which only write_index, here, uses.
            "previous": ray.put(dataclasses.replace(previous, sparse=None, dense=None)),
            "chunking": chunking,
        },
    )
    plans: list[Planned | None] = [None] * len(articles)
    embedded = 0
    for row in dataset.iter_rows():
        number = int(row["order"])
        plans[number] = _plan(articles[number], row)
        embedded += int(row["encoded"])
    return plans, embedded


class PlanAndEmbed:
    """Ray Data actor: plans and embeds batches of articles with index.planning's own functions,
    with one Embedder loaded once for all the batches it is given."""

    def __init__(self, model: str, previous: Any, chunking: tuple[int, int]) -> None:
        import ray

        self.embedder = Embedder(model)
        self.previous = ray.get(previous)
        self.chunking = chunking  # chunk_words, overlap_sentences

    def __call__(self, batch) -> dict[str, Any]:
        rows = batch.to_pylist()
        plans = [
            plan_article(_item(row | {"kind": "article"}), self.previous, *self.chunking)
            for row in rows
        ]
        plans, encoded = embed_plans(plans, self.embedder)
        return _plan_columns([row["order"] for row in rows], plans, encoded)


def _plan_columns(orders: list[int], plans: list[Planned], encoded: int) -> dict[str, Any]:
    """Columns for Ray: each array field of Planned (the vectors) as an array column, and the
    rest but the article (hash, spans, aliases, ...) pickled into one, whatever fields Planned
    has by then. The batch's count of encoded texts rides on its first row."""
    columns: dict[str, Any] = {
        "order": np.array(orders, dtype=np.int64),
        "encoded": np.array([encoded] + [0] * (len(plans) - 1), dtype=np.int64),
        "rest": [],
    }
    for plan in plans:
        rest = {}
        for field in dataclasses.fields(plan):
            value = getattr(plan, field.name)
            if isinstance(value, np.ndarray):
                columns.setdefault(field.name, []).append(np.ascontiguousarray(value))
            elif field.name != "article":  # the driver has it, and it is the bulk of the text
                rest[field.name] = value
        columns["rest"].append(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL))
    return columns


def _plan(article: Article, row: dict[str, Any]) -> Planned:
    values = {"article": article, **pickle.loads(row["rest"])}
    for field in dataclasses.fields(Planned):
        if field.name not in values:
            values[field.name] = np.asarray(row[field.name])
    return Planned(**values)
