"""The MkDocs side of cross-references, assets and config values.

Part of the MkDocs layer (like the hooks, it imports MkDocs; the layers
below do not): how a page's source path becomes a URL in this build and on
the published site, the plugin's own script and style, and the
`{{ config.NAME }}` placeholders of pages (such as `repo_url`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from execnotes.render.xref import Links

# Figures and the plugin's own files, shared by every language.
ASSET_DIR = "assets/execnotes"
# The script and style of "Copy runnable" and of labelled outputs.
_ASSETS = Path(__file__).parents[1] / "assets"
# Styles and scripts of blocks (execnotes.*) and of notebook pages.
_CSS = (f"{ASSET_DIR}/execnotes.css", f"{ASSET_DIR}/notebook.css")
_JS = (f"{ASSET_DIR}/execnotes.js", f"{ASSET_DIR}/notebook.js")
# `git+{{ config.NAME }}` (a pip requirement) or the bare value.
_CONFIG_VALUE = re.compile(
    r"(?P<git>git\+)?\{\{\s*config\.(?P<name>\w+)\s*\}\}"
)


def file_language(file: File, config: MkDocsConfig) -> str:
    """The language of a page's file."""
    # mkdocs-static-i18n marks each file with its locale; else the theme's.
    locale = getattr(file, "locale", None) or getattr(
        config.theme, "locale", None
    )
    return str(getattr(locale, "language", locale) or "en")


def links(page: Page, config: MkDocsConfig, files: Files) -> Links:
    """Pages as URLs: relative to `page`, and on the published site."""
    language = file_language(page.file, config)

    def target(source: str) -> File | None:
        file = files.get_file_from_path(source)
        if file is None or not file.is_documentation_page():
            return None
        # mkdocs-static-i18n finds the other language's twin too.
        same = file_language(file, config) == language
        return file if same else None

    def page_url(source: str) -> str | None:
        file = target(source)
        return None if file is None else get_relative_url(file.url, page.url)

    def published_url(source: str) -> str | None:
        file = target(source)
        if file is None or not config.site_url:
            return None
        return urljoin(config.site_url, file.url)

    return Links(page_url, published_url)


def with_config_values(markdown: str, config: MkDocsConfig) -> str:
    """The page with each `{{ config.NAME }}` of a setting of MkDocs
    replaced by its value (`{{ config.repo_url }}`: the repository's URL).
    Unset (a local build has no `repo_url`), `git+{{ config.NAME }}`
    becomes `.`, the clone being built, so no page shows a placeholder to
    fill in; the bare value becomes a sentence saying it is unset. A name
    that is no setting stays as written."""

    def value(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in config:
            return match[0]
        found = config[name]
        if found:
            return f"{match['git'] or ''}{str(found).rstrip('/')}"
        return "." if match["git"] else f"({name} is not set)"

    return _CONFIG_VALUE.sub(value, markdown)


def list_assets(config: MkDocsConfig) -> None:
    """List the plugin's style and script in the theme's extra files."""
    for uris, extra in (
        (_CSS, config.extra_css),
        (_JS, config.extra_javascript),
    ):
        for uri in uris:
            if uri not in map(str, extra):
                extra.append(uri)


def add_asset_files(files: Files, config: MkDocsConfig) -> None:
    """Add the plugin's style and script to the files of the build."""
    for uri in (*_CSS, *_JS):
        if files.get_file_from_path(uri) is None:
            source = str(_ASSETS / Path(uri).name)
            files.append(File.generated(config, uri, abs_src_path=source))
