"""Fixtures that build the real site once and serve it to a real browser.

The site is built from the repository root exactly as a reader would build
it (`mkdocs build --strict`), into a temporary folder, once per session.
Browser tests drive Debian's Chromium (`/usr/bin/chromium`) through
playwright; no browser is ever downloaded (never run `playwright install`).

Set GLUON_SITE_ROOT to build another checkout (for example a scratch copy
with stub pages) instead of this one (see site_helpers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import logged_context, logged_page
from pages_server import pages_server
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from site_helpers import ROOT, PageLog

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
BUILD_TIMEOUT = 1800  # a first build runs every snippet (training demos too)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SITE_URL", None)  # links must work from the local server root
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        log = (result.stdout + result.stderr).strip().splitlines()
        problems = [line for line in log if not line.startswith("INFO")]
        pytest.fail(
            f"`mkdocs build --strict` failed in {ROOT}:\n"
            + "\n".join(problems[-40:]),
            pytrace=False,
        )
    return out


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
