"""Articles: reading .txt, .md, .html and .jsonl files into Article records."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index.dates import iso_date

# One article is text a person wrote; a file far beyond this is a dump or a mistake, and
# reading it whole would only exhaust memory.
MAX_FILE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Article:
    """One source document. `id` is stable: the file name, `file.jsonl#line` or the record id.

    `date` is the day it was published (YYYY-MM-DD), None when the article does not say: an
    undated article is labelled so, never given a made-up date. `outlet` is who published
    it ("BBC News", "theguardian.com"), None when unknown.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None  # path or URL it came from
    outlet: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why, in words a user understands."""

    path: str
    reason: str


SUPPORTED = (".txt", ".md", ".html", ".htm", ".jsonl")


def read_articles(
    paths: Sequence[Path], *, exclude: Sequence[Path] = ()
) -> tuple[list[Article], list[Skipped]]:
    """Every article under `paths` (files or folders, walked recursively in sorted order).

    Files that cannot be indexed come back as Skipped with the reason; content seen before
    (same text up to whitespace) is indexed once and the copy is Skipped as a duplicate.
    Folders in `exclude` (an index kept inside the corpus folder) are not walked.
    """

    def items() -> Iterator[tuple[Path, Article | Skipped]]:
        for found in find_files(paths, exclude=exclude):
            if isinstance(found, Skipped):
                yield Path(found.path), found
            else:
                path, article_id = found
                for item in read_file(path, article_id):
                    yield path, item

    return distinct_articles(items())


def find_files(
    paths: Sequence[Path], *, exclude: Sequence[Path] = ()
) -> Iterator[tuple[Path, str] | Skipped]:
    """Each file under `paths` with its article id, in reading order; a path that does not
    exist comes as a Skipped in its place. Reading them with read_file is read_articles."""
    excluded = {Path(path).resolve() for path in exclude}
    for given in map(Path, paths):
        if given.is_dir():
            found = []
            for root, dirs, names in os.walk(given):
                # Hidden entries (.git, .DS_Store, a .footnote index) are not articles.
                dirs[:] = [
                    d
                    for d in dirs
                    if not d.startswith(".") and (Path(root) / d).resolve() not in excluded
                ]
                for name in names:
                    if not name.startswith("."):
                        path = Path(root) / name
                        found.append((path.relative_to(given).as_posix(), path))
            for relative, path in sorted(found):
                yield path, relative
        elif given.exists() or given.is_symlink():
            yield given, given.name
        else:
            yield Skipped(str(given), "no such file or folder")


def distinct_articles(
    items: Iterable[tuple[Path, Article | Skipped]],
) -> tuple[list[Article], list[Skipped]]:
    """The articles of `items` (each with the file it was read from, in reading order), a copy
    of earlier content Skipped as a duplicate, and an id seen before replaced by the path."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen_text: dict[str, str] = {}
    seen_ids: set[str] = set()
    for path, item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        key = _dedupe_key(item.text)
        if key in seen_text:
            skipped.append(Skipped(item.source or str(path), f"duplicate of {seen_text[key]}"))
            continue
        if item.id in seen_ids:  # same relative name under two folders given
            item = dataclasses.replace(item, id=str(path))
        seen_text[key] = item.id
        seen_ids.add(item.id)
        articles.append(item)
    return articles, skipped


def content_hash(text: str) -> str:
    """Hash of an article's exact text: equal hashes mean equal chunks and vectors."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dedupe_key(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def read_file(path: Path, article_id: str) -> Iterator[Article | Skipped]:
    """The articles in one file (a .jsonl holds many), or why it was Skipped."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        kind = f"'{suffix}'" if suffix else "(no extension)"
        yield Skipped(str(path), f"unsupported file type {kind}; supported: {', '.join(SUPPORTED)}")
        return
    if suffix == ".jsonl":
        yield from _stream_jsonl(path, article_id)  # archives: any size, a line at a time
        return
    text = _read_text(path)
    if isinstance(text, Skipped):
        yield text
    elif suffix in (".html", ".htm"):
        yield _read_html(path, article_id, text)
    else:
        yield _read_plain(path, article_id, text, markdown=suffix == ".md")


