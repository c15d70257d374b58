"""Fixtures that serve the real site to a real browser.

The site itself is built once per session by `site_dir` in tests/conftest.py
(shared with tests/reader).
Browser tests drive Debian's Chromium (`/usr/bin/chromium`) through
playwright; no browser is ever downloaded (never run `playwright install`).

Set GLUON_SITE_ROOT to build another checkout (for example a scratch copy
with stub pages) instead of this one (see site_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.site.browsing import logged_context, logged_page
from tests.site.pages_server import pages_server
from tests.site.site_helpers import PageLog

if TYPE_CHECKING:  # imported by `browser`: tests without one never load it
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """URL of the built site, served on 127.0.0.1 as GitHub Pages would."""
    with pages_server(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: `apt-get install chromium` "
            "(never `playwright install`, which downloads a browser)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_log() -> PageLog:
    """The requests to other hosts and console errors of this test."""
    return PageLog()


@pytest.fixture
def context(
    browser: Browser, base_url: str, page_log: PageLog
) -> Iterator[BrowserContext]:
    """A fresh browser context that blocks and logs requests to other hosts."""
    context = logged_context(browser, base_url, page_log)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, page_log: PageLog) -> Page:
    """A page of `context` whose console errors go to `page_log`."""
    return logged_page(context, page_log)
