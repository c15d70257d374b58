"""A site as the command line sees it: read through MkDocs, as a build
reads it, so that `python -m execnotes` counts exactly what
`mkdocs build` would run."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from execnotes.build.runner import Settings
from execnotes.pages.directives import PageSource, Probe
from execnotes.pages.ipynb import NotebookSource
from execnotes.plugin.hooks import (
    ExecNotesPlugin,
    MarkdownProbe,
    markdown_pages,
    settings_from,
)
from execnotes.plugin.notebook_files import notebook_sources


class SitePages(NamedTuple):
    """The pages MkDocs would build (so that `exclude_docs` and front
    matter count as in a build)."""

    markdown: list[PageSource]
    notebooks: list[NotebookSource]


class Site(NamedTuple):
    """The plugin's settings, the pages, and the site's Markdown (so that
    blocks count exactly where they are rendered)."""

    settings: Settings
    pages: SitePages
    probe: Probe


class SiteError(Exception):
    """The configuration is not a site that execnotes builds."""


def load_site(config_file: Path) -> Site:
    """Read the site of `config_file` (an mkdocs.yml)."""
    config = load_config(config_file=str(config_file))
    plugin = config.plugins.get("execnotes")
    if not isinstance(plugin, ExecNotesPlugin):
        raise SiteError(
            f"{config_file}: the execnotes plugin is not in 'plugins'"
        )
    files = get_files(config)
    pages = SitePages(markdown_pages(files), notebook_sources(files, config))
    return Site(
        settings_from(plugin.config, config), pages, MarkdownProbe(config)
    )
