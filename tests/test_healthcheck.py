"""`footnote healthcheck`, as Docker runs it, against a heartbeat file and a real server."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlparse

from bot.frontends.healthcheck import check_health
from bot.frontends.web.app import create_app
from tests.web_server import serving


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_fresh_heartbeat_is_healthy_and_a_stale_one_is_not(settings, tmp_path):
    beat = tmp_path / "alive"
    beat.touch()
    healthy, why = check_health(settings.replace(discord_heartbeat_file=beat))
    assert healthy and "Discord connected" in why
    old = time.time() - 600
    os.utime(beat, (old, old))
    healthy, why = check_health(settings.replace(discord_heartbeat_file=beat))
    assert not healthy and "lost its connection" in why


def test_a_server_answering_health_is_healthy_and_with_its_key(settings, engine, tmp_path):
    keyed = settings.replace(api_key="health-key", feedback_log=tmp_path / "f.jsonl")
    with serving(create_app(engine, keyed)) as base:
        port = urlparse(base).port
        healthy, why = check_health(keyed.replace(serve_port=port))
        assert healthy and f"{len(engine.index.articles)} articles" in why
        unkeyed = settings.replace(serve_port=port)
        assert not check_health(unkeyed)[0]  # 401 without the key
    healthy, why = check_health(settings.replace(serve_port=free_port()))
    assert not healthy and "no answer from http://127.0.0.1:" in why


def test_the_command_exits_non_zero_with_one_line_when_nothing_runs(capsys, monkeypatch):
    from bot.frontends.cli import main

    monkeypatch.setenv("FOOTNOTE_SERVE_PORT", str(free_port()))
    monkeypatch.delenv("FOOTNOTE_DISCORD_HEARTBEAT_FILE", raising=False)
    assert main(["healthcheck"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no answer" in err
