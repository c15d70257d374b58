"""A page as a Jupyter notebook: its prose, its code and the recorded output.

Nothing is executed here; the outputs are those the build recorded, so the
notebook opens with the same results the page shows. The JSON follows
nbformat 4.5 and is written directly: nbformat's builders validate every
cell against the schema, which cost more than the rest of a warm build.
"""

from __future__ import annotations

import json
from typing import Any

from execnotes.protocol import Outcome


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
        self, source: str, outcome: Outcome | None, *, varies: bool = False
    ) -> None:
        """Add a code cell with the outputs of its run, if it ran; mark it
        if its outputs differ between runs."""
        count = None
        outputs: list[dict[str, Any]] = []
        if outcome is not None:
            self.executed += 1
            count = self.executed
            outputs = _outputs(outcome, count)
        self._add(
            {
                "cell_type": "code",
                "execution_count": count,
                "outputs": outputs,
                "source": source.rstrip("\n"),
            },
            {"execnotes": {"varies": True}} if varies else {},
        )

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


def _outputs(outcome: Outcome, count: int) -> list[dict[str, Any]]:
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
    if outcome.value is not None:
        outputs.append(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "data": {"text/plain": outcome.value},
                "metadata": {},
            }
        )
    return outputs
