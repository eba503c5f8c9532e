"""A cited passage with its surroundings, cut between words."""

from __future__ import annotations

import pytest

from bot.frontends.web.passages import RangeError, passage_view
from index import Article

TEXT = " ".join(f"word{n}" for n in range(400))


def test_the_passage_is_exact_and_its_context_ends_between_words():
    article = Article("a.txt", TEXT, "Title", "2024-01-01")
    start = TEXT.index("word200")
    end = start + len("word200 word201")
    view = passage_view(article, start, end, context=50)
    assert view["passage"] == "word200 word201"
    assert TEXT[view["context_start"] : view["context_end"]] == (
        view["before"] + view["passage"] + view["after"]
    )
    assert view["before"].startswith("word") and view["after"].rstrip() == view["after"]
    assert view["after"].split()[-1] in TEXT.split()
    assert len(view["before"]) <= 50 and len(view["after"]) <= 50
    assert (view["title"], view["date"], view["length"]) == ("Title", "2024-01-01", len(TEXT))


def test_the_ends_of_the_article_are_not_overrun():
    article = Article("a.txt", "Short text here.")
    view = passage_view(article, 0, 5)
    assert (view["before"], view["passage"], view["after"]) == ("", "Short", " text here.")
    assert passage_view(article, None, None)["passage"] == "Short text here."


@pytest.mark.parametrize("start, end", [(5, 2), (0, 999), (-1, 3)])
def test_ranges_outside_the_article_are_refused_with_its_length(start, end):
    with pytest.raises(RangeError, match="16"):
        passage_view(Article("a.txt", "Short text here."), start, end)
