"""The built site as a reader finds it (issue 26): every page reachable
from the home page, no placeholder to fill in, downloaded notebooks whose
Markdown Jupyter renders as prose.

These tests read the files `mkdocs build --strict` wrote (no browser).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from tests.site.site_helpers import (
    LANGUAGES,
    code_page_names,
    html,
    nav_files,
    notebook_page_names,
    page_path,
)

pytestmark = pytest.mark.slow

# Text a reader would have to replace by hand.
PLACEHOLDERS = ("<repository URL>", "git+<", "{{ config.")


def nav_sources() -> list[str]:
    """Every page file of mkdocs.yml's nav (notes and notebooks), in
    order, but the home page."""
    return [name for name in nav_files() if name != "index.md"]


def page_name(source: str) -> str:
    """ "mlp" for "mlp.md", "sweep" for "sweep.ipynb"."""
    return source.rsplit(".", 1)[0]


def article_links(site_dir: Path, path: str, within: str) -> list[str]:
    """Site paths that links inside `within` (a selector in the page's
    article) point to, in order."""
    doc = html(site_dir, path)
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
    doc = html(site_dir, page_path("index", language))
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


CJK = re.compile(r"[\u4e00-\u9fff]")


def downloads(site_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every downloadable notebook by (page name, language), parsed."""
    found = {}
    for name in [*code_page_names(), *notebook_page_names()]:
        for language in LANGUAGES:
            doc = html(site_dir, page_path(name, language))
            button = doc.select_one("a.execnotes-notebook")
            assert button is not None, (name, language)
            path = site_dir / page_path(name, language) / str(button["href"])
            found[name, language] = json.loads(path.read_text("utf-8"))
            found[name, language]["file"] = str(button["href"])
    return found


def test_each_language_downloads_its_own_file_name(site_dir: Path) -> None:
    """A reader who downloads both languages gets two files: lenet.ipynb
    and lenet.en.ipynb, and links between an English notebook's siblings
    use the English names."""
    for (name, language), notebook in downloads(site_dir).items():
        suffix = "" if language == LANGUAGES[0] else f".{language}"
        assert notebook["file"] == f"{name}{suffix}.ipynb"
        text = "\n".join(
            "".join(cell["source"])
            for cell in notebook["cells"]
            if cell["cell_type"] == "markdown"
        )
        text = re.sub(r"(`+).*?\1", "", text)  # examples in code
        for target in re.findall(r"\]\(([^)\s:#]+\.ipynb)", text):
            assert target.endswith(f"{suffix}.ipynb"), (name, target)


def test_downloads_do_not_talk_about_the_site(site_dir: Path) -> None:
    """A downloaded notebook does not point at the site's download
    button; the notebook pages on the site still do."""
    about_button = re.compile(r"top right|右上角")
    for (name, language), notebook in downloads(site_dir).items():
        if name not in notebook_page_names():
            continue  # the authoring guide describes the button, rightly
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not about_button.search(text), (name, language)
    for language in LANGUAGES:
        page = html(site_dir, page_path("sweep", language))
        assert about_button.search(page.get_text())


def test_setup_cells_speak_the_notebook_language(site_dir: Path) -> None:
    """The seeding and helper cells of a Chinese notebook open with
    Chinese comments, of an English one with English ones."""
    for (name, language), notebook in downloads(site_dir).items():
        setup = [
            "".join(cell["source"])
            for cell in notebook["cells"]
            if cell["metadata"]
            .get("execnotes", {})
            .get("name", "")
            .startswith("execnotes.")
        ]
        assert setup, name
        for source in setup:
            first = source.split("\n", 1)[0]
            assert first.startswith("#"), (name, first)
            assert bool(CJK.search(first)) == (language == "zh"), first


def test_no_formatter_directive_is_shown(site_dir: Path) -> None:
    """`# fmt: skip` is for the formatter: no page, copy or notebook
    shows it."""
    for path in [*site_dir.rglob("*.html"), *site_dir.rglob("*.ipynb")]:
        text = path.read_text(encoding="utf-8")
        assert "fmt: skip" not in text, path.relative_to(site_dir)


def test_notebooks_show_a_value_where_the_page_does(site_dir: Path) -> None:
    """A page notebook shows a demo's returned value (a dict of numbers
    for the prose) only where its page shows it."""
    for (name, language), notebook in downloads(site_dir).items():
        if name in notebook_page_names():
            continue  # a notebook page shows values as Jupyter does
        values = [
            output
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
            for output in cell["outputs"]
            if output["output_type"] == "execute_result"
        ]
        page = html(site_dir, page_path(name, language))
        shown = page.select(".execnotes-result--value")
        assert len(values) == len(shown), (name, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_offers_all_notebooks_in_one_zip(
    site_dir: Path, language: str
) -> None:
    """The home page links a zip of every notebook of its language: the
    same files as the pages' downloads, each a whole notebook."""
    home = page_path("index", language)
    links = [
        str(a["href"])
        for a in html(site_dir, home).select("article a[href]")
        if str(a["href"]).endswith(".zip")
    ]
    assert links == ["notebooks.zip"]
    archive = site_dir / home / links[0]
    expected = {
        notebook["file"]: notebook
        for (_, lang), notebook in downloads(site_dir).items()
        if lang == language
    }
    with zipfile.ZipFile(archive) as opened:
        names = {Path(name).name: name for name in opened.namelist()}
        assert set(names) == set(expected)
        for name, entry in names.items():
            packed = json.loads(opened.read(entry))
            assert packed["cells"] == expected[name]["cells"], name


def test_links_to_other_sites_use_https(site_dir: Path) -> None:
    """Every link out of the site is HTTPS, and none goes to the defunct
    zh.gluon.ai."""
    for path in sorted(site_dir.rglob("index.html")):
        doc = html(site_dir, path.parent.relative_to(site_dir).as_posix())
        for link in doc.select("article a[href]"):
            href = str(link["href"])
            where = (path.relative_to(site_dir), href)
            assert not href.startswith("http://"), where
            assert "zh.gluon.ai" not in href, where
