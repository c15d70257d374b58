"""Faster rebuilds under `mkdocs serve`: do again only what changed.

A rebuild of `mkdocs serve` converts every page's Markdown again, parses
every page's HTML again for the search index and compiles every template
again, although one page was edited. Under `serve` only, the plugin keeps
the results of that work, keyed by everything it depends on, and reuses
them when the inputs are the same:

- a page's Markdown conversion (`Page.render`): keyed by its Markdown (after
  every `on_page_markdown`), its place, the site's files and the Markdown
  settings; the warnings the conversion logged are logged again;
- a page's search entries (Material's `SearchIndex.add_entry_from_context`):
  keyed by the page's HTML, address, title, table of contents and meta;
- compiled templates: Jinja's bytecode cache (Jinja checks each template's
  source against it).

Every page is still rendered through the theme and written, every plugin
event still runs, so the site ends up exactly as a full build makes it;
only work whose inputs did not change is skipped. `mkdocs build` never
uses any of this.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from execnotes.plugin import internals

log = logging.getLogger("mkdocs.plugins.execnotes")

_MAX_ENTRIES = 5000  # pages x languages x recent versions: small


class _Memory(BytecodeCache):
    """Compiled templates, kept in memory for the whole of `serve`."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class _Records(logging.Handler):
    """Collects what is logged while a page is converted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _recording() -> Iterator[list[logging.LogRecord]]:
    handler = _Records()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@contextmanager
def quiet() -> Iterator[list[logging.LogRecord]]:
    """Show nothing that is logged inside (what a preview logs, the rebuild
    logs again); collect the warnings and errors."""
    warned: list[logging.LogRecord] = []

    def hold(record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            warned.append(record)
        return False

    handlers = {
        handler
        for name in ("", "mkdocs", "execnotes")
        for handler in logging.getLogger(name).handlers
    }
    for handler in handlers:
        handler.addFilter(hold)
    try:
        yield warned
    finally:
        for handler in handlers:
            handler.removeFilter(hold)


def _replay(records: list[logging.LogRecord]) -> None:
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


class Accelerator:
    """The caches of one `mkdocs serve` process, and the patches that use
    them (installed by `start`, removed by `stop`)."""

    def __init__(self) -> None:
        self.templates = _Memory()
        self.renders: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.hits = {"render": 0, "search": 0}
        self._files: tuple[int, str] = (0, "")
        self._undo: list[Callable[[], None]] = []

    def start(self) -> None:
        """Patch MkDocs' page conversion and Material's search indexing."""
        for owner, name, make in (
            ("page", "render", self._render),
            ("search index", "add_entry_from_context", self._index),
        ):
            undo = internals.patch(owner, name, make)
            if undo is not None:
                self._undo.append(undo)

    def stop(self) -> None:
        """Remove the patches."""
        while self._undo:
            self._undo.pop()()

    def on_env(self, env: Any) -> None:
        """Reuse compiled templates across rebuilds."""
        env.bytecode_cache = self.templates

    # -- Markdown conversion -------------------------------------------
    def _render(self, original: Callable[..., None]) -> Callable[..., None]:
        def render(page: Page, config: MkDocsConfig, files: Files) -> None:
            key = self._render_key(page, config, files)
            known = self.renders.get(key)
            if known is None:
                with _recording() as records:
                    original(page, config, files)
                known = {**internals.conversion_of(page), "records": records}
                self._remember(self.renders, key, known)
            else:
                self.hits["render"] += 1
                internals.restore_conversion(page, known, files)
                _replay(known["records"])

        return render

    def _render_key(
        self, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        settings = json.dumps(
            [
                config["markdown_extensions"],
                config["mdx_configs"],
                config["use_directory_urls"],
                str(config["validation"]),
            ],
            sort_keys=True,
            default=repr,
        )
        place = [page.file.src_uri, page.file.dest_uri, page.file.url]
        return _digest(
            page.markdown or "", settings, *place, self._site(files)
        )

    def _site(self, files: Files) -> str:
        """A digest of every file's place: links resolve against them."""
        if self._files[0] != id(files):
            places = sorted((f.src_uri, f.dest_uri, f.url) for f in files)
            self._files = (id(files), _digest(json.dumps(places)))
        return self._files[1]

    # -- search entries --------------------------------------------------
    def _index(self, original: Callable[..., None]) -> Callable[..., None]:
        def add_entry_from_context(index: Any, page: Page) -> None:
            key = _digest(
                page.content or "",
                page.url,
                str(page.title),
                json.dumps(page.meta, sort_keys=True, default=repr),
                json.dumps(_toc(page.toc)),
            )
            known = self.entries.get(key)
            entries = internals.search_entries(index)
            if known is None:
                before = len(entries)
                original(index, page)
                known = copy.deepcopy(entries[before:])
                self._remember(self.entries, key, known)
            else:
                self.hits["search"] += 1
                entries.extend(copy.deepcopy(known))

        return add_entry_from_context

    @staticmethod
    def _remember(store: dict[str, Any], key: str, value: Any) -> None:
        if len(store) >= _MAX_ENTRIES:
            store.clear()  # rare: the keys of old versions pile up
        store[key] = value


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _toc(toc: Any) -> list[Any]:
    return [
        [item.id, item.title, item.level, _toc(item.children)] for item in toc
    ]


