"""`footnote healthcheck`: is the running front end up? For Docker's HEALTHCHECK, in either mode.

The Discord bot touches its heartbeat file while connected; `footnote serve` answers
/api/health on loopback. Whichever this container runs, one command checks it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.settings import Settings

HEARTBEAT_STALE_SECONDS = 120  # the bot beats every 30 s; four missed beats is a lost connection


def check_health(settings: Settings) -> tuple[bool, str]:
    """(healthy, one line saying why), from the Discord heartbeat if there is one, else from
    the API's /api/health on 127.0.0.1:serve_port."""
    heartbeat = settings.discord_heartbeat_file
    if heartbeat != Path() and heartbeat.exists():
        age = time.time() - heartbeat.stat().st_mtime
        if age <= HEARTBEAT_STALE_SECONDS:
            return True, f"Discord connected ({age:.0f} s since the last heartbeat)"
        return False, f"Discord heartbeat is {age:.0f} s old: the bot lost its connection"
    url = f"http://127.0.0.1:{settings.serve_port}/api/health"
    request = urllib.request.Request(url)
    if settings.api_key:
        request.add_header("Authorization", f"Bearer {settings.api_key}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            health = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return False, f"no answer from {url} ({reason})"
    return True, f"serving {health.get('articles')} articles, {health.get('chunks')} chunks"
