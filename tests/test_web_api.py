"""The HTTP API over a real uvicorn server on 127.0.0.1, with the real engine and index."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.answering.follow_up import Turn
from bot.frontends.cli import main
from bot.frontends.terminal import render_json
from bot.frontends.web.app import BUSY, INTERNAL, NEEDS_KEY, REINDEX_OFF, create_app
from tests.web_server import serving

QUESTION = "When is the TUC day of protest?"
API_KEY = "test-api-key-0123456789"
ADMIN_KEY = "test-admin-key-9876543210"


@pytest.fixture
def serve(settings, engine, tmp_path):
    """Start the app on loopback with settings changed as asked; yields an httpx client."""
    started = []

    def start(app_engine=None, **changes):
        changes.setdefault("feedback_log", tmp_path / "feedback.jsonl")
        changes.setdefault("api_rate_per_minute", 0)
        app = create_app(app_engine or engine, settings.replace(**changes))
        context = serving(app)
        base = context.__enter__()
        client = httpx.Client(base_url=base, timeout=60)
        started.append((context, client))
        return client

    yield start
    for context, client in started:
        client.close()
        context.__exit__(None, None, None)


def assert_readable_error(response, status: int, *words: str) -> str:
    """A JSON error a person can read, naming the problem; never a traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"error"}
    message = response.json()["error"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    for word in words:
        assert word.lower() in message.lower(), message
    return message


# Asking.


def test_an_index_file_cut_under_the_server_is_a_clear_503_not_a_500(
    serve, settings, embedder, seeds_index_dir, tmp_path, caplog
):
    import shutil

    from bot.footnote import Footnote
    from index import open_index
    from index.index_folder import SENTENCE_VECTORS

    copy = tmp_path / "index"
    shutil.copytree(seeds_index_dir, copy)
    mapped = Footnote(
        settings.replace(index_dir=copy), open_index(copy, embedder, map_from=0), embedder
    )
    client = serve(app_engine=mapped)
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
    with (copy / SENTENCE_VECTORS).open("r+b") as stream:
        stream.truncate(64)  # as a full disk or a stray `truncate` would, under the running app
    with caplog.at_level(logging.ERROR):
        response = client.post("/api/ask", json={"question": QUESTION})
    assert_readable_error(response, 503, SENTENCE_VECTORS, "footnote index")
    assert not any("Traceback" in r.getMessage() or r.exc_info for r in caplog.records)


def test_ask_returns_what_ask_json_prints_plus_conversation_and_answer_ids(serve, engine):
    client = serve()
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    cli = json.loads(render_json(engine.ask(QUESTION)))
    assert set(body) == set(cli) | {"conversation_id", "answer_id"}
    assert body["short_answer"] == cli["short_answer"] and "1 February" in body["short_answer"]
    assert body["answer"] in body["citations"][0]["text"]  # verbatim from the cited passage
    start, end = body["span"]["start"], body["span"]["end"]
    article = engine.index.articles[body["span"]["article_id"]]
    assert article.text[start:end] == body["short_answer"]
    assert body["conversation_id"] and body["answer_id"]


def test_a_follow_up_with_the_conversation_id_is_read_against_the_earlier_turn(serve, engine):
    client = serve()
    first = client.post("/api/ask", json={"question": QUESTION}).json()
    # A follow-up that needs the earlier turn: alone, "it" could be anything the articles say.
    question = "and who is organising it?"
    follow_up = {"question": question, "conversation_id": first["conversation_id"]}
    answer = client.post("/api/ask", json=follow_up).json()
    assert answer["conversation_id"] == first["conversation_id"]
    earlier = engine.ask(QUESTION)
    expected = engine.ask(question, context=[Turn.of(earlier)])
    assert (answer["answer"], answer["short_answer"]) == (expected.answer, expected.short_answer)
    alone = client.post("/api/ask", json={"question": question}).json()
    assert alone["conversation_id"] != first["conversation_id"]
    assert (alone["answer"], alone["abstained"]) != (answer["answer"], answer["abstained"])


def test_k_is_passed_through_and_bounded(serve):
    client = serve()
    assert client.post("/api/ask", json={"question": QUESTION, "k": 2}).status_code == 200
    assert_readable_error(client.post("/api/ask", json={"question": QUESTION, "k": 0}), 422, "k")


def test_as_of_since_until_and_source_choose_the_evidence(serve, news_engine):
    client = serve(app_engine=news_engine)

    def cited(**fields) -> list[str]:
        body = {"question": "When will rail workers strike?", **fields}
        response = client.post("/api/ask", json=body)
        assert response.status_code == 200, response.text
        return [c["article_id"] for c in response.json()["citations"]]

    assert cited(until="2013-12-31") == ["rail-2013"]
    assert cited(since="Jan. 1, 2023", until="2023/12/31") == ["rail-2023"]
    assert cited(source="guardian", as_of="1 June 2023") == ["rail-2023"]
    assert cited(source=["Reuters", "BBC"]) == ["rail-2013"]
    pay = "When will rail workers strike, according to the RMT statement on pay?"
    assert "rail-2099" not in cited(question=pay)  # dated after today
    assert cited(question=pay, as_of="2100-01-01") == ["rail-2099"]


def test_citations_name_title_outlet_and_date(serve, news_engine):
    client = serve(app_engine=news_engine)
    body = {"question": "When will rail workers strike?", "source": "bbc"}
    [cited] = client.post("/api/ask", json=body).json()["citations"]
    assert (cited["title"], cited["outlet"], cited["date"]) == (
        "Rail workers to strike in April",
        "BBC News",
        "2013-04-02",
    )
    assert cited["label"] == "Rail workers to strike in April · BBC News · 2 April 2013"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"as_of": "someday"}, ["as_of", "'someday' is not a date"]),
        ({"since": "2023-02-30"}, ["since", "is not a date"]),
        ({"since": "2024-01-01", "until": "2023-01-01"}, ["since (2024-01-01) is after until"]),
        ({"source": 3}, ["source"]),
    ],
)
def test_a_bad_date_or_filter_is_a_422_naming_the_field(serve, fields, words):
    response = serve().post("/api/ask", json={"question": QUESTION, **fields})
    assert_readable_error(response, 422, *words)


