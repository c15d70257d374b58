"""The MkDocs adapter: a thin layer of hooks over the runner core."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, get_files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from execnotes.build.build import Build
from execnotes.build.runner import Runner, Settings
from execnotes.core import profiles, strings
from execnotes.core.protocol import check_timeout
from execnotes.pages.directives import PageSource
from execnotes.plugin import adapter, internals
from execnotes.plugin import notebook_files as nbfiles
from execnotes.plugin.notebook_pages import NotebookHtml, NotebookPages
from execnotes.plugin.serve import Accelerator, Pass, Publisher, quiet
from execnotes.render.figures import sanitize_svg
from execnotes.render.page import PageRenderer, Rendered
from execnotes.render.xref import notebook_name
from execnotes.source.export import Exporter
from execnotes.store.cache import Bound
from execnotes.store.remote import RemoteSettings

log = logging.getLogger("mkdocs.plugins.execnotes")
FIGURE_DIR = adapter.ASSET_DIR
_PREVIEWS = 8  # pages a snippet edit publishes before the rebuild, at most
_MAX_WORKERS = 64


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
    cache_keep_days = c.Type((int, float), default=30)
    """Keep cached results unused for up to this many days."""
    cache_max_mb = c.Type(int, default=1024)
    """Beyond this size, drop the least recently used results first."""
    cache_epoch = c.Type(str, default="")
    """Part of every key: change it to run everything again."""
    remote = c.Type(str, default="")
    """A shared cache, as an fsspec URL (or set EXECNOTES_REMOTE)."""
    remote_mode = c.Choice(("read", "write"), default="read")
    """`write` also uploads new results (only where trusted)."""
    require_signature = c.Type(bool, default=False)
    """Use only remote entries signed with EXECNOTES_REMOTE_KEY."""
    executor = c.Choice(("local", "dask"), default="local")
    """Where misses run: the local pool, or a Dask cluster."""
    scheduler = c.Type(str, default="")
    """With `executor: dask`: a scheduler address; empty starts a local
    cluster."""
    framework = c.Choice(profiles.CHOICES, default="auto")
    """Libraries the workers import before their first run (see
    execnotes.core.profiles): `mxnet`, `python` (only those the snippets
    import), or `auto` (`mxnet` if the snippets import it)."""


class ExecNotesPlugin(BasePlugin[ExecNotesConfig]):
    """Shows and runs code from the snippets package in Markdown pages."""

    def __init__(self) -> None:
        _forward_core_logs()
        self.accelerator: Accelerator | None = None
        self.publisher: Publisher | None = None
        self.runner: Runner | None = None
        self.build: Build | None = None
        self.depth = 0
        self.last_build: Build | None = None
        self.pages: dict[str, Rendered] = {}
        self.serving = False
        self.previewing = False
        self.nav: Navigation | None = None
        self.exporter: Exporter | None = None
        # Notebook pages (.ipynb, rendered by mkdocs-jupyter).
        self.notebooks = NotebookPages()
        self.notebook_uris: list[str] = []
        self.jupyter_caches = nbfiles.LanguageCaches()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """With this hook MkDocs keeps one plugin instance, and so the warm
        workers, across the rebuilds of `mkdocs serve`; there the plugin
        also keeps what rebuilds can reuse (execnotes.plugin.serve)."""
        self.serving = command == "serve"
        if self.serving and self.config.enabled and self.accelerator is None:
            self.accelerator = Accelerator()
            self.accelerator.start()
            self.publisher = Publisher()

    def on_nav(
        self, nav: Navigation, *, config: MkDocsConfig, files: Files
    ) -> Navigation:
        """Under `serve`, note this language's navigation (see on_env)."""
        self.nav = nav
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Under `serve`, keep compiled templates across rebuilds, and what
        this language's build uses (a preview renders one page with it)."""
        if self.accelerator is not None:
            self.accelerator.on_env(env)
        if self.publisher is not None and self.nav is not None:
            language = internals.language_being_built(config)
            self.publisher.passes[language] = Pass(
                config, files, self.nav, env, language
            )
        return env

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Check the options; keep the runner unless they changed."""
        _check(self.config)
        nbfiles.jupyter(config)  # checks that it does not execute
        settings = settings_from(self.config, config)
        if self.runner is None or self.runner.settings != settings:
            if self.runner is not None:
                self.runner.close()
            # `mkdocs build` starts workers on the first snippet that is not
            # cached, so a warm build never pays for importing mxnet; `mkdocs
            # serve` starts them now, so that the first edit runs at once.
            # Either way they stay up until on_shutdown.
            self.runner = Runner(settings)
            if self.serving and self.config.enabled and not settings.frozen:
                self.runner.start_pool(warm=True)
        adapter.list_assets(config)
        if self.depth == 0 and self.publisher is not None:
            watched = [config.docs_dir, *map(str, config.watch)]
            settings = self.runner.settings
            package = str(settings.root / settings.package)
            self.publisher.start_build(
                config, [*watched, package], [config.docs_dir, package]
            )
        if self.depth == 0:
            # Scan now, while MkDocs loads the theme, collects the files and
            # builds the navigation: runs that miss the cache start (and the
            # workers import mxnet) alongside that work. A build that finds
            # everything cached starts no worker.
            self.build = Build(
                self.runner,
                execute=self.config.enabled,
                probe=MarkdownProbe(config),
            )
            if self.config.enabled:
                files = get_files(config)
                self.build.scan(markdown_pages(files))
                self.build.scan_notebooks(
                    nbfiles.notebook_sources(files, config)
                )
        return config

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when the snippets change, even if mkdocs.yml's `watch`
        does not list them; preview an edit before each rebuild."""
        if self.runner is not None:
            settings = self.runner.settings
            server.watch(str(settings.root / settings.package))
        if self.publisher is not None:
            self.publisher.server = server
        if self.publisher is not None:
            internals.before_rebuilds(server, self._preview)
        return server

    def _preview(self) -> None:
        """Before a rebuild: publish what an edit changed as soon as it can
        be rendered with the last build's state. An edit of one page's
        text: that page. An edit of snippets: run what it changed now (the
        rebuild then finds it all cached), and publish each page that shows
        a new result when it is ready. Never lets an error stop the
        rebuild, which reports real errors."""
        publisher, last = self.publisher, self.last_build
        if publisher is None or last is None or self.runner is None:
            return
        try:
            changed = publisher.edit()
            if not changed:
                return
            if len(changed) == 1 and changed[0].startswith(publisher.docs):
                publisher.preview(changed[0], self._renderer(last))
            elif all(name.startswith(publisher.package) for name in changed):
                self._preview_runs(publisher, last)
        except Exception:
            log.debug("execnotes: no preview", exc_info=True)

    def _preview_runs(self, publisher: Publisher, last: Build) -> None:
        assert self.runner is not None
        build = Build(self.runner, probe=last.probe)
        build.scan(markdown_pages(get_files(publisher.config)))
        render = self._renderer(build, self.runner.exporter())
        for page in build.changed_pages(last)[:_PREVIEWS]:
            for item in build.pages[page]:
                if item.result is not None:
                    item.result.future.result()
            publisher.preview(publisher.docs + page, render)
        # Every run done (and cached) before the rebuild scans: it runs
        # none of them again.
        build.wait_all()
        build.record_durations()
        if ran := build.executed:
            log.info("execnotes: runs before the rebuild: %d", ran)

    def _renderer(
        self, build: Build, exporter: Exporter | None = None
    ) -> Callable[[Pass, Page], str | None]:
        """What renders a page again (see _render_page) with `build`'s
        results; None if that needs a run or logs a warning (the rebuild
        will say it)."""

        def render(state: Pass, page: Page) -> str | None:
            if page.file.src_uri in self.notebook_uris:
                return None
            before = self.exporter
            self.build, self.previewing = build, True
            self.exporter = exporter or before
            try:
                with quiet() as warned:
                    html = self._render_page(build, state, page)
            finally:
                self.build, self.previewing = None, False
                self.exporter = before
            return None if warned else html

        return render

    def _render_page(
        self, build: Build, state: Pass, page: Page
    ) -> str | None:
        config, files = state.config, state.files
        # The configuration is left as the last language built needed it:
        # set it up for this page's, as mkdocs-static-i18n's build did.
        language = internals.language_being_built(config)
        if language != state.language and not internals.use_language(
            config, state.language
        ):
            return None

        def ready(page: Page) -> bool:
            markdown, offset = _as_scanned(page.markdown or "", page, config)
            return build.covers(page.file.src_uri, markdown, offset)

        return internals.render_again(
            page, config, files, state.nav, state.env, ready
        )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start an outer build (i18n nests one build per language)."""
        if self.depth == 0 and self.runner is not None:
            if self.build is None:
                self.build = Build(
                    self.runner,
                    execute=self.config.enabled,
                    probe=MarkdownProbe(config),
                )
            self.exporter = self.runner.exporter()
        self.depth += 1
        self.pages = {}
        self.jupyter_caches.use(config, internals.language_being_built(config))

    def _on_files_of_every_language(
        self, files: Files, *, config: MkDocsConfig
    ) -> Files:
        """Scan every page and start all runs at once."""
        # Runs before mkdocs-static-i18n's on_files (priority -100), while
        # the pages of every language are still in the list.
        self.notebook_uris = nbfiles.notebook_uris(files, config)
        if self.build is not None:
            self.build.scan(markdown_pages(files))
            # Also when nothing runs: the pages are still made light.
            notebooks = nbfiles.notebook_sources(files, config)
            self.build.scan_notebooks(notebooks)
        adapter.add_asset_files(files, config)
        return files

    # After mkdocs-static-i18n's on_files (-100), which leaves notebooks as
    # assets: they become pages of this language again.
    @event_priority(-110)
    def _on_files_of_this_language(
        self, files: Files, *, config: MkDocsConfig
    ) -> Files:
        return nbfiles.as_pages(files, config, self.notebook_uris)

    on_files = CombinedEvent(
        _on_files_of_every_language, _on_files_of_this_language
    )

    # Before mkdocs-jupyter's on_pre_page (0), which reads the notebook it
    # will render: that must be the executed copy.
    @event_priority(10)
    def on_pre_page(
        self, page: Page, *, config: MkDocsConfig, files: Files
    ) -> Page:
        """Point a notebook page at its executed copy."""
        if self.build is not None:
            self.notebooks.before_render(page, self.build, config, files)
        return page

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Replace the page's blocks and inline values."""
        if self.build is None or page.file.src_uri in self.notebook_uris:
            return markdown  # a notebook's JSON, for mkdocs-jupyter
        markdown, offset = _as_scanned(markdown, page, config)
        file = page.file
        renderer = PageRenderer(
            self.build,
            file.src_uri,
            lambda name: get_relative_url(f"{FIGURE_DIR}/{name}", page.url),
            _language(page, config),
            line_offset=offset,
            links=adapter.links(page, config, files),
            exporter=self.exporter,
        )
        rendered = renderer.render(markdown)
        for line, message in rendered.problems:
            if self.build.record_problem(file.src_uri, line, message):
                log.warning("execnotes: %s", _indent_continuation(message))
        self.pages[file.src_uri] = rendered
        return rendered.markdown

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Swap in outputs; write the page's figures and notebook."""
        if self.build is not None and self.exporter is not None:
            notebook = self.notebooks.after_render(
                html,
                page,
                build=self.build,
                config=config,
                files=files,
                exporter=self.exporter,
            )
            if notebook is not None:
                return self._notebook_page(notebook, page, config)
        rendered = self.pages.get(page.file.src_uri)
        if rendered is None:
            return html
        # Written now: site_dir is this language's until i18n's post-build.
        folder = Path(config.site_dir) / FIGURE_DIR
        _write_figures(folder, rendered.figures)
        if self.publisher is not None and not self.previewing:
            self.publisher.figures_written(
                page, str(folder), list(rendered.figures)
            )
        html = rendered.swap_in(html)
        return _with_download(html, rendered.notebook, page, config)

    def _notebook_page(
        self, notebook: NotebookHtml, page: Page, config: MkDocsConfig
    ) -> str:
        """A notebook page's HTML, with its figures and download written
        and its problems logged."""
        build = self.build
        for number, message in notebook.problems:
            if build and build.record_problem(
                page.file.src_uri, number, message
            ):
                log.warning("execnotes: %s", _indent_continuation(message))
        _write_figures(Path(config.site_dir) / FIGURE_DIR, notebook.figures)
        return _with_download(notebook.html, notebook.download, page, config)

    # After mkdocs-static-i18n's on_post_build (-100), which runs the builds
    # of the other languages: only then is the outer build over.
    @event_priority(-200)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """End the outer build: prune the cache, sum up."""
        self.depth -= 1
        if self.depth > 0 or self.build is None:
            return
        build, self.build = self.build, None
        self.last_build = build
        removed = build.finish()
        if removed:
            log.debug("execnotes: pruned %d old cache entries", removed)
        if build.execute:
            _log_summary(build)
        if self.publisher is not None:
            self.publisher.finish_build()

    def on_post_page(
        self, output: str, *, page: Page, config: MkDocsConfig
    ) -> str:
        """Under `serve`, publish an edited page as soon as it is built."""
        if self.publisher is not None and not self.previewing:
            self.publisher.page_built(page, output)
        return output

    def on_build_error(self, *, error: Exception) -> None:
        """Sum up what ran even when the build stops (e.g. --strict)."""
        if self.publisher is not None:
            self.publisher.abandon()
        build, self.build = self.build, None
        self.depth = 0
        if build is not None and build.execute:
            build.wait_all()
            self.last_build = build
            _log_summary(build)

    def on_shutdown(self) -> None:
        """Stop the workers."""
        self.notebooks.close()
        if self.accelerator is not None:
            self.accelerator.stop()
            self.accelerator = None
        if self.publisher is not None:
            self.publisher.stop()
            self.publisher = None
        if self.runner is not None:
            self.runner.close()
        self.runner = None
        self.build = None
        self.depth = 0


