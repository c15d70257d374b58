"""The MkDocs adapter: a thin layer of hooks over the runner core."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from execnotes.render import PageRenderer, Rendered
from execnotes.session import Build, Runner, Settings

log = logging.getLogger("mkdocs.plugins.execnotes")
FIGURE_DIR = "assets/execnotes"


class ExecNotesConfig(base.Config):
    """Options of the `execnotes` plugin in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Run snippets; when false, `{run}` blocks show their code only."""
    package = c.Type(str, default="snippets")
    """The package (beside mkdocs.yml) whose code pages may embed."""
    cache_dir = c.Type(str, default=".execnotes-cache")
    """Where results are kept, relative to mkdocs.yml."""
    workers = c.Type(int, default=0)
    """Worker processes; 0 means one per core."""
    timeout = c.Type((int, float), default=300)
    """Seconds a snippet may run before it is stopped."""
    seed = c.Type(int, default=0)
    """Seed for random, numpy and mx.random before each run."""
    max_output_chars = c.Type(int, default=100_000)
    """Longer output is cut, with a visible notice."""
    frozen = c.Type(bool, default=False)
    """Never run: use the cache and report what is missing (for CI)."""
    prune = c.Type(bool, default=True)
    """Remove cache entries the finished build did not use."""


class ExecNotesPlugin(BasePlugin[ExecNotesConfig]):
    """Shows and runs code from the snippets package in Markdown pages."""

    def __init__(self) -> None:
        self.runner: Runner | None = None
        self.build: Build | None = None
        self.depth = 0
        self.last_build: Build | None = None
        self.pages: dict[str, Rendered] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Having this hook keeps one plugin instance (and its warm workers)
        # across the rebuilds of `mkdocs serve`.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        settings = settings_from(self.config, config)
        if self.runner is None or self.runner.settings != settings:
            if self.runner is not None:
                self.runner.close()
            # The workers start on the first snippet that is not cached, and
            # then stay up until on_shutdown: a warm build never pays for
            # importing mxnet, and `mkdocs serve` keeps them between builds.
            self.runner = Runner(settings)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        if self.depth == 0 and self.runner is not None:
            self.build = self.runner.new_build()
        self.depth += 1
        self.pages = {}

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        # Runs before mkdocs-static-i18n's on_files (priority -100) so every
        # language's pages are scanned and their snippets start at once.
        if self.build is not None:
            self.build.scan(
                (file.src_uri, file.content_string)
                for file in files.documentation_pages()
                if file.src_uri.endswith(".md")
            )
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self.build is None:
            return markdown
        file = page.file
        offset = file.content_string.count("\n") - markdown.count("\n")
        renderer = PageRenderer(
            self.build,
            file.src_uri,
            lambda name: get_relative_url(f"{FIGURE_DIR}/{name}", page.url),
            _language(page, config),
            line_offset=max(0, offset),
        )
        rendered = renderer.render(markdown)
        for line, message in rendered.problems:
            if self.build.record_failure(file.src_uri, line, message):
                log.warning("execnotes: %s", _indent_continuation(message))
        self.pages[file.src_uri] = rendered
        return rendered.markdown

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        rendered = self.pages.get(page.file.src_uri)
        if rendered is None:
            return html
        # Written now: site_dir is this language's until i18n's post-build.
        site = Path(config.site_dir)
        _write_figures(site / FIGURE_DIR, rendered.figures)
        html = rendered.swap_in(html)
        if rendered.notebook is not None:
            name = f"{Path(page.file.src_uri).name.split('.')[0]}.ipynb"
            folder = site / Path(page.file.dest_uri).parent
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(rendered.notebook, encoding="utf-8")
            html = _download_button(name, _language(page, config)) + html
        return html

    # After mkdocs-static-i18n's on_post_build (-100), which runs the builds
    # of the other languages: only then is the outer build over.
    @event_priority(-200)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        self.depth -= 1
        if self.depth > 0 or self.build is None:
            return
        build, self.build = self.build, None
        self.last_build = build
        removed = build.finish(prune=self.config.prune)
        if removed:
            log.debug(
                "execnotes: removed %d stale cache entries", len(removed)
            )
        summary = _indent_continuation(build.summary())
        if build.failures:
            log.warning(summary)
        else:
            log.info(summary)

    def on_build_error(self, *, error: Exception) -> None:
        self.depth = 0
        self.build = None

    def on_shutdown(self) -> None:
        if self.runner is not None:
            self.runner.close()
        self.runner = None
        self.build = None
        self.depth = 0


def _write_figures(folder: Path, figures: dict[str, str]) -> None:
    if figures:
        folder.mkdir(parents=True, exist_ok=True)
    for name, svg in figures.items():
        path = folder / name
        if not path.exists():
            path.write_text(svg, encoding="utf-8")


def _indent_continuation(message: str) -> str:
    first, *rest = message.splitlines() or [""]
    return "\n".join([first, *("  " + line for line in rest)])


def settings_from(options: ExecNotesConfig, config: MkDocsConfig) -> Settings:
    """The core's settings from the plugin's options."""
    return Settings(
        root=Path(config.config_file_path or ".").resolve().parent,
        package=options.package,
        cache_dir=Path(options.cache_dir),
        workers=options.workers,
        timeout=float(options.timeout),
        seed=options.seed,
        max_output_chars=options.max_output_chars,
        frozen=options.frozen,
    )


def _language(page: Page, config: MkDocsConfig) -> str:
    # mkdocs-static-i18n marks each file with its locale; else the theme's.
    locale = getattr(page.file, "locale", None) or getattr(
        config.theme, "locale", None
    )
    return str(getattr(locale, "language", locale) or "en")


_DOWNLOAD_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7 7-7Z"/></svg>'
)
_DOWNLOAD_TITLE = {
    "zh": "下载本页的 Jupyter 笔记本",
    "en": "Download this page as a Jupyter notebook",
}


def _download_button(name: str, language: str) -> str:
    title = _DOWNLOAD_TITLE.get(language, _DOWNLOAD_TITLE["en"])
    return (
        f'<a href="{name}" download title="{title}" '
        'class="md-content__button md-icon execnotes-notebook">'
        f"{_DOWNLOAD_ICON}</a>"
    )