def test_bad_questions_get_a_422_naming_the_problem(serve):
    client = serve()
    assert_readable_error(client.post("/api/ask", json={"question": "  "}), 422, "empty")
    long = client.post("/api/ask", json={"question": "why " * 1500})
    assert_readable_error(long, 422, "limit", "1,000")
    assert_readable_error(client.post("/api/ask", json={}), 422, "question", "required")
    assert_readable_error(client.post("/api/ask", json={"question": 7}), 422, "question")
    not_json = client.post(
        "/api/ask", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert_readable_error(not_json, 422, "not valid JSON")
    assert_readable_error(client.post("/api/ask"), 422, "JSON body")
    bad_id = client.post("/api/ask", json={"question": QUESTION, "conversation_id": "../x"})
    assert_readable_error(bad_id, 422, "conversation_id")


def test_a_lone_surrogate_in_the_question_is_cleaned_not_a_500(serve):
    client = serve()
    body = b'{"question": "When is the TUC day of protest \\ud800?"}'  # valid JSON, not UTF-8
    answered = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["question"] == "When is the TUC day of protest ?"
    only = b'{"question": "\\udc80\\udcff"}'
    refused = client.post("/api/ask", content=only, headers={"content-type": "application/json"})
    assert_readable_error(refused, 422, "empty")


def test_a_body_over_the_limit_is_refused_whether_declared_or_streamed(serve):
    client = serve(api_max_body_bytes=2048)
    huge = json.dumps({"question": "x" * 5000}).encode()
    assert_readable_error(client.post("/api/ask", content=huge), 413, "2,048-byte limit")

    def chunks():
        for _ in range(10):
            yield b" " * 1000

    streamed = client.post(
        "/api/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_readable_error(streamed, 413, "limit")
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_unknown_routes_and_methods_are_json_too(serve):
    client = serve()
    assert_readable_error(client.get("/api/nothing"), 404, "/api/nothing")
    assert_readable_error(client.get("/api/ask"), 405, "GET")


def test_an_internal_error_is_a_json_500_without_details(serve, engine, caplog):
    class Broken:
        index, reader = engine.index, engine.reader

        def ask(self, question, *, k=None, context=(), scope=None):
            raise RuntimeError("boom: /secret/path")

    client = serve(Broken())
    with caplog.at_level(logging.ERROR):
        response = client.post("/api/ask", json={"question": QUESTION})
    assert assert_readable_error(response, 500) == INTERNAL
    assert "boom" not in response.text
    assert "boom" in caplog.text  # the server's log keeps what went wrong


class SlowEngine:
    """The real engine, but answering (or reindexing) waits for a go-ahead."""

    def __init__(self, engine, *, slow_ask=False, slow_reindex=False) -> None:
        self.engine, self.index, self.reader = engine, engine.index, engine.reader
        self.slow_ask, self.slow_reindex = slow_ask, slow_reindex
        self.go = threading.Event()
        self.reindexed = threading.Event()

    def ask(self, question, *, k=None, context=(), scope=None):
        if self.slow_ask:
            assert self.go.wait(timeout=30)
        return self.engine.ask(question, k=k, context=context, scope=scope)

    def reindex(self):
        if self.slow_reindex:
            assert self.go.wait(timeout=30)
        report = self.engine.reindex()
        self.index = self.engine.index
        self.reindexed.set()
        return report


def test_questions_past_the_queue_are_told_to_come_back_not_left_waiting(serve, engine):
    slow = SlowEngine(engine, slow_ask=True)
    client = serve(slow, answer_workers=1, answer_queue=1)
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(client.post, "/api/ask", json={"question": QUESTION}) for _ in range(2)]
        deadline = time.monotonic() + 10
        while client.get("/api/health").json()["questions_in_flight"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        busy = client.post("/api/ask", json={"question": QUESTION})
        assert assert_readable_error(busy, 503) == BUSY
        assert busy.headers["retry-after"] == "60"
        slow.go.set()
        assert [f.result().status_code for f in held] == [200, 200]


# Articles.


def test_an_article_passage_comes_with_context_around_it(serve, engine):
    client = serve()
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    citation = answer["citations"][0]
    path = f"/api/articles/{citation['article_id']}"
    view = client.get(path, params={"start": citation["start"], "end": citation["end"]}).json()
    text = engine.index.articles[citation["article_id"]].text
    assert view["passage"] == text[citation["start"] : citation["end"]] == citation["text"]
    assert text[view["context_start"] : view["context_end"]] == (
        view["before"] + view["passage"] + view["after"]
    )
    assert view["after"], "the passage is shown with the text that follows it"


def test_unknown_articles_and_bad_ranges_are_named(serve, engine):
    client = serve()
    assert_readable_error(client.get("/api/articles/no-such.txt"), 404, "no-such.txt")
    article_id = next(iter(engine.index.articles))
    too_far = client.get(f"/api/articles/{article_id}", params={"start": 0, "end": 10**7})
    assert_readable_error(too_far, 422, "length")
    negative = client.get(f"/api/articles/{article_id}", params={"start": -1})
    assert_readable_error(negative, 422, "start")


# Feedback.


def test_feedback_on_an_answer_goes_into_the_feedback_log(serve, tmp_path):
    log = tmp_path / "votes.jsonl"
    client = serve(feedback_log=log)
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    vote = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "up"})
    assert vote.status_code == 200
    record = json.loads(log.read_text().splitlines()[-1])
    assert (record["vote"], record["question"], record["answer"]) == (
        "up",
        QUESTION,
        answer["answer"],
    )
    assert "127.0.0.1" not in log.read_text()  # who voted is hashed, as for Discord
    unknown = client.post("/api/feedback", json={"answer_id": "f" * 32, "vote": "down"})
    assert_readable_error(unknown, 404, "ask again")
    bad = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "meh"})
    assert_readable_error(bad, 422, "vote")
    assert len(log.read_text().splitlines()) == 1


