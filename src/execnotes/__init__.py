"""execnotes: show and run code from a tested package in MkDocs pages."""

from __future__ import annotations

from execnotes.directives import Directive, DirectiveError, Options, parse_page
from execnotes.export import Exporter, ExportError
from execnotes.jobs import Build
from execnotes.protocol import Outcome
from execnotes.session import Runner, Settings
from execnotes.symbols import Snippet, SymbolError, resolve

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
