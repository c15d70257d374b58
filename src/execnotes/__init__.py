"""execnotes: show and run code from a tested package in MkDocs pages."""

from __future__ import annotations

from execnotes.build.build import Build
from execnotes.build.runner import Runner, Settings
from execnotes.core.protocol import Outcome
from execnotes.pages.directives import (
    Directive,
    DirectiveError,
    Options,
    parse_page,
)
from execnotes.source.export import Exporter, ExportError
from execnotes.source.symbols import Snippet, SymbolError, resolve

__all__ = [
    "Build",
    "Directive",
    "DirectiveError",
    "ExportError",
    "Exporter",
    "Options",
    "Outcome",
    "Runner",
    "Settings",
    "Snippet",
    "SymbolError",
    "parse_page",
    "resolve",
]