def _check(options: ExecNotesConfig) -> None:
    problems = {
        "workers": None
        if 0 <= options.workers <= _MAX_WORKERS
        else f"must be 0 (one per core) to {_MAX_WORKERS}",
        "timeout": check_timeout(float(options.timeout)),
        "max_output_chars": None
        if options.max_output_chars >= 1
        else "must be 1 or more",
        "cache_keep_days": None
        if 0 <= options.cache_keep_days < 100_000
        else "must be 0 or more days",
        "cache_max_mb": None
        if options.cache_max_mb >= 0
        else "must be 0 or more",
    }
    for name, problem in problems.items():
        if problem is not None:
            raise PluginError(
                f"execnotes: option '{name}': {problem}, not "
                f"{getattr(options, name)!r} (in mkdocs.yml, under plugins: "
                "- execnotes:)"
            )


def _lines(text: str) -> int:
    return len(text.splitlines())


def markdown_pages(files: Files) -> list[PageSource]:
    """Every Markdown page as the core scans it (see without_front_matter)."""
    return [
        without_front_matter(file)
        for file in files.documentation_pages()
        if file.src_uri.endswith(".md")
    ]


def _as_scanned(
    markdown: str, page: Page, config: MkDocsConfig
) -> tuple[str, int]:
    """A page's Markdown as its blocks are read (config values filled in),
    and the number of lines before it in the file (front matter)."""
    markdown = adapter.with_config_values(markdown, config)
    return markdown, _lines(page.file.content_string) - _lines(markdown)


