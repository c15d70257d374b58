"""Standalone code: a snippet with the package code it needs inlined."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from execnotes.source.export import Exporter, ExportError
from execnotes.source.symbols import Snippet, resolve

MODULES = {
    "__init__.py": '"""A tiny package."""\n',
    "base.py": """\
        import math
        import os.path as osp

        SCALE = 3
        UNIT = "cm"


        def double(x):
            \"\"\"Return twice x.\"\"\"
            return 2 * x


        def scaled(x, factor=SCALE):
            \"\"\"Return x times factor, rounded up.\"\"\"
            return math.ceil(x * factor)


        def label(x):
            \"\"\"x with its unit, and a path joined for no reason.\"\"\"
            return osp.join(f"{x}", UNIT)
        """,
    "middle.py": """\
        from math import floor

        from snippets.base import double, scaled


        def quad(x):
            \"\"\"Four times x.\"\"\"
            return double(double(x))


        def even(n):
            \"\"\"Whether n is even (through odd).\"\"\"
            return n == 0 or odd(n - 1)


        def odd(n):
            \"\"\"Whether n is odd (through even).\"\"\"
            return n != 0 and even(n - 1)


        def show_quad():
            \"\"\"Print four times 2, scaled and floored.\"\"\"
            print(quad(2), scaled(2), floor(2.5), even(4))
        """,
    "top.py": """\
        from math import ceil

        from .base import label
        from .middle import double, quad


        def show_top():
            \"\"\"Print a labelled quad.\"\"\"
            print(label(quad(1)), double(ceil(0.5)))


        # region loop
        total = 0
        for i in range(3):
            total += quad(i)
        print("total", total)
        # endregion
        """,
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project whose package uses names across modules."""
    for name, text in MODULES.items():
        path = tmp_path / "snippets" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def snippet(root: Path, name: str, *, run: bool = False) -> Snippet:
    """The snippet behind a dotted name of the tiny package."""
    return resolve(name, root, "snippets", run=run)


def run_alone(code: str, tmp_path: Path) -> str:
    """Run code with no package anywhere on the path; its output."""
    folder = tmp_path / "empty"
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-"],  # no site-packages, no env
        input=code,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_standalone_inlines_the_closure_in_dependency_order(
    root: Path,
) -> None:
    """Definitions from every module come before their users, constants
    first, imports merged at the top; the demo's call ends the text."""
    text = Exporter(root, "snippets").standalone(
        snippet(root, "snippets.top.show_top", run=True)
    )
    assert "snippets" not in text.split("\n", 2)[2]
    order = [
        "import os.path as osp\nfrom math import ceil\n\n\nUNIT",
        'UNIT = "cm"\n',
        "def double(x):",
        "def label(x):",
        "def quad(x):",
        "def show_top():",
        "show_top()",
    ]
    places = [text.index(part) for part in order]
    assert places == sorted(places)
    assert "def scaled" not in text  # not used
    assert text.startswith("# snippets.top.show_top, with the code it uses")


def test_standalone_text_runs_without_the_package(
    root: Path, tmp_path: Path
) -> None:
    """The inlined text runs where no `snippets` can be imported."""
    exporter = Exporter(root, "snippets")
    for name in ("snippets.top.show_top", "snippets.middle.show_quad"):
        text = exporter.standalone(snippet(root, name, run=True))
        assert run_alone(text, tmp_path)
    region = exporter.standalone(snippet(root, "snippets.top.loop", run=True))
    assert run_alone(region, tmp_path) == "total 12\n"


def test_defaults_and_mutual_recursion(root: Path, tmp_path: Path) -> None:
    """A constant used as a default comes before its function; two
    functions that call each other are both inlined."""
    text = Exporter(root, "snippets").standalone(
        snippet(root, "snippets.middle.show_quad", run=True)
    )
    assert text.index("SCALE = 3") < text.index("def scaled(")
    assert "def even(" in text
    assert "def odd(" in text
    assert run_alone(text, tmp_path) == "8 6 2 True\n"


