"""Search as a reader uses it (issue 26): the note the glossary names
comes first, results read and copy cleanly, their links highlight the
query, and the hidden results take no Tab stop."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from tests.site.browsing import search, search_links, visit
from tests.site.site_helpers import LANGUAGES, PageLog, page_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# (language, query, the page that must come first)
FIRST = [
    ("zh", "softmax", "activations"),
    ("en", "softmax", "activations"),
    # The glossary's term (图像增广, "data augmentation") names the images
    # page, where augmentation is shown.
    ("zh", "图像增广", "images"),
    ("en", "data augmentation", "images"),
]
TAB_STOPS = 60  # more than the header, sidebars and a few article links


@pytest.mark.parametrize(("language", "query", "name"), FIRST)
def test_the_note_the_glossary_names_comes_first(
    page: Page, page_log: PageLog, language: str, query: str, name: str
) -> None:
    """The first result is the note the glossary links for the term."""
    visit(page, page_path("index", language))
    found = search(page, query)
    assert found, f"nothing found for {query!r}"
    assert found[0] == page_path(name, language), found[:5]
    assert not page_log.console_errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_results_read_and_copy_without_zero_width_spaces(
    page: Page, language: str
) -> None:
    """Result titles and previews hold no U+200B (jieba's word joints),
    which a reader would copy with their text."""
    visit(page, page_path("index", language))
    assert search_links(page, "交叉熵")
    shown = page.evaluate(
        "[...document.querySelectorAll('.md-search-result__item')]"
        ".map(item => item.textContent)"
    )
    assert shown
    assert not [text for text in shown if "\u200b" in text]


@pytest.mark.parametrize(
    ("language", "query"), [("zh", "softmax"), ("en", "softmax")]
)
def test_result_links_highlight_the_query(
    page: Page, language: str, query: str
) -> None:
    """No result links with an empty `?h=` (a hit through the glossary's
    keywords): each highlights the query's words on its page."""
    visit(page, page_path("index", language))
    links = search_links(page, query)
    assert links
    for link in links:
        highlight = parse_qs(urlsplit(link).query, keep_blank_values=True)
        assert highlight.get("h", ["softmax"]) != [""], link
    first = urlsplit(links[0])
    assert parse_qs(first.query)["h"] == [query]


@pytest.mark.parametrize(
    ("language", "query", "header"),
    [
        ("zh", "术语表", "中文 English 说明 见"),
        ("en", "glossary", "Chinese English Meaning See"),
    ],
)
def test_glossary_preview_lists_terms(
    page: Page, language: str, query: str, header: str
) -> None:
    """The glossary's result previews its terms one per line ("term ·
    English: meaning"), not its table's cells run together."""
    visit(page, page_path("index", language))
    search_links(page, query)
    preview = page.evaluate(
        """path => [...document.querySelectorAll(
            '.md-search-result__link')]
            .filter(link => new URL(link.href).pathname.endsWith(path))
            .map(link => link.querySelector('article').innerText)[0]""",
        page_path("glossary", language),
    )
    assert preview, "the glossary is among the results"
    assert header not in " ".join(preview.split())
    assert " · " in preview


@pytest.mark.parametrize("language", LANGUAGES)
def test_hidden_results_take_no_tab_stop(page: Page, language: str) -> None:
    """Tabbing through a page never lands on the closed search's results;
    opened, the results can be scrolled by keyboard again."""
    visit(page, page_path("losses", language))
    landed = []
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        landed.append(page.evaluate("document.activeElement.className || ''"))
    assert not [name for name in landed if "md-search__scrollwrap" in name]
    page.locator("input.md-search__input").click()
    page.keyboard.type("softmax")
    visibility = page.evaluate(
        "getComputedStyle(document.querySelector('.md-search__scrollwrap'))"
        ".visibility"
    )
    assert visibility == "visible"
