"""The notebook notes (docs/*.ipynb) of the real site: built in both
languages from their executed copies, light pages, found by search in
their own language, downloads that open with nbformat and need no
snippets package."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from playwright.sync_api import Page

from tests.site.browsing import search, visit
from tests.site.site_helpers import (
    LANGUAGES,
    PageLog,
    html,
    notebook_page_names,
    notebook_source,
    page_path,
)
from tests.site.test_site_a11y import violations
from tests.site.test_site_reading import HIDDEN_CELLS, OVERFLOWING

pytestmark = pytest.mark.slow

NOTEBOOKS = pytest.mark.parametrize(
    ("name", "language"),
    [(name, lang) for name in notebook_page_names() for lang in LANGUAGES],
    ids=str,
)
# A notebook page rendered by mkdocs-jupyter alone inlines ~580 KB of CSS.
# Ours carries, hidden, each code cell's "copy runnable" text, which
# repeats the setup and the cells above it: gzip, as Pages serves it,
# takes the repetition out (the sweep page: 126 KB, 14 KB compressed).
MAX_PAGE_BYTES = 160_000
_INLINE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def cells(name: str, language: str) -> list[dict[str, object]]:
    """The cells of a notebook page's source."""
    text = notebook_source(name, language).read_text(encoding="utf-8")
    return json.loads(text)["cells"]


def source(cell: dict[str, object]) -> str:
    """A cell's source as one text."""
    text = cell["source"]
    return text if isinstance(text, str) else "".join(map(str, text))


def test_there_are_two_notebook_notes() -> None:
    """The sweep and the exercises exist, in both languages."""
    assert notebook_page_names() == ["sgd-exercises", "sweep"]
    for name in notebook_page_names():
        for language in LANGUAGES:
            assert notebook_source(name, language).is_file()


@pytest.mark.parametrize("name", notebook_page_names())
def test_twins_run_the_same_code_and_quote_the_same_values(name: str) -> None:
    """Same code cells, same values quoted after each: one run serves both
    languages."""
    runs = []
    for language in LANGUAGES:
        found: list[tuple[str, list[str]]] = []
        for cell in cells(name, language):
            if cell["cell_type"] == "code":
                found.append((source(cell), []))
            elif found:
                found[-1][1].extend(_INLINE.findall(source(cell)))
        runs.append([(code, sorted(set(v))) for code, v in found])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", notebook_page_names())
def test_sources_have_no_outputs(name: str, language: str) -> None:
    """docs/ holds the notebooks as written: the build never writes them."""
    for cell in cells(name, language):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


@NOTEBOOKS
def test_page_shows_the_run_in_its_language(
    site_dir: Path, name: str, language: str
) -> None:
    """The page is rendered (not the notebook's JSON), in its language,
    with outputs, figures as files, every value quoted, and no error."""
    path = page_path(name, language)
    doc = html(site_dir, path)
    assert doc.html is not None
    assert doc.html.get("lang") == language
    notebook = doc.select_one("article .jupyter-wrapper")
    assert notebook is not None
    assert notebook.select(".jp-OutputArea-output pre")
    assert not doc.select(".execnotes-error")
    assert "{{" not in notebook.get_text()
    for img in notebook.select("img"):
        src = urlsplit(urljoin(f"http://site/{path}", str(img["src"]))).path
        assert (site_dir / src.lstrip("/")).is_file(), src
        assert img["alt"]


@NOTEBOOKS
def test_page_is_light(site_dir: Path, name: str, language: str) -> None:
    """No inline style or script in the notebook, no data URI, and the
    whole page far below mkdocs-jupyter's own weight."""
    page = site_dir / page_path(name, language) / "index.html"
    assert page.stat().st_size < MAX_PAGE_BYTES
    notebook = html(site_dir, page_path(name, language)).select_one(
        "article .jupyter-wrapper"
    )
    assert notebook is not None
    assert not notebook.select("style, script")
    assert "data:image" not in str(notebook)


@NOTEBOOKS
def test_language_switch_links_the_twin(
    site_dir: Path, name: str, language: str
) -> None:
    """The language selector of a notebook page links its twin."""
    path = page_path(name, language)
    for other in LANGUAGES:
        link = html(site_dir, path).select_one(
            f"a.md-select__link[hreflang={other}]"
        )
        assert link is not None
        target = urlsplit(urljoin(f"http://site/{path}", str(link["href"])))
        assert target.path == "/" + page_path(name, other)


