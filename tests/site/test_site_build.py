"""The built site: every page in both languages, clean, self-contained.

These tests read the HTML that `mkdocs build --strict` wrote (no browser).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jieba
import pytest
from bs4 import BeautifulSoup

from tests.site.site_helpers import (
    AUTHOR_PAGES,
    LANGUAGES,
    NOT_FOUND,
    ROOT,
    code_page_names,
    html,
    nav_files,
    page_names,
    page_path,
    prose_page_names,
    site_path,
)
from tests.site.test_search_index import search_index as hook

pytestmark = pytest.mark.slow

# The runner's notebook button (see src/execnotes). No test looks for its
# error box: the session's build is strict, and a snippet error fails it
# (tests/runner/test_processes.py checks that a strict build fails on one).
NOTEBOOK_BUTTON = "a.execnotes-notebook"
# Terms of the jieba user dictionary that search must index whole.
WHOLE_TERMS = ("交叉熵", "卷积核", "小批量", "权重衰减")
ZWSP = "\u200b"  # Material joins jieba's words with it


def nav_pages() -> list[str]:
    """Page names listed in mkdocs.yml's nav, in nav order."""
    return [n.removesuffix(".md") for n in nav_files() if n.endswith(".md")]


def all_pages() -> list[tuple[str, str]]:
    """(name, language) of every page in docs/ and in the nav."""
    names = sorted(set(page_names()) | set(nav_pages()))
    return [(name, lang) for name in names for lang in LANGUAGES]


PAGES = pytest.mark.parametrize(("name", "language"), all_pages(), ids=str)


@PAGES
def test_page_is_in_its_language(
    site_dir: Path, name: str, language: str
) -> None:
    """Every page of docs/ and of the nav is built in both languages, each
    in its own: the English build writes English pages, the default build
    Chinese. (A missing page fails here, when it is read.)"""
    doc = html(site_dir, page_path(name, language))
    assert doc.html is not None
    assert doc.html.get("lang") == language


@PAGES
def test_language_switch_links_the_twin(
    site_dir: Path, name: str, language: str
) -> None:
    """The language selector links the same page in every language."""
    path = page_path(name, language)
    doc = html(site_dir, path)
    page_url = f"http://site/{path}"
    for other in LANGUAGES:
        link = doc.select_one(f"a.md-select__link[hreflang={other}]")
        assert link is not None, f"{path}: no {other} link in the selector"
        target = urlsplit(urljoin(page_url, str(link["href"]))).path
        assert target == "/" + page_path(name, other)


