""" "Copy runnable" seeds the random generators as the build's run did."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from execnotes.source.export import Exporter
from execnotes.source.symbols import resolve

DRAWS = """\
import random

import numpy as np


def show_draws():
    \"\"\"Print one draw of each generator.\"\"\"
    print(random.random(), np.random.rand())


def helper():
    \"\"\"Shown, never run.\"\"\"
    return 1
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A package whose demo prints random draws."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text('"""P."""\n')
    (tmp_path / "snippets" / "draws.py").write_text(DRAWS)
    return tmp_path


def seeded_draws(seed: int) -> str:
    """What show_draws prints right after the worker's seeding."""
    code = textwrap.dedent(f"""\
        import random
        import numpy as np
        random.seed({seed})
        np.random.seed({seed})
        print(random.random(), np.random.rand())
        """)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_a_run_is_seeded_after_the_imports(root: Path, tmp_path: Path) -> None:
    """The copied text seeds random, numpy and mxnet with the build's seed
    after its imports and before any definition, so it prints the page's
    numbers."""
    snippet = resolve("snippets.draws.show_draws", root, "snippets", run=True)
    text = Exporter(root, "snippets").standalone(snippet, seed=7)
    seeding = text.index(
        "random.seed(7)\nnp.random.seed(7)\nmx.random.seed(7)"
    )
    assert text.index("import mxnet as mx") < seeding
    assert seeding < text.index("def show_draws")
    result = subprocess.run(
        [sys.executable, "-"],
        input=text,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == seeded_draws(7)


def test_code_that_does_not_run_is_not_seeded(root: Path) -> None:
    """A definition shown without a run carries no seeding."""
    snippet = resolve("snippets.draws.helper", root, "snippets", run=False)
    text = Exporter(root, "snippets").standalone(snippet, seed=0)
    assert "seed" not in text
