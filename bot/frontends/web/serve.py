"""`footnote serve`: the API and chat page on uvicorn, refusing unsafe bindings before loading."""

from __future__ import annotations

import logging
import socket
import sys

from bot.frontends.web.access import check_binding, is_loopback
from bot.settings import Settings


def run_serve(settings: Settings) -> int:
    """Serve until interrupted; the binding is checked before the index and models load."""
    host, port = settings.serve_host, settings.serve_port
    check_binding(host, settings)
    import uvicorn

    from bot.footnote import Footnote
    from bot.frontends.web.app import create_app

    engine = Footnote.open(settings, announce=lambda text: print(text, file=sys.stderr))
    engine.ask("warm up")  # loads the encoders once, before clients can race to do it
    app = create_app(engine, settings)
    where = host if is_loopback(host) else f"{host} (API key required)"
    print(f"Footnote is serving http://{_url_host(host)}:{port}/ on {where}", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # our basicConfig; uvicorn's access lines carry no headers, so no keys
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
    return 0


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host
