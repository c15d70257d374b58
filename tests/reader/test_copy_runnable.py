"""Every "copy runnable" text of every page, as the button copies it, run
with the reader's `python -` from an empty folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reader.reader_env import WAITS_FOR_RUNS, runnable_texts
from tests.reader.runs import RunnableRuns
from tests.site.site_helpers import LANGUAGES, code_blocks, page_names
from tests.site.site_helpers import page_path as site_path

pytestmark = [pytest.mark.slow, pytest.mark.reader, WAITS_FOR_RUNS]


def shown_blocks() -> list[tuple[str, str, str, str]]:
    """(page, language, index, snippet) of every block that shows code."""
    return [
        (name, language, str(index), block.target)
        for name in page_names()
        for language in LANGUAGES
        for index, block in enumerate(
            b for b in code_blocks(name, language) if not b.hides_code
        )
    ]


def page_texts(site_dir: Path, name: str, language: str) -> tuple[str, ...]:
    """The "copy runnable" texts of a built page."""
    return runnable_texts(site_dir / site_path(name, language) / "index.html")


@pytest.mark.parametrize("block", shown_blocks(), ids="-".join)
def test_copy_runnable_runs_for_a_reader(
    site_dir: Path,
    runnable_runs: RunnableRuns,
    block: tuple[str, str, str, str],
) -> None:
    """The block's "copy runnable" text names its snippet, imports nothing
    from snippets, and runs in the reader's environment."""
    name, language, number, target = block
    index = int(number)
    texts = page_texts(site_dir, name, language)
    shown = [b for b in code_blocks(name, language) if not b.hides_code]
    assert len(texts) == len(shown), "one runnable text per code block"
    text = texts[index]
    assert text.startswith(f"# {target},")
    assert "from snippets" not in text
    assert "import snippets" not in text
    runnable_runs.assert_runs(text)