def test_cell_drops_only_the_package_imports(root: Path) -> None:
    """A notebook cell keeps the shown code minus `from snippets` lines."""
    shown = snippet(root, "snippets.middle.show_quad", run=True)
    cell = Exporter(root, "snippets").cell(shown)
    assert "snippets" not in cell
    assert cell.startswith("from math import floor\n")
    assert cell.endswith("show_quad()\n")


def test_project_names_point_at_the_definitions(root: Path) -> None:
    """A name passed on by another module stands for its definition."""
    shown = snippet(root, "snippets.top.show_top")
    names = Exporter(root, "snippets").project_names(shown)
    assert names == {
        "double": ("snippets.base", "double"),
        "label": ("snippets.base", "label"),
        "quad": ("snippets.middle", "quad"),
    }


def test_page_helpers_are_what_the_page_does_not_show_in_time(
    root: Path,
) -> None:
    """Helpers: what the page's cells use but never show, and what a run
    needs before the page shows it; not what is shown in time."""
    exporter = Exporter(root, "snippets")
    page = [
        snippet(root, "snippets.base.double"),
        snippet(root, "snippets.top.show_top", run=True),
        snippet(root, "snippets.middle.quad"),
    ]
    helpers = exporter.page_helpers(page)
    provided = [key[1] for unit in helpers for key in sorted(unit.provides)]
    assert provided == ["UNIT", "label", "quad"]


def test_page_helpers_define_defaults_before_a_shown_function(
    root: Path,
) -> None:
    """A shown function's default value is defined before its cell."""
    exporter = Exporter(root, "snippets")
    helpers = exporter.page_helpers([snippet(root, "snippets.base.scaled")])
    assert [sorted(u.provides) for u in helpers] == [
        [("snippets.base", "SCALE")]
    ]


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "import snippets.base\n\n\ndef f():\n    return snippets.base\n",
            r"`import snippets.base` cannot be inlined",
        ),
        (
            "from snippets.base import double as twice\n\n\n"
            "def f():\n    return twice(1)\n",
            r"cannot be inlined under another name",
        ),
        ("def f():\n    return missing_name\n", r"uses 'missing_name'"),
        (
            "from snippets.base import nothing\n\n\ndef f():\n"
            "    return nothing\n",
            r"snippets.base defines no 'nothing'",
        ),
    ],
    ids=["module-import", "alias", "unknown", "missing"],
)
def test_what_cannot_be_inlined_says_why(
    root: Path, module: str, message: str
) -> None:
    """Code that cannot stand alone gets an error saying how to fix it."""
    (root / "snippets/bad.py").write_text(module, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        Exporter(root, "snippets").standalone(snippet(root, "snippets.bad.f"))


def test_one_name_for_two_things_is_refused(root: Path) -> None:
    """Two modules binding one name differently cannot share a text."""
    (root / "snippets/clash.py").write_text(
        "from snippets.base import double\n\n\n"
        "def UNIT():\n    return 'clash'\n\n\n"
        "def both():\n    return double(UNIT()), double\n",
        encoding="utf-8",
    )
    (root / "snippets/uses.py").write_text(
        "from snippets.base import label\nfrom snippets.clash import both\n"
        "\n\ndef f():\n    return label(1), both()\n",
        encoding="utf-8",
    )
    with pytest.raises(ExportError, match="'UNIT' would mean both"):
        Exporter(root, "snippets").standalone(snippet(root, "snippets.uses.f"))


def test_a_whole_module_stands_alone(root: Path, tmp_path: Path) -> None:
    """A shown module gets the definitions it imports from the package
    in place of its `from snippets` lines."""
    text = Exporter(root, "snippets").standalone(
        snippet(root, "snippets.middle")
    )
    assert "from snippets" not in text
    assert text.index("def double(") < text.index("def quad(")
    assert run_alone(text + "\nprint(quad(3), even(3))\n", tmp_path) == (
        "12 False\n"
    )
