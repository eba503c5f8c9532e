"""Time words: "last week", "in 2013", "latest" read against the question's now, and used in
retrieval; a question without them is searched and answered exactly as before."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.footnote import Footnote, retrieve, retrieve_in_time, time_words_of
from index import open_index
from index.scope import Scope
from index.time_words import TimeWords, read_time_words, within

FRIDAY = dt.date(2025, 3, 14)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did the council decide yesterday?", "2025-03-13", "2025-03-13"),
        ("What happened today?", "2025-03-14", "2025-03-14"),
        ("What did Rovers do this week?", "2025-03-10", "2025-03-14"),  # Monday to now
        ("What did Rovers do last week?", "2025-03-03", "2025-03-09"),
        ("What changed this month?", "2025-03-01", "2025-03-14"),
        ("Who resigned last month?", "2025-02-01", "2025-02-28"),
        ("What rose last year?", "2024-01-01", "2024-12-31"),
        ("What was the fare in 2013?", "2013-01-01", "2013-12-31"),
        ("What rose in January?", "2025-01-01", "2025-01-31"),  # the January just gone
        ("What rose in December?", "2024-12-01", "2024-12-31"),  # not one still to come
        ("Who was elected in May 2019?", "2019-05-01", "2019-05-31"),
        ("What has changed since 2020?", "2020-01-01", None),
        ("What was the fare before 2015?", None, "2014-12-31"),
        ("What happened in the past 3 days?", "2025-03-11", "2025-03-14"),
    ],
)
def test_time_words_become_a_period_relative_to_the_question_s_now(question, since, until):
    words = read_time_words(question, FRIDAY)
    assert (words.since, words.until) == (since and d(since), until and d(until))
    assert not words.recent


@pytest.mark.parametrize(
    "question",
    [
        "What is the latest on Kessick Bridge?",
        "Who leads the union now?",
        "Who currently manages Rovers?",
        "What have the unions said recently?",
    ],
)
def test_recency_words_ask_for_the_newest_report_without_a_period(question):
    words = read_time_words(question, FRIDAY)
    assert words.recent and not words.period


@pytest.mark.parametrize(
    "question",
    [
        "Who may lead the union after Whitlock?",  # the verb, not the month
        "When is the TUC day of protest?",
        "How many members does the union have?",
        "What did the 2013 strike achieve?",  # a year naming a thing, not a period
    ],
)
def test_a_question_without_time_words_has_none(question):
    assert read_time_words(question, FRIDAY) is None


def test_a_named_period_keeps_undated_articles_so_an_undated_corpus_searches_as_before(
    seeds_index_dir, embedder
):
    seeds = open_index(seeds_index_dir, embedder)  # a 2013 article and an undated one
    in_2023 = within(Scope(), read_time_words("Was there a strike in 2023?", FRIDAY))
    assert in_2023.period == (d("2023-01-01"), d("2023-12-31"))
    allowed = seeds.allowed(in_2023)
    kept = {c.article_id for c, ok in zip(seeds.chunks, allowed, strict=True) if ok}
    assert kept == {"004_ae9d525e8a820230.txt"}  # the 2013 one is out, the undated one stays
    assert seeds.allowed(within(Scope(), TimeWords("in 2013", d("2013-01-01"), None))) is None


@pytest.mark.parametrize(
    "question",
    [
        "When is the TUC day of protest?",
        "Who is the head of the PCS?",
        "Are unions planning a general strike?",
    ],
)
def test_questions_without_time_words_are_searched_and_answered_exactly_as_before(engine, question):
    off = Footnote(
        engine.settings.replace(time_words="off"),
        engine.index,
        engine.embedder,
        engine.reader,
        engine.model,
    )
    scope = Scope(as_of=FRIDAY)
    assert time_words_of(question, scope, engine.settings) is None
    vector = engine.embedder.encode([question])[0]
    index, s = engine.index, engine.settings
    plain = retrieve(index, question, vector, s, 5, allowed=index.allowed(scope))
    assert retrieve_in_time(index, question, vector, s, 5, scope, None) == plain
    on, without = engine.ask(question, scope=scope), off.ask(question, scope=scope)
    assert (on.answer, on.short_answer, on.citations) == (
        without.answer,
        without.short_answer,
        without.citations,
    )


def searched_dates(index, embedder, question: str, mode: str) -> list[str]:
    from bot.settings import Settings

    settings = Settings(time_words=mode)
    scope = Scope(as_of=FRIDAY)
    words = time_words_of(question, scope, settings)
    vector = embedder.encode([question])[0]
    hits = retrieve_in_time(index, question, vector, settings, 3, scope, words)
    return [index.articles[h.chunk.article_id].date for h in hits]


def test_filtering_searches_only_the_period_named(dated_index, embedder):
    question = "What was the single bus fare in Port Allerton in 2013?"
    dates = searched_dates(dated_index, embedder, question, "filter")
    assert dates[0] == "2013-06-12" and all(date.startswith("2013") for date in dates)
    # Without the time words, the newer reports on fares outrank it.
    assert searched_dates(dated_index, embedder, question, "off")[0] != "2013-06-12"


def test_boosting_ranks_the_period_first_but_keeps_the_rest(dated_index, embedder):
    question = "What did Allerton Rovers do last week?"  # 3 to 9 March: one report, on a bridge
    assert searched_dates(dated_index, embedder, question, "filter") == ["2025-03-05"]
    boosted = searched_dates(dated_index, embedder, question, "boost")
    assert boosted[0] == "2025-03-05" and len(boosted) == 3


def test_a_question_in_the_past_is_answered_with_that_time_s_report(dated_index, embedder, engine):
    footnote = Footnote(engine.settings, dated_index, embedder, engine.reader, engine.model)
    answer = footnote.ask("Who did Allerton Rovers beat in 2013?", scope=Scope(as_of=FRIDAY))
    assert answer.short_answer == "Halden Town"
    assert answer.citations[0].date == "2013-05-06"
    recent = footnote.ask("Who did Allerton Rovers beat this week?", scope=Scope(as_of=FRIDAY))
    assert recent.short_answer == "Mardon United"
