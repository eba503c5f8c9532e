"""The `footnote` command as a user runs it: real process, real index, real model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

FOOTNOTE = str(Path(sys.executable).parent / "footnote")
TUC = "When is the TUC day of protest?"


def run(*args: str, index_dir: Path | None = None, stdin: str | None = None, cwd: Path = ROOT):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    if index_dir is not None:
        env["FOOTNOTE_INDEX_DIR"] = str(index_dir)
    return subprocess.run(
        [FOOTNOTE, *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        cwd=cwd,
        timeout=300,
    )


def assert_clean_failure(result, code: int, *words: str) -> None:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_ask_json_answers_the_tuc_example_with_a_verbatim_cited_quote(seeds_index_dir):
    result = run("ask", TUC, "--json", index_dir=seeds_index_dir)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert set(payload) >= {
        "question",
        "answer",
        "short_answer",
        "abstained",
        "citations",
        "timings_ms",
    }
    assert payload["abstained"] is False
    assert payload["short_answer"] == "1 February"
    assert "A national day of protest will be held on 1 February" in payload["answer"]
    first = payload["citations"][0]
    assert first["n"] == 1 and first["article_id"] == "004_ae9d525e8a820230.txt"
    article = (SEEDS / first["article_id"]).read_text()
    assert article[first["start"] : first["end"]] == first["text"]
    assert payload["answer"] in first["text"]
    assert set(first) == {
        "n",
        "article_id",
        "title",
        "date",
        "outlet",
        "label",
        "start",
        "end",
        "text",
        "score",
    }
    # The 2023 seed gives no date: labelled undated, never given one.
    assert (first["date"], first["outlet"]) == (None, None)
    assert first["label"] == "004_ae9d525e8a820230.txt · undated"
    assert {"retrieve", "answer", "total"} <= set(payload["timings_ms"])


def test_ask_prints_a_readable_answer_with_numbered_sources(seeds_index_dir):
    result = run("ask", TUC, index_dir=seeds_index_dir)
    assert result.returncode == 0, result.stderr
    assert "Answer: 1 February" in result.stdout
    assert "[1] 004_ae9d525e8a820230.txt · undated, characters" in result.stdout
    assert "\033[" not in result.stdout  # no colour codes when not on a terminal


def test_a_reader_that_stops_early_gets_no_error(seeds_index_dir):
    # `footnote ask ... | head -c 0`: the pipe is closed before the answer is written.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FOOTNOTE_INDEX_DIR": str(seeds_index_dir)}
    child = subprocess.Popen(
        [FOOTNOTE, "ask", "When is the TUC day of protest?"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0
    assert stderr == ""


def test_off_topic_question_abstains_and_cites_nothing(seeds_index_dir):
    result = run("ask", "Who won the 2022 football World Cup?", "--json", index_dir=seeds_index_dir)
    payload = json.loads(result.stdout)
    assert payload["abstained"] is True
    assert payload["answer"] is None and payload["short_answer"] is None
    assert payload["citations"] == []
    plain = run("ask", "Who won the 2022 football World Cup?", index_dir=seeds_index_dir)
    assert "I couldn't find that in the sources." in plain.stdout


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("", ["empty"]),
        ("   \n\t ", ["empty"]),
        ("x" * 10_000, ["10,000", "1,000"]),
        ("¿Dónde está la biblioteca?", ["English"]),
        ("日本の首都は?", ["English"]),
        ("🎉🎉", ["in words"]),
    ],
)
def test_unusable_questions_get_a_clear_message(seeds_index_dir, question, words):
    result = run("ask", question, index_dir=seeds_index_dir)
    assert_clean_failure(result, 1, *words)


@pytest.mark.parametrize(
    "question",
    [
        "When is the TUC\u200b day\x1b[31m of protest?\x07",
        "Wh\u0430t is the c\u0430pital of Fr\u0430nce?",  # Cyrillic а among Latin letters
        "When is the TUC day of protest? 🎉",
    ],
)
def test_odd_text_is_answered_or_abstained_cleanly(seeds_index_dir, question):
    result = run("ask", question, "--json", index_dir=seeds_index_dir)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    payload = json.loads(result.stdout)
    assert "\x1b" not in payload["question"] and "\x07" not in payload["question"]
    if not payload["abstained"]:
        assert payload["answer"] in payload["citations"][0]["text"]


@pytest.mark.parametrize(
    "args", [("ask",), ("frobnicate",), ("ask", TUC, "-k", "0"), ("ask", TUC, "-k", "many")]
)
def test_usage_errors_exit_non_zero_without_a_traceback(args):
    result = run(*args)
    assert_clean_failure(result, 2, "usage")


def test_ask_without_an_index_builds_one_from_seeds_first(tmp_path):
    index_dir = tmp_path / "fresh"
    result = run("ask", TUC, "--json", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert "building it from seeds" in result.stderr
    assert json.loads(result.stdout)["short_answer"] == "1 February"
    assert (index_dir / "manifest.json").exists()


def test_a_damaged_index_says_how_to_rebuild(seeds_index_dir, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(seeds_index_dir, damaged)
    biggest = max(
        (p for p in damaged.iterdir() if p.name != "manifest.json"), key=lambda p: p.stat().st_size
    )
    biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    result = run("ask", TUC, index_dir=damaged)
    assert_clean_failure(result, 1, "footnote index")


def test_index_reports_skipped_files_and_reuses_vectors_on_a_rerun(tmp_path):
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    index_dir = tmp_path / "index"
    first = run("index", str(corpus), index_dir=index_dir)
    assert first.returncode == 0, first.stderr
    assert "Indexed 2 articles (2 added, 0 changed, 0 removed)" in first.stdout
    assert "empty.txt" in first.stderr and "image.png" in first.stderr
    # Footnote's own progress, counting articles, not the encoder's batches.
    assert "Batches" not in first.stderr and "Embedding new or changed articles" in first.stderr
    (corpus / "004_ae9d525e8a820230.txt").unlink()
    again = run("index", str(corpus), index_dir=index_dir)
    assert again.returncode == 0, again.stderr
    assert "0 texts embedded" in again.stdout
    assert "Indexed 1 article (0 added, 0 changed, 1 removed)" in again.stdout
    assert "removed 004_ae9d525e8a820230.txt" in again.stderr


def test_index_of_a_missing_folder_is_a_clear_error(tmp_path):
    result = run("index", str(tmp_path / "nowhere"), index_dir=tmp_path / "index")
    assert_clean_failure(result, 1, "nowhere")


def test_chat_answers_and_follows_up_on_the_previous_question(seeds_index_dir):
    lines = "Who is the head of the PCS?\nand how many members does it have?\n/new\n\nexit\n"
    result = run("chat", stdin=lines, index_dir=seeds_index_dir)
    assert result.returncode == 0, result.stderr
    assert "Mark Serwotka" in result.stdout and "270,000" in result.stdout
    assert "Traceback" not in result.stderr


def test_ctrl_c_just_as_an_answer_is_shown_leaves_the_chat_running(
    seeds_index_dir, tmp_path, monkeypatch, capsys
):
    # The signal can land after the answer is worked out, while it is printed: it used to
    # escape the chat loop and end the whole chat ("interrupted", exit 130).
    from bot.frontends import cli, terminal

    shown = terminal.render_text
    calls = []

    def interrupted_once(answer, **kwargs):
        calls.append(answer.short_answer)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return shown(answer, **kwargs)

    lines = iter([TUC, "and how many members does PCS have?", "exit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    monkeypatch.setattr(terminal, "render_text", interrupted_once)
    monkeypatch.setattr(cli, "HISTORY_FILE", tmp_path / "history")
    monkeypatch.setenv("FOOTNOTE_INDEX_DIR", str(seeds_index_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli.main(["chat"]) == 0
    out = capsys.readouterr().out
    assert calls == ["1 February", "270,000"]
    assert "Answer: 270,000" in out


def test_chat_on_a_terminal_shows_progress_and_ctrl_c_cancels_only_that_answer(seeds_index_dir):
    import pty
    import select

    controller, terminal = pty.openpty()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "TERM": "dumb"}
    env["FOOTNOTE_INDEX_DIR"] = str(seeds_index_dir)
    child = subprocess.Popen(
        [FOOTNOTE, "chat"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        cwd=ROOT,
        # A suite run in the background (`make test &`) ignores SIGINT, and a child inherits
        # that; a person at a terminal never does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(terminal)
    seen = bytearray()

    def wait_for(text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in seen:
            assert time.monotonic() < deadline and child.poll() is None, seen.decode()
            if select.select([controller], [], [], 0.2)[0]:
                seen.extend(os.read(controller, 65536))

    def send(line: str) -> None:
        del seen[:]
        os.write(controller, line.encode() + b"\n")

    try:
        wait_for("footnote> ")
        send("/help")
        wait_for("start a new topic")  # a command, not a question
        # Ctrl-C while the answer is worked out. A warm answer can take a tenth of a second,
        # so the signal may land after it: then ask again, a bounded number of times.
        for _ in range(8):
            send(TUC)
            wait_for("Looking through the articles")  # something shows while it works
            child.send_signal(signal.SIGINT)
            wait_for("footnote> ")
            if "Cancelled" in seen.decode():
                break
        assert "Cancelled" in seen.decode() and "Answer:" not in seen.decode(), seen.decode()
        send(TUC)
        wait_for("Answer: 1 February")  # still in the chat, which answers the next one
        send("/new")
        wait_for("New topic")
        send("exit")
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
        os.close(controller)


def _allotment_index(tmp_path: Path) -> tuple[Path, Path]:
    """A user's own one-article folder, indexed: (the folder, the index)."""
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "note.txt").write_text("The allotment committee meets on the first Friday of May.\n")
    index_dir = tmp_path / "index"
    assert run("index", str(corpus), index_dir=index_dir).returncode == 0
    return corpus, index_dir