@PAGES
def test_page_loads_nothing_from_other_hosts(
    site_dir: Path, name: str, language: str
) -> None:
    """Scripts, styles, images and fonts all come from the site itself."""
    doc = html(site_dir, page_path(name, language))
    loaded = [tag.get("src") for tag in doc.select("script[src], img[src]")]
    loaded += [tag.get("href") for tag in doc.select("link[rel~=stylesheet]")]
    loaded += [tag.get("href") for tag in doc.select("link[rel=preload]")]
    foreign = [str(u) for u in loaded if re.match(r"^(https?:)?//", str(u))]
    assert not foreign


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", code_page_names())
def test_notebook_download_is_a_notebook(
    site_dir: Path, name: str, language: str
) -> None:
    """A page with code has a button that links a notebook of the site."""
    path = page_path(name, language)
    button = html(site_dir, path).select_one(NOTEBOOK_BUTTON)
    assert button is not None, (
        f"{path} has {{show}}/{{run}} blocks but no notebook button"
    )
    target = urlsplit(urljoin(f"http://site/{path}", str(button["href"])))
    file = site_dir / target.path.lstrip("/")
    notebook = json.loads(file.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert any(cell["cell_type"] == "code" for cell in notebook["cells"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", prose_page_names())
def test_page_without_code_offers_no_notebook(
    site_dir: Path, name: str, language: str
) -> None:
    """A page with no {show}/{run} block has no button and no notebook."""
    path = page_path(name, language)
    assert html(site_dir, path).select_one(NOTEBOOK_BUTTON) is None, (
        f"{path} has no code but offers a notebook"
    )
    notebooks = sorted(p.name for p in (site_dir / path).glob("*.ipynb"))
    assert not notebooks, f"{path}: {notebooks}"


def test_stylesheets_load_nothing_from_other_hosts(site_dir: Path) -> None:
    """Our CSS (KaTeX, extra.css) imports no font or file from elsewhere."""
    css = list((site_dir / "assets").rglob("*.css"))
    assert css
    for path in css:
        text = path.read_text(encoding="utf-8")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        urls += re.findall(r"@import\s+['\"]([^'\"]+)", text)
        foreign = [u for u in urls if re.match(r"^(https?:)?//", u)]
        assert not foreign, f"{path.relative_to(site_dir)}: {foreign}"


def test_katex_fonts_are_served(site_dir: Path) -> None:
    """Every woff2 font katex.min.css asks for is part of the site."""
    katex = site_dir / "assets" / "katex"
    css = (katex / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert fonts
    missing = sorted(f for f in fonts if not (katex / f).is_file())
    assert not missing


@pytest.fixture(scope="module")
def search_index(site_dir: Path) -> dict[str, object]:
    """The one search index mkdocs-static-i18n writes for both languages."""
    path = site_dir / "search" / "search_index.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_search_splits_on_jieba_boundaries(search_index: dict) -> None:
    """Queries and index split on U+200B, and English is not stemmed."""
    config = search_index["config"]
    assert re.search(config["separator"], f"a{ZWSP}b")
    assert config["pipeline"] == ["stopWordFilter"]
    assert set(config["lang"]) >= set(LANGUAGES)


def test_search_index_has_both_languages(search_index: dict) -> None:
    """English entries live under en/, the others at the site root."""
    locations = [doc["location"] for doc in search_index["docs"]]
    english = [loc for loc in locations if loc.startswith("en/")]
    assert english
    assert len(english) < len(locations)


@pytest.mark.parametrize("term", WHOLE_TERMS)
def test_search_indexes_domain_terms_whole(
    search_index: dict, term: str
) -> None:
    """The jieba user dictionary keeps domain terms in one piece."""
    texts = [doc["title"] + " " + doc["text"] for doc in search_index["docs"]]
    splits = [term[:k] + ZWSP + term[k:] for k in range(1, len(term))]
    mentioned = any(term in text for text in texts) or any(
        s in text for s in splits for text in texts
    )
    assert mentioned, f"no page of the search index mentions {term!r}"
    broken = [s for s in splits if any(s in text for text in texts)]
    assert not broken, (
        f"{term!r} indexed in pieces: is overrides/search/"
        "jieba_user_dict.txt loaded (mkdocs run from the repository root)?"
    )


TEX = re.compile(r"\\[A-Za-z]+|\\[()[\]]")
CODE = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.DOTALL)


def test_search_leaves_out_author_pages(search_index: dict) -> None:
    """The authoring guide and the execution report are not indexed."""
    authors = {
        page_path(name, language)
        for name in AUTHOR_PAGES
        for language in LANGUAGES
    }
    indexed = [
        doc["location"]
        for doc in search_index["docs"]
        if doc["location"].split("#")[0] in authors
    ]
    assert not indexed


def test_search_index_holds_no_tex(search_index: dict) -> None:
    """Formulas are indexed as text, so previews show no TeX source."""
    tex = [
        (doc["location"], TEX.findall(CODE.sub("", doc["text"])))
        for doc in search_index["docs"]
    ]
    assert not [(location, found) for location, found in tex if found]
    texts = " ".join(doc["text"] for doc in search_index["docs"])
    assert "ŷ" in texts  # the formulas are there, as text


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_terms_are_keywords_of_their_notes(
    search_index: dict, site_dir: Path, language: str
) -> None:
    """Each note the glossary links has the linked rows' terms as keywords."""
    # The build segments with the site's user dictionary (mkdocs.yml).
    words_file = ROOT / "overrides/search/jieba_user_dict.txt"
    with words_file.open("rb") as words:
        jieba.load_userdict(words)
    glossary = html(site_dir, page_path("glossary", language))
    rows = [
        row.select("td")
        for row in glossary.select(".glossary tbody tr")
        if row.select("td a[href]")
    ]
    assert rows
    docs = {doc["location"]: doc for doc in search_index["docs"]}
    base = f"http://site/{page_path('glossary', language)}"
    for cells in rows:
        href = str(cells[-1].select_one("a[href]")["href"])  # type: ignore[index]
        target = urlsplit(urljoin(base, href)).path.lstrip("/")
        keywords = set(docs[target].get("keywords", "").lower().split())
        for cell in cells[:2]:
            # Each word of the term, as the hook segments it (a word
            # counts once per page, so the term's words, not its text).
            term = hook.segmented(cell.get_text(strip=True))
            words = set(hook.distinct_words(term).lower().split())
            assert words <= keywords, (target, words - keywords)


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_in_each_language(site_dir: Path, language: str) -> None:
    """Each language has its own 404, linking the homes, with a search box."""
    path = site_dir / site_path(NOT_FOUND, language)
    doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    assert doc.html is not None
    assert doc.html.get("lang") == language
    home = "/" + page_path("index", language)
    switch = sorted(str(a["href"]) for a in doc.select("a.md-select__link"))
    assert switch == sorted(
        "/" + page_path("index", lang) for lang in LANGUAGES
    )
    form = doc.select_one("article form[role=search]")
    assert form is not None
    assert form.get("action") == home
    assert form.select_one("input[name=q]") is not None
    assert doc.select_one(f'article a[href="{home}"]') is not None
    # Served at any depth: every asset is linked from the server's root.
    assets = [str(tag["href"]) for tag in doc.select("link[href]")]
    assets += [str(tag["src"]) for tag in doc.select("script[src]")]
    assert assets
    assert all(url.startswith("/") for url in assets)
