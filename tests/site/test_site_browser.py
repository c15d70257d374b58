"""The built site in a real browser (Debian's Chromium through playwright).

Each test loads pages from the local server started in conftest.py; any
request to another host is blocked and reported.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.site.browsing import search, search_links, visit
from tests.site.site_helpers import (
    AUTHOR_PAGES,
    LANGUAGES,
    ROOT,
    PageLog,
    page_names,
    page_path,
    show_page_names,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The code blocks the runner writes: highlighted Python titled by the
# snippet's file (or the block's caption).
CODE_BLOCK = "article div.language-python.highlight"
# Search queries and the page each must find, as (query, page name).
CHINESE_QUERIES = [
    ("交叉熵", "losses"),
    ("卷积核", "conv-channels"),
    ("小批量", "minibatches"),
    ("权重衰减", "sgd"),
    ("丢弃法", "dropout"),
    ("非极大值抑制", "detection"),
]
ENGLISH_QUERIES = [
    ("softmax", "activations"),
    ("weight decay", "sgd"),
    ("cross entropy", "losses"),
    ("anchor box", "detection"),
]
TOP = 5  # the expected page must be among the first TOP results
# Queries whose first result must be a given note, searched from a page in
# each language: (query, page name). From the issue "Publishing ... a
# reader-ready site" (glossary terms, code names, words that are also in
# the execution report).
FIRST_RESULTS = [
    ("nd.pick", "losses"),
    ("正则化", "overfitting"),
    ("批量大小", "minibatches"),
    ("batch size", "minibatches"),
    ("batch_size", "minibatches"),
    ("channel", "conv-channels"),
    ("Trainer", "sgd"),
]
CODE_TIMEOUT = 120  # seconds for a copied block to define its symbol


def language_of(path: str) -> str:
    """The language of a site path."""
    first = path.split("/", maxsplit=1)[0]
    return first if first in LANGUAGES[1:] else LANGUAGES[0]


def built(site_dir: Path, name: str, language: str = "zh") -> bool:
    """Whether a page exists in the built site."""
    return (site_dir / page_path(name, language) / "index.html").is_file()


@pytest.mark.parametrize(("query", "name"), CHINESE_QUERIES)
def test_chinese_search_finds_the_page(
    page: Page, site_dir: Path, query: str, name: str
) -> None:
    """A Chinese term finds its note among the first results."""
    assert built(site_dir, name), f"{page_path(name, 'zh')} is not built"
    visit(page, page_path("index", "zh"))
    results = search(page, query)
    assert page_path(name, "zh") in results[:TOP], results


def test_chinese_query_is_searched_whole(page: Page) -> None:
    """A query that is one index term is not cut before its last word.

    Material's worker alone would search 权重衰减 as 权重 (see i18n.js);
    the highlighted terms (the `h` parameter of each result) show what was
    searched.
    """
    visit(page, page_path("index", "zh"))
    links = search_links(page, "权重衰减")
    searched = {
        term
        for link in links
        for term in parse_qs(urlsplit(link).query).get("h", [])
    }
    assert searched == {"权重衰减"}


@pytest.mark.parametrize(("query", "name"), ENGLISH_QUERIES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_english_search_finds_the_page(
    page: Page, site_dir: Path, language: str, query: str, name: str
) -> None:
    """An English term finds its note from pages in either language."""
    assert built(site_dir, name), f"{page_path(name, 'zh')} is not built"
    visit(page, page_path("index", language))
    results = search(page, query)
    twins = {page_path(name, lang) for lang in LANGUAGES}
    assert twins & set(results[:TOP]), results


@pytest.mark.parametrize(("query", "name"), FIRST_RESULTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_search_ranks_the_note_first(
    page: Page, language: str, query: str, name: str
) -> None:
    """A glossary term or code name finds the note that explains it first."""
    visit(page, page_path("index", language))
    results = search(page, query)
    assert results, f"no result for {query!r}"
    assert results[0] == page_path(name, language), results[:5]
    authors = [
        r for r in results if r.rstrip("/").split("/")[-1] in AUTHOR_PAGES
    ]
    assert not authors


def test_search_previews_show_no_tex(page: Page) -> None:
    """Result previews show formulas as text, not TeX source."""
    visit(page, page_path("index", "zh"))
    search(page, "交叉熵")
    previews = page.locator(".md-search-result__article").all_inner_texts()
    assert any("ŷ" in preview for preview in previews), previews
    tex = [p for p in previews if re.search(r"\\[A-Za-z]+|\\[()[\]]", p)]
    assert not tex


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_lists_the_page_language_first(
    page: Page, language: str
) -> None:
    """Results in the language of the page come before the others."""
    visit(page, page_path("glossary", language))
    results = search(page, "softmax")
    languages = [language_of(path) for path in results]
    assert set(languages) == set(LANGUAGES), results  # glossaries match
    assert languages == sorted(languages, key=lambda lang: lang != language)


@pytest.mark.parametrize("name", ["index", "glossary", "losses"])
def test_language_switch_keeps_the_page(
    page: Page, site_dir: Path, name: str
) -> None:
    """The language selector goes to the same page in the other language."""
    assert built(site_dir, name), f"{page_path(name, 'zh')} is not built"
    for source, target in (LANGUAGES, LANGUAGES[::-1]):
        visit(page, page_path(name, source))
        page.hover(".md-header .md-select")
        page.click(f"a.md-select__link[hreflang={target}]")
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/" + page_path(name, target)
        assert page.evaluate("document.documentElement.lang") == target


def defined_symbols(code: str) -> list[str]:
    """Functions and classes a {show} block defines (none for a {run}).

    The runner shows a {show} block as imports + the definition, and a
    {run} block as the same + a final call line, which would run the demo.
    """
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return []
    if not body or not isinstance(body[-1], ast.FunctionDef | ast.ClassDef):
        return []
    return [
        node.name
        for node in body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    ]


def shown_codes(page: Page) -> list[str]:
    """The text of the runner's code blocks on the current page."""
    blocks = page.locator(CODE_BLOCK)
    return [
        (code or "").rstrip()
        for code in blocks.locator("code").all_text_contents()
    ]


