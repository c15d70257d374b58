"""Browser helpers shared by the browser tests (and conftest's fixtures).

Every context made here blocks requests to any host but the local server
and logs them, and every page logs its console errors, into a PageLog.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:  # playwright is imported by the browser fixture only
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Route,
    )

    from tests.site.site_helpers import PageLog

LOCAL_HOST = "127.0.0.1"


def logged_context(
    browser: Browser, base_url: str, log: PageLog, **options: Any
) -> BrowserContext:
    """A new context for `base_url` that blocks and logs other hosts."""
    context = browser.new_context(base_url=base_url, **options)

    def route(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            log.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return context


def logged_page(context: BrowserContext, log: PageLog) -> Page:
    """A new page of `context` whose console errors go to `log`."""
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)

    page.on("console", on_console)
    page.on(
        "pageerror",
        lambda error: log.console_errors.append(f"uncaught: {error}"),
    )
    return page


def visit(page: Page, path: str) -> None:
    """Open a site path and wait until the page and its scripts are done."""
    page.goto(path, wait_until="load")
    page.wait_for_function("typeof document$ !== 'undefined'")


def search(page: Page, query: str) -> list[str]:
    """Type a query into the search box; the site paths of all results."""
    links = search_links(page, query)
    return [urlsplit(link).path.lstrip("/") for link in links]


def search_links(page: Page, query: str) -> list[str]:
    """Type a query into the search box; the links of all results.

    Material shows ten results and four more each time the list is
    scrolled to its end: scroll until the list stops growing.
    """
    box = page.locator("input.md-search__input")
    box.click()
    page.keyboard.type(query)
    # Typed Chinese sends no key events; Material listens for keyup.
    page.keyboard.press("End")
    return search_results(page)


def search_results(page: Page) -> list[str]:
    """The links of the search results shown, once all are shown: as many
    as the count Material shows above them, the same in two reads in a
    row (Material searches as each key is typed). Fails, saying what it
    saw, if that does not happen within SEARCH_WAIT seconds."""
    seen: list[str] | None = None
    deadline = time.monotonic() + SEARCH_WAIT
    while True:
        meta, hrefs = page.evaluate(_SCROLLED_RESULTS)
        counted = re.search(r"\d+", meta)
        complete = counted is not None and int(counted[0]) == len(hrefs)
        if complete and hrefs == seen:
            return list(hrefs)
        seen = hrefs if complete else None
        if time.monotonic() > deadline:
            pytest.fail(
                f"search results never complete within {SEARCH_WAIT}s: "
                f"{meta!r} above {len(hrefs)} results",
                pytrace=False,
            )
        time.sleep(0.2)  # the pace of the polls, not a wait for anything


SEARCH_WAIT = 30.0
# Material asks for more results when the list *reaches* its end, so the
# list leaves the end (one frame) before it goes back there, as a reader's
# scrolling does.
_SCROLLED_RESULTS = """async () => {
    const frame = () => new Promise(
        done => requestAnimationFrame(() => setTimeout(done)));
    const list = document.querySelector(".md-search__scrollwrap");
    if (list) {
        list.scrollTop = 0;
        await frame();
        list.scrollTop = list.scrollHeight;
        await frame();
    }
    const meta = document.querySelector(".md-search-result__meta");
    return [
        meta ? meta.textContent : "",
        [...document.querySelectorAll(".md-search-result__item")].map(
            item => item.querySelector("a").href),
    ];
}"""