def test_reindex_without_paths_rereads_what_the_index_was_built_from(tmp_path):
    corpus, index_dir = _allotment_index(tmp_path)
    (corpus / "second.txt").write_text("Seed potatoes are sold at the gate every Saturday.\n")
    again = run("index", index_dir=index_dir)  # no PATH: the user's folder, not seeds/
    assert again.returncode == 0, again.stderr
    assert "Indexed 2 articles" in again.stdout
    answer = json.loads(
        run("ask", "When does the allotment committee meet?", "--json", index_dir=index_dir).stdout
    )
    assert answer["citations"] and answer["citations"][0]["article_id"] == "note.txt"


def test_an_index_location_that_cannot_be_written_is_a_clear_error(tmp_path):
    blocked = tmp_path / "read-only"
    blocked.mkdir()
    blocked.chmod(0o500)
    target = "/proc/footnote-index" if os.geteuid() == 0 else str(blocked / "index")
    result = run("index", str(SEEDS), index_dir=Path(target))
    assert_clean_failure(result, 1, "footnote:", target)
    assert ".build-" not in result.stderr  # the folder the user chose, not the staging one


def test_a_nonsense_setting_is_refused_before_anything_runs(seeds_index_dir):
    env_run = subprocess.run(
        [FOOTNOTE, "ask", TUC],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "FOOTNOTE_DENSE_WEIGHT": "2",
            "FOOTNOTE_INDEX_DIR": str(seeds_index_dir),
        },
        timeout=120,
    )
    assert_clean_failure(env_run, 1, "dense weight must be between 0.0 and 1.0")


