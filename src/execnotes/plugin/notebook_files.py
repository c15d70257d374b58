"""Notebook pages among MkDocs' files, also with mkdocs-static-i18n.

mkdocs-jupyter makes `.ipynb` files pages by wrapping them in its own
File class; mkdocs-static-i18n then rebuilds every file as a plain MkDocs
File (priority -100), and a plain File of a notebook is an asset. Three
defects follow (seen with i18n 1.3.1 and mkdocs-jupyter 0.26.3): the raw
JSON is written as the page; a notebook in one language only is copied by
the other language's build over the first one's page; and mkdocs-jupyter,
whose cache keeps only the entries "used in this build", evicts in each
language build what the other one rendered.

`as_pages` runs after i18n's on_files and makes each notebook a page of
the language being built, placed and linked to its other languages as
i18n places Markdown pages (with its own `create_i18n_file`): the page in
this language, or the default language's as a fallback, never a copy
over another language's page. `LanguageCaches` gives mkdocs-jupyter one
cache folder per language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from execnotes.pages.ipynb import NotebookSource
from execnotes.plugin import internals

JUPYTER = "mkdocs-jupyter"


class NotebookPage(File):
    """A notebook that is a page of the site."""

    def is_documentation_page(self) -> bool:
        """Always: mkdocs-jupyter renders it."""
        return True

    @classmethod
    def of(cls, file: File) -> NotebookPage:
        """The same file (place, URL, i18n attributes), as a page."""
        page = cls.__new__(cls)
        page.__dict__.update(file.__dict__)
        return page


def jupyter(config: MkDocsConfig) -> BasePlugin[Any] | None:
    """mkdocs-jupyter, if the site uses it; it must not execute."""
    plugin = config.plugins.get(JUPYTER)
    if plugin is not None and plugin.config.get("execute"):
        raise PluginError(
            "execnotes runs the notebooks (in its worker pool, with its "
            f"cache): set `execute: false` under `- {JUPYTER}:` in "
            "mkdocs.yml (mkdocs-jupyter then only renders them)"
        )
    return plugin


def notebook_uris(files: Iterable[File], config: MkDocsConfig) -> list[str]:
    """The notebooks of docs/ that mkdocs-jupyter renders as pages."""
    plugin = jupyter(config)
    if plugin is None:
        return []
    docs = Path(config.docs_dir).resolve()
    return [
        file.src_uri
        for file in files
        if file.src_uri.endswith(".ipynb")
        and file.abs_src_path is not None
        and Path(file.abs_src_path).resolve().is_relative_to(docs)
        and plugin.should_include(file)  # type: ignore[attr-defined]
    ]


def notebook_sources(
    files: Iterable[File], config: MkDocsConfig
) -> list[NotebookSource]:
    """The notebook pages of docs/ and their JSON text ("" if unreadable:
    the runner then says why)."""
    uris = notebook_uris(files, config)
    by_uri = {file.src_uri: file for file in files}
    sources = []
    for uri in uris:
        try:
            text = by_uri[uri].content_string
        except (OSError, ValueError):
            text = ""
        sources.append(NotebookSource(uri, text))
    return sources


def as_pages(files: Files, config: MkDocsConfig, uris: list[str]) -> Files:
    """Make the notebooks `uris` pages of the language being built (the
    files as mkdocs-static-i18n left them, see the module's docstring)."""
    i18n = internals.i18n(config)
    if i18n is None or not uris:
        return files  # mkdocs-jupyter's own File class does the job
    for file in [f for f in files if f.src_uri in uris]:
        files.remove(file)
    place = internals.placer(i18n, config)
    for by_locale in _twins(uris, config, place, i18n.default_language):
        page = _page_in(i18n.current_language, by_locale, i18n, place)
        if page is None:
            continue
        alternates = {
            language: _page_in(language, by_locale, i18n, place)
            for language in i18n.build_languages
        }
        page.alternates = {  # type: ignore[attr-defined]
            language: alternate
            for language, alternate in alternates.items()
            if alternate is not None
        }
        files.append(page)
    i18n.i18n_files_per_language[i18n.current_language] = (
        files.documentation_pages()
    )
    return files


def _twins(
    uris: list[str],
    config: MkDocsConfig,
    place: Callable[[File, str], File],
    default: str,
) -> list[dict[str, NotebookPage]]:
    """Each notebook's pages by language (a page of its own, not placed)."""
    twins: dict[str, dict[str, NotebookPage]] = {}
    for uri in uris:
        page = NotebookPage(
            uri, config.docs_dir, config.site_dir, config.use_directory_urls
        )
        placed = place(page, default)
        locale = placed.locale  # type: ignore[attr-defined]
        twins.setdefault(placed.norm_src_uri, {})[locale] = page  # type: ignore[attr-defined]
    return list(twins.values())


def _page_in(
    language: str,
    by_locale: dict[str, NotebookPage],
    i18n: internals.I18n,
    place: Callable[[File, str], File],
) -> NotebookPage | None:
    """The page of a notebook in the build of `language`: its own, or the
    default language's if i18n falls back to it."""
    source = by_locale.get(language)
    if source is None and i18n.config.fallback_to_default:
        source = by_locale.get(i18n.default_language)
    return None if source is None else NotebookPage.of(place(source, language))


class LanguageCaches:
    """mkdocs-jupyter's cache, in a folder per language (under the folder
    it was given, taken beside mkdocs.yml like execnotes' own cache)."""

    def __init__(self) -> None:
        self._bases: WeakKeyDictionary[BasePlugin[Any], Path] = (
            WeakKeyDictionary()
        )

    def use(self, config: MkDocsConfig, language: str) -> None:
        """Point mkdocs-jupyter at the folder of `language`."""
        plugin = config.plugins.get(JUPYTER)
        if plugin is None or not plugin.config.get("cache"):
            return
        base = self._bases.get(plugin)
        if base is None:
            root = Path(config.config_file_path or ".").resolve().parent
            base = self._bases[plugin] = root / plugin.config["cache_dir"]
        plugin.config["cache_dir"] = str(base / language)
