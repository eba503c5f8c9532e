"""Who may call the API: loopback by default, a key anywhere else."""

from __future__ import annotations

import pytest

from bot.frontends.web.access import bearer_token, check_binding, is_loopback, matches
from bot.settings import Settings, SettingsError


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"])
def test_loopback_addresses_need_no_key(host):
    assert is_loopback(host)
    check_binding(host, Settings())


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "footnote.example"])
def test_other_addresses_need_a_key(host):
    assert not is_loopback(host)
    with pytest.raises(SettingsError, match="FOOTNOTE_API_KEY"):
        check_binding(host, Settings())
    check_binding(host, Settings(api_key="k"))


def test_bearer_tokens_are_read_and_compared_exactly():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None and bearer_token(None) is None
    assert bearer_token("Bearer ") is None
    assert matches("abc", "abc") and not matches("abd", "abc")
    assert not matches(None, "abc") and not matches("", "")


def test_keys_never_show_in_the_settings_repr():
    shown = repr(Settings(api_key="s3cret-api", admin_key="s3cret-admin"))
    assert "s3cret" not in shown
