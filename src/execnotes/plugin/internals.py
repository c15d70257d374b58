"""Every use of what MkDocs, Material and mkdocs-static-i18n do not
promise: their private names, copies of their code, their patched methods.

The rest of execnotes reaches them only through the functions here.
`RELIED_ON` lists each name used, by distribution, and `COPIED` the
digest of each function copied here; tests/architecture/
test_mkdocs_internals.py checks both against what is installed, and fails
naming the name and the versions tested (`TESTED`, which pyproject.toml's
bounds follow) when an upgrade changes one. Four uses:

- previews render a page again as a build does (`render_again`: a copy of
  `mkdocs.commands.build._populate_page` and `_build_page`);
- under `serve`, a page's Markdown conversion (`Page.render`, and what it
  sets on the page) and its search entries (Material's
  `SearchIndex.add_entry_from_context`) are patched to be reused
  (`patch`, `conversion_of`, `restore_conversion`, `search_entries`);
- `serve` reloads browsers when it publishes a page early
  (`LiveReloadServer`'s epochs: `reload_now`, `reload_after_build`) and
  runs a preview before each rebuild (`before_rebuilds`);
- notebook pages are placed in each language as mkdocs-static-i18n places
  Markdown pages (`i18n`, `language_being_built`, `use_language`,
  `placer`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

TESTED = {
    "mkdocs": (">=1.6.1", "<1.7"),
    "mkdocs-material": (">=9.8", "<9.9"),
    "mkdocs-static-i18n": (">=1.3.1", "<1.4"),
}
"""The versions whose private API this module was checked against."""

RELIED_ON: dict[str, dict[str, tuple[str, ...]]] = {
    "mkdocs": {
        "mkdocs.commands.build.get_context": (
            "nav",
            "files",
            "config",
            "page",
        ),
        "mkdocs.config.defaults.MkDocsConfig": ("_current_page",),
        "mkdocs.structure.pages.Page": (
            "render",
            "read_source",
            "active",
            "_title_from_render",
            "present_anchor_ids",
            "links_to_anchors",
        ),
        "mkdocs.livereload.LiveReloadServer": (
            "builder",
            "_epoch_cond",
            "_wanted_epoch",
            "_visible_epoch",
        ),
    },
    "mkdocs-material": {
        "material.plugins.search.plugin.SearchIndex": (
            "add_entry_from_context",
            "entries",
        ),
    },
    "mkdocs-static-i18n": {
        "mkdocs_static_i18n.plugin.I18n": (
            "on_config",
            "current_language",
            "default_language",
            "all_languages",
            "build_languages",
            "i18n_files_per_language",
        ),
        "mkdocs_static_i18n.folder.create_i18n_file": (
            "file",
            "current_language",
            "default_language",
            "all_languages",
            "config",
        ),
        "mkdocs_static_i18n.suffix.create_i18n_file": (
            "file",
            "current_language",
            "default_language",
            "all_languages",
            "config",
        ),
    },
}
"""Distribution: object: the attributes of a class used here, or the
parameters of a function called here (its first ones, in order)."""

COPIED = {
    "mkdocs.commands.build._populate_page": (
        "31a70ea4caef1e127a9d65a0f346ee322bad00d673ef824d82acf807e61d91c2"
    ),
    "mkdocs.commands.build._build_page": (
        "adcdbd14b236112697cafec9171bd281981f15a776e0d2f941a62e7bffd9a0d5"
    ),
}
"""Each function `render_again` copies: the SHA-256 of its source as
copied (`inspect.getsource`)."""

I18N = "i18n"


# -- rendering a page again --------------------------------------------
def render_again(
    page: Page,
    config: MkDocsConfig,
    files: Files,
    nav: Navigation,
    env: Any,
    ready: Callable[[Page], bool],
) -> str | None:
    """The HTML of `page` as a build renders it (MkDocs'
    `_populate_page` then `_build_page`, without writing it), with the
    state of the build that made `files`, `nav` and the Jinja `env`. None
    if `ready(page)`, asked once the page's source is read, says no."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        if not ready(page):
            return None
        page.markdown = config.plugins.on_page_markdown(
            page.markdown or "", page=page, config=config, files=files
        )
        page.render(config, files)
        page.content = config.plugins.on_page_content(
            page.content or "", page=page, config=config, files=files
        )
        page.active = True
        context = get_context(nav, files.documentation_pages(), config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(
            context, page=page, config=config, nav=nav
        )
        output: str = config.plugins.on_post_page(
            template.render(context), page=page, config=config
        )
        return output if output.strip() else None
    finally:
        page.active = False
        config._current_page = None


# -- reusing a page's conversion and search entries under `serve` -------
def patch(
    owner: str, name: str, make: Callable[[Callable[..., Any]], Any]
) -> Callable[[], None] | None:
    """Replace the method `name` of the class `owner` ("page" for MkDocs'
    `Page`, "search index" for Material's `SearchIndex`) by
    `make(original)`; return what undoes it (None: no such class here,
    as without Material)."""
    cls = _patched_class(owner)
    if cls is None:
        return None
    original = getattr(cls, name)
    setattr(cls, name, make(original))
    return lambda: setattr(cls, name, original)


def _patched_class(owner: str) -> type | None:
    if owner == "page":
        return Page
    try:
        from material.plugins.search.plugin import SearchIndex
    except ImportError:  # another theme: no search plugin to speed up
        return None
    return cast(type, SearchIndex)


def conversion_of(page: Page) -> dict[str, Any]:
    """What `Page.render` set on `page`."""
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": page.toc,
        "title": page._title_from_render,
        "anchors": set(page.present_anchor_ids or ()),
        "links": None
        if links is None
        else {file.src_uri: dict(found) for file, found in links.items()},
    }


