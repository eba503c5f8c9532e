"""`footnote timeline` and `footnote ask "What happened with X?"` as a user runs them."""

from __future__ import annotations

import json

from tests.test_cli import assert_clean_failure, run
from tests.timeline_corpus import FERRY

TEXTS = {article["id"]: article["text"] for article in FERRY}


def test_timeline_prints_dated_cited_reports_oldest_first_and_undated_last(ferry_index_dir):
    result = run("timeline", "the Lundy ferry", index_dir=ferry_index_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    headings = ["10 March 2021", "2 June 2022", "15 September 2023", "2 June 2024", "Undated"]
    places = [out.index(f"\n{heading}\n") for heading in headings]
    assert places == sorted(places)
    assert "Reported by BBC News, Devon Live" in out
    assert "[1] Lundy ferry back after refit · North Devon Gazette · 10 March 2021" in out
    assert "ferry-record · undated" in out
    assert "bakery" not in out and "2099" not in out


def test_ask_what_happened_with_json_gives_the_timeline_object(ferry_index_dir):
    result = run("ask", "What happened with the Lundy ferry?", "--json", index_dir=ferry_index_dir)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["topic"] == "the Lundy ferry" and payload["found"] is True
    entries = payload["entries"]
    assert [e["date"] for e in entries][-1] is None and entries[-1]["when"] == "undated"
    dated = [e["date"] for e in entries if e["date"]]
    assert dated == sorted(dated)
    for entry in entries:
        assert entry["quote"] == entry["sources"][0]["text"]
        for source in entry["sources"]:
            assert TEXTS[source["article_id"]][source["start"] : source["end"]] == source["text"]
    crack = next(e for e in entries if e["date"] == "2022-06-02")
    assert crack["outlets"] == ["BBC News", "Devon Live"]
    assert (
        crack["sources"][1]["label"]
        == "Crack in hull halts Lundy sailings · Devon Live · 3 June 2022"
    )


def test_timeline_filters_and_says_when_nothing_is_found(ferry_index_dir):
    result = run(
        "timeline", "the Lundy ferry", "--since", "1 Jan 2023", "--source", "western",
        index_dir=ferry_index_dir,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "15 September 2023" in result.stdout and "2 June 2022" not in result.stdout
    nothing = run("timeline", "the football World Cup", index_dir=ferry_index_dir)
    assert nothing.returncode == 0
    assert nothing.stdout.strip() == "I couldn't find anything about that in the sources."


def test_timeline_bad_input_is_one_line_not_a_traceback(ferry_index_dir):
    assert_clean_failure(
        run("timeline", "the Lundy ferry", "--until", "someday", index_dir=ferry_index_dir),
        1,
        "--until",
        "not a date",
    )
    empty = run("timeline", "  ", "--json", index_dir=ferry_index_dir)
    assert_clean_failure(empty, 1, "empty")
    assert set(json.loads(empty.stdout)) == {"error"}


def test_chat_answers_what_happened_with_by_a_timeline_and_goes_on(ferry_index_dir):
    lines = "What happened with the Lundy ferry?\nWho built the new ferry?\nexit\n"
    result = run("chat", index_dir=ferry_index_dir, stdin=lines)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Timeline: the Lundy ferry" in out and "\nUndated\n" in out
    assert "Falmouth" in out.split("Undated", 1)[1]  # the next question is answered as usual