# Reindex.


def test_reindex_is_off_without_an_admin_key(serve):
    client = serve()
    assert assert_readable_error(client.post("/api/reindex"), 403) == REINDEX_OFF


def test_reindex_needs_the_admin_key_and_answers_go_on_meanwhile(serve, engine):
    slow = SlowEngine(engine, slow_reindex=True)
    client = serve(slow, admin_key=ADMIN_KEY)
    wrong = client.post("/api/reindex", headers={"Authorization": "Bearer nope"})
    assert_readable_error(wrong, 403, "admin key")
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(client.post, "/api/reindex", headers=admin)
        deadline = time.monotonic() + 10
        while not client.get("/api/health").json()["reindexing"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        meanwhile = client.post("/api/ask", json={"question": QUESTION}).json()
        assert "1 February" in meanwhile["short_answer"]
        assert_readable_error(client.post("/api/reindex", headers=admin), 409, "already running")
        slow.go.set()
        report = running.result()
    assert report.status_code == 200
    assert report.json()["articles"] == len(engine.index.articles)
    # What the rebuild changed, against the index it replaced: here nothing.
    assert {k: report.json()[k] for k in ("added", "changed", "removed")} == dict.fromkeys(
        ("added", "changed", "removed"), []
    )
    assert report.json()["chunks"] == len(engine.index.chunks)


# Health, keys, limits.


def test_health_reports_the_index_and_models(serve, engine, settings):
    health = serve().get("/api/health").json()
    assert health["status"] == "ok" and health["index_loaded"] is True
    assert health["articles"] == len(engine.index.articles)
    assert health["chunks"] == len(engine.index.chunks)
    assert health["embedder"] == settings.embedder and health["reader"]


def test_an_api_key_guards_every_api_route_and_is_never_logged(serve, caplog):
    with caplog.at_level(logging.DEBUG):
        client = serve(api_key=API_KEY)
        for method, path in (
            ("POST", "/api/ask"),
            ("GET", "/api/health"),
            ("GET", "/api/articles/x"),
        ):
            response = client.request(method, path, json={"question": QUESTION})
            assert assert_readable_error(response, 401) == NEEDS_KEY
            assert response.headers["www-authenticate"] == "Bearer"
        wrong = client.post(
            "/api/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer x"}
        )
        assert_readable_error(wrong, 401)
        right = {"Authorization": f"Bearer {API_KEY}"}
        assert (
            client.post("/api/ask", json={"question": QUESTION}, headers=right).status_code == 200
        )
        assert client.get("/").status_code == 200  # the page loads, then asks for the key
    assert API_KEY not in caplog.text