def restore_conversion(
    page: Page, known: dict[str, Any], files: Files
) -> None:
    """Set on `page` what `Page.render` set (`conversion_of`), its links
    resolved against `files`."""
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


def search_entries(index: Any) -> list[dict[str, Any]]:
    """The entries Material's search index holds so far (in place)."""
    entries: list[dict[str, Any]] = index.entries
    return entries


# -- mkdocs serve's server ----------------------------------------------
def can_reload(server: Any) -> bool:
    """Whether `server` is a LiveReloadServer whose browsers we can
    reload."""
    return hasattr(server, "_epoch_cond")


def reload_now(server: Any) -> None:
    """What MkDocs does when a build is done, with a new epoch each time:
    every publication reloads the browsers."""
    with server._epoch_cond:
        server._wanted_epoch = max(
            server._wanted_epoch, server._visible_epoch + 1
        )
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()


def reload_after_build(server: Any) -> None:
    """Make browsers reload again when the build in progress is done."""
    server._wanted_epoch = server._visible_epoch + 1


def before_rebuilds(server: Any, first: Callable[[], None]) -> None:
    """Have `server` call `first` before each rebuild (if it rebuilds)."""
    build_again = getattr(server, "builder", None)
    if build_again is None:
        return

    def builder(*args: Any, **kwargs: Any) -> None:
        first()
        build_again(*args, **kwargs)

    server.builder = builder


# -- mkdocs-static-i18n -------------------------------------------------
class I18n(Protocol):
    """What is used of mkdocs-static-i18n's plugin."""

    config: Any
    current_language: str
    default_language: str
    all_languages: list[str]
    build_languages: list[str]
    i18n_files_per_language: dict[str, Sequence[File]]

    def on_config(self, config: MkDocsConfig) -> Any:
        """Set `config` up for `current_language`."""


def i18n(config: MkDocsConfig) -> I18n | None:
    """mkdocs-static-i18n's plugin, if the site uses it."""
    plugin = config.plugins.get(I18N)
    if plugin is None or not hasattr(plugin, "current_language"):
        return None
    return cast(I18n, plugin)


def language_being_built(config: MkDocsConfig) -> str:
    """The language this build writes (mkdocs-static-i18n's, or the
    theme's)."""
    plugin = config.plugins.get(I18N)
    language = getattr(plugin, "current_language", None)
    locale = getattr(config.theme, "locale", None)
    return str(language or getattr(locale, "language", locale) or "en")


def use_language(config: MkDocsConfig, language: str) -> bool:
    """Set `config` up for `language` as mkdocs-static-i18n does before it
    builds that language; False without mkdocs-static-i18n."""
    plugin = i18n(config)
    if plugin is None:
        return False
    plugin.current_language = language
    plugin.on_config(config)
    return True


# mkdocs-static-i18n's create_i18n_file(file, language, default language,
# all languages, config): the file as placed in the build of `language`.
_Create = Callable[[File, str, str, list[str], MkDocsConfig], File]


def placer(plugin: I18n, config: MkDocsConfig) -> Callable[[File, str], File]:
    """mkdocs-static-i18n's own way to place a file in a language."""
    from mkdocs_static_i18n import folder, suffix

    structure = plugin.config.docs_structure
    module = folder if structure == "folder" else suffix
    create: _Create = module.create_i18n_file
    return lambda file, language: create(
        file, language, plugin.default_language, plugin.all_languages, config
    )
