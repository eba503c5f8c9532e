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
    from bot.footnote import Footnote
    from index import build_index, open_index

    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "articles"
    corpus.mkdir()
    record = {
        "id": "sign<b>1</b>",
        "title": '<img src=x onerror="window.__pwned=3">',
        "date": "2024-03-04",
        "source": "Museum <i>News</i>",
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


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
QUESTIONS = (
    "When is the TUC day of protest?",
    "When did the Home Office strike finally take place?",
    "Who is the head of the PCS union?",
)
HOME_OFFICE = "When did the Home Office strike finally take place?"


@pytest.fixture
def sized_page(browser):
    """A page at a given viewport, with its errors collected as `page` does."""
    opened = []

    def open_page(viewport):
        page = browser.new_page(viewport=viewport)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def hidden_parts(page, answer) -> list[str]:
    """The answer card and each of its buttons that is not wholly in the window above the
    sticky input bar, or that another element covers where a tap would land."""
    bar_top = page.locator("footer").bounding_box()["y"]
    width = page.viewport_size["width"]
    hidden = []
    for part in [answer, *answer.locator("button").all()]:
        box = part.bounding_box()
        inside = (
            box["y"] >= 0
            and box["y"] + box["height"] <= bar_top + 0.5
            and box["x"] >= 0
            and box["x"] + box["width"] <= width + 0.5
        )
        middle = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        on_top = page.evaluate(
            "([x, y, card]) => { const hit = document.elementFromPoint(x, y);"
            " return Boolean(hit) && (hit === card || card.contains(hit)); }",
            [*middle, part.element_handle()],
        )
        if not (inside and on_top):
            hidden.append(part.inner_text()[:40] or "answer")
    return hidden


@pytest.mark.parametrize(
    ("viewport", "answers"), [(DESKTOP, 5), (PHONE, 2)], ids=["1280x800", "390x844"]
)
def test_the_newest_answer_and_its_buttons_stay_above_the_input_bar(
    sized_page, seeds_server, viewport, answers
):
    page = sized_page(viewport)
    page.goto(seeds_server[0] + "/")
    for n in range(answers):
        answer = ask(page, QUESTIONS[n % len(QUESTIONS)], n)
        answer.locator(".feedback button").first.wait_for()
        assert hidden_parts(page, answer) == [], f"answer {n + 1} at {viewport}"
    screenshot(page, f"chat-page-{viewport['width']}x{viewport['height']}.png")
    assert page.errors == []


def test_on_a_phone_the_source_window_shows_its_whole_close_button(sized_page, seeds_server):
    page = sized_page(PHONE)
    page.goto(seeds_server[0] + "/")
    answer = ask(page, HOME_OFFICE, 0)
    answer.locator(".quote button.cite").click()
    page.locator("dialog#passage[open]").wait_for()
    close = page.locator("#close-passage")
    box, frame = close.bounding_box(), page.locator("dialog#passage").bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert box["x"] + box["width"] <= PHONE["width"]
    assert close.evaluate("b => b.scrollWidth <= b.clientWidth")  # the word is not cut
    screenshot(page, "chat-page-phone-source.png")
    close.click()
    assert page.errors == []


def test_the_highlight_marks_the_span_the_api_chose_not_the_first_match(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    with page.expect_response("**/api/ask", timeout=60_000) as reply:
        answer = ask(page, HOME_OFFICE, 0)
    payload = reply.value.json()
    quote, short, span = payload["answer"], payload["short_answer"], payload["span"]
    cited = payload["citations"][0]
    quote_at = cited["start"] + cited["text"].index(quote)
    chosen = span["start"] - quote_at
    # The case this test is for: the short answer's words come earlier in the quote too. If a
    # retrained reader answers differently, pick a question where they do.
    assert quote.find(short) < chosen, (quote, short, span)
    marked = answer.locator(".quote mark.short-answer")
    assert marked.inner_text() == quote[chosen : span["end"] - quote_at]
    before = marked.evaluate("m => m.previousSibling ? m.previousSibling.textContent : ''")
    assert before == quote[:chosen]
    assert page.errors == []


def test_sources_are_named_by_title_and_date_without_offsets(page, seeds_server, hostile_server):
    page.goto(seeds_server[0] + "/")
    answer = ask(page, HOME_OFFICE, 0)
    source = answer.locator(".sources li").first.inner_text()
    assert "000_df60e9438eb2eb2e" in source and "2013" in source and "April" in source
    assert ".txt" not in source and "2013-04-07" not in source

    page.goto(hostile_server + "/")
    answer = ask(page, "When was the museum sign unveiled?", 0)
    source = answer.locator(".sources li").first.inner_text()
    assert '<img src=x onerror="window.__pwned=3">' in source and "2024" in source
    assert "Museum <i>News</i>" in source  # the outlet, as text
    assert "sign<b>1</b>" not in source  # a title, when there is one, stands for the article
    answer.locator(".quote button.cite").click()
    dialog = page.locator("dialog#passage[open]")
    dialog.wait_for()
    meta = dialog.locator("#passage-meta").inner_text()
    assert "March" in meta and "2024" in meta and "characters" not in dialog.inner_text()
    assert page.errors == []


def test_an_undated_source_says_so(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    answer = ask(page, "When is the TUC day of protest?", 0)
    source = answer.locator(".sources li").first.inner_text()
    assert "004_ae9d525e8a820230" in source and "undated" in source
    assert page.errors == []


def test_with_the_server_down_the_page_says_so_and_keeps_the_question(
    page, settings, engine, tmp_path
):
    app = create_app(engine, settings.replace(feedback_log=tmp_path / "feedback.jsonl"))
    with serving(app) as base:
        page.goto(base + "/")
    page.fill("#question", "When is the TUC day of protest?")
    page.press("#question", "Enter")
    error = page.locator("#log .error")
    error.wait_for()
    assert "could not be reached" in error.inner_text()
    assert "Failed to fetch" not in page.locator("body").inner_text()
    assert page.input_value("#question") == "When is the TUC day of protest?"
    assert page.is_enabled("#ask button[type=submit]")
    assert page.errors == []


def test_a_server_that_needs_a_key_asks_for_it_in_plain_words(page, settings, engine, tmp_path):
    key = "page-test-key-0123456789"
    app = create_app(
        engine, settings.replace(feedback_log=tmp_path / "feedback.jsonl", api_key=key)
    )
    with serving(app) as base:
        page.goto(base + "/")
        page.fill("#question", "When is the TUC day of protest?")
        page.press("#question", "Enter")
        page.locator("#log .error").wait_for()
        shown = page.locator("body").inner_text()
        assert "access key" in shown
        for jargon in ("header", "Authorization", "Bearer", "FOOTNOTE_API_KEY"):
            assert jargon not in shown
        assert page.is_visible("#key-row")
        page.fill("#api-key", key)
        page.press("#api-key", "Enter")
        answer = page.locator("#log .answer").first
        answer.wait_for(timeout=60_000)
        assert "1 February" in answer.inner_text()
    assert page.errors == []


def test_the_ask_button_is_off_while_an_answer_is_pending(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    held = []
    page.route("**/api/ask", lambda route: held.append(route))
    page.fill("#question", "When is the TUC day of protest?")
    page.press("#question", "Enter")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert held, "the page sent no question"
    assert page.is_disabled("#ask button[type=submit]")
    held[0].continue_()
    page.locator("#log .answer").first.wait_for(timeout=60_000)
    assert page.is_enabled("#ask button[type=submit]")
    assert page.errors == []


def test_a_reload_keeps_the_conversation_and_its_context(page, seeds_server):
    page.goto(seeds_server[0] + "/")
    with page.expect_response("**/api/ask", timeout=60_000) as first:
        ask(page, "When is the TUC day of protest?", 0)
    conversation_id = first.value.json()["conversation_id"]
    page.reload()
    kept = page.locator("#log .answer")
    kept.first.wait_for()
    assert kept.count() == 1
    assert "1 February" in kept.first.locator("mark.short-answer").inner_text()
    assert page.locator("#log .question").inner_text() == "When is the TUC day of protest?"
    with page.expect_request("**/api/ask", timeout=60_000) as follow_up:
        ask(page, "Who announced it?", 1)
    assert follow_up.value.post_data_json["conversation_id"] == conversation_id
    page.click("#new-conversation")
    page.reload()
    assert page.locator("#log .answer").count() == 0
    assert page.errors == []
