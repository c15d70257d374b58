"""Notebook pages in a build: what each one holds, and its run.

A notebook's code cells are one job: they run in order in one child of the
pool, under a key made of the code of every cell and the values the
Markdown cells quote (see `ipynb.job_fields`), with the inputs the run
read, as for a block. Twins whose code is the same share one job, so a
notebook runs once for both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from execnotes.core.protocol import Job
from execnotes.pages.ipynb import (
    Notebook,
    NotebookError,
    job_fields,
    read_notebook,
)
from execnotes.worker.capture import CALL_FILENAME

if TYPE_CHECKING:
    from execnotes.build.build import Build, Result


@dataclass
class NotebookRun:
    """A notebook page of a build: what was read, and its run (None when
    it has no code, does not run, or could not be read)."""

    page: str
    notebook: Notebook | None
    result: Result | None = None
    error: str | None = None


def notebook_run(
    build: Build, page: str, text: str, misses: list[Result]
) -> NotebookRun:
    """Read the notebook page `page`; find or start its run."""
    try:
        notebook = read_notebook(page, text)
    except NotebookError as error:
        return NotebookRun(page, None, error=f"cannot read it: {error}")
    cells = notebook.job_cells()
    if not (build.execute and cells and notebook.runs_python):
        return NotebookRun(page, notebook)
    settings = build.runner.settings
    job = Job(
        key=build.job_key(job_fields(notebook)),
        parts=(),
        call=None,
        call_filename=CALL_FILENAME,
        seed=settings.seed,
        max_output=settings.max_output_chars,
        timeout=settings.timeout,
        cells=cells,
    )
    result = build.results.get(job.key)
    if result is None:
        result = build.start(job, None, misses, notebook=page)
    # Twins share the run: it is named after the page without a language
    # suffix, whichever language was read first.
    result.notebook = min(result.notebook, page, key=_fewest_dots)
    result.uses.append((page, 0))
    return NotebookRun(page, notebook, result)


def _fewest_dots(page: str) -> tuple[int, str]:
    return page.count("."), page
