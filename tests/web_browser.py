"""Debian's headless Chromium, driven by Playwright (which downloads no browser of its own), for
the tests of the chat page and of /docs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("FOOTNOTE_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))
# Chromium's own calls home fail on a closed network and slow every start; turn them off.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> Iterator:
    """A launched browser (for a module-scoped fixture); skips where there is no Chromium,
    fails instead where FOOTNOTE_REQUIRE_BROWSER is set (CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("FOOTNOTE_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package")
        pytest.skip("no Chromium here (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def screenshot(page, name: str) -> None:
    """Keep what the page looked like, for a person to look at after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
