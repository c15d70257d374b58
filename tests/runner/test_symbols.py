"""What a page shows for a name: the exact source and its imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from execnotes.source.symbols import SymbolError, resolve
from tests.runner.conftest import write_site


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project with the tiny site's snippets package."""
    write_site(tmp_path)
    (tmp_path / "snippets/extra.py").write_text(
        "from __future__ import annotations\n\n"
        "import numpy as np\n"
        "from .helpers import SCALE, double\n\n"
        "LIMIT = 10\n\n\n"
        "def scaled(x):\n"
        '    """Scale x."""\n'
        "    return np.minimum(double(x) * SCALE, LIMIT)\n\n\n"
        "class Box:\n"
        '    """A box."""\n\n'
        "    size = LIMIT\n"
    )
    return tmp_path


def test_function_source_with_only_the_imports_it_uses(root: Path) -> None:
    """Relative imports become absolute, unused ones are left out, and
    module-level names are imported from the module."""
    snippet = resolve("snippets.extra.scaled", root, "snippets", run=False)
    assert snippet.shown == (
        "from __future__ import annotations\n"
        "import numpy as np\n"
        "from snippets.helpers import SCALE, double\n"
        "from snippets.extra import LIMIT\n\n"
        "def scaled(x):\n"
        '    """Scale x."""\n'
        "    return np.minimum(double(x) * SCALE, LIMIT)\n"
    )
    assert (snippet.path, snippet.line, snippet.kind) == (
        "snippets/extra.py",
        9,
        "function",
    )


def test_shown_code_runs_on_its_own(root: Path) -> None:
    """The copied block defines its symbol in a fresh interpreter."""
    snippet = resolve("snippets.extra.scaled", root, "snippets", run=False)
    script = snippet.shown + "\nprint(scaled(1))\n"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "6"


def test_class_and_module(root: Path) -> None:
    """Classes show with their body; a bare module shows whole."""
    box = resolve("snippets.extra.Box", root, "snippets", run=False)
    assert box.source.startswith("class Box:")
    assert box.kind == "class"
    module = resolve("snippets.helpers", root, "snippets", run=False)
    assert module.source.startswith("SCALE = 3")


def test_run_appends_the_call(root: Path) -> None:
    """A run shows the call it makes."""
    snippet = resolve("snippets.demo.show_plain", root, "snippets", run=True)
    assert snippet.shown.endswith("\n\nshow_plain()\n")


@pytest.mark.parametrize(
    "name",
    [
        "snippets",
        "snippets..demo",
        "snippets.demo.area.real",
        "snippets/../etc.passwd",
        "json.dumps",
    ],
)
def test_names_that_lead_nowhere(root: Path, name: str) -> None:
    """Names outside the package or not naming code are refused."""
    with pytest.raises(SymbolError):
        resolve(name, root, "snippets", run=False)


def test_symlink_out_of_the_package_is_refused(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A module that is a link to a file outside snippets/ is refused."""
    outside = tmp_path_factory.mktemp("outside") / "secret.py"
    outside.write_text("def f():\n    return 1\n")
    (root / "snippets/linked.py").symlink_to(outside)
    with pytest.raises(
        SymbolError, match=r"'snippets\.linked' leads outside snippets/"
    ):
        resolve("snippets.linked.f", root, "snippets", run=False)


def test_long_import_lines_are_wrapped(root: Path) -> None:
    """An import line past 79 columns is wrapped as ruff would format it."""
    names = [f"helper_number_{n}" for n in range(6)]
    body = "".join(
        f"def {n}():\n    return {i}\n\n\n" for i, n in enumerate(names)
    )
    calls = " + ".join(f"{n}()" for n in names)
    (root / "snippets/many.py").write_text(
        body + f"def total():\n    return {calls}\n"
    )
    snippet = resolve("snippets.many.total", root, "snippets", run=False)
    assert snippet.imports == (
        "from snippets.many import (\n"
        + "".join(f"    {n},\n" for n in names)
        + ")"
    )
