"""Rendering answers for Discord: within every limit, escaped, and faithful to the Answer."""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from bot.answering import ABSTAIN_TEXT, Answer, Citation
from bot.frontends.discord import render
from index import BuildReport, Skipped


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    for embed in embeds:
        assert len(embed.title or "") <= render.EMBED_TITLE_LIMIT
        assert len(embed.description or "") <= render.EMBED_DESCRIPTION_LIMIT
        assert len(embed.footer.text or "") <= render.FOOTER_LIMIT
        assert len(embed.fields) <= render.MAX_FIELDS
        for field in embed.fields:
            assert len(field.name) <= render.FIELD_NAME_LIMIT
            assert len(field.value) <= render.FIELD_VALUE_LIMIT
        assert len(embed) <= render.EMBED_TOTAL_LIMIT  # one embed per message: also the total


def citation(n: int, text: str, **kw) -> Citation:
    fields = {"article_id": f"a{n}.txt", "title": None, "date": None, "score": 0.5} | kw
    return Citation(n=n, start=0, end=len(text), text=text, **fields)


def answer(text: str, citations: tuple[Citation, ...], **kw) -> Answer:
    fields = {"short_answer": None, "abstained": False, "confidence": 0.8} | kw
    return Answer(
        question="Q?", answer=text, citations=citations, timings_ms={"total": 420}, **fields
    )


def test_limits_are_discords():
    assert (render.CONTENT_LIMIT, render.EMBED_TITLE_LIMIT, render.EMBED_DESCRIPTION_LIMIT) == (
        2000,
        256,
        4096,
    )
    assert (render.FIELD_NAME_LIMIT, render.FIELD_VALUE_LIMIT, render.MAX_FIELDS) == (256, 1024, 25)
    assert (render.FOOTER_LIMIT, render.EMBED_TOTAL_LIMIT) == (2048, 6000)


def test_a_real_answer_shows_short_answer_quote_and_numbered_sources(engine):
    result = engine.ask("When is the TUC day of protest?")
    [embed] = render.render_answer(result)
    assert embed.title == "When is the TUC day of protest?"
    assert embed.description.startswith("**1 February**\n> ")
    assert embed.description.endswith(" [1]")
    assert "A national day of protest will be held on 1 February" in embed.description
    first = embed.fields[0]
    assert first.name.startswith("[1] ") and result.citations[0].article_id[:3] in first.name
    assert first.value.startswith(f"`{result.citations[0].article_id}`\n> ")
    assert [f.name[:4] for f in embed.fields] == [f"[{c.n}] " for c in result.citations]
    assert embed.footer.text.startswith("Answered in ")
    assert_within_limits([embed])


def test_abstention_is_plain_and_has_no_sources():
    [embed] = render.render_answer(Answer("Who won?", None, None, True, (), 0.1, {"total": 80.0}))
    assert embed.description == ABSTAIN_TEXT
    assert not embed.fields
    assert embed.footer.text == "Answered in 0.08 s"


def test_title_outlet_and_date_name_the_source():
    cited = citation(1, "Text.", title="Strikes *grow*", date="2023-01-10", outlet="BBC News")
    [embed] = render.render_answer(answer("Text.", (cited,)))
    assert embed.fields[0].name == "[1] Strikes \\*grow\\* — BBC News — 10 January 2023"


def test_an_undated_article_says_so_and_its_file_name_stands_in_for_a_missing_title():
    [embed] = render.render_answer(answer("Text.", (citation(1, "Text."),)))
    assert embed.fields[0].name == "[1] a1.txt — undated"


def test_a_huge_answer_is_trimmed_and_split_within_every_limit():
    passage = "Unions said the strike, which began on Monday, would go on. " * 300  # 18,000 chars
    cited = tuple(citation(n, passage, title="T" * 400, date="2023") for n in range(1, 61))
    huge = replace(answer(passage, cited, short_answer="S" * 3000), question="Q" * 5000)
    embeds = render.render_answer(huge)
    assert_within_limits(embeds)
    assert len(embeds) > 1
    names = [f.name for e in embeds for f in e.fields]
    assert [name.split("]")[0] for name in names] == [f"[{n}" for n in range(1, 61)]
    assert embeds[0].description.endswith("… [1]")  # the quote was cut, the marker kept
    assert embeds[0].fields[0].value.endswith("…")
    assert embeds[1].title == "Sources (continued)"


def test_many_short_citations_respect_the_field_count():
    cited = tuple(citation(n, f"Sentence {n}.") for n in range(1, 31))
    embeds = render.render_answer(answer("Sentence 1.", cited))
    assert [len(e.fields) for e in embeds] == [25, 5]
    assert_within_limits(embeds)


def test_article_text_is_escaped_so_it_cannot_ping_or_format():
    text = "Organisers wrote @everyone and @here and <@&110000000000000030> **now** `code`."
    [embed] = render.render_answer(answer(text, (citation(1, text),)))
    for shown in (embed.description, embed.fields[0].value):
        assert "@everyone" not in shown and "@here" not in shown
        assert "<@&110000000000000030>" not in shown
        assert "\\*\\*now\\*\\*" in shown and "\\`code\\`" in shown


def test_multiline_passages_stay_inside_the_quote():
    text = "First line.\n\n> Not a quote of its own.\nThird line."
    value = render.render_answer(answer("First line.", (citation(1, text),)))[0].fields[0].value
    assert value.splitlines()[1:] == [
        "> First line.",
        "> \\> Not a quote of its own.",
        "> Third line.",
    ]


@pytest.mark.parametrize("limit", [10, 11, 12])
def test_fit_never_leaves_a_dangling_escape(limit):
    fitted = render.fit("\\*" * 20, limit)
    assert len(fitted) <= limit and fitted.endswith("…") and not fitted.endswith("\\…")


def test_plain_messages_are_escaped_and_trimmed():
    text = render.render_text("@everyone " + "x" * 3000)
    assert len(text) == render.CONTENT_LIMIT and text.startswith("@\u200beveryone")


def test_reindex_report_summarises_and_lists_skipped_files():
    report = BuildReport(
        articles=2,
        chunks=12,
        sentences=42,
        embedded=3,
        reused=51,
        skipped=[Skipped("seeds/broken_*.html", "no text in it")],
        seconds=1.3,
    )
    text = render.render_report(report)
    assert text.startswith("Reindexed 2 articles into 12 chunks (42 sentences) in 1.3 s")
    assert "seeds/broken\\_\\*.html: no text in it" in text


def test_thread_names_fit():
    assert len(render.thread_name("why " * 100)) == render.THREAD_NAME_LIMIT
    assert render.thread_name("   ") == "Follow-up"


def test_reindex_report_says_what_changed_and_names_removed_articles():
    report = BuildReport(
        articles=2,
        chunks=12,
        sentences=42,
        embedded=3,
        reused=51,
        skipped=[],
        seconds=1.3,
        added=("water.txt",),
        removed=("hens_*.txt",),
    )
    text = render.render_report(report)
    assert "Articles: 1 added, 0 changed, 1 removed." in text
    assert "Removed: hens\\_\\*.txt." in text
