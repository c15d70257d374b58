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
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

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
        self._patch(Page, "render", self._render)
        try:
            from material.plugins.search.plugin import SearchIndex
        except ImportError:  # another theme: no search plugin to speed up
            return
        self._patch(SearchIndex, "add_entry_from_context", self._index)

    def stop(self) -> None:
        """Remove the patches."""
        while self._undo:
            self._undo.pop()()

    def on_env(self, env: Any) -> None:
        """Reuse compiled templates across rebuilds."""
        env.bytecode_cache = self.templates

    def _patch(self, owner: type, name: str, make: Callable[..., Any]) -> None:
        original = getattr(owner, name)
        setattr(owner, name, make(original))
        self._undo.append(lambda: setattr(owner, name, original))

    # -- Markdown conversion -------------------------------------------
    def _render(self, original: Callable[..., None]) -> Callable[..., None]:
        def render(page: Page, config: MkDocsConfig, files: Files) -> None:
            key = self._render_key(page, config, files)
            known = self.renders.get(key)
            if known is None:
                with _recording() as records:
                    original(page, config, files)
                known = _rendered(page, records)
                self._remember(self.renders, key, known)
            else:
                self.hits["render"] += 1
                _restore(page, known, files)
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
            if known is None:
                before = len(index.entries)
                original(index, page)
                known = copy.deepcopy(index.entries[before:])
                self._remember(self.entries, key, known)
            else:
                self.hits["search"] += 1
                index.entries.extend(copy.deepcopy(known))

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


def _rendered(page: Page, records: list[logging.LogRecord]) -> dict[str, Any]:
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": page.toc,
        "title": page._title_from_render,
        "anchors": set(page.present_anchor_ids or ()),
        "links": None
        if links is None
        else {file.src_uri: dict(found) for file, found in links.items()},
        "records": records,
    }


def _restore(page: Page, known: dict[str, Any], files: Files) -> None:
    page.content = known["content"]
    page.toc = copy.deepcopy(known["toc"])
    page._title_from_render = known["title"]
    page.present_anchor_ids = set(known["anchors"])
    if known["links"] is not None:
        page.links_to_anchors = {
            target: dict(found)
            for src_uri, found in known["links"].items()
            if (target := files.get_file_from_path(src_uri)) is not None
        }


class Publisher:
    """Builds every rebuild of `serve` into a fresh folder and switches the
    served folder to it only when the build is complete.

    `mkdocs serve` serves one folder and empties it at the start of every
    rebuild. Here that folder becomes a link to the last complete build:
    a rebuild writes a new folder, and the link moves when it is done, so
    the served site is always whole. When the rebuild comes from an edit of
    one page's text and nothing else, that page is published as soon as it
    is built (into the served site, whose other pages are as the rebuild
    will leave them) and browsers reload at once; the rest of the rebuild
    goes on, and its result replaces the whole site when done.
    """

    def __init__(self) -> None:
        self.link: str | None = None  # the folder `serve` serves
        self.current: str | None = None  # where the link points
        self.building: str | None = None  # the rebuild's folder
        self.server: Any = None
        self.sources: dict[str, str] = {}  # everything an edit may touch
        self.edited: str | None = None  # the one page whose text changed
        self.shapes: dict[str, str] = {}  # page URL: its title and headings
        self._count = 0

    def start_build(
        self, config: MkDocsConfig, sources: dict[str, str]
    ) -> None:
        """Point this build at a fresh folder; work out whether only one
        page's text changed since the last build."""
        link = self.link or self._make_link(config.site_dir)
        self._count += 1
        self.building = f"{link}.build-{self._count}"
        config.site_dir = self.building
        changed = [
            n
            for n in sources.keys() | self.sources.keys()
            if sources.get(n) != self.sources.get(n)
        ]
        single = len(changed) == 1 and changed[0].startswith("docs/")
        self.edited = changed[0] if single and self.sources else None
        self.sources = sources

    def _make_link(self, folder: str) -> str:
        self.link = folder
        self.current = f"{folder}.build-0"
        os.makedirs(self.current, exist_ok=True)
        if os.path.isdir(folder) and not os.path.islink(folder):
            shutil.rmtree(folder)
        os.symlink(self.current, folder)
        return folder

    def page_built(self, page: Page, output: str) -> None:
        """Publish the edited page at once, if its shape (title, headings:
        what other pages show of it) did not change."""
        shape = json.dumps([str(page.title), _toc(page.toc)])
        known = self.shapes.get(page.url)
        self.shapes[page.url] = shape
        source, built = page.file.abs_src_path, page.file.abs_dest_path
        if (
            self.edited is None
            or source is None
            or not source.endswith(os.sep + self.edited)
            or known != shape
            or self.current is None
            or self.building is None
            or not hasattr(self.server, "_epoch_cond")
        ):
            return
        target = os.path.join(
            self.current, os.path.relpath(built, self.building)
        )
        _write_atomically(target, output)
        server = self.server
        with server._epoch_cond:  # what MkDocs does when a build is done
            server._visible_epoch = server._wanted_epoch
            server._epoch_cond.notify_all()

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
        if old is not None and old != self.current:
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """The rebuild failed: keep serving the last complete one."""
        if self.building is not None:
            shutil.rmtree(self.building, ignore_errors=True)
            self.building = None

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


def sources(config: MkDocsConfig, folders: list[str]) -> dict[str, str]:
    """What a rebuild of `serve` may have been for: the configuration and
    every file under `folders` (docs, snippets, the theme's overrides), by
    path relative to the project and content hash."""
    root = os.path.dirname(os.path.abspath(config.config_file_path or "."))
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
