"""/api/timeline over a real uvicorn server, with the real engine over the timeline articles."""

from __future__ import annotations

import json

import pytest

from bot.frontends.cli import main
from tests.test_web_api import API_KEY, assert_readable_error, serve  # noqa: F401
from tests.timeline_corpus import FERRY

TEXTS = {article["id"]: article["text"] for article in FERRY}


def test_timeline_returns_what_timeline_json_prints(serve, ferry_engine, capsys):  # noqa: F811
    client = serve(app_engine=ferry_engine)
    response = client.post("/api/timeline", json={"topic": "the Lundy ferry"})
    assert response.status_code == 200, response.text
    payload = response.json()
    main(
        [
            "--index-dir",
            str(ferry_engine.settings.index_dir),
            "timeline",
            "the Lundy ferry",
            "--json",
        ]
    )
    printed = json.loads(capsys.readouterr().out)
    del payload["timings_ms"], printed["timings_ms"]
    assert payload == printed
    dates = [e["date"] for e in payload["entries"]]
    assert dates[-1] is None and dates[:-1] == sorted(dates[:-1])
    for entry in payload["entries"]:
        for source in entry["sources"]:
            assert TEXTS[source["article_id"]][source["start"] : source["end"]] == source["text"]


def test_timeline_takes_the_same_now_and_filters_as_ask(serve, ferry_engine):  # noqa: F811
    client = serve(app_engine=ferry_engine)
    body = {"topic": "the Lundy ferry", "until": "2022-12-31", "source": ["devon"]}
    entries = client.post("/api/timeline", json=body).json()["entries"]
    # "devon" is in North Devon Gazette and Devon Live; the BBC's copy of the crack is left out.
    assert [[s["article_id"] for s in e["sources"]] for e in entries] == [
        ["ferry-refit"],
        ["ferry-crack-devonlive"],
    ]
    later = client.post("/api/timeline", json={"topic": "Lundy ferry", "as_of": "2100-01-01"})
    assert "ferry-2099" in later.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"topic": "ferry", "since": "someday"}, ["since", "not a date"]),
        ({"topic": ""}, ["empty"]),
        ({}, ["topic", "required"]),
        ({"topic": "ferry", "k": 3}, ["k"]),
    ],
)
def test_bad_timeline_requests_are_a_422_naming_the_problem(serve, body, words):  # noqa: F811
    assert_readable_error(serve().post("/api/timeline", json=body), 422, *words)


def test_timeline_needs_the_key_when_one_is_set(serve):  # noqa: F811
    client = serve(api_key=API_KEY)
    assert_readable_error(client.post("/api/timeline", json={"topic": "TUC"}), 401, "key")
    headers = {"Authorization": f"Bearer {API_KEY}"}
    assert client.post("/api/timeline", json={"topic": "TUC"}, headers=headers).status_code == 200
