"""A page as a Jupyter notebook: its prose, its code and the recorded output.

Nothing is executed here; the outputs are those the build recorded, so the
notebook opens with the same results the page shows. It runs on its own:
a setup section near the top seeds the random generators before every
cell as the build did and defines the helpers the page uses but does not
show (see `export`). The JSON follows nbformat 4.5 and is written
directly: nbformat's builders validate every cell against the schema,
which cost more than the rest of a warm build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from execnotes.build.build import Build, Resolved
from execnotes.core import strings
from execnotes.core.protocol import Outcome
from execnotes.render.jupyter_markdown import (
    enclosing_boxes,
    to_jupyter_after,
    without_site_only,
)
from execnotes.render.xref import Links, notebook_link
from execnotes.source.export import Exporter, ExportError, assemble

_SECTION = re.compile(r"^#{2,6}\s", re.MULTILINE)
_RESEED = """\
{comment}
import random

import mxnet as mx
import numpy as np


def reseed(*_):
    \"\"\"{docstring}\"\"\"
    random.seed({seed})
    np.random.seed({seed})
    mx.random.seed({seed})
    mx.name.NameManager._current.value = mx.name.NameManager()


get_ipython().events.register("pre_run_cell", reseed)
"""


def helpers_header(language: str) -> str:
    """The comment that opens the helper cell, in `language`."""
    return strings.words(language)["notebook.helpers_header"]


def reseed_cell(language: str, seed: int) -> str:
    """The cell that seeds before every cell as the build did."""
    words = strings.words(language)
    comment = words["notebook.reseed_comment"]
    docstring = words["notebook.reseed_docstring"]
    return _RESEED.format(
        comment=comment.format(seed=seed), docstring=docstring, seed=seed
    )


def notebook_for(
    build: Build,
    page: str,
    markdown: tuple[list[str], int],
    *,
    exporter: Exporter,
    links: Links,
    language: str,
) -> tuple[str | None, str | None]:
    """The notebook of a page of `build` from its Markdown lines (and the
    file line of the first one); and why it lacks its helpers, if so."""
    lines, first = markdown
    with_code = [p for p, items in build.pages.items() if _has_code(items)]

    def prose(text: str, boxes: list[bool]) -> str:
        return to_jupyter_after(
            without_site_only(text),
            lambda to: notebook_link(to, page, with_code, links),
            boxes,
        )

    parts: list[str | BlockCell] = []
    cursor = 0
    boxes: list[bool] = []  # what encloses the code cell before the prose
    shown = [item for item in build.pages[page] if item.snippet is not None]
    for item in shown:
        directive = item.directive
        start = directive.line - first
        parts.append(prose("\n".join(lines[cursor:start]), boxes))
        boxes = enclosing_boxes(lines, start)
        cursor = directive.end_line - first + 1
        if item.snippet is not None:
            outcome = None if item.result is None else item.result.outcome
            code = exporter.cell(item.snippet)
            options = directive.options
            if not options.show_value:
                code = _quiet_call(code, item.snippet.call)
            parts.append(
                BlockCell(
                    code,
                    outcome,
                    directive.target,
                    options.varies,
                    show_value=options.show_value,
                )
            )
    parts.append(prose("\n".join(lines[cursor:]), boxes))
    problem = None
    try:
        helpers = exporter.page_helpers(
            [i.snippet for i in shown if i.snippet]
        )
    except ExportError as error:
        helpers, problem = [], str(error)
    header = helpers_header(language)
    code = assemble(helpers, header=header) if helpers else ""
    seed = build.runner.settings.seed
    return page_notebook(parts, code, language, seed), problem


def _quiet_call(code: str, call: str | None) -> str:
    """The cell with its closing call ended by `;`, so Jupyter does not
    display the value the page hides (a demo returns its numbers for the
    prose)."""
    lines = code.rstrip("\n").split("\n")
    if call and lines[-1] == call:
        lines[-1] += ";"
    return "\n".join(lines) + "\n"


def _has_code(items: Sequence[Resolved]) -> bool:
    return any(item.snippet is not None for item in items)


@dataclass(frozen=True)
class BlockCell:
    """A block of the page as a code cell."""

    source: str
    outcome: Outcome | None  # None: the block was not run
    name: str  # the snippet's dotted name
    varies: bool = False  # its outputs differ between runs
    show_value: bool = True  # the page shows the value it returned


def page_notebook(
    parts: Sequence[str | BlockCell], helpers: str, language: str, seed: int
) -> str | None:
    """The notebook of a page (prose as Markdown for Jupyter, and cells),
    or None if the page has no code."""
    if not any(isinstance(part, BlockCell) for part in parts):
        return None
    writer = NotebookWriter()
    setup_done = False
    for part in parts:
        if isinstance(part, BlockCell):
            if not setup_done:
                _setup(writer, helpers, language, seed, parts)
                setup_done = True
            writer.code(
                part.source,
                part.outcome,
                name=part.name,
                varies=part.varies,
                show_value=part.show_value,
            )
        elif not setup_done:
            intro, rest = _split_intro(part)
            writer.prose(intro)
            if rest.strip():
                _setup(writer, helpers, language, seed, parts)
                setup_done = True
            writer.prose(rest)
        else:
            writer.prose(part)
    return writer.text()


def _split_intro(text: str) -> tuple[str, str]:
    """The title and first paragraphs, and the rest from the first section."""
    found = _SECTION.search(text)
    return (
        (text, "")
        if found is None
        else (text[: found.start()], text[found.start() :])
    )


def _setup(
    writer: NotebookWriter,
    helpers: str,
    language: str,
    seed: int,
    parts: Sequence[str | BlockCell],
) -> None:
    runs = any(
        isinstance(p, BlockCell) and p.outcome is not None for p in parts
    )
    if not (runs or helpers):
        return
    language = strings.language_or_fallback(language)
    words = strings.words(language)
    notes = [words["notebook.setup_seed"]] if runs else []
    notes += [words["notebook.setup_helpers"]] if helpers else []
    writer.prose("\n\n".join([words["notebook.setup_title"], *notes]))
    if runs:
        writer.code(reseed_cell(language, seed), None, name="execnotes.setup")
    if helpers:
        writer.code(helpers, None, name="execnotes.helpers")


class NotebookWriter:
    """Collects cells in page order and writes them as an .ipynb text."""

    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []
        self.executed = 0

    @property
    def has_code(self) -> bool:
        """True once a code cell was added."""
        return any(cell["cell_type"] == "code" for cell in self.cells)

    def prose(self, text: str) -> None:
        """Add a Markdown cell, unless the text is blank."""
        text = text.strip("\n")
        if text.strip():
            self._add({"cell_type": "markdown", "source": text})

    def code(
        self,
        source: str,
        outcome: Outcome | None,
        name: str = "",
        *,
        varies: bool = False,
        show_value: bool = True,
    ) -> None:
        """Add a code cell with the outputs of its run, if it ran; its
        metadata names the snippet and says if its outputs vary."""
        count = None
        outputs: list[dict[str, Any]] = []
        if outcome is not None:
            self.executed += 1
            count = self.executed
            outputs = jupyter_outputs(outcome, count, show_value=show_value)
        cell: dict[str, Any] = {
            "cell_type": "code",
            "execution_count": count,
            "outputs": outputs,
            "source": source.rstrip("\n"),
        }
        metadata: dict[str, Any] = {"name": name} if name else {}
        if varies:
            metadata["varies"] = True
        self._add(cell, {"execnotes": metadata} if metadata else {})

    def _add(
        self, cell: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> None:
        # Fixed ids: two builds of the same page give the same file.
        cell.update(id=f"cell-{len(self.cells)}", metadata=metadata or {})
        self.cells.append(cell)

    def text(self) -> str:
        """The notebook as JSON text."""
        notebook = {
            "cells": self.cells,
            "metadata": {
                "kernelspec": {
                    "name": "python3",
                    "display_name": "Python 3",
                    "language": "python",
                },
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


class Produced(Protocol):
    """What a run (or a notebook's cell) printed, drew and returned."""

    @property
    def output(self) -> str:
        """Everything printed."""

    @property
    def figures(self) -> list[str]:
        """Every figure, as SVG."""

    @property
    def value(self) -> str | None:
        """The repr of the value returned (or of the last expression)."""


def jupyter_outputs(
    outcome: Produced, count: int, *, show_value: bool = True
) -> list[dict[str, Any]]:
    """Jupyter's outputs of a run: the text printed, the figures, the
    value (numbered `count`) unless `show_value` is false."""
    outputs: list[dict[str, Any]] = []
    if outcome.output:
        outputs.append(
            {"output_type": "stream", "name": "stdout", "text": outcome.output}
        )
    outputs += [
        {
            "output_type": "display_data",
            "data": {"image/svg+xml": svg},
            "metadata": {},
        }
        for svg in outcome.figures
    ]
    if outcome.value is not None and show_value:
        outputs.append(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "data": {"text/plain": outcome.value},
                "metadata": {},
            }
        )
    return outputs