def without_front_matter(file: File) -> PageSource:
    """A page's name, its Markdown as MkDocs reads it, and the number of
    lines (front matter) before that Markdown in the file."""
    content = file.content_string
    markdown, _ = get_data(content)
    offset = _lines(content) - _lines(markdown)
    return PageSource(file.src_uri, markdown, offset)


def _log_summary(build: Build) -> None:
    summary = _indent_continuation(build.summary())
    if build.problems or any(
        r.outcome.status != "ok" for r in build.results.values()
    ):
        log.warning(summary)
    else:
        log.info(summary)


def _with_download(
    html: str, notebook: str | None, page: Page, config: MkDocsConfig
) -> str:
    """Write the page's notebook beside it; the HTML with its button."""
    if notebook is None:
        return html
    name = notebook_name(page.file.src_uri)
    folder = Path(config.site_dir) / Path(page.file.dest_uri).parent
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(notebook, encoding="utf-8")
    return _download_button(name, _language(page, config)) + html


def _write_figures(folder: Path, figures: dict[str, str]) -> None:
    if figures:
        folder.mkdir(parents=True, exist_ok=True)
    for name, svg in figures.items():
        path = folder / name
        if not path.exists():
            # The site serves figures as files too: what a tampered cache
            # entry carries must not run when one is opened.
            path.write_text(sanitize_svg(svg), encoding="utf-8")


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
        cache_bound=Bound(
            keep_days=float(options.cache_keep_days),
            max_bytes=options.cache_max_mb * 2**20,
        ),
        cache_epoch=options.cache_epoch,
        remote=_remote(options),
        executor=options.executor,
        scheduler=options.scheduler,
        framework=options.framework,
    )


