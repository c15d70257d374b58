"""The built site as a reader finds it (issue 26): every page reachable
from the home page, no placeholder to fill in, downloaded notebooks whose
Markdown Jupyter renders as prose.

These tests read the files `mkdocs build --strict` wrote (no browser).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from mkdocs.utils.yaml import yaml_load
from site_helpers import LANGUAGES, ROOT, page_path

pytestmark = pytest.mark.slow

# Text a reader would have to replace by hand.
PLACEHOLDERS = ("<repository URL>", "git+<", "{{ config.")


def nav_sources() -> list[str]:
    """Every page file of mkdocs.yml's nav (notes and notebooks), in
    order, but the home page."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        nav = yaml_load(f)["nav"]
    found: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            value = (
                next(iter(item.values())) if isinstance(item, dict) else item
            )
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str) and value != "index.md":
                found.append(value)

    walk(nav)
    return found


def page_name(source: str) -> str:
    """ "mlp" for "mlp.md", "sweep" for "sweep.ipynb"."""
    return source.rsplit(".", 1)[0]


def parsed(site_dir: Path, path: str) -> BeautifulSoup:
    """The parsed HTML of a site path such as "en/"."""
    text = (site_dir / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(text, "html.parser")


def article_links(site_dir: Path, path: str, within: str) -> list[str]:
    """Site paths that links inside `within` (a selector in the page's
    article) point to, in order."""
    doc = parsed(site_dir, path)
    found = []
    for area in doc.select(f"article {within}"):
        for link in area.select("a[href]"):
            url = urlsplit(urljoin(f"http://site/{path}", str(link["href"])))
            if url.netloc == "site" and not url.fragment:
                found.append(url.path.lstrip("/"))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("within", ["ol", "table"])
def test_home_page_links_every_page_of_the_nav_in_order(
    site_dir: Path, language: str, within: str
) -> None:
    """The reading path (a list) and the contents table of the home page
    link every page of the navigation, in the nav's order, in the home
    page's language."""
    expected = [page_path(page_name(s), language) for s in nav_sources()]
    found = article_links(site_dir, page_path("index", language), within)
    in_order = [path for path in found if path in expected]
    assert list(dict.fromkeys(in_order)) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_contents_table_says_what_each_page_covers(
    site_dir: Path, language: str
) -> None:
    """Every row of the contents table has its text, none left empty."""
    doc = parsed(site_dir, page_path("index", language))
    rows = doc.select("article table tbody tr")
    assert len(rows) == len(nav_sources())
    for row in rows:
        cells = row.find_all("td")
        assert cells[-1].get_text(strip=True), row.get_text(" | ")


def test_no_page_shows_a_placeholder(site_dir: Path) -> None:
    """No page asks the reader to fill in a value (the repository URL)."""
    for path in sorted(site_dir.rglob("*.html")):
        text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        shown = text.get_text()
        for placeholder in PLACEHOLDERS:
            assert placeholder not in shown, path.relative_to(site_dir)


def indented_code(markdown: str) -> list[str]:
    """The indented code blocks CommonMark (and so Jupyter) finds."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [token.content for token in tokens if token.type == "code_block"]


def notebooks(site_dir: Path) -> list[Path]:
    """Every notebook a reader can download from the site."""
    return sorted(site_dir.rglob("*.ipynb"))


def test_notebook_markdown_has_no_accidental_code_block(
    site_dir: Path,
) -> None:
    """No Markdown cell of a downloaded notebook holds an indented code
    block: the rest of a folded solution after its code cell is prose (the
    pages write code in fences, never indented)."""
    found = []
    checked = 0
    for path in notebooks(site_dir):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            checked += 1
            for block in indented_code("".join(cell["source"])):
                found.append(f"{path.relative_to(site_dir)}: {block[:80]!r}")
    assert checked > 100
    assert not found, "\n".join(found)