class Publisher:
    """Builds every rebuild of `serve` into a fresh folder and switches the
    served folder to it only when the build is complete.

    `mkdocs serve` serves one folder and empties it at the start of every
    rebuild. Here that folder becomes a link to the last complete build:
    a rebuild writes a new folder, and the link moves when it is done, so
    the served site is always whole once the rebuild is over.

    Before that, when the edit changed only pages and snippets (no file
    added or removed, not the configuration or the theme), each page whose
    HTML changed is published as soon as it is built, into the served
    site, and browsers reload at once; a page whose title or headings (what
    other pages show of it) changed waits for the end. Sooner still,
    before the rebuild starts, `preview` publishes pages rendered with the
    last build's state: the page whose text was edited, or the pages that
    show results a snippet edit changed (the plugin runs those first).
    Either way the complete rebuild then replaces the whole site, and
    browsers reload again if it holds a change they have not seen.
    """

    def __init__(self) -> None:
        self.link: str | None = None  # the folder `serve` serves
        self.current: str | None = None  # where the link points
        self.building: str | None = None  # the rebuild's folder
        self.server: Any = None
        self.folders: list[str] = []  # what `sources` watches
        self.docs = ""  # the pages' folder, relative to the project
        self.package = ""  # the snippets' folder, relative to the project
        self.sources: dict[str, str] = {}  # everything an edit may touch
        self.quick = False  # this rebuild may publish pages early
        self.shapes: dict[str, str] = {}  # page URL: its title and headings
        self.digests: dict[str, str] = {}  # served page: its HTML's digest
        self.built: dict[str, str] = {}  # the same, for this rebuild
        self.early: dict[str, str] = {}  # published early: place, digest
        self.previewed: dict[str, str] = {}  # the same, before the rebuild
        self.figures: dict[str, list[str]] = {}  # page: its figures' places
        self.passes: dict[str, Pass] = {}  # the last build's languages
        self._count = 0

    def start_build(
        self, config: MkDocsConfig, folders: list[str], content: list[str]
    ) -> None:
        """Point this build at a fresh folder; work out whether the edit
        allows publishing pages before the rebuild is complete. `folders`
        are watched; `content` are the pages' and the snippets' folders."""
        link = self.link or self._make_link(config.site_dir)
        self._count += 1
        self.building = f"{link}.build-{self._count}"
        config.site_dir = self.building
        root = _project_root(config)
        self.folders = folders
        self.docs, self.package = (
            os.path.relpath(folder, root) + os.sep for folder in content
        )
        found = sources(config, folders)
        self.quick = self._content_edit(found) is not None
        self.sources = found
        self.built, self.figures = {}, {}
        self.early, self.previewed = self.previewed, {}
        self.passes = {}

    def _make_link(self, folder: str) -> str:
        self.link = folder
        self.current = f"{folder}.build-0"
        os.makedirs(self.current, exist_ok=True)
        if os.path.isdir(folder) and not os.path.islink(folder):
            shutil.rmtree(folder)
        os.symlink(self.current, folder)
        return folder

    def figures_written(
        self, page: Page, folder: str, names: list[str]
    ) -> None:
        """Note the figures a page shows (written under `folder`)."""
        if self.building is not None:
            place = os.path.relpath(folder, self.building)
            self.figures[page.file.src_uri] = [
                os.path.join(place, name) for name in names
            ]

    def page_built(self, page: Page, output: str) -> None:
        """Publish the page at once if this rebuild changed it, the edit
        allows it, and its shape is the same."""
        shape = _shape(page)
        known = self.shapes.get(page.url)
        self.shapes[page.url] = shape
        built = page.file.abs_dest_path
        if self.building is None or built is None:
            return
        place = os.path.relpath(built, self.building)
        digest = _digest(output)
        self.built[place] = digest
        if (
            self.quick
            and known == shape
            and self.digests.get(place) not in (None, digest)
            and self.early.get(place) != digest
        ):
            figures = self.figures.get(page.file.src_uri, [])
            if self._publish(place, output, figures):
                self.early[place] = digest

    def _publish(self, place: str, output: str, figures: list[str]) -> bool:
        """Write one page (and the figures it shows) into the served site;
        reload browsers."""
        if self.current is None or not internals.can_reload(self.server):
            return False
        for path in figures:
            target = os.path.join(self.current, path)
            if not os.path.exists(target) and self.building is not None:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(os.path.join(self.building, path), target)
        _write_atomically(os.path.join(self.current, place), output)
        internals.reload_now(self.server)
        return True

    def _content_edit(self, found: dict[str, str]) -> list[str] | None:
        """What changed since the last build (paths relative to the
        project) if that is only pages' and snippets' text (no file added
        or removed); else None."""
        if not self.sources:
            return None
        changed = _changed(self.sources, found)

        def text_only(name: str) -> bool:
            if name.startswith(self.package):
                return True  # a module added or removed changes no nav
            kept = name in self.sources and name in found
            return kept and name.startswith(self.docs)

        return changed if all(map(text_only, changed)) else None

    def edit(self) -> list[str] | None:
        """Before a rebuild: what changed since the last build, if only
        pages' and snippets' text changed and the last build is at hand."""
        if not self.passes or self.current is None:
            return None
        config = self.config
        return self._content_edit(sources(config, self.folders))

    @property
    def config(self) -> MkDocsConfig:
        """The last build's configuration (one for all its languages)."""
        return next(iter(self.passes.values())).config

    def preview(
        self, source: str, render: Callable[[Pass, Page], str | None]
    ) -> None:
        """Render the page of `source` (a path relative to the project) in
        each language of the last build that shows it, with that language's
        state (`render` gives its HTML, or None if it cannot without a run
        or a warning), and publish it."""
        path = os.path.join(_project_root(self.config), source)
        for state in self.passes.values():
            page = next(
                (
                    f.page
                    for f in state.files.documentation_pages()
                    if f.abs_src_path == path and f.page is not None
                ),
                None,
            )
            if page is not None and page.file.abs_dest_path is not None:
                self._preview(state, page, render)

    def _preview(
        self,
        state: Pass,
        page: Page,
        render: Callable[[Pass, Page], str | None],
    ) -> None:
        known = self.shapes.get(page.url)
        output = render(state, page)
        place = os.path.relpath(page.file.abs_dest_path, self.current)
        if output is None or _shape(page) != known:
            return
        if place.startswith(os.pardir):
            return
        if self._publish(place, output, []):
            self.previewed[place] = _digest(output)
            log.info(
                "execnotes: %s published before the rebuild (%s)",
                page.file.src_uri,
                state.language,
            )

    def finish_build(self) -> None:
        """Serve the complete rebuild; drop the one it replaces."""
        if self.link is None or self.building is None:
            return
        old, self.current = self.current, self.building
        temporary = f"{self.link}.next"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        os.symlink(self.current, temporary)
        os.replace(temporary, self.link)
        self.building = None
        unseen = {
            place
            for place, digest in self.built.items()
            if digest not in (self.digests.get(place), self.early.get(place))
        }
        if self.early and unseen and internals.can_reload(self.server):
            # Browsers reloaded for the early pages: reload them again.
            internals.reload_after_build(self.server)
        self.digests, self.built = self.built, {}
        if old is not None and old != self.current:
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """The rebuild failed: keep serving the last complete one."""
        if self.building is not None:
            shutil.rmtree(self.building, ignore_errors=True)
            self.building = None
        self.passes = {}

    def stop(self) -> None:
        """Leave a plain folder where `serve` expects one (it removes it)."""
        if self.link is None or not os.path.islink(self.link):
            return
        os.unlink(self.link)
        if self.current is not None and os.path.isdir(self.current):
            os.replace(self.current, self.link)
        if self.building is not None:
            shutil.rmtree(self.building, ignore_errors=True)
        self.link = None


@dataclass
class Pass:
    """What one language's build used: enough to render one of its pages
    again."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Any
    language: str


def _shape(page: Page) -> str:
    """What other pages show of a page: its title and headings."""
    return json.dumps([str(page.title), _toc(page.toc)])


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    names = before.keys() | after.keys()
    return sorted(n for n in names if before.get(n) != after.get(n))


def _project_root(config: MkDocsConfig) -> str:
    return os.path.dirname(os.path.abspath(config.config_file_path or "."))


def sources(config: MkDocsConfig, folders: list[str]) -> dict[str, str]:
    """What a rebuild of `serve` may have been for: the configuration and
    every file under `folders` (docs, snippets, the theme's overrides), by
    path relative to the project and content hash."""
    root = _project_root(config)
    found: dict[str, str] = {}
    paths = [config.config_file_path or ""]
    for folder in folders:
        for parent, _, names in os.walk(folder):
            paths += [os.path.join(parent, name) for name in names]
    for path in paths:
        with contextlib.suppress(OSError):
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha1").hexdigest()
            found[os.path.relpath(path, root)] = digest
    return found


def _write_atomically(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.execnotes-tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