def _remote(options: ExecNotesConfig) -> RemoteSettings:
    try:
        return RemoteSettings.from_options(
            options.remote,
            options.remote_mode,
            require_signature=options.require_signature,
        )
    except ValueError as error:
        raise PluginError(f"execnotes: {error}") from error


class MarkdownProbe:
    """Renders Markdown with the site's extensions, to tell the core where
    a block would be rendered as a fenced block
    (execnotes.pages.directives)."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.extensions = list(config.markdown_extensions)
        self.configs = dict(config.mdx_configs)
        described = json.dumps(
            [self.extensions, self.configs], sort_keys=True, default=_named
        )
        self.fingerprint = hashlib.sha256(described.encode()).hexdigest()
        self._markdown: markdown.Markdown | None = None

    def __call__(self, text: str) -> str:
        """The HTML of `text`."""
        if self._markdown is None:
            self._markdown = markdown.Markdown(
                extensions=self.extensions, extension_configs=self.configs
            )
        html: str = self._markdown.reset().convert(text)
        return html


def _named(value: object) -> str:
    """A stable name for an option value JSON cannot write (a function)."""
    kind = value if callable(value) else type(value)
    module = getattr(kind, "__module__", "")
    return f"{module}.{getattr(kind, '__qualname__', '')}"


class _Forward(logging.Handler):
    """Hands the core's log records to MkDocs' logger, so that its warnings
    count for `--strict` and show like every other plugin's."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "execnotes.store.remote" and record.levelno < 40:
            # A shared cache that is down costs time, never the build:
            # under --strict a warning would fail it. A copy, so other
            # handlers of the record still see its own level.
            record = logging.makeLogRecord(record.__dict__)
            record.levelno, record.levelname = logging.INFO, "INFO"
        if log.isEnabledFor(record.levelno):
            log.handle(record)


def _forward_core_logs() -> None:
    core = logging.getLogger("execnotes")
    if not any(isinstance(h, _Forward) for h in core.handlers):
        core.addHandler(_Forward())
        core.propagate = False


def _language(page: Page, config: MkDocsConfig) -> str:
    return adapter.file_language(page.file, config)


_DOWNLOAD_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7 7-7Z"/></svg>'
)


def _download_button(name: str, language: str) -> str:
    title = strings.words(language)["page.download_title"]
    return (
        f'<a href="{name}" download title="{title}" '
        'class="md-content__button md-icon execnotes-notebook">'
        f"{_DOWNLOAD_ICON}</a>"
    )
