"""The newest report first: when dated passages answer differently, a question about the
present gets the newest, the older shown as "Earlier (date): ...", both quoted and cited; a
question about the past gets that time's report."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.footnote import Footnote
from bot.frontends.payload import answer_from_payload
from bot.frontends.terminal import render_json, render_text
from index.scope import Scope

FARE = "How much is a single bus fare in Port Allerton?"


@pytest.fixture(scope="module")
def dated(dated_index, engine):
    """The real reader and answering model over eval/news's fifteen dated articles."""
    return Footnote(engine.settings, dated_index, engine.embedder, engine.reader, engine.model)


def ask(footnote: Footnote, question: str, as_of: str):
    return footnote.ask(question, scope=Scope(as_of=dt.date.fromisoformat(as_of)))


def assert_quoted_and_cited(answer, index):
    """Every earlier report's quote is its article's own words, inside its citation."""
    for report in answer.earlier:
        cited = answer.citations[report.n - 1]
        assert report.answer in cited.text and report.date == cited.date
        assert report.short_answer in report.answer
        assert report.date < answer.citations[0].date  # older than the answer's report


def test_a_question_about_the_present_gets_the_newest_report_and_the_older_ones(dated):
    answer = ask(dated, FARE, "2025-03-14")
    assert answer.short_answer == "£2.40"
    assert answer.citations[0].date == "2025-01-08"
    assert [(e.date, e.short_answer) for e in answer.earlier] == [
        ("2024-02-20", "£2.10"),
        ("2013-06-12", "£1.50"),
    ]
    assert_quoted_and_cited(answer, dated.index)


def test_the_newest_report_is_the_newest_as_of_the_question_s_now(dated):
    answer = ask(dated, FARE, "2024-06-01")  # before the 2025 rise
    assert answer.short_answer == "£2.10"
    assert [(e.date, e.short_answer) for e in answer.earlier] == [("2013-06-12", "£1.50")]
    assert_quoted_and_cited(answer, dated.index)


def test_a_question_about_the_past_gets_that_time_s_report(dated):
    answer = ask(dated, "What was the single bus fare in Port Allerton in 2013?", "2025-03-14")
    assert answer.short_answer == "£1.50"
    assert answer.citations[0].date == "2013-06-12"
    assert answer.earlier == ()


def test_a_newer_report_outranks_an_older_one_the_reader_preferred(dated):
    # The reader scores the 2013 sentence naming Whitlock highest; Ebo was elected in 2019.
    answer = ask(dated, "Who is the general secretary of the ATWU?", "2025-03-14")
    assert answer.short_answer == "Marcus Ebo"
    assert [(e.date, e.short_answer) for e in answer.earlier] == [("2013-04-03", "Dana Whitlock")]


def test_with_time_words_off_dates_weigh_nothing_as_before(dated):
    off = Footnote(
        dated.settings.replace(time_words="off"),
        dated.index,
        dated.embedder,
        dated.reader,
        dated.model,
    )
    answer = ask(off, "Who is the general secretary of the ATWU?", "2025-03-14")
    assert answer.short_answer == "Dana Whitlock" and answer.earlier == ()


def test_earlier_reports_are_rendered_in_the_terminal_and_in_json(dated):
    answer = ask(dated, FARE, "2025-03-14")
    text = render_text(answer, width=200)
    older = answer.earlier[0]
    assert f"Earlier (20 February 2024): “{older.answer}” [{older.n}]" in text
    assert text.index("Earlier (20 February 2024)") < text.index("Sources:")
    payload = json.loads(render_json(answer))
    assert payload["earlier"][0] == {
        "n": older.n,
        "date": "2024-02-20",
        "answer": older.answer,
        "short_answer": "£2.10",
        "label": "20 February 2024",
    }
    assert answer_from_payload(payload).earlier == answer.earlier


def test_answers_without_disagreeing_dates_have_no_earlier_reports(engine):
    # The seeds: one article dated 2013, one undated, which cannot be placed in time.
    for question in ("When is the TUC day of protest?", "Who is the head of the PCS?"):
        answer = engine.ask(question)
        assert not answer.abstained and answer.earlier == ()
        assert "Earlier" not in render_text(answer)


def test_the_discord_embed_shows_earlier_reports_within_its_limits(dated):
    from bot.frontends.discord.render import EMBED_DESCRIPTION_LIMIT, render_answer

    answer = ask(dated, FARE, "2025-03-14")
    first = render_answer(answer)[0]
    older = answer.earlier[0]
    assert "*Earlier (20 February 2024):*" in first.description
    assert f"[{older.n}]" in first.description
    assert first.description.index("[1]") < first.description.index("Earlier")
    assert len(first.description) <= EMBED_DESCRIPTION_LIMIT
