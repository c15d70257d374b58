"""The downloads of the notebook notes (docs/*.ipynb), run as a reader runs
them: with nbclient, in the reader's environment, from an empty folder,
top to bottom, they print and return what the site shows."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from execnotes.render.xref import notebook_name
from tests.reader.reader_env import (
    WAITS_FOR_RUNS,
    assert_ran_in_reader_kernel,
    runnable_texts,
)
from tests.reader.runs import NotebookRuns, RunnableRuns
from tests.reader.test_notebooks import code_cells, text_outputs
from tests.site.site_helpers import (
    LANGUAGES,
    notebook_page_names,
    notebook_source,
    page_path,
)

pytestmark = [pytest.mark.slow, pytest.mark.reader, WAITS_FOR_RUNS]

NOTEBOOKS = pytest.mark.parametrize(
    ("name", "language"),
    [(name, lang) for name in notebook_page_names() for lang in LANGUAGES],
    ids=str,
)


def download_path(name: str, language: str) -> str:
    """The site path of a notebook note's download."""
    return page_path(name, language) + notebook_name(
        notebook_source(name, language).name
    )


@NOTEBOOKS
def test_download_runs_in_the_reader_kernel(
    notebook_runs: NotebookRuns, site_dir: Path, name: str, language: str
) -> None:
    """Every cell runs, in the reader's interpreter."""
    assert (site_dir / download_path(name, language)).is_file()
    _, ran = notebook_runs[download_path(name, language)]
    assert_ran_in_reader_kernel(ran)


@NOTEBOOKS
def test_download_prints_what_the_site_shows(
    notebook_runs: NotebookRuns, name: str, language: str
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


@NOTEBOOKS
def test_each_cell_copies_code_that_runs_for_a_reader(
    site_dir: Path, runnable_runs: RunnableRuns, name: str, language: str
) -> None:
    """Every code cell of the page has a "copy runnable" text: the setup,
    the helpers and the cells up to this one (as Jupyter needs them),
    nothing from snippets; it runs with the reader's `python -`."""
    html = site_dir / page_path(name, language) / "index.html"
    texts = runnable_texts(html)
    source = json.loads(notebook_source(name, language).read_text("utf-8"))
    cells = ["".join(c["source"]).strip() for c in code_cells(source)]
    assert len(texts) == len(cells), "one runnable text per code cell"
    for before, text, cell in zip(["", *texts], texts, cells, strict=False):
        assert text.startswith(before.rstrip("\n")), "cells above come first"
        assert len(text) > len(before)
        for statement in _own_statements(cell):
            assert statement in text[len(before.rstrip()) :]
        assert "from snippets" not in text
        assert "import snippets" not in text
        runnable_runs.assert_runs(text)


def _own_statements(code: str) -> list[str]:
    """The source of a cell's statements but its imports from snippets
    (which the helpers replace)."""
    return [
        segment
        for node in ast.parse(code).body
        if not (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] == "snippets"
        )
        if (segment := ast.get_source_segment(code, node)) is not None
    ]