# A corpus that is missing or empty, and sources that can't be read: nothing is swapped in.


def test_ask_where_there_is_no_corpus_says_so_in_one_line_and_writes_nothing(tmp_path):
    index_dir = tmp_path / "fresh"
    result = run("ask", TUC, "--json", index_dir=index_dir, cwd=tmp_path)  # no seeds/ here
    assert_clean_failure(result, 1, "seeds", "footnote index PATH")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "building it" not in result.stderr
    assert "seeds" in json.loads(result.stdout)["error"]  # --json: one object, errors too
    assert not index_dir.exists()


def test_indexing_a_folder_without_articles_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("index", str(empty), index_dir=tmp_path / "index")
    assert_clean_failure(result, 1, "Found no articles in", str(empty))
    assert not (tmp_path / "index").exists()


def test_a_damaged_manifest_is_never_rebuilt_from_the_sample_articles(tmp_path):
    corpus, index_dir = _allotment_index(tmp_path)
    (index_dir / "manifest.json").write_text("{")
    damaged = run("ask", "When does the allotment committee meet?", index_dir=index_dir)
    assert_clean_failure(damaged, 1, "footnote index")  # the advice it gives ...
    advised = run("index", index_dir=index_dir)  # ... asks for the articles, not seeds/
    assert_clean_failure(advised, 1, "footnote index PATH")
    assert "Indexed" not in advised.stdout
    rebuilt = run("index", str(corpus), index_dir=index_dir)
    assert rebuilt.returncode == 0 and "Indexed 1 article" in rebuilt.stdout


