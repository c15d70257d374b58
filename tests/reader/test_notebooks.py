"""Every page notebook of both languages, as a reader downloads and runs it:
with nbclient, in the reader's environment, from an empty folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from execnotes.render.xref import notebook_name
from tests.reader.reader_env import (
    WAITS_FOR_RUNS,
    assert_ran_in_reader_kernel,
    site_notebooks,
)
from tests.reader.runs import NotebookRuns
from tests.site.site_helpers import (
    LANGUAGES,
    code_page_names,
    page_path,
    source,
)

pytestmark = [pytest.mark.slow, pytest.mark.reader, WAITS_FOR_RUNS]

CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
NOTEBOOKS = pytest.mark.parametrize(
    ("name", "language"),
    [(name, lang) for name in code_page_names() for lang in LANGUAGES],
    ids=str,
)


def notebook_path(name: str, language: str) -> str:
    """The site path of a page's notebook."""
    return page_path(name, language) + notebook_name(
        source(name, language).name
    )


def text_outputs(cell: dict[str, Any]) -> list[tuple[str, str]]:
    """A cell's printed text (streams joined, as Jupyter may split them)
    and its value (whitespace normalised: IPython pretty-prints)."""
    stream = "".join(
        "".join(out["text"])
        for out in cell["outputs"]
        if out["output_type"] == "stream"
    )
    found = [("stream", stream)] if stream else []
    found += [
        ("value", " ".join("".join(out["data"]["text/plain"]).split()))
        for out in cell["outputs"]
        if out["output_type"] == "execute_result"
    ]
    return found


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The notebook's code cells."""
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def prose(notebook: dict[str, Any]) -> str:
    """The Markdown cells, without their code (fenced or inline) and display
    math: a link written inside backticks is an example, not a link."""
    text = "\n\n".join(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    )
    text = re.sub(
        r"^([ \t>]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$",
        "",
        text,
        flags=re.MULTILINE | re.DOTALL,
    )
    text = re.sub(r"(`+)[^`].*?\1", "`code`", text, flags=re.DOTALL)
    return re.sub(r"\$\$.*?\$\$", "", text, flags=re.DOTALL)


@NOTEBOOKS
def test_notebook_runs_in_the_reader_kernel(
    notebook_runs: NotebookRuns, name: str, language: str
) -> None:
    """The notebook runs top to bottom, and its kernel is the reader's."""
    _, ran = notebook_runs[notebook_path(name, language)]
    assert_ran_in_reader_kernel(ran)


@NOTEBOOKS
def test_notebook_outputs_equal_the_recorded_ones(
    notebook_runs: NotebookRuns, name: str, language: str
) -> None:
    """What the reader's run prints and returns equals what the build
    recorded (apart from wall times)."""
    recorded, ran = notebook_runs[notebook_path(name, language)]
    assert ran.notebook is not None, ran.output[-3000:]
    compared = 0
    for old, new in zip(
        code_cells(recorded), code_cells(ran.notebook)[1:], strict=True
    ):
        if (
            old["outputs"]
            # Outputs marked as differing from run to run (timings).
            and not old["metadata"]["execnotes"].get("varies")
        ):
            assert text_outputs(new) == text_outputs(old), old["source"]
            compared += 1
    assert compared, "no recorded text output to compare"


@NOTEBOOKS
def test_notebook_needs_no_snippets_package(
    site_dir: Path, name: str, language: str
) -> None:
    """No cell imports from snippets; the helpers come first, titled."""
    notebook = json.loads(
        (site_dir / notebook_path(name, language)).read_text("utf-8")
    )
    sources = ["".join(cell["source"]) for cell in code_cells(notebook)]
    imports = re.compile(r"^\s*(from|import)\s+snippets\b", re.MULTILINE)
    assert not [s for s in sources if imports.search(s)]
    kinds = [c["metadata"]["execnotes"]["name"] for c in code_cells(notebook)]
    page_cells = [k for k in kinds if k.startswith("snippets.")]
    setup = [k for k in kinds if k.startswith("execnotes.")]
    assert kinds[: len(setup)] == setup, "setup and helpers come first"
    assert len(page_cells) + len(setup) == len(kinds)
    title = _SETUP_TITLES[language]
    assert any(title in line for line in prose(notebook).splitlines())


_SETUP_TITLES = {"zh": "## 准备：辅助代码", "en": "## Setup: helper code"}


@NOTEBOOKS
def test_notebook_markdown_suits_jupyter(
    site_dir: Path, name: str, language: str
) -> None:
    """No admonition syntax, no link to a .md file (other notes link to
    their sibling notebook), no line break between two CJK characters."""
    notebook_file = site_dir / notebook_path(name, language)
    text = prose(json.loads(notebook_file.read_text("utf-8")))
    assert not re.findall(r"^[ \t>]*(?:!!!|\?\?\?)", text, re.MULTILINE)
    assert not re.findall(r"\]\([^)\s]*\.md(?:#[^)]*)?\)", text)
    assert not re.findall(rf"{CJK}[ \t]*\n[ \t>]*{CJK}", text)
    siblings = {p.name for p in site_notebooks(site_dir).values()}
    for target in re.findall(r"\]\(([^)\s:]+)\)", text):
        assert target.split("#")[0] in siblings, target
