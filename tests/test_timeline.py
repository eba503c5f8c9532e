"""Timelines on the real engine: real index, model and search over tests/timeline_corpus.py."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering.question import QuestionError
from bot.timeline import timeline_topic
from index.scope import Scope
from tests.timeline_corpus import FERRY

TEXTS = {article["id"]: article["text"] for article in FERRY}
TOPIC = "the Lundy ferry"


def ids(timeline) -> list[list[str]]:
    return [[c.article_id for c in entry.sources] for entry in timeline.entries]


def test_reports_come_oldest_first_each_quoted_verbatim_and_the_undated_last(ferry_engine):
    timeline = ferry_engine.timeline(TOPIC)
    dates = [entry.date for entry in timeline.entries]
    assert dates == ["2021-03-10", "2022-06-02", "2023-09-15", "2024-06-02", None]
    for entry in timeline.entries:
        assert entry.quote == entry.sources[0].text
        for citation in entry.sources:
            assert TEXTS[citation.article_id][citation.start : citation.end] == citation.text
    # Numbered in reading order, each source its own number.
    numbers = [c.n for entry in timeline.entries for c in entry.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    # The undated report is listed, and stays undated: no date is made up for it.
    assert ids(timeline)[-1] == ["ferry-record"] and timeline.entries[-1].sources[0].date is None


def test_off_topic_and_future_articles_are_not_in_the_timeline(ferry_engine):
    found = {a for sources in ids(ferry_engine.timeline(TOPIC)) for a in sources}
    assert "bakery" not in found  # another topic, in the same index
    assert "ferry-2099" not in found  # dated after today: never evidence


def test_one_report_carried_by_two_outlets_is_one_entry_listing_both(ferry_engine):
    timeline = ferry_engine.timeline(TOPIC)
    crack = next(e for e in timeline.entries if "ferry-crack-bbc" in ids_of(e))
    assert ids_of(crack) == ["ferry-crack-bbc", "ferry-crack-devonlive"]  # the first report quoted
    assert crack.outlets == ("BBC News", "Devon Live")
    assert crack.date == "2022-06-02"
    # The same words two years later are a report of their own, not a copy.
    assert ["ferry-crack-anniversary"] in ids(timeline)


def ids_of(entry) -> list[str]:
    return [c.article_id for c in entry.sources]


def test_the_scope_filters_the_timeline(ferry_engine):
    until = ferry_engine.timeline(TOPIC, scope=Scope(until=dt.date(2022, 12, 31)))
    assert [e.date for e in until.entries] == ["2021-03-10", "2022-06-02"]  # undated left out
    as_of = ferry_engine.timeline(TOPIC, scope=Scope(as_of=dt.date(2022, 12, 31)))
    assert [e.date for e in as_of.entries] == ["2021-03-10", "2022-06-02", None]  # undated kept
    bbc = ferry_engine.timeline(TOPIC, scope=Scope(outlets=("bbc",)))
    assert ids(bbc) == [["ferry-crack-bbc"]]  # the BBC's bakery story is not about the ferry
    future = ferry_engine.timeline(TOPIC, scope=Scope(as_of=dt.date(2100, 1, 1)))
    assert future.entries[-2].sources[0].article_id == "ferry-2099"  # dated ones, then undated


def test_a_topic_the_articles_never_cover_gives_an_empty_timeline(ferry_engine):
    timeline = ferry_engine.timeline("the football World Cup final")
    assert not timeline.found and timeline.entries == ()


def test_asking_what_happened_with_a_topic_gives_its_timeline(ferry_engine):
    asked = ferry_engine.timeline("What happened with the Lundy ferry?")
    assert asked.topic == TOPIC
    assert ids(asked) == ids(ferry_engine.timeline(TOPIC))


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("What happened with the rail strikes?", "the rail strikes"),
        ("what's been happening with Lundy", "Lundy"),
        ("So what has happened with the TUC's day of protest?", "the TUC's day of protest"),
        ("Give me a timeline of the nurses' pay dispute.", "the nurses' pay dispute"),
        ("What happened to the planned Home Office strike?", None),  # one fact, not a story
        ("When is the TUC day of protest?", None),
        ("What happened?", None),
        ("What happened with ?!", None),
    ],
)
def test_which_questions_ask_for_a_timeline(question, topic):
    assert timeline_topic(question) == topic


@pytest.mark.parametrize("topic", ["", "   ", "x" * 1001])
def test_a_topic_that_cannot_be_searched_is_refused_with_a_reason(ferry_engine, topic):
    with pytest.raises(QuestionError):
        ferry_engine.timeline(topic)
