"""Everything a reader can take from the built site, run in the reader's
environment: every page notebook and every "copy runnable" text.

The runs are slow (the full-data training demos run again), so each
distinct text runs once per session, two at a time (the machine has two
cores), in the session fixtures below; the tests only look at the
results.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.reader.reader_env import (
    READER_PYTHON,
    Ran,
    reader_env,
    run_code,
    run_notebook,
    runnable_texts,
    site_notebooks,
    with_prefix_check,
)

JOBS = 2  # parallel runs: one per core


def run_each(texts: list[str], runner: Callable[[str], Ran]) -> dict[str, Ran]:
    """Each distinct text run once, JOBS at a time."""
    unique = list(dict.fromkeys(texts))
    with ThreadPoolExecutor(JOBS) as pool:
        return dict(zip(unique, pool.map(runner, unique), strict=True))


@pytest.fixture(scope="session")
def reader_python() -> Path:
    """The reader's interpreter, checked to lack this project."""
    if not READER_PYTHON.exists():
        pytest.fail(
            f"{READER_PYTHON} not found: run `scripts/setup.sh --test`, "
            "which creates the reader's environment",
            pytrace=False,
        )
    probe = subprocess.run(
        [str(READER_PYTHON), "-c", "import snippets"],
        cwd="/",
        env=reader_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0, "snippets is importable in the reader venv"
    return READER_PYTHON


@pytest.fixture(scope="session")
def notebook_runs(
    site_dir: Path, reader_python: Path
) -> dict[str, tuple[dict[str, Any], Ran]]:
    """Every notebook (site path) as recorded, and as run by nbclient in
    the reader's kernel from an empty folder. Notebooks whose code cells
    are the same (a page and its twin: only their Markdown differs, and
    Markdown does not run) are run once, for both."""
    recorded = {
        path: path_on_disk.read_text(encoding="utf-8")
        for path, path_on_disk in site_notebooks(site_dir).items()
    }
    first_with_code: dict[str, str] = {}
    for text in recorded.values():
        first_with_code.setdefault(_code_cells(text), text)
    ran = run_each(
        [with_prefix_check(text) for text in first_with_code.values()],
        run_notebook,
    )
    return {
        path: (
            json.loads(text),
            ran[with_prefix_check(first_with_code[_code_cells(text)])],
        )
        for path, text in recorded.items()
    }


def _code_cells(text: str) -> str:
    cells = json.loads(text)["cells"]
    return json.dumps([c["source"] for c in cells if c["cell_type"] == "code"])


@pytest.fixture(scope="session")
def runnable_runs(site_dir: Path, reader_python: Path) -> dict[str, Ran]:
    """Every distinct "copy runnable" text of the site, run with the
    reader's `python -` from an empty folder."""
    texts = [
        text
        for html in sorted(site_dir.rglob("index.html"))
        for text in runnable_texts(html)
    ]
    return run_each(texts, run_code)
