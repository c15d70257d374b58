"""Everything a reader can take from the built site, run in the reader's
environment: every page notebook and every "copy runnable" text.

The runs start in the background with the session (tests/conftest.py),
in the order the tests ask for them, and each test waits only for its
own: a failing run fails its own test, with its output.

- Notebooks run with nbclient in the reader's kernel, two at a time (the
  machine has two cores); a page and its twin, whose code cells are the
  same (only their Markdown differs), run once for both.
- "Copy runnable" texts run in one fork server (tests/reader/forkrun.py):
  it imports mxnet once and forks a fresh process per text, from an empty
  folder, instead of starting a Python that imports mxnet for each.
- A notebook page's copy texts each hold the cells above theirs: a text
  that begins a longer one is covered by the longer one's run (a program
  that runs to its end ran its first statements without failing), and
  only the longest runs.
- Each training runs once here. A block whose snippet is a training (it,
  or a notebook page, ran for TRAINING_SECONDS or more in the site build)
  is also a cell of its page's notebook, which runs anyway, and whose
  outputs are compared with the recorded ones (test_notebooks.py). Its
  copy text is not run a second time when the notebook covers it: every
  top-level statement of the text is in the notebook's code (so the
  reader's environment runs exactly those statements; see
  reader_env.uncovered for imports and `plt.show()`), and ruff finds no
  name the text uses without defining or importing it (so it runs alone,
  as copied). Otherwise the text runs like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.reader.reader_env import (
    TRAINING_SECONDS,
    Background,
    ForkRuns,
    Ran,
    build_seconds,
    notebook_code,
    run_notebook,
    runnable_texts,
    site_notebooks,
    snippet_of,
    uncovered,
    undefined_names,
    with_prefix_check,
)
from tests.site.site_helpers import LANGUAGES, ROOT, page_names, page_path

JOBS = 2  # parallel runs: one per core


class NotebookRuns:
    """Every notebook of the site (by site path) as recorded, and its run
    in the reader's kernel (waited for on first use)."""

    def __init__(self, site_dir: Path) -> None:
        self.recorded = {
            path: json.loads(on_disk.read_text(encoding="utf-8"))
            for path, on_disk in site_notebooks(site_dir).items()
        }
        self.texts = {
            path: with_prefix_check(json.dumps(notebook))
            for path, notebook in self.recorded.items()
        }
        first_with_code: dict[str, str] = {}
        self.runs_as: dict[str, str] = {}
        for path in _in_test_order(self.recorded):
            code = notebook_code(self.recorded[path])
            self.runs_as[path] = first_with_code.setdefault(code, path)
        self.background = Background(
            run_notebook,
            (self.texts[path] for path in first_with_code.values()),
            JOBS,
        )

    def __getitem__(self, path: str) -> tuple[dict[str, Any], Ran]:
        ran = self.background.result(self.texts[self.runs_as[path]])
        return self.recorded[path], ran


def _in_test_order(paths: dict[str, Any]) -> list[str]:
    """Site paths, those of pages in the tests' order (page, language)
    first: the runs start in the order the tests wait for them."""
    order = {
        page_path(name, language): rank
        for rank, (name, language) in enumerate(
            (n, lang) for n in page_names() for lang in LANGUAGES
        )
    }
    return sorted(
        paths,
        key=lambda p: (order.get(p.rpartition("/")[0] + "/", len(order)), p),
    )


@dataclass(frozen=True)
class Covered:
    """A copy text whose run another run covers: its page notebook's (a
    training), or a longer text's that starts with it (a notebook page's
    cells: each copy holds the cells above it)."""

    notebook: str = ""  # the notebook's site path
    text: str = ""  # the longer text


class RunnableRuns:
    """Every "copy runnable" text of the site: run by the fork server, or
    covered by another run (see the module's docstring)."""

    def __init__(self, site_dir: Path, notebooks: NotebookRuns) -> None:
        self.notebooks = notebooks
        self.site_dir = site_dir
        seconds = build_seconds(ROOT / ".execnotes-cache")
        self.covered: dict[str, Covered] = {}
        texts: list[str] = []
        pages = _in_test_order(
            {
                p.parent.relative_to(site_dir).as_posix() + "/": p
                for p in site_dir.rglob("index.html")
            }
        )
        for page in pages:
            folder = site_dir / page
            page_texts = runnable_texts(folder / "index.html")
            for text in page_texts:
                covering = self._covering(text, page_texts, folder, seconds)
                if covering is None:
                    texts.append(text)
                else:
                    self.covered[text] = covering
        self.forked = ForkRuns(texts, JOBS)

    def _covering(
        self,
        text: str,
        page_texts: tuple[str, ...],
        folder: Path,
        seconds: dict[str, float],
    ) -> Covered | None:
        # A program that runs to its end ran each of its first statements
        # without failing: a text that begins another ends at a statement.
        longer = [
            t
            for t in page_texts
            if len(t) > len(text) and t.startswith(text.rstrip() + "\n")
        ]
        if longer:
            return Covered(text=max(longer, key=len))
        key = snippet_of(text) if text.startswith("# snippets.") else ""
        key = key or f"{folder.name}.ipynb"  # a notebook page's cells
        if seconds.get(key, 0.0) < TRAINING_SECONDS:
            return None
        for notebook in folder.glob("*.ipynb"):
            path = notebook.relative_to(self.site_dir).as_posix()
            code = notebook_code(self.notebooks.recorded[path])
            if not uncovered(text, code):
                return Covered(notebook=path)
        return None

    def assert_runs(self, text: str) -> None:
        """The text runs for a reader, alone, as copied."""
        covered = self.covered.get(text)
        if covered is None:
            ran = self.forked.result(text)
            assert ran.ok, ran.output[-3000:]
            return
        assert not undefined_names(text), undefined_names(text)
        if covered.text:
            self.assert_runs(covered.text)
            return
        _, ran = self.notebooks[covered.notebook]
        assert ran.ok, f"{covered.notebook}:\n{ran.output[-3000:]}"