def test_each_client_is_rate_limited_on_its_own(serve):
    client = serve(api_rate_per_minute=3)
    statuses = [client.get("/api/articles/x").status_code for _ in range(4)]
    assert statuses[:3] == [404, 404, 404]
    limited = client.get("/api/articles/x")
    assert_readable_error(limited, 429, "too many requests")
    assert int(limited.headers["retry-after"]) >= 1
    # Another client (another loopback address) still gets through.
    other = httpx.Client(
        base_url=str(client.base_url), transport=httpx.HTTPTransport(local_address="127.0.0.2")
    )
    with other:
        assert other.get("/api/articles/x").status_code == 404
    assert client.get("/api/health").status_code == 200  # health is for monitors: never limited


def test_cors_is_closed_unless_origins_are_listed(serve):
    preflight = {
        "Origin": "https://intranet.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    closed = serve().options("/api/ask", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = serve(cors_origins=("https://intranet.example",))
    allowed = opened.options("/api/ask", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://intranet.example"
    other = opened.options("/api/ask", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_docs_and_the_page_are_served_from_the_package_offline(serve):
    client = serve()
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and 'aria-live="polite"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/chat.js", "/static/chat.css"):
        assert client.get(asset).status_code == 200


def test_serving_off_loopback_without_a_key_is_refused_in_one_line(capsys, monkeypatch):
    monkeypatch.delenv("FOOTNOTE_API_KEY", raising=False)
    started = time.monotonic()
    assert main(["serve", "--host", "0.0.0.0", "--port", "9"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FOOTNOTE_API_KEY" in err and "0.0.0.0" in err
    assert time.monotonic() - started < 5  # refused before loading any model


def test_a_restarted_server_keeps_conversations_and_takes_votes_on_old_answers(
    serve, engine, tmp_path
):
    log = tmp_path / "votes.jsonl"
    before = serve(feedback_log=log)
    first = before.post("/api/ask", json={"question": QUESTION}).json()
    after = serve(feedback_log=log)  # a new app over the same state database
    follow_up = {"question": "Who announced it?", "conversation_id": first["conversation_id"]}
    answer = after.post("/api/ask", json=follow_up).json()
    expected = engine.ask("Who announced it?", context=[Turn.of(engine.ask(QUESTION))])
    assert (answer["answer"], answer["short_answer"]) == (expected.answer, expected.short_answer)
    vote = after.post("/api/feedback", json={"answer_id": first["answer_id"], "vote": "up"})
    assert vote.status_code == 200
    assert json.loads(log.read_text().splitlines()[-1])["question"] == QUESTION
