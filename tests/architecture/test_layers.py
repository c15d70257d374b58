"""The layers of execnotes hold: `lint-imports` (the contracts in
pyproject.toml, run by `make lint`) passes on the package, and fails, naming
the import, when a lower layer imports a higher one or MkDocs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of `project`'s pyproject.toml on its package."""
    if not LINT_IMPORTS.is_file():
        pytest.fail(
            f"no {LINT_IMPORTS}: install the test extra "
            "(pip install -e '.[test]', which has import-linter)",
            pytrace=False,
        )
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the package and of the contracts, to break on purpose."""
    shutil.copytree(
        ROOT / "src/execnotes",
        tmp_path / "src/execnotes",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def inject(project: Path, module: str, line: str) -> None:
    """Add `line` to the end of `module` (a path inside the package)."""
    path = project / "src/execnotes" / module
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_package_keeps_its_contracts(project: Path) -> None:
    ran = lint_imports(project)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "0 broken" in ran.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_layers(
    project: Path,
) -> None:
    inject(project, "store/merge.py", "from execnotes.render import xref")
    ran = lint_imports(project)
    assert ran.returncode != 0
    assert "execnotes.store is not allowed to import execnotes.render" in (
        ran.stdout
    )
    assert "execnotes.store.merge -> execnotes.render.xref" in ran.stdout


def test_a_cycle_in_the_build_breaks_its_contract(project: Path) -> None:
    inject(project, "build/runner.py", "from execnotes.build import build")
    ran = lint_imports(project)
    assert ran.returncode != 0
    assert (
        "execnotes.build.runner is not allowed to import "
        "execnotes.build.build" in ran.stdout
    )


def test_only_the_mkdocs_layer_imports_mkdocs(project: Path) -> None:
    inject(project, "render/report.py", "import jinja2")
    ran = lint_imports(project)
    assert ran.returncode != 0
    assert "execnotes.render is not allowed to import jinja2" in ran.stdout
