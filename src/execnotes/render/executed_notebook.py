"""A notebook page with the outcome of its run, as notebooks to write.

The source `.ipynb` is never changed. From it and the run's outcome come:
- the copy mkdocs-jupyter renders: the run's outputs in place, figures as
  images of SVG files (alt text from the figure), a failed cell's error
  box, a note on the cells not run, links to other notes as site URLs;
- the download: the same outputs with the figures as SVG, the helpers the
  cells import from the package inlined in a setup section, and no
  `from snippets` import left, so that it runs for a reader (see
  `download`).
Markdown cells quote the run's values (`ipynb.NotebookValue`) in both.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from execnotes.build.notebook_runs import NotebookRun
from execnotes.core import strings
from execnotes.core.protocol import CellResult
from execnotes.pages.ipynb import Cell, Notebook, NotebookValue
from execnotes.render import fragments
from execnotes.render.figures import alt_text
from execnotes.render.fragments import failure_message, figure_name, literal
from execnotes.render.jupyter_markdown import LinkResolver, to_jupyter
from execnotes.render.page_notebook import jupyter_outputs

FigureUrl = Callable[[str], str]
_UNKNOWN = '<span class="execnotes-error">?</span>'
_NOTEBOOK_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s:]+\.ipynb(?:#[^)\s]*)?)\)"
)


class Executed:
    """A notebook page of a build, with its run's results by cell.

    `problems` lists (cell number, message) for the build's warnings:
    the cell that failed, and every inline value that has no value;
    number 0 is the notebook as a whole.
    """

    def __init__(self, run: NotebookRun, language: str) -> None:
        if run.notebook is None:
            raise ValueError(f"{run.page}: no notebook to write")
        self.notebook: Notebook = run.notebook
        self.language = strings.language_or_fallback(language)
        self.outcome = None if run.result is None else run.result.outcome
        self.problems: list[tuple[int, str]] = list(self.notebook.problems)
        self.figures: dict[str, str] = {}  # by file name, once rendered
        self.results = self._results()
        self.counts = self._counts()
        self._failure()
        self.prose = {
            cell.number: self._quoted(cell)
            for cell in self.notebook.cells
            if cell.kind == "markdown"
        }

    def _results(self) -> dict[int, CellResult]:
        """Each code cell's result, by cell number (none if not run)."""
        if self.outcome is None:
            return {}
        code = self.notebook.code_cells
        return {
            cell.number: result
            for cell, result in zip(code, self.outcome.cells, strict=False)
        }

    def _counts(self) -> dict[int, int]:
        """The execution count of each code cell that ran, as Jupyter's
        prompt and the tracebacks (`<In [n]>`) number it."""
        ran = [n for n, r in self.results.items() if r.status != "not run"]
        return {number: count for count, number in enumerate(ran, start=1)}

    def _failure(self) -> None:
        outcome = self.outcome
        if outcome is None or outcome.status == "ok":
            return
        failed = outcome.failed_cell
        code = self.notebook.code_cells
        number = code[failed].number if failed is not None else 0
        self.problems.append((number, failure_message(outcome)))

    # -- Markdown cells ---------------------------------------------------
    def _quoted(self, cell: Cell) -> str:
        """The cell's Markdown with each inline value replaced."""
        text = cell.source
        for value in cell.values:
            # One that is not a value was reported when the notebook was read.
            shown = self._value(cell, value) if value.expression else _UNKNOWN
            text = text.replace(value.text, shown, 1)
        return text

    def _value(self, cell: Cell, value: NotebookValue) -> str:
        if self.outcome is None:
            return "…"  # nothing runs in this build
        code = self.notebook.code_cells
        before = [c for c in code if c.number < cell.number]
        if not before:
            return self._missing(
                cell,
                f"{value.text} comes before any code cell: quote a value "
                "below the cell that computes it",
            )
        source = before[-1]
        result = self.results.get(source.number)
        if result is None or result.status != "ok":
            return self._missing(
                cell, f"{value.text}: cell {source.number} did not run"
            )
        if value.expression in result.missing:
            reason = result.missing[value.expression]
            return self._missing(cell, f"{value.text}: {reason}")
        found = result.values[value.expression]
        try:
            return literal(format(found, value.spec))
        except Exception as error:  # any value under any spec: no crash
            return self._missing(
                cell,
                f"{value.text}: cannot format {repr(found)[:60]} with "
                f"{value.spec!r} ({type(error).__name__}: {error})",
            )

    def _missing(self, cell: Cell, message: str) -> str:
        self.problems.append((cell.number, message))
        return _UNKNOWN

    # -- the copy mkdocs-jupyter renders ----------------------------------
    def rendered(self, figure_url: FigureUrl, link: LinkResolver) -> str:
        """The notebook for the site's page; its figures are in
        `self.figures` (by file name) once this returns."""

        def code(cell: Cell, data: dict[str, Any]) -> None:
            data["outputs"] = self._page_outputs(cell, figure_url)

        data = self.made_over(
            code, lambda text: to_jupyter(_relinked(text, link), link)
        )
        return dumps(data)

    def _page_outputs(
        self, cell: Cell, figure_url: FigureUrl
    ) -> list[dict[str, Any]]:
        result = self.results.get(cell.number)
        if result is None:
            return []
        count = self.counts.get(cell.number)
        if result.status == "not run":
            return [_html(self._not_run_note())]
        shown = CellResult(result.status, result.output, result.value)
        outputs = jupyter_outputs(shown, count or 0)
        for svg in result.figures:
            name = figure_name(svg)
            self.figures[name] = svg
            alt = alt_text(svg, self.language, fallback="figure")
            figure = fragments.figure_html(
                figure_url(name), alt, None, raster=fragments.has_raster(svg)
            )
            outputs.append(_html(figure))
        if result.status == "error" and self.outcome is not None:
            box = fragments.error_box(
                f"cell {cell.number}", failure_message(self.outcome)
            )
            outputs.append(_html(box))
        return outputs

    def _not_run_note(self) -> str:
        failed = [n for n, c in self.results.items() if c.status == "error"]
        note = strings.words(self.language)["notebook.not_run"].format(
            cell=failed[0]
        )
        return f'<p class="execnotes-not-run">{note}</p>'

    # -- shared -------------------------------------------------------------
    def made_over(
        self,
        code: Callable[[Cell, dict[str, Any]], None],
        prose: Callable[[str], str],
    ) -> dict[str, Any]:
        """The source notebook with each cell made over: Markdown cells by
        `prose`, code cells (their count set) by `code`."""
        data = copy.deepcopy(self.notebook.raw)
        for cell, cell_data in zip(
            self.notebook.cells, data["cells"], strict=True
        ):
            if cell.kind == "markdown":
                cell_data["source"] = prose(self.prose[cell.number])
            elif cell.kind == "code":
                cell_data["execution_count"] = self.counts.get(cell.number)
                code(cell, cell_data)
        return data


def dumps(notebook: dict[str, Any]) -> str:
    """A notebook's JSON text, as Jupyter writes it."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _relinked(markdown: str, link: LinkResolver) -> str:
    """Links to other notebook pages (`x.ipynb`) as `link` resolves them;
    to_jupyter does the same for links to Markdown pages."""

    def relink(match: re.Match[str]) -> str:
        url = link(match["target"])
        return match.group(0) if url is None else f"[{match['text']}]({url})"

    return _NOTEBOOK_LINK.sub(relink, markdown)


def _html(fragment: str) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "data": {"text/html": fragment},
        "metadata": {},
    }
