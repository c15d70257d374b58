"""The notebook examples of "What the runner guarantees" are test cases:
each cell gives the warning the page shows, and the page marks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.notebooks.conftest import notebook
from tests.runner.conftest import Site

ROOT = Path(__file__).resolve().parents[2]
_CASE = re.compile(
    r"^#### (?P<title>.+?)\n\n```(?P<kind>python|markdown)\n(?P<cell>.*?)\n```"
    r"\n\n```text\n(?P<message>.*?)\n```$",
    re.MULTILINE | re.DOTALL,
)


def notebook_cases(page: str) -> list[tuple[str, str, str]]:
    """The (cell kind, cell, message) examples of a guarantees page."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return [
        ("code" if m["kind"] == "python" else "md", m["cell"], m["message"])
        for m in _CASE.finditer(text)
    ]


CASES = notebook_cases("guarantees.en.md")


def test_both_languages_show_the_same_notebook_cases() -> None:
    """The Chinese page pins the same cells and messages."""
    assert notebook_cases("guarantees.md") == CASES
    assert len(CASES) == 5


@pytest.mark.parametrize(("kind", "cell", "message"), CASES)
def test_notebook_case_warns_as_the_page_says(
    nb_site: Site, kind: str, cell: str, message: str
) -> None:
    """The third cell of page.ipynb gives exactly the pinned warning, and
    the page marks the problem."""
    nb_site.write(
        "docs/page.ipynb",
        notebook(("md", "# Page"), ("code", "x = 2"), (kind, cell)),
    )
    nb_site.build()
    found = [w for w in nb_site.warnings if "page.ipynb" in w]
    assert found[0] == f"WARNING execnotes: {message}"
    assert "execnotes-error" in nb_site.html("page/index.html")
