"""A page as a Jupyter notebook: its prose, its code and the recorded output.

Nothing is executed here; the outputs are those the build recorded, so the
notebook opens with the same results the page shows.
"""

from __future__ import annotations

from typing import Any

import nbformat
from nbformat import v4

from execnotes.protocol import Outcome


class NotebookWriter:
    """Collects cells in page order and writes them as an .ipynb text."""

    def __init__(self) -> None:
        self.cells: list[Any] = []
        self.has_code = False

    def prose(self, text: str) -> None:
        """Add a Markdown cell, unless the text is blank."""
        text = text.strip("\n")
        if text.strip():
            self._add(v4.new_markdown_cell(text))

    def code(self, source: str, outcome: Outcome | None) -> None:
        """Add a code cell with the outputs of its run, if it ran."""
        self.has_code = True
        count = sum(cell.cell_type == "code" for cell in self.cells) + 1
        outputs = [] if outcome is None else _outputs(outcome, count)
        cell = v4.new_code_cell(source.rstrip("\n"), outputs=outputs)
        cell.execution_count = count if outcome is not None else None
        self._add(cell)

    def _add(self, cell: Any) -> None:
        # Fixed ids: two builds of the same page give the same file.
        cell.id = f"cell-{len(self.cells)}"
        self.cells.append(cell)

    def text(self) -> str:
        """The notebook as JSON text."""
        notebook = v4.new_notebook(
            cells=self.cells,
            metadata={
                "kernelspec": {
                    "name": "python3",
                    "display_name": "Python 3",
                    "language": "python",
                },
                "language_info": {"name": "python"},
            },
        )
        return str(nbformat.writes(notebook))


def _outputs(outcome: Outcome, count: int) -> list[Any]:
    outputs = []
    if outcome.output:
        outputs.append(
            v4.new_output("stream", name="stdout", text=outcome.output)
        )
    for svg in outcome.figures:
        outputs.append(
            v4.new_output("display_data", data={"image/svg+xml": svg})
        )
    if outcome.value is not None:
        outputs.append(
            v4.new_output(
                "execute_result",
                data={"text/plain": outcome.value},
                execution_count=count,
            )
        )
    return outputs