@NOTEBOOKS
def test_download_opens_with_nbformat_and_needs_no_snippets(
    site_dir: Path, name: str, language: str
) -> None:
    """The download is a valid notebook with the run's outputs, its setup
    first, and no import from the snippets package."""
    path = page_path(name, language)
    button = html(site_dir, path).select_one("a.execnotes-notebook")
    assert button is not None
    file = site_dir / path / str(button["href"])
    notebook = nbformat.reads(file.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].metadata["execnotes"]["name"] == "execnotes.setup"
    assert code[1].metadata["execnotes"]["name"] == "execnotes.helpers"
    imports = re.compile(r"^\s*(from|import)\s+snippets\b", re.MULTILINE)
    assert not [c.source for c in code if imports.search(c.source)]
    assert sum(bool(c.outputs) for c in code) >= 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_indexes_notebook_pages_in_their_language(
    site_dir: Path, language: str
) -> None:
    """Each notebook page is in the index under its own language's path,
    its Chinese text segmented by jieba, no cell JSON or base64."""
    index = json.loads(
        (site_dir / "search" / "search_index.json").read_text("utf-8")
    )
    for name in notebook_page_names():
        path = page_path(name, language)
        entries = [e for e in index["docs"] if e["location"].startswith(path)]
        assert len(entries) > 3, path
        text = " ".join(e["title"] + e["text"] for e in entries)
        assert ("\u200b" in text) == (language == "zh")
        assert '"cell_type"' not in text
        assert "base64" not in text
        assert "In [" not in text  # prompts stay out of the index


# Queries typed into the search box, the notebook page each must find
# first, and the language of the page searched from.
SEARCHES = [
    ("zh", "热力图", "sweep"),
    ("zh", "练习", "sgd-exercises"),
    ("en", "sweep", "sweep"),
    ("en", "halve the weights", "sgd-exercises"),
]


@pytest.mark.browser
@pytest.mark.parametrize(("language", "query", "name"), SEARCHES)
def test_search_finds_the_notebook_page_in_its_language(
    page: Page, language: str, query: str, name: str
) -> None:
    """A term of a notebook note finds that note first, in the language of
    the page it is searched from."""
    visit(page, page_path("index", language))
    results = search(page, query)
    assert results[:1] == [page_path(name, language)], results


# Text of a notebook's prose that still holds a $ after KaTeX ran: math
# left as TeX (code and outputs are not prose).
UNRENDERED_MATH = """() => [...document.querySelectorAll(
        ".jupyter-wrapper p, .jupyter-wrapper li, .jupyter-wrapper td")]
    .filter(element => !element.closest(".jp-OutputArea, .highlight"))
    .map(element => element.cloneNode(true))
    .map(element => {
        element.querySelectorAll(".katex, code").forEach(e => e.remove());
        return element.textContent;
    })
    .filter(text => text.includes("$"))"""


@pytest.mark.browser
@NOTEBOOKS
def test_page_is_clean_in_a_browser(
    page: Page, page_log: PageLog, name: str, language: str
) -> None:
    """No other host, no console error, every figure loads, all math is
    rendered by the site's KaTeX."""
    visit(page, page_path(name, language))
    page.wait_for_function("document.querySelector('.jupyter-wrapper .katex')")
    broken = page.evaluate(
        """async () => {
            const images = [...document.querySelectorAll("article img")];
            images.forEach(image => { image.loading = "eager"; });
            await Promise.all(images.map(image => image.complete
                || new Promise(done => image.onload = image.onerror = done)));
            return images.filter(image => image.naturalWidth === 0)
                         .map(image => image.getAttribute("src"));
        }"""
    )
    assert not broken
    assert page.evaluate(UNRENDERED_MATH) == []
    assert not page_log.foreign_requests
    assert not page_log.console_errors


@pytest.mark.browser
@NOTEBOOKS
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_has_no_serious_accessibility_violation(
    page: Page, name: str, language: str, scheme: str
) -> None:
    """axe-core finds nothing serious on a notebook page, in either
    colour scheme."""
    page.emulate_media(color_scheme=scheme)
    visit(page, page_path(name, language))
    found = violations(page)
    assert not found, "\n".join(found)


@pytest.mark.browser
@NOTEBOOKS
def test_nothing_is_wider_than_a_phone(
    page: Page, name: str, language: str
) -> None:
    """On a phone's width, no cell, output or figure sticks out."""
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, page_path(name, language))
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(HIDDEN_CELLS) == []
