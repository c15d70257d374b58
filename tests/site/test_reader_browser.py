"""The built site in Chromium as a reader meets it (issue 26): formulas
that show they scroll, figures that open full size and follow the dark
scheme, on a phone and on a desktop, in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page

from tests.site.browsing import logged_context, logged_page, visit
from tests.site.site_helpers import DOCS, LANGUAGES, PageLog, page_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Pages with display formulas, by name (a "$$" line in the source).
MATH_PAGES = sorted(
    {
        path.name.split(".")[0]
        for path in DOCS.glob("*.md")
        if "\n$$" in path.read_text(encoding="utf-8")
    }
)


@contextmanager
def reader(
    browser: Browser,
    base_url: str,
    log: PageLog,
    *,
    viewport: dict[str, int],
    scheme: str = "light",
) -> Iterator[Page]:
    """A page in a context of the given size and system colour scheme."""
    context = logged_context(
        browser, base_url, log, viewport=viewport, color_scheme=scheme
    )
    try:
        yield logged_page(context, log)
    finally:
        context.close()


# Each display formula wider than its box: whether it scrolls, and whether
# its box paints the scroll shadows (radial gradients) that show it does.
_WIDE_FORMULAS = """() => [...document.querySelectorAll(
    "article div.arithmatex")]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => {
        const style = getComputedStyle(box);
        return {
            text: box.textContent.slice(0, 60),
            scrolls: ["auto", "scroll"].includes(style.overflowX),
            shadows: (style.backgroundImage.match(/radial-gradient/g)
                      || []).length,
        };
    })"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "viewport", [PHONE, DESKTOP], ids=["phone", "desktop"]
)
def test_wide_formulas_show_that_they_scroll(
    browser: Browser,
    base_url: str,
    page_log: PageLog,
    language: str,
    viewport: dict[str, int],
) -> None:
    """A display formula wider than the column scrolls, with a shadow at
    the side that hides more of it (the activations formula on a phone,
    and at 1280 px too)."""
    found: dict[str, list[dict[str, object]]] = {}
    with reader(browser, base_url, page_log, viewport=viewport) as page:
        for name in MATH_PAGES:
            visit(page, page_path(name, language))
            page.wait_for_function(
                "document.querySelectorAll('article .arithmatex .katex')"
                ".length > 0"
            )
            found[name] = page.evaluate(_WIDE_FORMULAS)
    assert found["activations"], "the activations formula fits: test it"
    for name, formulas in found.items():
        for formula in formulas:
            assert formula["scrolls"], (name, formula)
            assert formula["shadows"] == 2, (name, formula)
    assert not page_log.console_errors


# Every figure of the article: its image, the link around it, and the
# filter the colour scheme puts on it.
_FIGURES = """() => [...document.querySelectorAll(
    "article figure.execnotes-figure")].map(figure => {
        const image = figure.querySelector("img");
        const link = image.closest("a");
        return {
            src: image.src,
            href: link ? link.href : null,
            raster: figure.classList.contains("execnotes-figure--raster"),
            filter: getComputedStyle(image).filter,
        };
    })"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_tap_opens_a_figure_full_size(
    browser: Browser, base_url: str, page_log: PageLog, language: str
) -> None:
    """On a phone every figure links its own SVG file, which opens."""
    with reader(browser, base_url, page_log, viewport=PHONE) as page:
        visit(page, page_path("training", language))
        figures = page.evaluate(_FIGURES)
        assert figures
        for figure in figures:
            assert figure["href"] == figure["src"]
        page.locator("article figure.execnotes-figure a").first.click()
        page.wait_for_load_state("load")
        assert page.url == figures[0]["src"]
        size = page.evaluate(
            "[document.documentElement.getAttribute('width'),"
            " document.documentElement.getAttribute('height')]"
        )
        assert all(size), "the SVG document opened"
    assert not page_log.foreign_requests


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_follow_the_colour_scheme(
    browser: Browser,
    base_url: str,
    page_log: PageLog,
    language: str,
    scheme: str,
) -> None:
    """In the dark scheme line figures are inverted (hues turned back),
    figures of pixels only dimmed; the light scheme shows them as drawn."""
    kinds: set[bool] = set()
    with reader(
        browser, base_url, page_log, viewport=DESKTOP, scheme=scheme
    ) as page:
        for name in ("fashion-mnist", "training"):
            visit(page, page_path(name, language))
            for figure in page.evaluate(_FIGURES):
                kinds.add(figure["raster"])
                if scheme == "light":
                    assert figure["filter"] == "none", figure
                elif figure["raster"]:
                    assert figure["filter"].startswith("brightness("), figure
                else:
                    assert "invert(" in figure["filter"], figure
                    assert "hue-rotate(180deg)" in figure["filter"], figure
    assert kinds == {True, False}, "both kinds of figure were seen"


# Code text that lies under its block's copy button (text rectangles of
# each code element against the button's rectangle).
_UNDER_COPY_BUTTON = """() => [...document.querySelectorAll("article pre")]
    .filter(pre => pre.querySelector("button.md-code__button, .md-clipboard"))
    .flatMap(pre => {
        const button = pre.querySelector(
            "button.md-code__button, .md-clipboard").getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(pre.querySelector("code"));
        return [...range.getClientRects()]
            .filter(box => box.width > 0 && box.right > button.left
                    && box.left < button.right && box.top < button.bottom
                    && box.bottom > button.top)
            .map(() => pre.textContent.slice(0, 50));
    })"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_commands_clear_the_copy_button(
    browser: Browser, base_url: str, page_log: PageLog, language: str
) -> None:
    """On a phone no command of the home page (the pip lines) runs under
    its block's copy button."""
    with reader(browser, base_url, page_log, viewport=PHONE) as page:
        visit(page, page_path("index", language))
        page.wait_for_function(
            "document.querySelectorAll('article pre button').length > 0"
        )
        assert page.evaluate(_UNDER_COPY_BUTTON) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["sweep", "losses"])
def test_copy_runnable_sits_in_the_title_bar(
    browser: Browser,
    base_url: str,
    page_log: PageLog,
    language: str,
    name: str,
) -> None:
    """Every "Copy runnable" action is in its block's title bar, on a
    notebook page (whose cells have no title) as on a note."""
    with reader(browser, base_url, page_log, viewport=DESKTOP) as page:
        visit(page, page_path(name, language))
        page.wait_for_function(
            "document.querySelectorAll('.execnotes-copy-runnable').length"
        )
        places = page.evaluate(
            "[...document.querySelectorAll('.execnotes-copy-runnable')]"
            ".map(b => b.parentElement.matches('.highlight > .filename'))"
        )
    assert places
    assert all(places)
