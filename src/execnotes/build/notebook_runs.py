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

from execnotes.build.results import Result
from execnotes.core.protocol import CALL_FILENAME, CodeCell, Job
from execnotes.pages.ipynb import Notebook

if TYPE_CHECKING:
    from execnotes.build.runner import Settings


@dataclass
class NotebookRun:
    """A notebook page of a build: what was read, and its run (None when
    it has no code, does not run, or could not be read)."""

    page: str
    notebook: Notebook | None
    result: Result | None = None
    error: str | None = None


def notebook_job(
    cells: tuple[CodeCell, ...], key: str, settings: Settings
) -> Job:
    """The one job that runs a notebook's code `cells`, under `key`."""
    return Job(
        key=key,
        parts=(),
        call=None,
        call_filename=CALL_FILENAME,
        seed=settings.seed,
        max_output=settings.max_output_chars,
        timeout=settings.timeout,
        cells=cells,
    )


def run_name(name: str, page: str) -> str:
    """The name of a run that twins share: the page without a language
    suffix, whichever language was read first (`name`)."""
    return min(name, page, key=_fewest_dots)


def _fewest_dots(page: str) -> tuple[int, str]:
    return page.count("."), page
