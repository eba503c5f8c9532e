"""The chat page's timeline mode in a real headless Chromium against the real server and engine."""

from __future__ import annotations

import pytest

from bot.frontends.web.app import create_app
from tests.test_web_page import browser, page  # noqa: F401
from tests.web_browser import screenshot
from tests.web_server import serving

CRACK = (
    "Sailings of the Lundy ferry were cancelled for a week after a crack was found in its hull, "
    "the operator announced."
)


@pytest.fixture(scope="module")
def ferry_server(ferry_engine, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("web-timeline") / "feedback.jsonl"
    settings = ferry_engine.settings.replace(feedback_log=feedback, api_rate_per_minute=0)
    with serving(create_app(ferry_engine, settings)) as base:
        yield base


def timeline_of(page, topic: str, before: int):  # noqa: F811
    page.select_option("#mode", "timeline")
    page.fill("#question", topic)
    page.press("#question", "Enter")
    card = page.locator("#log .answer").nth(before)
    card.wait_for(timeout=60_000)
    return card


def test_timeline_mode_lists_reports_oldest_first_and_opens_their_sources(page, ferry_server):  # noqa: F811
    page.goto(ferry_server + "/")
    assert page.get_attribute("#question", "placeholder").startswith("Ask a question")
    card = timeline_of(page, "the Lundy ferry", 0)
    assert "Name a topic" in page.get_attribute("#question", "placeholder")
    whens = card.locator(".entry .when").all_inner_texts()
    assert len(whens) == 5 and whens[-1] == "Undated"
    for when, year in zip(whens, ["2021", "2022", "2023", "2024"], strict=False):
        assert year in when  # in the browser's own words for the date
    crack = card.locator(".entry").nth(1)
    assert crack.locator(".quote").inner_text().startswith(CRACK)
    assert crack.locator(".outlets").inner_text() == "Reported by BBC News, Devon Live"
    labels = crack.locator(".sources li").all_inner_texts()
    assert labels[0].startswith("[2] Lundy ferry cancelled over hull crack · BBC News · ")
    assert "undated" in card.locator(".entry").nth(4).locator(".sources").inner_text()

    crack.locator(".quote button.cite").first.click()
    dialog = page.locator("dialog#passage[open]")
    dialog.wait_for()
    assert dialog.locator("mark.quoted").inner_text() == CRACK  # the quoted sentence itself
    screenshot(page, "chat-page-timeline.png")
    page.click("#close-passage")

    page.reload()  # the timeline is kept in the tab, as answers are
    kept = page.locator("#log .answer.timeline")
    kept.wait_for()
    assert kept.locator(".entry .when").all_inner_texts() == whens
    assert page.errors == []


def test_a_topic_no_article_covers_says_so_and_cites_nothing(page, ferry_server):  # noqa: F811
    page.goto(ferry_server + "/")
    card = timeline_of(page, "the football World Cup", 0)
    assert "couldn't find anything about that" in card.inner_text()
    assert "abstained" in card.get_attribute("class")
    assert card.locator("button.cite").count() == 0
    assert page.errors == []