@pytest.mark.parametrize("name", show_page_names())
def test_copied_code_runs(
    context: BrowserContext,
    page: Page,
    site_dir: Path,
    base_url: str,
    name: str,
) -> None:
    """The copy button copies the code shown, and that code runs alone."""
    assert built(site_dir, name), f"{page_path(name, 'zh')} is not built"
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/")
    )
    visit(page, page_path(name, "zh"))
    blocks = page.locator(CODE_BLOCK)
    codes = shown_codes(page)
    shows = [i for i, code in enumerate(codes) if defined_symbols(code)]
    assert shows, f"{name} has a {{show}} block but no definition is shown"
    block = blocks.nth(shows[0])
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == codes[shows[0]]
    check = "".join(f"\n{symbol}" for symbol in defined_symbols(copied))
    result = subprocess.run(
        [sys.executable, "-c", copied + "\n" + check],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CODE_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    "name", sorted(set(page_names()) - set(show_page_names()))
)
def test_page_without_show_block_shows_no_definition(
    page: Page, site_dir: Path, name: str
) -> None:
    """A page with no {show} block shows no function or class to copy."""
    assert built(site_dir, name), f"{page_path(name, 'zh')} is not built"
    visit(page, page_path(name, "zh"))
    shown = [code for code in shown_codes(page) if defined_symbols(code)]
    assert not shown, f"{name} shows definitions of no {{show}} block"


@pytest.mark.parametrize("name", page_names())
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_is_clean(
    page: Page, page_log: PageLog, site_dir: Path, language: str, name: str
) -> None:
    """No other host, no console error; figures load and math renders."""
    assert built(site_dir, name, language), (
        f"{page_path(name, language)} is not built"
    )
    visit(page, page_path(name, language))
    broken_images = page.evaluate(
        """async () => {
            const images = [...document.querySelectorAll("article img")];
            images.forEach(image => { image.loading = "eager"; });
            const loaded = image => new Promise(done => {
                image.onload = image.onerror = done;
            });
            await Promise.all(images.map(i => i.complete || loaded(i)));
            return images.filter(image => image.naturalWidth === 0)
                         .map(image => image.getAttribute("src"));
        }"""
    )
    unrendered = page.evaluate(
        """() => [...document.querySelectorAll(".arithmatex")]
            .filter(math => !math.querySelector(".katex")
                            || math.querySelector(".katex-error"))
            .map(math => math.textContent.slice(0, 80))"""
    )
    assert not page_log.foreign_requests
    assert not page_log.console_errors
    assert not broken_images
    assert not unrendered


def test_math_is_rendered_by_katex(page: Page) -> None:
    """Formulas become KaTeX markup (the glossary has some)."""
    visit(page, page_path("glossary", "zh"))
    assert page.locator(".arithmatex .katex").count() > 0
    assert page.locator(".katex-error").count() == 0


def scheme(page: Page) -> str:
    """Material's current colour scheme ("default" or "slate")."""
    return page.evaluate("document.body.dataset.mdColorScheme")


def test_dark_mode_toggle(page: Page) -> None:
    """The header toggle switches to dark mode, which survives a reload."""
    visit(page, page_path("index", "zh"))
    assert scheme(page) == "default"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click("form[data-md-component=palette] label:not([hidden])")
    assert scheme(page) == "slate"
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.reload(wait_until="load")
    assert scheme(page) == "slate"
    page.click("form[data-md-component=palette] label:not([hidden])")
    assert scheme(page) == "default"


def test_dark_mode_follows_the_system(browser: Browser, base_url: str) -> None:
    """A reader whose system is dark gets the dark scheme first."""
    context = browser.new_context(base_url=base_url, color_scheme="dark")
    try:
        page = context.new_page()
        visit(page, page_path("index", "en"))
        assert scheme(page) == "slate"
    finally:
        context.close()
