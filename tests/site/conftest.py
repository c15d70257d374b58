"""Fixtures that serve the real site to a real browser.

The site itself is built once per session by `site_dir` in tests/conftest.py
(shared with tests/reader).
Browser tests drive Debian's Chromium (`/usr/bin/chromium`) through
playwright; no browser is ever downloaded (never run `playwright install`).

Set GLUON_SITE_ROOT to build another checkout (for example a scratch copy
with stub pages) instead of this one (see site_helpers.py).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    sync_playwright,
)
from site_helpers import PageLog

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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """URL of the built site, served on 127.0.0.1 by a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: `apt-get install chromium` "
            "(never `playwright install`, which downloads a browser)",
            pytrace=False,
        )
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
    context = browser.new_context(base_url=base_url)

    def route(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page_log.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, page_log: PageLog) -> Page:
    """A page of `context` whose console errors go to `page_log`."""
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            page_log.console_errors.append(message.text)

    page.on("console", on_console)
    page.on(
        "pageerror",
        lambda error: page_log.console_errors.append(f"uncaught: {error}"),
    )
    return page
