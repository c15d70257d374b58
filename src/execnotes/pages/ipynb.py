"""Notebook pages as the runner reads them: cells, inline values, the job.

A notebook page (`docs/NAME.ipynb`) is read from its JSON (nbformat 4),
without nbformat's schema validation, which would cost more than the rest
of a warm build; what the runner relies on is checked here, and anything
else is a located error. Markdown cells may quote what the run computed:
`{{ name }}`, `{{ name["key"] }}` or `{{ name[0].attr:.3f }}` is replaced
by that value, taken right after the code cell above it ran and formatted
with the Python format spec after the colon.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from execnotes.core.protocol import CodeCell

CellKind = Literal["code", "markdown", "raw"]
_KINDS: tuple[CellKind, ...] = ("code", "markdown", "raw")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_FENCED = re.compile(
    r"^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1[ \t]*$|\Z)",
    re.MULTILINE | re.DOTALL,
)
_BRACES = re.compile(r"\{\{(?P<inner>.*?)\}\}", re.DOTALL)
_VALUE = re.compile(
    r"^\s*(?P<expr>[A-Za-z_]\w*"
    r"(?:\.[A-Za-z_]\w*|\[\s*(?:-?\d+|\"[^\"\\]*\"|'[^'\\]*')\s*\])*)"
    r"\s*(?::(?P<spec>[^{}]*?))?\s*$"
)
_PYTHON = ("python", "python3", "")


class NotebookError(Exception):
    """A notebook that cannot be read, with the reason."""


class NotebookSource(NamedTuple):
    """A notebook page as a build scans it."""

    page: str  # its name: the path under docs/
    text: str  # its JSON


@dataclass(frozen=True)
class NotebookValue:
    """A `{{ expression:spec }}` in a Markdown cell."""

    expression: str
    spec: str
    text: str  # as written, braces included


@dataclass(frozen=True)
class Cell:
    """One cell of a notebook page; `number` counts from 1, all kinds."""

    kind: CellKind
    source: str
    number: int
    values: tuple[NotebookValue, ...] = ()


@dataclass(frozen=True)
class Notebook:
    """A notebook page: its cells, metadata, and what is wrong in it."""

    page: str
    cells: tuple[Cell, ...]
    raw: dict[str, Any] = field(default_factory=dict)
    """The notebook's JSON, as read."""
    problems: tuple[tuple[int, str], ...] = ()
    """(cell number, message) of each located problem; number 0 is the
    notebook as a whole."""

    @property
    def language(self) -> str:
        """The language of its kernel ("" if it names none)."""
        metadata = self.raw.get("metadata")
        if not isinstance(metadata, dict):
            return ""
        kernel = metadata.get("kernelspec")
        language = kernel.get("language") if isinstance(kernel, dict) else ""
        return str(language or "")

    @property
    def runs_python(self) -> bool:
        """Whether its kernel is Python's (or unnamed)."""
        return self.language.lower() in _PYTHON

    @property
    def code_cells(self) -> list[Cell]:
        """The code cells, in order."""
        return [cell for cell in self.cells if cell.kind == "code"]

    def job_cells(self) -> tuple[CodeCell, ...]:
        """The code cells as a job runs them, each with the inline values
        of the Markdown cells between it and the next code cell (sorted:
        twins that quote the same values in another order share a run)."""
        cells: list[CodeCell] = []
        values: set[str] = set()
        for cell in self.cells:
            if cell.kind == "code":
                if cells:
                    cells[-1] = CodeCell(
                        cells[-1].source, tuple(sorted(values))
                    )
                cells.append(CodeCell(cell.source))
                values = set()
            else:
                values |= {v.expression for v in cell.values if v.expression}
        if cells:
            cells[-1] = CodeCell(cells[-1].source, tuple(sorted(values)))
        return tuple(cells)


def read_notebook(page: str, text: str) -> Notebook:
    """Read a notebook page from its JSON text.

    Raises:
        NotebookError: the text is not a version 4 notebook.
    """
    data = _json(text)
    cells_data = data.get("cells")
    if not isinstance(cells_data, list):
        raise NotebookError("it has no list of 'cells'")
    cells = tuple(
        _cell(item, number) for number, item in enumerate(cells_data, 1)
    )
    problems = [p for cell in cells for p in _value_problems(cell)]
    notebook = Notebook(page, cells, data, tuple(problems))
    if not notebook.runs_python:
        message = (
            f"its kernel runs {notebook.language!r}; execnotes runs Python "
            "notebooks only (set the kernel to Python 3)"
        )
        notebook = Notebook(page, cells, data, ((0, message), *problems))
    return notebook


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise NotebookError(f"it is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise NotebookError("it is not a JSON object")
    if data.get("nbformat") != 4:
        raise NotebookError(
            f"nbformat {data.get('nbformat')!r} is not supported; save it "
            "with Jupyter 4 or later (nbformat 4)"
        )
    return data


def _cell(item: object, number: int) -> Cell:
    if not isinstance(item, dict):
        raise NotebookError(f"cell {number} is not a JSON object")
    kind = item.get("cell_type")
    if kind not in _KINDS:
        raise NotebookError(f"cell {number}: unknown cell_type {kind!r}")
    source = _source(item.get("source", ""), number)
    values = inline_values(source) if kind == "markdown" else ()
    return Cell(kind, source, number, values)


def _source(source: object, number: int) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    raise NotebookError(f"cell {number}: 'source' is not text")


def inline_values(markdown: str) -> tuple[NotebookValue, ...]:
    """The `{{ ... }}` of a Markdown cell outside code (valid or not)."""
    visible = _FENCED.sub(lambda m: " " * len(m.group(0)), markdown)
    visible = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), visible)
    found = []
    for match in _BRACES.finditer(visible):
        text = markdown[match.start() : match.end()]
        valid = _VALUE.match(match["inner"])
        expression = valid["expr"] if valid else ""
        spec = (valid["spec"] or "").strip() if valid else ""
        found.append(NotebookValue(expression, spec, text))
    return tuple(found)


def _value_problems(cell: Cell) -> list[tuple[int, str]]:
    return [
        (
            cell.number,
            f"{value.text} is not an inline value; write {{{{ name }}}}, "
            '{{ name["key"] }} or {{ name[0]:.3f }} (a name, then '
            "indexes or attributes, then a format spec)",
        )
        for value in cell.values
        if not value.expression
    ]


def job_fields(notebook: Notebook) -> dict[str, Any]:
    """What of the notebook decides its run (for the job's key): the code
    cells and the values quoted after each, not the Markdown around."""
    return {
        "kind": "notebook",
        "cells": [[c.source, list(c.values)] for c in notebook.job_cells()],
    }
