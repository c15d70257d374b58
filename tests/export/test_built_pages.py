"""What issue 8 adds to a built page, on the tiny site of tests/runner:
copy runnable, anchors and cross-links, labelled outputs, alt text,
notebook links and the repository's URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from execnotes.source.export import Exporter
from execnotes.source.symbols import resolve
from tests.runner.conftest import Site, write_site

SECOND = """\
# Helpers

A page that shows the helper the home page imports.

```{show} snippets.helpers.double
```
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The tiny site with a second page showing `double`."""
    tiny = write_site(tmp_path)
    tiny.write("docs/helpers.md", SECOND)
    yield tiny
    tiny.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The site of `site`, built once, for the tests that only read what
    that build made (the others edit and build their own)."""
    tiny = write_site(tmp_path_factory.mktemp("built"))
    tiny.write("docs/helpers.md", SECOND)
    tiny.build()
    tiny.close()
    return tiny


def page(site: Site, name: str = "index.html") -> BeautifulSoup:
    """A built page, parsed."""
    return BeautifulSoup(site.html(name), "html.parser")


def test_each_code_block_keeps_its_runnable_text(built: Site) -> None:
    """Every shown block has its hidden, unindexed standalone text."""
    doc = page(built)
    blocks = doc.select("div.execnotes-code")
    assert [b.select_one(".execnotes-anchor")["id"] for b in blocks] == [
        "snippets.demo.area",
        "snippets.demo.show_double",
        "snippets.demo.show_plain",
    ]  # show_figure hides its code
    runnable = blocks[1].select_one("pre.execnotes-runnable")
    assert runnable is not None
    assert runnable.has_attr("hidden")
    assert runnable.has_attr("data-search-exclude")
    assert runnable["data-label"] == "Copy runnable"
    snippet = resolve(
        "snippets.demo.show_double", built.root, "snippets", run=True
    )
    expected = Exporter(built.root, "snippets").standalone(snippet, seed=0)
    assert runnable.get_text() == expected
    assert "def double(x):" in expected


def test_names_from_snippets_link_to_where_they_are_shown(
    built: Site,
) -> None:
    """`double` in the home page's code links to its block on the page
    that shows it; attribute names and local names are not linked."""
    links = page(built).select("div.execnotes-code a.execnotes-xref")
    assert {(a.get_text(), a["href"]) for a in links} == {
        ("double", "helpers/#snippets.helpers.double")
    }
    anchor = page(built, "helpers/index.html").find(
        id="snippets.helpers.double"
    )
    assert anchor is not None
    block = anchor.find_parent("div", class_="execnotes-code")
    assert block is not None
    assert "def double(x):" in block.get_text()


def test_value_is_printed_only_when_asked(site: Site) -> None:
    """Output and value carry labels; a run without `show: value` prints
    no value, yet its inline values still work."""
    site.write(
        "docs/index.md",
        "```{run} snippets.demo.show_double\n```\n\n"
        'Ratio {{ snippets.demo.show_double["ratio"]:.2f }}.\n\n'
        "```{run} snippets.demo.show_double\nshow: value\n```\n",
    )
    site.build()
    doc = page(site)
    labels = [d.get_text() for d in doc.select(".execnotes-label")]
    assert labels == ["Output", "Output", "Value"]
    assert len(doc.select("pre.execnotes-value")) == 1
    assert "Ratio 0.85." in doc.get_text()


def test_show_accepts_only_value(site: Site) -> None:
    """A wrong `show:` is a warning that says what to write."""
    site.write(
        "docs/index.md", "```{run} snippets.demo.show_plain\nshow: all\n```\n"
    )
    site.build()
    assert site.warnings[0] == (
        "WARNING execnotes: index.md:2: show: 'all' is not understood; "
        "write 'show: value'."
    )


def test_figure_alt_describes_it_without_the_caption(built: Site) -> None:
    """The alt text comes from the figure, not from its caption."""
    image = page(built).select_one("figure.execnotes-figure img")
    assert image is not None
    assert image["alt"] == "Parabola."
    caption = page(built).select_one("figure.execnotes-figure figcaption")
    assert caption is not None
    assert caption.get_text() == "A parabola"


def test_plugin_assets_are_written_and_linked(built: Site) -> None:
    """The plugin ships its script and style and links them."""
    html = built.html()
    for name in ("execnotes.css", "execnotes.js"):
        assert (built.root / "site/assets/execnotes" / name).is_file()
        assert f"assets/execnotes/{name}" in html


def notebook_links(site: Site) -> list[str]:
    """The link targets in the home page's notebook Markdown."""
    cells = json.loads((site.root / "site/index.ipynb").read_text())["cells"]
    prose = "".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )
    return re.findall(r"\]\(([^)]*)\)", prose)


def test_notebook_links_go_to_the_sibling_notebook_or_the_site(
    site: Site,
) -> None:
    """Without site_url a link to another note goes to its notebook;
    with site_url, to its published page."""
    index = (site.root / "docs/index.md").read_text()
    site.write("docs/index.md", index + "\nSee [helpers](helpers.md#x).\n")
    site.build()
    assert notebook_links(site) == ["helpers.ipynb#x"]
    config = (site.root / "mkdocs.yml").read_text()
    site.write("mkdocs.yml", "site_url: https://example.org/notes/\n" + config)
    site.build()
    assert notebook_links(site) == ["https://example.org/notes/helpers/#x"]


def test_pages_name_the_repository(site: Site) -> None:
    """`{{ config.repo_url }}` is the repository's URL; without one a pip
    requirement `git+{{ config.repo_url }}` is the clone itself (`.`)."""
    site.write(
        "docs/index.md",
        '```sh\npip install "git+{{ config.repo_url }}"\n```\n',
    )
    site.build()
    assert 'pip install "."' in page(site).get_text()
    config = (site.root / "mkdocs.yml").read_text()
    site.write("mkdocs.yml", "repo_url: https://example.org/r/\n" + config)
    site.build()
    assert 'git+https://example.org/r"' in page(site).get_text()


def test_real_config_links_the_repository_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """mkdocs.yml takes repo_url and edit_uri from REPO_URL and EDIT_URI
    and shows Material's "edit this page" button; unset, neither is set."""
    from mkdocs.config import load_config

    from tests.site.site_helpers import ROOT

    for name in ("REPO_URL", "EDIT_URI"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    assert (config.repo_url, config.edit_uri) == (None, None)
    monkeypatch.setenv("REPO_URL", "https://github.com/someone/notes")
    monkeypatch.setenv("EDIT_URI", "edit/main/docs/")
    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    assert config.repo_url == "https://github.com/someone/notes"
    assert config.edit_uri == "edit/main/docs/"
    assert "content.action.edit" in config.theme["features"]
