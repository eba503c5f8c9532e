"""The engine: which articles a build reads, and questions that are not valid text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine import Footnote, SourcesUnknownError, corpus_of
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