def _read_text(path: Path) -> str | Skipped:
    try:
        if not path.is_file():
            if not path.exists():
                return Skipped(str(path), "could not read the file (a broken link?)")
            return Skipped(str(path), "not a regular file")  # a FIFO would block the build
        if path.stat().st_size > MAX_FILE_BYTES:
            return Skipped(str(path), f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except OSError as error:
        return Skipped(str(path), f"could not read the file ({error.strerror or error})")
    if b"\0" in data:
        return Skipped(str(path), "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skipped(str(path), "not UTF-8 text (binary or another encoding)")
    if not text.strip():
        return Skipped(str(path), "empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_plain(path: Path, article_id: str, text: str, markdown: bool) -> Article | Skipped:
    meta: dict[str, str] = {}
    if markdown:
        meta, text = _front_matter(text)
        if not text.strip():
            return Skipped(str(path), "no text after the front matter")
    title = meta.get("title") or _heading_title(text)
    date = iso_date(meta.get("date", "")) or _leading_date(text)
    outlet = meta.get("source") or meta.get("outlet") or host(meta.get("url"))
    return Article(article_id, text, title, date, str(path), outlet)


def _read_html(path: Path, article_id: str, html: str) -> Article | Skipped:
    import trafilatura  # heavy (lxml); only needed when there is HTML

    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = (document.text or "") if document is not None else ""
    if not text.strip():
        return Skipped(str(path), "no article text found in the HTML")
    # trafilatura reads the date and site from the page's meta tags (htmldate, og:site_name).
    date = iso_date(document.date or "") or _leading_date(text)
    outlet = document.sitename or host(document.url) or host(document.hostname)
    return Article(article_id, text, document.title or None, date, str(path), outlet or None)


def _stream_jsonl(path: Path, article_id: str) -> Iterator[Article | Skipped]:
    """One article per line, read a line at a time so a multi-gigabyte export never sits in
    memory whole; a bad line is reported with its number and skipped, the rest still read."""
    try:
        if not path.is_file():
            reason = "could not read the file (a broken link?)" if not path.exists() else None
            yield Skipped(str(path), reason or "not a regular file")
            return
        found = False
        with path.open("rb") as lines:
            for item in _jsonl_items(path, article_id, lines, first_line=1):
                found = found or isinstance(item, Article)
                yield item
    except OSError as error:
        yield Skipped(str(path), f"could not read the file ({error.strerror or error})")
        return
    if not found and path.stat().st_size == 0:
        yield Skipped(str(path), "empty file")


def read_jsonl_lines(
    path: Path, article_id: str, start: int, end: int, first_line: int
) -> Iterator[Article | Skipped]:
    """The articles on the lines of a .jsonl between byte offsets `start` and `end` (both at
    line starts), numbered from `first_line`: one shard of a big export, read as read_file
    would read those lines, so shards read apart and joined equal the file read whole."""
    try:
        with path.open("rb") as file:
            file.seek(start)
            lines = io.BytesIO(file.read(end - start))
    except OSError as error:
        yield Skipped(str(path), f"could not read the file ({error.strerror or error})")
        return
    yield from _jsonl_items(path, article_id, lines, first_line)


def _jsonl_items(
    path: Path, article_id: str, lines: Iterable[bytes], first_line: int
) -> Iterator[Article | Skipped]:
    for number, raw in enumerate(lines, start=first_line):
        if raw.strip():
            yield _jsonl_line(path, article_id, number, raw)


def _jsonl_line(path: Path, article_id: str, number: int, raw: bytes) -> Article | Skipped:
    where = f"{path}#{number}"
    if len(raw) > MAX_FILE_BYTES:
        return Skipped(where, f"line {number} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if b"\0" in raw:
        return Skipped(where, f"line {number} is binary (contains NUL bytes)")
    try:
        record = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
    except UnicodeDecodeError:
        return Skipped(where, f"line {number} is not UTF-8 text")
    except json.JSONDecodeError as error:
        what = error.msg.removesuffix(" at")  # json's messages end "... at" before a place
        return Skipped(where, f"line {number} is not valid JSON ({what} at column {error.colno})")
    body = record.get("text") if isinstance(record, dict) else None
    if not isinstance(body, str) or not body.strip():
        return Skipped(where, f'line {number} has no "text"')
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    url = str(record["url"]) if record.get("url") else None
    return Article(
        id=str(record["id"]) if record.get("id") is not None else f"{article_id}#{number}",
        text=body,
        title=str(record["title"]) if record.get("title") else None,
        date=iso_date(str(record.get("date") or "")) or _leading_date(body),
        source=url or where,
        outlet=str(record["source"]) if record.get("source") else host(url),
    )


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-ish `key: value` front matter between `---` lines, and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {
        key.lower(): value.strip("\"'")
        for key, value in _KEY_VALUE.findall(match.group(1))
        if value.strip("\"'")
    }
    return meta, text[match.end() :]


def _heading_title(text: str) -> str | None:
    """A leading `# Heading` line. Plain first lines are not guessed at: in news text they are
    as often a date, caption or byline as a title."""
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("# ") and first[2:].strip():
        return first[2:].strip()
    return None


def host(url: str | None) -> str | None:
    """The site a URL is on, without `www.`: "https://www.bbc.co.uk/news/x" -> "bbc.co.uk"."""
    if not url:
        return None
    name = urlsplit(url if "//" in url else f"//{url}").hostname
    return name.removeprefix("www.") if name else None


def _leading_date(text: str) -> str | None:
    """The date of a line among the first three that is nothing but a date."""
    lines = [line for line in text.split("\n", 10)[:10] if line.strip()][:3]
    for line in lines:
        date = iso_date(line)
        if date:
            return date
    return None
