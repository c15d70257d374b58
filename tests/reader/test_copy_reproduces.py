"""Every "copy runnable" text of a demo, run by a reader, prints what the
page shows: the copy carries the build's seeding (as the notebooks do).

A training's copy is not run a second time (tests/reader/conftest.py): its
statements are those of its page notebook's cell, which reseeds before
every cell as the copy seeds after its imports, and test_notebooks.py
compares that notebook's outputs with the page's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from execnotes.render.xref import notebook_name
from tests.reader.reader_env import runnable_texts
from tests.reader.runs import RunnableRuns
from tests.site.site_helpers import LANGUAGES, code_page_names, page_path

pytestmark = [pytest.mark.slow, pytest.mark.reader]


def printed(cell: dict[str, Any]) -> str:
    """The text a notebook cell printed (its streams, joined)."""
    return "".join(
        "".join(out["text"])
        for out in cell["outputs"]
        if out["output_type"] == "stream"
    )


def recorded_prints(site_dir: Path, name: str) -> dict[str, str]:
    """What each demo of a page printed at build time, by snippet name,
    leaving out outputs marked as varying between runs (timings)."""
    path = page_path(name, LANGUAGES[0]) + notebook_name(f"{name}.md")
    notebook = json.loads((site_dir / path).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = cell["metadata"].get("execnotes", {})
        if printed(cell) and not meta.get("varies"):
            found[meta["name"]] = printed(cell)
    return found


def test_copied_demos_print_what_the_pages_show(
    site_dir: Path, runnable_runs: RunnableRuns
) -> None:
    """Each copied demo of every page, run in the reader's environment,
    prints exactly the text its block printed when the site was built."""
    compared: list[str] = []
    wrong: list[str] = []
    for name in code_page_names():
        prints = recorded_prints(site_dir, name)
        html = site_dir / page_path(name, LANGUAGES[0]) / "index.html"
        for text in runnable_texts(html):
            snippet = text.split(",", 1)[0].removeprefix("# ")
            if snippet not in prints:
                continue  # shown without a run, or its output varies
            call = re.escape(snippet.rsplit(".", 1)[-1]) + r"\("
            if not re.search(rf"^{call}", text, re.M):
                continue  # a `show` block's copy defines, it does not run
            compared.append(snippet)
            if text in runnable_runs.covered:
                continue  # a training: its notebook's outputs are compared
            ran = runnable_runs.forked.result(text)
            if not ran.ok or prints[snippet] not in ran.output:
                wrong.append(
                    f"{name}: {snippet}: the page printed\n{prints[snippet]}"
                    f"\nthe copy printed\n{ran.output[-2000:]}"
                )
    assert not wrong, "\n\n".join(wrong)
    # The overfitting and images demos among them (the cases).
    assert {"overfitting", "images"} <= {c.split(".")[1] for c in compared}
