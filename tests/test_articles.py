"""Reading articles: every supported format, the metadata they carry, and every bad-file kind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index import Article, read_articles

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_2013 = "000_df60e9438eb2eb2e.txt"

HTML = """<!doctype html>
<html><head><title>Nurses strike again | News</title>
<meta property="article:published_time" content="2023-01-05T09:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Nurses strike again</h1>
<p>Nurses in England will strike again on 18 January, the Royal College of Nursing said on
Thursday after talks with ministers broke down without an offer on pay.</p>
<p>The union said the walkouts would go ahead in more hospitals than before, and that
emergency care would still be staffed throughout the action.</p></article>
<footer>Copyright 2023 Example News. All rights reserved.</footer></body></html>
"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def by_id(articles: list[Article]) -> dict[str, Article]:
    return {article.id: article for article in articles}


def test_seeds_are_read_with_file_names_as_ids_and_the_2013_date():
    articles, skipped = read_articles([SEEDS])
    assert skipped == []
    assert [a.id for a in articles] == sorted(p.name for p in SEEDS.iterdir())
    seed = by_id(articles)[SEED_2013]
    assert seed.date == "2013-04-07"
    assert seed.title is None  # its first lines are a date, a timestamp and a caption
    assert seed.text == (SEEDS / SEED_2013).read_text(encoding="utf-8")
    assert seed.source == str(SEEDS / SEED_2013)


def test_every_bad_file_is_skipped_by_name_and_the_rest_are_read(tmp_path, monkeypatch):
    good = "The strike went ahead on Monday. Thousands of workers joined it.\n"
    write(tmp_path / "good.txt", good)
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.md", "  \n\t\n")
    write(tmp_path / "nul.txt", b"PK\x03\x04\x00\x00binary")
    write(tmp_path / "latin1.txt", "Caf\xe9 cr\xe8me".encode("latin-1"))
    write(tmp_path / "report.pdf", b"%PDF-1.4")
    write(tmp_path / "locked.txt", "Nobody may read this file. It is locked.")
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    write(tmp_path / ".DS_Store", b"\x00\x01")  # hidden files are not articles at all

    # Root reads any file whatever its mode, so the permission failure is injected.
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    articles, skipped = read_articles([tmp_path, tmp_path / "missing.txt"])

    assert [a.id for a in articles] == ["good.txt"]
    assert articles[0].text == good
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert "binary" in reasons["nul.txt"]
    assert "not UTF-8" in reasons["latin1.txt"]
    assert "unsupported file type '.pdf'" in reasons["report.pdf"]
    assert "Permission denied" in reasons["locked.txt"]
    assert "could not read" in reasons["dangling.txt"]
    assert reasons["missing.txt"] == "no such file or folder"
    assert ".DS_Store" not in reasons


def test_identical_content_is_indexed_once(tmp_path):
    text = "Unions met on Tuesday.\nThey agreed to coordinate strikes.\n"
    write(tmp_path / "a.txt", text)
    write(tmp_path / "b" / "copy.txt", text.replace("\n", "\r\n") + "\n\n")
    write(tmp_path / "c.txt", "A different article. With other words.")
    articles, skipped = read_articles([tmp_path])
    assert [a.id for a in articles] == ["a.txt", "c.txt"]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [("copy.txt", "duplicate of a.txt")]


def test_folders_are_walked_recursively_in_sorted_order_with_relative_ids(tmp_path):
    for name in ["b.txt", "a/z.md", "a/b/c.txt", "0.txt"]:
        write(tmp_path / name, f"Article {name}. It has text.")
    single = write(tmp_path.parent / f"{tmp_path.name}-single.txt", "One file given by path.")
    articles, _ = read_articles([tmp_path, single])
    assert [a.id for a in articles] == ["0.txt", "a/b/c.txt", "a/z.md", "b.txt", single.name]
    assert articles == read_articles([tmp_path, single])[0]


def test_windows_line_endings_are_normalised(tmp_path):
    write(tmp_path / "crlf.txt", b"First line.\r\nSecond line.\r\n")
    [article], _ = read_articles([tmp_path])
    assert article.text == "First line.\nSecond line.\n"


def test_markdown_front_matter_gives_title_and_date_and_is_not_text(tmp_path):
    write(
        tmp_path / "post.md",
        '---\ntitle: "Rail strike called off"\ndate: 2023-02-14\nauthor: Jo\n---\n'
        "The rail strike planned for Friday has been called off.\n",
    )
    write(tmp_path / "heading.md", "# Teachers vote to strike\n\nTeachers voted in favour.\n")
    write(tmp_path / "plain.md", "No front matter here.\nJust text.\n")
    articles = by_id(read_articles([tmp_path])[0])
    post = articles["post.md"]
    assert (post.title, post.date) == ("Rail strike called off", "2023-02-14")
    assert post.text == "The rail strike planned for Friday has been called off.\n"
    assert articles["heading.md"].title == "Teachers vote to strike"
    assert articles["plain.md"].title is None and articles["plain.md"].date is None


def test_html_is_extracted_with_trafilatura(tmp_path):
    write(tmp_path / "page.html", HTML)
    [article], skipped = read_articles([tmp_path])
    assert skipped == []
    assert article.id == "page.html"
    assert "Nurses in England will strike again on 18 January" in article.text
    assert "emergency care would still be staffed" in article.text
    assert "All rights reserved" not in article.text
    assert "Nurses strike again" in article.title
    assert article.date == "2023-01-05"


