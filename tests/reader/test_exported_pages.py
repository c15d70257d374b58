"""The built site's pages as a reader meets them: code cross-linked to
where it is shown, outputs labelled, values hidden unless asked, figures
described, the runnable text kept out of search."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.site.site_helpers import (
    LANGUAGES,
    code_page_names,
    html,
    page_path,
    source,
)

pytestmark = pytest.mark.slow

PAGES = pytest.mark.parametrize(
    ("name", "language"),
    [(name, lang) for name in code_page_names() for lang in LANGUAGES],
    ids=str,
)
LABELS = {"zh": {"输出", "返回值"}, "en": {"Output", "Value"}}


def defines(code: str, name: str) -> bool:
    """Whether shown code defines `name` at its top level."""
    pattern = rf"^(def|class) {re.escape(name)}\b|^{re.escape(name)} ="
    return re.search(pattern, code, re.MULTILINE) is not None


@PAGES
def test_cross_links_lead_to_the_shown_definition(
    site_dir: Path, name: str, language: str
) -> None:
    """Every link in shown code opens a block, in the same language,
    whose code defines the linked name."""
    path = page_path(name, language)
    for link in html(site_dir, path).select("a.execnotes-xref"):
        url = urlsplit(urljoin(f"http://site/{path}", str(link["href"])))
        assert url.path.startswith("/en/") == (language == "en"), url
        target = html(site_dir, url.path.strip("/") + "/").find(
            id=unquote(url.fragment)
        )
        assert target is not None, link["href"]
        block = target.find_parent("div", class_="execnotes-code")
        assert block is not None, link["href"]
        code = block.select_one("code")
        assert code is not None
        assert defines(code.get_text(), link.get_text()), link["href"]


def test_code_is_cross_linked(site_dir: Path) -> None:
    """Shown code links names to other pages (the training page's code
    uses helpers shown on several other notes)."""
    links = html(site_dir, page_path("training", "zh")).select(
        "a.execnotes-xref"
    )
    pages = {str(link["href"]).split("#")[0] for link in links}
    assert len(pages - {""}) >= 3, pages


@PAGES
def test_outputs_are_labelled_and_values_hidden_unless_asked(
    site_dir: Path, name: str, language: str
) -> None:
    """Each printed output and returned value carries a label in the
    page's language; a value shows only for a block with `show: value`."""
    doc = html(site_dir, page_path(name, language))
    results = doc.select("div.execnotes-result")
    assert results
    for result in results:
        label = result.select_one(".execnotes-label")
        assert label is not None
        assert label.get_text() in LABELS[language]
    asked = len(
        re.findall(
            r"^[ \t>]*show: value[ \t]*$",
            source(name, language).read_text("utf-8"),
            flags=re.MULTILINE,
        )
    )
    assert len(doc.select("pre.execnotes-value")) == asked


@PAGES
def test_figures_are_described_apart_from_their_caption(
    site_dir: Path, name: str, language: str
) -> None:
    """A figure's alt text is a description, not its caption again."""
    doc = html(site_dir, page_path(name, language))
    for figure in doc.select("figure.execnotes-figure"):
        image = figure.select_one("img")
        assert image is not None
        alt = str(image.get("alt", ""))
        caption = figure.select_one("figcaption")
        assert len(alt) > 10, alt
        if caption is not None:
            assert caption.get_text() not in alt


def test_runnable_text_is_not_searchable(site_dir: Path) -> None:
    """The hidden runnable copies stay out of the search index, while
    the shown code is indexed."""
    index = (site_dir / "search/search_index.json").read_text("utf-8")
    assert "with the code it uses from the snippets" not in index
    assert "def train_epoch" in index or "train_epoch" in index
