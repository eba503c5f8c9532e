"""/docs rendered in a real headless Chromium against the real server: the packaged Swagger UI
must read the OpenAPI 3.1 that FastAPI publishes, with nothing fetched from outside."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bot.frontends.web.app import create_app
from tests.web_browser import chromium, screenshot
from tests.web_server import serving


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def server(settings, engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-docs")
    app = create_app(engine, settings.replace(feedback_log=folder / "feedback.jsonl"))
    with serving(app) as base:
        yield base


def test_docs_render_every_route_offline_in_chromium(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/docs")
    # Operations once the description is read; Swagger UI 4 showed only its version complaint.
    page.locator(".swagger-ui .opblock, .swagger-ui .version-pragma").first.wait_for()
    text = page.locator(".swagger-ui").inner_text()
    assert "Unable to render this definition" not in text
    assert "OAS 3.1" in text  # the version FastAPI publishes, read as such
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for route in ("/api/ask", "/api/feedback", "/api/reindex", "/api/health"):
        assert route in paths

    page.locator(".opblock-summary-path", has_text="/api/ask").click()  # the request body
    page.locator(".opblock.is-open .model-example").first.wait_for()
    assert "question" in page.locator(".opblock.is-open").inner_text()
    screenshot(page, "api-docs.png")
    origin = urlsplit(server).netloc
    assert {urlsplit(url).netloc for url in requested if url.startswith("http")} == {origin}
    assert errors == []
    page.close()