def test_jsonl_gives_one_article_per_line_with_metadata(tmp_path):
    records = [
        {"text": "Ambulance staff will strike on Wednesday.", "title": "Ambulance strike"},
        {
            "text": "Junior doctors are balloting.",
            "id": "doctors-ballot",
            "date": "9 January 2023",
            "url": "https://example.org/doctors",
        },
        {"title": "no text field"},
    ]
    lines = [json.dumps(r) for r in records] + ["{not json", ""]
    write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    articles, skipped = read_articles([tmp_path])
    first, second = articles
    assert (first.id, first.title, first.date) == ("feed.jsonl#1", "Ambulance strike", None)
    assert first.text == "Ambulance staff will strike on Wednesday."
    assert (second.id, second.date, second.source) == (
        "doctors-ballot",
        "2023-01-09",
        "https://example.org/doctors",
    )
    assert [(s.path.rsplit("/", 1)[-1], s.reason.split(" (")[0]) for s in skipped] == [
        ("feed.jsonl#3", 'line 3 has no "text"'),
        ("feed.jsonl#4", "line 4 is not valid JSON"),
    ]


@pytest.mark.parametrize(
    ("first_line", "date"),
    [
        ("Sunday, 7 April 2013", "2013-04-07"),
        ("April 7, 2013", "2013-04-07"),
        ("Tue 3rd Jan 2023", "2023-01-03"),
        ("2023-01-03", "2023-01-03"),
        ("2023/01/05", "2023-01-05"),
        ("5 January 2023", "2023-01-05"),
        ("Jan. 5, 2023", "2023-01-05"),
        ("Thu, 05 Jan 2023 10:00:00 GMT", "2023-01-05"),
        ("May 2013", None),  # no day: not a date to file an article under
        ("Strikes on 7 April 2013 were large", None),  # a sentence, not a date line
        ("31 February 2013", None),
    ],
)
def test_a_leading_date_line_is_read_as_an_iso_date(tmp_path, first_line, date):
    write(tmp_path / "a.txt", f"{first_line}\nThe strike began. It was large.\n")
    [article], _ = read_articles([tmp_path])
    assert article.date == date


def test_a_fifo_in_the_corpus_is_skipped_instead_of_blocking_the_build(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "real.txt").write_text("Unions met at the TUC on Tuesday.\n")
    articles, skipped = read_articles([tmp_path])
    assert [a.id for a in articles] == ["real.txt"]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [("pipe.txt", "not a regular file")]


def test_a_large_jsonl_streams_and_one_bad_line_among_many_is_named(tmp_path, monkeypatch):
    import json

    import index.articles

    path = tmp_path / "archive.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, 100_001):
            if n == 54_321:
                out.write('{"text": "cut off in the mid\n')
            else:
                out.write(json.dumps({"id": f"a{n}", "text": f"Story number {n} is here."}) + "\n")
    # Bigger than the whole-file limit of .txt/.html files: a JSONL is read a line at a time.
    monkeypatch.setattr(index.articles, "MAX_FILE_BYTES", path.stat().st_size // 10)
    articles, skipped = read_articles([path])
    assert len(articles) == 99_999
    assert [(s.path, s.reason) for s in skipped] == [
        (f"{path}#54321", "line 54321 is not valid JSON (Invalid control character at column 29)")
    ]
    assert articles[-1].id == "a100000" and articles[54_320].id == "a54322"


def test_the_undated_seed_stays_undated_and_no_seed_is_given_an_outlet():
    articles = by_id(read_articles([SEEDS])[0])
    assert articles["004_ae9d525e8a820230.txt"].date is None
    assert {a.outlet for a in articles.values()} == {None}


def test_jsonl_outlet_is_its_source_else_the_url_host_and_dates_take_written_forms(tmp_path):
    records = [
        {"text": "Nurses will strike.", "source": "BBC News", "date": "Jan. 5, 2023"},
        {
            "text": "Doctors will ballot.",
            "url": "https://www.theguardian.com/a",
            "date": "2023/01/06",
        },
        {"text": "Teachers will march.", "date": "soon"},
    ]
    write(tmp_path / "feed.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    first, second, third = read_articles([tmp_path])[0]
    assert (first.outlet, first.date) == ("BBC News", "2023-01-05")
    assert (second.outlet, second.date) == ("theguardian.com", "2023-01-06")
    assert (third.outlet, third.date) == (None, None)  # an unreadable date is not guessed


def test_markdown_front_matter_gives_outlet_and_written_date(tmp_path):
    write(
        tmp_path / "a.md",
        "---\ntitle: Pay deal\ndate: 5 January 2023\nsource: Reuters\n---\nA deal was made.\n",
    )
    write(tmp_path / "b.md", "---\nurl: https://www.bbc.co.uk/news/1\n---\nTalks resumed.\n")
    articles = by_id(read_articles([tmp_path])[0])
    assert (articles["a.md"].outlet, articles["a.md"].date) == ("Reuters", "2023-01-05")
    assert articles["b.md"].outlet == "bbc.co.uk"


def test_html_outlet_comes_from_its_site_name_meta(tmp_path):
    page = HTML.replace("</head>", '<meta property="og:site_name" content="Example News"></head>')
    write(tmp_path / "page.html", page)
    [article], _ = read_articles([tmp_path])
    assert (article.outlet, article.date) == ("Example News", "2023-01-05")
