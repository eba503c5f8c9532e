"""The engine: which articles a build reads, and questions that are not valid text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.footnote import Footnote, SourcesUnknownError, corpus_of
from bot.settings import Settings
from index import IndexMissingError, build_index

NOTE = "The allotment committee meets on the first Friday of May.\n"


@pytest.fixture
def own_index(tmp_path, embedder) -> Settings:
    """An index built from a user's own folder (one article), as `footnote index mine/` makes."""
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "note.txt").write_text(NOTE, encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, embedder)
    return Settings(index_dir=index_dir)


def test_no_index_and_no_corpus_is_one_clear_error_and_writes_nothing(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index", corpus=(tmp_path / "articles",))
    with pytest.raises(IndexMissingError) as refused:
        Footnote.open(settings, embedder=embedder, announce=pytest.fail)  # never "building"
    assert str(tmp_path / "articles") in str(refused.value)
    assert "footnote index PATH" in str(refused.value)
    assert not (tmp_path / "index").exists()


def test_a_reindex_after_the_index_folder_was_deleted_reads_the_users_articles(own_index, embedder):
    engine = Footnote.open(own_index, embedder=embedder)
    shutil.rmtree(own_index.index_dir)  # deleted while the bot runs
    report = engine.reindex()
    assert report.articles == 1  # the user's article, not the two sample ones
    assert list(engine.index.articles) == ["note.txt"]
    answer = engine.ask("When does the allotment committee meet?")
    assert answer.citations and answer.citations[0].article_id == "note.txt"


def test_a_damaged_manifest_asks_for_the_sources_rather_than_using_the_samples(own_index):
    (own_index.index_dir / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(SourcesUnknownError, match="footnote index PATH"):
        corpus_of(own_index)
    given = own_index.replace(corpus=(Path("elsewhere"),))
    assert corpus_of(given) == [Path("elsewhere")]  # FOOTNOTE_CORPUS still decides


def test_a_first_build_without_an_index_reads_the_sample_articles(tmp_path):
    assert corpus_of(Settings(index_dir=tmp_path / "none")) == [Path("seeds")]


@pytest.mark.parametrize(
    "question",
    [
        "When is the TUC day of protest \ud800?",  # a lone surrogate, as JSON "\ud800" decodes
        "When is the TUC day \udcff of protest?",  # the byte 0xff in argv, as Python keeps it
    ],
)
def test_text_that_is_not_valid_unicode_is_cleaned_before_answering(engine, question):
    answer = engine.ask(question)
    answer.question.encode("utf-8")  # strict: no surrogate is left in it
    assert answer.short_answer == "1 February"


def test_an_article_dated_after_today_is_never_evidence_unless_the_question_is_asked_later(
    news_engine,
):
    import datetime as dt

    from index.scope import Scope

    question = "When will rail workers strike, according to the RMT statement on pay?"
    for k in (1, 5):
        cited = {c.article_id for c in news_engine.ask(question, k=k).citations}
        assert "rail-2099" not in cited
    later = Scope(as_of=dt.date(2100, 1, 1), since=dt.date(2050, 1, 1))
    answer = news_engine.ask(question, scope=later)
    assert [c.article_id for c in answer.citations] == ["rail-2099"]
    assert answer.short_answer == "1 June"


def test_citations_carry_the_outlet_title_and_date(news_engine):
    import datetime as dt

    from index.scope import Scope

    answer = news_engine.ask("When will rail workers strike?", scope=Scope(outlets=("bbc",)))
    [first] = answer.citations
    assert (first.article_id, first.title, first.outlet, first.date) == (
        "rail-2013",
        "Rail workers to strike in April",
        "BBC News",
        "2013-04-02",
    )
    assert dt.date.fromisoformat(first.date)
