"""Notebook pages in a build: run by the runner, rendered by mkdocs-jupyter.

mkdocs-jupyter renders the file its page points to (in its on_pre_page).
Before that, the page is pointed at the executed copy of the notebook
(`executed.Executed.rendered`), written into a folder of this process;
the source in docs/ is never written. After it rendered, its HTML is made
a page of the site (`nbhtml.tidy`), and the page gets its figures, its
download (`nbdownload`) and its problems, as a Markdown page does.
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from markdown.extensions.toc import slugify as default_slugify
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from execnotes.build.build import Build
from execnotes.plugin import adapter
from execnotes.plugin import notebook_html as nbhtml
from execnotes.render import fragments
from execnotes.render.executed_notebook import Executed, dumps
from execnotes.render.notebook_download import download, runnables
from execnotes.render.xref import Links, notebook_link, notebook_name
from execnotes.source.export import Exporter


@dataclass
class NotebookHtml:
    """A rendered notebook page: its HTML and what goes beside it."""

    html: str
    figures: dict[str, str] = field(default_factory=dict)
    download: str | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(cell number, message with page and cell), for the warnings."""


class NotebookPages:
    """The notebook pages of the builds of one plugin instance."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._executed: dict[str, Executed] = {}
        self._errors: dict[str, str] = {}

    def before_render(
        self, page: Page, build: Build, config: MkDocsConfig, files: Files
    ) -> None:
        """Point a notebook page at its executed copy."""
        source = page.file.src_uri
        run = build.notebooks.get(source)
        if run is None:
            return
        if run.notebook is None:
            self._errors[source] = run.error or "cannot read it"
            text = _error_notebook(f"{source}: {self._errors[source]}")
        else:
            executed = Executed(run, adapter.file_language(page.file, config))
            links = adapter.links(page, config, files)
            text = executed.rendered(
                lambda name: get_relative_url(
                    f"{adapter.ASSET_DIR}/{name}", page.url
                ),
                lambda target: _site_link(target, source, links),
            )
            self._executed[source] = executed
        page.file.abs_src_path = str(self._write(text, notebook_name(source)))

    def after_render(
        self,
        page_html: str,
        page: Page,
        *,
        build: Build,
        config: MkDocsConfig,
        files: Files,
        exporter: Exporter,
    ) -> NotebookHtml | None:
        """The page's HTML made a page of the site, with its table of
        contents set; its figures, download and problems."""
        source = page.file.src_uri
        if source not in build.notebooks:
            return None
        toc = config.mdx_configs.get("toc", {})
        page_html, tokens = nbhtml.tidy(
            page_html,
            toc.get("slugify", default_slugify),
            toc.get("permalink_title", "Permanent link"),
        )
        page.toc = get_toc(cast(Any, tokens))
        if source in self._errors:
            return NotebookHtml(page_html, problems=[(0, self._error(source))])
        executed = self._executed.pop(source)
        links = adapter.links(page, config, files)
        with_code = _pages_with_code(build)
        text, problem = download(
            executed,
            exporter,
            seed=build.runner.settings.seed,
            link=lambda to: notebook_link(to, source, with_code, links),
        )
        runnable = runnables(
            executed, exporter, seed=build.runner.settings.seed
        )
        if runnable is not None:
            closing = [
                fragments.code_closing(text, executed.language)
                for text in runnable
            ]
            page_html = nbhtml.with_runnables(page_html, closing)
        problems = list(executed.problems)
        if problem is not None:
            problems.append((0, f"download: {problem}"))
        return NotebookHtml(
            page_html,
            figures=executed.figures,
            download=text,
            problems=[(n, _located(source, n, m)) for n, m in problems],
        )

    def _error(self, source: str) -> str:
        return f"{source}: {self._errors.pop(source)}"

    def _write(self, text: str, name: str) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="execnotes-ipynb-"))
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        path = self._folder / digest / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return path

    def close(self) -> None:
        """Remove the executed copies."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _located(source: str, number: int, message: str) -> str:
    return (
        f"{source}: cell {number}: {message}"
        if number
        else f"{source}: {message}"
    )


def _site_link(target: str, page: str, links: Links) -> str | None:
    """A link of a notebook's Markdown to another note, as a site URL."""
    path, _, anchor = target.partition("#")
    source = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    url = links.page_url(source)
    if url is None:
        return None
    return url + (f"#{anchor}" if anchor else "")


def _pages_with_code(build: Build) -> list[str]:
    """The pages whose downloads a notebook may link to."""
    pages = [
        p for p, items in build.pages.items() if any(i.snippet for i in items)
    ]
    return pages + [p for p, run in build.notebooks.items() if run.notebook]


def _error_notebook(message: str) -> str:
    """A notebook that shows only why its page could not be read."""
    cell: dict[str, Any] = {
        "cell_type": "markdown",
        "metadata": {},
        "source": fragments.error_box("", message),
    }
    return dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    )
