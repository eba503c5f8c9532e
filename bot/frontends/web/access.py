"""Who may call the API: loopback by default, a Bearer key on any other address, an admin key
for reindexing. Keys are compared in constant time and never echoed or logged."""

from __future__ import annotations

import hmac
import ipaddress

from bot.settings import Settings, SettingsError


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: 127.0.0.0/8, ::1 and "localhost"."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_binding(host: str, settings: Settings) -> None:
    """SettingsError, in one line, when `host` is reachable from other machines and no API key
    is set: an open answering endpoint on a network is not a default anyone wants."""
    if not is_loopback(host) and not settings.api_key:
        raise SettingsError(
            f"refusing to listen on {host} without an API key: set FOOTNOTE_API_KEY "
            "(clients send it as 'Authorization: Bearer <key>'), or serve on 127.0.0.1"
        )


def bearer_token(authorization: str | None) -> str | None:
    """The token of an 'Authorization: Bearer <token>' header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def matches(token: str | None, key: str) -> bool:
    """Whether `token` is `key`, compared in constant time; an empty key matches nothing."""
    return bool(key) and token is not None and hmac.compare_digest(token.encode(), key.encode())