# --json, usage, help and version.


def test_ask_json_prints_one_object_with_an_error_for_a_bad_question(seeds_index_dir):
    result = run("ask", "   ", "--json", index_dir=seeds_index_dir)
    assert_clean_failure(result, 1, "empty")
    assert json.loads(result.stdout) == {"error": "Please type a question; this one is empty."}


def test_a_usage_error_with_json_still_prints_one_object():
    result = run("ask", "--json", TUC, "-k", "abc")
    assert_clean_failure(result, 2, "usage: footnote ask", "from 1 to 100", "'abc'")
    assert "_positive" not in result.stderr
    assert "'abc'" in json.loads(result.stdout)["error"]


def test_an_unknown_flag_after_a_command_shows_that_commands_usage():
    result = run("ask", TUC, "--frobnicate")
    assert_clean_failure(result, 2, "usage: footnote ask", "--frobnicate")


def test_ask_help_describes_the_question_and_its_limits():
    result = run("ask", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "Answer one question from the indexed articles" in text
    assert "at most 1,000 characters" in text and "1-100" in text


def test_version_is_printed():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("footnote 0.")


def test_bytes_that_are_not_utf8_in_a_question_are_dropped(seeds_index_dir):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FOOTNOTE_INDEX_DIR": str(seeds_index_dir)}
    question = b"When is the TUC day \xff of protest?"
    result = subprocess.run(
        [FOOTNOTE, "ask", question, "--json"], capture_output=True, env=env, timeout=300
    )
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["short_answer"] == "1 February"


def test_a_citation_of_the_2013_seed_shows_its_date_in_words(seeds_index_dir):
    result = run("ask", "Who is the head of the PCS?", index_dir=seeds_index_dir)
    assert result.returncode == 0, result.stderr
    assert "[1] 000_df60e9438eb2eb2e.txt · 7 April 2013, characters" in result.stdout


# Dates, as-of and filters.

RAIL = "When will rail workers strike?"


def test_as_of_since_until_and_source_choose_which_articles_answer(news_index_dir):
    def cited(*flags: str, question: str = RAIL) -> list[str]:
        result = run("ask", question, "--json", *flags, index_dir=news_index_dir)
        assert result.returncode == 0, result.stderr
        return [c["article_id"] for c in json.loads(result.stdout)["citations"]]

    pay = "When will rail workers strike, according to the RMT statement on pay?"
    assert "rail-2099" not in cited(question=pay)  # dated after today: not yet evidence
    assert cited("--as-of", "1 January 2100", question=pay) == ["rail-2099"]
    assert cited("--until", "2013-12-31") == ["rail-2013"]
    assert cited("--since", "Jan. 1, 2023", "--until", "2023/12/31") == ["rail-2023"]
    assert cited("--source", "guardian", "--until", "2023-06-01") == ["rail-2023"]
    assert cited("--source", "Reuters") == []  # no article from it: no evidence


def test_a_citation_shows_title_outlet_and_date(news_index_dir):
    result = run("ask", RAIL, "--source", "bbc", index_dir=news_index_dir)
    assert result.returncode == 0, result.stderr
    assert "[1] Rail workers to strike in April · BBC News · 2 April 2013 (rail-2013)" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--as-of", "the day after"], ["--as-of: 'the day after' is not a date", "2023-01-05"]),
        (["--since", "2023-02-30"], ["--since", "is not a date"]),
        (["--since", "2024-01-01", "--until", "2023-01-01"], ["--since (2024-01-01) is after"]),
    ],
)
def test_a_date_that_cannot_be_read_is_one_line_and_exit_1(seeds_index_dir, flags, words):
    result = run("ask", TUC, *flags, index_dir=seeds_index_dir)
    assert_clean_failure(result, 1, *words)
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    as_json = run("ask", TUC, "--json", *flags, index_dir=seeds_index_dir)
    assert_clean_failure(as_json, 1, *words)
    assert words[0] in json.loads(as_json.stdout)["error"]
    chat = run("chat", *flags, index_dir=seeds_index_dir, stdin=f"{TUC}\n")
    assert_clean_failure(chat, 1, *words)


def test_chat_keeps_its_filters_for_every_question(news_index_dir):
    result = run("chat", "--source", "bbc", index_dir=news_index_dir, stdin=f"{RAIL}\n{RAIL}\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("(rail-2013)") == 2 and "rail-2023" not in result.stdout
