"""execnotes: show and run code from a tested package in MkDocs pages.

The names here are its public API, for tools that build pages without
MkDocs: settings and a `Runner`, a `Build` that scans `PageSource`s and
`NotebookSource`s, and what it resolves, runs and exports. The MkDocs
plugin is `execnotes.plugin:ExecNotesPlugin` (the `execnotes` entry point),
the command line `python -m execnotes`. The layer subpackages
(ARCHITECTURE.md) are internal: their modules may change between versions.
"""

from __future__ import annotations

from execnotes.build.build import Build
from execnotes.build.runner import Runner, Settings
from execnotes.core.protocol import Outcome
from execnotes.pages.directives import (
    Directive,
    DirectiveError,
    Options,
    PageSource,
    parse_page,
)
from execnotes.pages.ipynb import NotebookSource
from execnotes.source.export import Exporter, ExportError
from execnotes.source.symbols import Snippet, SymbolError, resolve

__all__ = [
    "Build",
    "Directive",
    "DirectiveError",
    "ExportError",
    "Exporter",
    "NotebookSource",
    "Options",
    "Outcome",
    "PageSource",
    "Runner",
    "Settings",
    "Snippet",
    "SymbolError",
    "parse_page",
    "resolve",
]
