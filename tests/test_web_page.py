"""The chat page in a real headless Chromium (Debian's), driven by Playwright, against the real
server, engine and index."""

from __future__ import annotations

import json
import time

import pytest

from bot.frontends.web.app import create_app
from tests.web_browser import chromium, screenshot
from tests.web_server import serving

HOSTILE = (
    'The museum sign, which reads <img src=x onerror="window.__pwned=1"> and '
    "<script>window.__pwned=2</script>, was unveiled on 3 March 2024 by the city council. "
    "Visitors said the sign looked like computer code. The council said it was art."
)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1000, "height": 720})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.errors = errors
    yield page
    page.close()


@pytest.fixture(scope="module")
def seeds_server(settings, engine, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("web-page") / "feedback.jsonl"
    app = create_app(engine, settings.replace(feedback_log=feedback, api_rate_per_minute=0))
    with serving(app) as base:
        yield base, feedback


def ask(page, question: str, answers_before: int):
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator("#log .answer").nth(answers_before)
    answer.wait_for(timeout=60_000)
    return answer


def focus_settles_on(page, element_id: str, seconds: float = 5.0) -> bool:
    """Whether focus reaches `element_id` within `seconds` (the page may move it a tick
    later). Polled from here: the page's CSP forbids the eval that wait_for_function uses."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate("document.activeElement.id") == element_id:
            return True
        page.wait_for_timeout(50)
    return False


def test_the_page_answers_highlights_the_short_answer_and_opens_citation_one(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    assert page.get_attribute("#log", "aria-live") == "polite"
    answer = ask(page, "When is the TUC day of protest?", 0)
    highlighted = answer.locator(".quote mark.short-answer")
    assert "1 February" in highlighted.inner_text()
    quote = answer.locator(".quote").inner_text()
    assert highlighted.inner_text() in quote
    assert page.evaluate("document.activeElement.id") == "question"  # Enter again asks again

    answer.locator(".quote button.cite").click()
    dialog = page.locator("dialog#passage[open]")
    dialog.wait_for()
    marked = dialog.locator("mark.quoted").inner_text()
    assert marked and marked in quote  # the quoted sentence, marked inside its passage
    assert len(dialog.locator("#passage-text").inner_text()) > len(marked)  # with context
    screenshot(page, "chat-page-citation.png")
    page.click("#close-passage")
    assert focus_settles_on(page, "question")
    screenshot(page, "chat-page.png")
    assert page.errors == []


def test_a_refusal_looks_different_from_an_answer_and_cites_nothing(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    answered = ask(page, "When is the TUC day of protest?", 0)
    refused = ask(page, "What is the boiling point of tungsten?", 1)
    assert "couldn't find that" in refused.inner_text()
    assert "abstained" in refused.get_attribute("class")
    assert "abstained" not in answered.get_attribute("class")
    assert refused.locator("button.cite").count() == 0
    assert page.errors == []


def test_feedback_buttons_record_a_vote(page, seeds_server):
    base, feedback = seeds_server
    page.goto(base + "/")
    answer = ask(page, "When is the TUC day of protest?", 0)
    answer.locator("button[data-vote=down]").click()
    answer.locator(".thanks").wait_for()
    vote = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert (vote["vote"], vote["question"]) == ("down", "When is the TUC day of protest?")
    assert page.errors == []


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, settings, embedder):
    from bot.engine import Footnote
    from index import build_index, open_index

    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "articles"
    corpus.mkdir()
    record = {
        "id": "sign<b>1</b>",
        "title": '<img src=x onerror="window.__pwned=3">',
        "text": HOSTILE,
    }
    (corpus / "hostile.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    index_dir = folder / "index"
    build_index([corpus], index_dir, embedder)
    hostile = settings.replace(
        index_dir=index_dir, corpus=(corpus,), feedback_log=folder / "feedback.jsonl"
    )
    engine = Footnote(hostile, open_index(index_dir, embedder), embedder)
    with serving(create_app(engine, hostile.replace(api_rate_per_minute=0))) as base:
        yield base


def test_article_text_that_looks_like_html_is_shown_as_text_and_runs_nothing(page, hostile_server):
    page.goto(hostile_server + "/")
    answer = ask(page, "When was the museum sign unveiled?", 0)
    assert "<script>window.__pwned=2</script>" in answer.inner_text()
    answer.locator(".quote button.cite").click()
    dialog = page.locator("dialog#passage[open]")
    dialog.wait_for()
    assert '<img src=x onerror="window.__pwned=1">' in dialog.inner_text()
    assert '<img src=x onerror="window.__pwned=3">' in dialog.locator("h2").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#log img, dialog img, #log script, dialog script").count() == 0
    screenshot(page, "chat-page-hostile-article.png")
    assert page.errors == []
