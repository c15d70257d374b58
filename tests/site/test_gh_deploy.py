"""The README's way to publish, end to end: `mkdocs gh-deploy`.

The project is copied into a scratch git repository whose `origin` is a
GitHub URL that pushes to a local bare repository, and deployed with the
plain command (SITE_URL unset), as the README says. The `gh-pages` branch
it pushes is then served under a project sub-path by a server that
answers like GitHub Pages (pages_server.py), and read in a browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page

from execnotes.render.xref import notebook_name
from tests.site.browsing import (
    logged_context,
    logged_page,
    search_results,
    visit,
)
from tests.site.pages_server import pages_server
from tests.site.site_helpers import (
    LANGUAGES,
    PageLog,
    code_page_names,
    copy_project,
    notebook_page_names,
    page_path,
)
from tests.site.site_helpers import source as markdown_source
from tests.site.test_reader_site import PLACEHOLDERS, nav_sources, page_name

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OWNER, REPO = "gluon-owner", "gluon-notes"
PREFIX = f"/{REPO}/"  # GitHub Pages serves a project site under /REPO/
DEPLOY_TIMEOUT = 1800  # runs what the session's build left uncached
# Language switch tests: pages with and without code, and the home page.
SWITCHED = ["index", "losses", "glossary", "training"]
MISSING = "no-such-note/"


@dataclass(frozen=True)
class Deployed:
    """What `mkdocs gh-deploy` pushed, checked out into a folder."""

    files: frozenset[str]
    tree: Path
    output: str
    project: Path  # the clone that was deployed


def _run(args: list[str], cwd: Path, **kwargs: object) -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}"
    return str(result.stdout)


@pytest.fixture(scope="module")
def deployed(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Deployed:
    """The project deployed with `mkdocs gh-deploy` to a local bare remote.

    Depends on site_dir so that the session's build has run the snippets
    and this build takes their results from the copied cache.
    """
    scratch = tmp_path_factory.mktemp("deploy")
    project, remote = scratch / "project", scratch / "remote.git"
    copy_project(project)
    _run(["git", "init", "-q", "--bare", str(remote)], scratch)
    for command in (
        ["init", "-q"],
        ["config", "user.name", "Tester"],
        ["config", "user.email", "tester@example.org"],
        ["add", "."],
        ["commit", "-q", "-m", "notes"],
        ["remote", "add", "origin", f"https://github.com/{OWNER}/{REPO}.git"],
        ["remote", "set-url", "--push", "origin", str(remote)],
    ):
        _run(["git", *command], project)
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    output = _run(
        [sys.executable, "-m", "mkdocs", "gh-deploy"],
        project,
        env={**env, "NO_MKDOCS_2_WARNING": "1"},
        timeout=DEPLOY_TIMEOUT,
    )
    tree = scratch / "gh-pages"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", "gh-pages"],
        cwd=remote,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    files = _run(["git", "ls-tree", "-r", "--name-only", "gh-pages"], remote)
    return Deployed(frozenset(files.split()), tree, output, project)


@pytest.fixture(scope="module")
def site_url(deployed: Deployed) -> Iterator[str]:
    """The deployed branch, served under /REPO/ as GitHub Pages does."""
    with pages_server(deployed.tree, PREFIX) as url:
        yield url


@pytest.fixture
def deployed_page(
    browser: Browser, site_url: str, page_log: PageLog
) -> Iterator[Page]:
    """A page for the deployed site that logs other hosts and errors."""
    context = logged_context(browser, site_url, page_log)
    yield logged_page(context, page_log)
    context.close()


def built_files(site_dir: Path) -> set[str]:
    """Every file of a built site, relative to it."""
    return {
        path.relative_to(site_dir).as_posix()
        for path in site_dir.rglob("*")
        if path.is_file()
    }


def test_deploy_derives_the_published_address(deployed: Deployed) -> None:
    """The plain command knows the project site's address from origin."""
    address = f"https://{OWNER}.github.io/{REPO}/"
    assert f"gh-deploy: publishing to {address}" in deployed.output
    sitemap = (deployed.tree / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{address}</loc>" in sitemap


def test_branch_holds_the_whole_site(
    deployed: Deployed, site_dir: Path
) -> None:
    """gh-pages has every file of a local build, notebooks and figures too."""
    assert deployed.files - {".nojekyll"} == built_files(site_dir)
    notebooks = {
        page_path(name, language)
        + notebook_name(markdown_source(name, language).name)
        for name in code_page_names()
        for language in LANGUAGES
    }
    assert notebooks <= deployed.files
    figures = [f for f in deployed.files if f.endswith(".svg")]
    assert any(f.startswith("assets/execnotes/") for f in figures)
    assert {"404.html", "en/404.html"} <= deployed.files


def styled(page: Page) -> bool:
    """Whether Material's stylesheet applies (the header has a colour)."""
    color = page.evaluate(
        "getComputedStyle(document.querySelector('.md-header'))"
        ".backgroundColor"
    )
    return color not in ("", "rgba(0, 0, 0, 0)", "transparent")


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page(
    deployed_page: Page, page_log: PageLog, language: str
) -> None:
    """The home page of each language loads whole from the sub-path."""
    response = deployed_page.goto(page_path("index", language))
    assert response is not None
    assert response.status == 200
    visit(deployed_page, page_path("index", language))
    assert deployed_page.evaluate("document.documentElement.lang") == language
    assert styled(deployed_page)
    assert not page_log.foreign_requests
    assert not page_log.console_errors


@pytest.mark.parametrize("name", SWITCHED)
def test_language_switch_stays_in_the_site(
    deployed_page: Page, page_log: PageLog, name: str
) -> None:
    """The language selector goes to the twin page under the sub-path."""
    for source, target in (LANGUAGES, LANGUAGES[::-1]):
        visit(deployed_page, page_path(name, source))
        deployed_page.hover(".md-header .md-select")
        deployed_page.click(f"a.md-select__link[hreflang={target}]")
        deployed_page.wait_for_load_state("load")
        path = urlsplit(deployed_page.url).path
        assert path == PREFIX + page_path(name, target)
        assert deployed_page.evaluate("document.documentElement.lang") == (
            target
        )
    assert not page_log.foreign_requests


@pytest.mark.parametrize(
    ("language", "query", "name"),
    [("zh", "交叉熵", "losses"), ("en", "cross entropy", "losses")],
)
def test_search_finds_and_opens_a_note(
    deployed_page: Page,
    page_log: PageLog,
    language: str,
    query: str,
    name: str,
) -> None:
    """Search (its index and worker) works under the sub-path."""
    visit(deployed_page, page_path("index", language))
    deployed_page.locator("input.md-search__input").click()
    deployed_page.keyboard.type(query)
    deployed_page.keyboard.press("End")
    first = urlsplit(search_results(deployed_page)[0])
    assert first.path == PREFIX + page_path(name, language)
    deployed_page.locator(".md-search-result__item a").first.click()
    deployed_page.wait_for_load_state("load")
    assert urlsplit(deployed_page.url).path == first.path
    assert not page_log.foreign_requests


def test_figures_and_math(deployed_page: Page, page_log: PageLog) -> None:
    """Figures load from the sub-path and formulas are typeset."""
    visit(deployed_page, page_path("training", "zh"))
    images = deployed_page.evaluate(
        """async () => {
            const images = [...document.querySelectorAll("article img")];
            images.forEach(image => { image.loading = "eager"; });
            await Promise.all(images.map(image => image.decode()));
            return images.map(image => [image.src, image.naturalWidth]);
        }"""
    )
    assert images
    for src, width in images:
        assert urlsplit(src).path.startswith(PREFIX + "assets/execnotes/")
        assert width > 0
    assert deployed_page.locator(".arithmatex .katex").count() > 0
    assert deployed_page.locator(".katex-error").count() == 0
    assert not page_log.foreign_requests


@pytest.mark.parametrize("language", LANGUAGES)
def test_notebook_download(
    deployed_page: Page, page_log: PageLog, tmp_path: Path, language: str
) -> None:
    """The notebook button downloads the page's notebook."""
    visit(deployed_page, page_path("losses", language))
    with deployed_page.expect_download() as download:
        deployed_page.click("a.execnotes-notebook")
    target = tmp_path / "losses.ipynb"
    download.value.save_as(target)
    notebook = json.loads(target.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
    assert not page_log.foreign_requests


@pytest.mark.parametrize(
    ("path", "language", "home"),
    [(MISSING, "zh", ""), (f"en/{MISSING}deeper/?ref=link", "en", "en/")],
)
def test_missing_page(
    deployed_page: Page,
    page_log: PageLog,
    path: str,
    language: str,
    home: str,
) -> None:
    """A missing path gets a 404 in its language, with search and home."""
    response = deployed_page.goto(path)
    assert response is not None
    assert response.status == 404
    deployed_page.wait_for_function(
        f"document.documentElement.lang === {language!r}"
        " && typeof document$ !== 'undefined'"
    )
    shown, asked = urlsplit(deployed_page.url), urlsplit(PREFIX + path)
    assert (shown.path, shown.query) == (asked.path, asked.query)
    assert styled(deployed_page)
    homes = deployed_page.locator(f'article a[href="{PREFIX}{home}"]')
    assert homes.count() == 1
    languages = deployed_page.locator("a.md-select__link")
    assert sorted(
        urlsplit(link.get_attribute("href") or "").path
        for link in languages.all()
    ) == [PREFIX, PREFIX + "en/"]
    deployed_page.fill("input[name=q]", "softmax")
    deployed_page.press("input[name=q]", "Enter")
    deployed_page.wait_for_load_state("load")
    assert urlsplit(deployed_page.url).path == PREFIX + home
    assert search_results(deployed_page)
    assert not page_log.foreign_requests
    # The missing page's own status is the one expected error.
    assert all("404" in error for error in page_log.console_errors)


REPOSITORY = f"https://github.com/{OWNER}/{REPO}"


def published_pages(deployed: Deployed) -> list[Path]:
    """Every published page (not the 404 pages, which no file backs)."""
    return sorted(deployed.tree.rglob("index.html"))


def test_published_pages_link_the_repository_and_their_source(
    deployed: Deployed,
) -> None:
    """Every page links the repository, and "edit this page" opens the
    file it was built from, on the branch the clone deploys."""
    branch = _run(["git", "symbolic-ref", "--short", "HEAD"], deployed.project)
    edit = f"{REPOSITORY}/edit/{branch.strip()}/docs/"
    tracked = set(_run(["git", "ls-files"], deployed.project).split())
    pages = published_pages(deployed)
    assert len(pages) > 2 * len(code_page_names())
    for path in pages:
        doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        where = path.relative_to(deployed.tree)
        assert doc.select(f'a.md-source[href="{REPOSITORY}"]'), where
        edits = [
            str(a["href"])
            for a in doc.select("a[href]")
            if str(a["href"]).startswith(edit)
        ]
        assert len(edits) == 1, where
        assert "docs/" + edits[0].removeprefix(edit) in tracked, where


def test_published_site_has_no_placeholder(deployed: Deployed) -> None:
    """No published page asks the reader to fill in the repository URL;
    the home pages' pip line installs from the repository."""
    for path in deployed.tree.rglob("*.html"):
        text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text.get_text(), path
    for language in LANGUAGES:
        home = deployed.tree / page_path("index", language) / "index.html"
        shown = BeautifulSoup(home.read_text(encoding="utf-8"), "html.parser")
        assert f'pip install --no-deps "git+{REPOSITORY}"' in shown.get_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_published_home_page_links_every_note(
    deployed_page: Page, page_log: PageLog, language: str
) -> None:
    """Under the sub-path, the home page's reading path links every page
    of the navigation, and each link opens its page."""
    visit(deployed_page, page_path("index", language))
    hrefs = deployed_page.eval_on_selector_all(
        "article ol a[href]", "links => links.map(a => a.href)"
    )
    paths = [urlsplit(href).path for href in hrefs]
    expected = [
        PREFIX + page_path(page_name(source), language)
        for source in nav_sources()
    ]
    assert [p for p in paths if p in expected] == expected
    for path in expected:
        response = deployed_page.request.get(path)
        assert response.status == 200, path
    assert not page_log.foreign_requests


@pytest.mark.parametrize("language", LANGUAGES)
def test_published_home_page_offers_the_notebooks_zip(
    deployed_page: Page, page_log: PageLog, language: str
) -> None:
    """Under the sub-path, the home page's zip link downloads a zip that
    holds every notebook of the language."""
    visit(deployed_page, page_path("index", language))
    with deployed_page.expect_download() as download:
        deployed_page.click('article a[href$="notebooks.zip"]')
    url = urlsplit(download.value.url)
    assert url.path == PREFIX + page_path("index", language) + "notebooks.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        names = [name.rsplit("/", 1)[-1] for name in archive.namelist()]
    suffix = "" if language == LANGUAGES[0] else f".{language}"
    assert f"losses{suffix}.ipynb" in names
    assert len(names) == len(code_page_names()) + len(notebook_page_names())
    assert not page_log.foreign_requests
