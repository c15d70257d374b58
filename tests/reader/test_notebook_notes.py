"""The downloads of the notebook notes (docs/*.ipynb), run as a reader runs
them: with nbclient, in the reader's environment, from an empty folder,
top to bottom, they print and return what the site shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from execnotes.xref import notebook_name
from tests.reader.reader_env import (
    Ran,
    assert_ran_in_reader_kernel,
)
from tests.reader.test_notebooks import code_cells, text_outputs
from tests.site.site_helpers import LANGUAGES, notebook_page_names, page_path

pytestmark = [pytest.mark.slow, pytest.mark.reader]

NOTEBOOKS = pytest.mark.parametrize(
    ("name", "language"),
    [(name, lang) for name in notebook_page_names() for lang in LANGUAGES],
    ids=str,
)
Runs = dict[str, tuple[dict[str, Any], Ran]]


def download_path(name: str, language: str) -> str:
    """The site path of a notebook note's download."""
    return page_path(name, language) + notebook_name(f"{name}.ipynb")


@NOTEBOOKS
def test_download_runs_in_the_reader_kernel(
    notebook_runs: Runs, site_dir: Path, name: str, language: str
) -> None:
    """Every cell runs, in the reader's interpreter."""
    assert (site_dir / download_path(name, language)).is_file()
    _, ran = notebook_runs[download_path(name, language)]
    assert_ran_in_reader_kernel(ran)


@NOTEBOOKS
def test_download_prints_what_the_site_shows(
    notebook_runs: Runs, name: str, language: str
) -> None:
    """Each cell prints and returns what the build recorded."""
    recorded, ran = notebook_runs[download_path(name, language)]
    assert ran.notebook is not None, ran.output[-3000:]
    pairs = zip(
        code_cells(recorded), code_cells(ran.notebook)[1:], strict=True
    )
    compared = 0
    for old, new in pairs:
        if old["outputs"]:
            assert text_outputs(new) == text_outputs(old), old["source"]
            compared += 1
    assert compared >= 3
