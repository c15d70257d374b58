"""The MkDocs layer: the plugin's hooks and everything that knows MkDocs.

`ExecNotesPlugin` is named here, where the `mkdocs.plugins` entry point
(`execnotes.plugin:ExecNotesPlugin`) has always found it.
"""

from __future__ import annotations

from execnotes.plugin.hooks import ExecNotesPlugin

__all__ = ["ExecNotesPlugin"]
