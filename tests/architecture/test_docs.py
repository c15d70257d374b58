"""ARCHITECTURE.md and CONTRIBUTING.md name every module of execnotes, and
the README's layout every layer: a module added without a word in both
fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src/execnotes"


def modules() -> list[str]:
    """Every module, as its path under src/execnotes; a layer's
    `__init__.py` only when it holds more than its docstring."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        body = ast.parse(path.read_text()).body
        if "/" in name and path.name == "__init__.py" and len(body) <= 1:
            continue
        found.append(name)
    return found


def layers() -> list[str]:
    return sorted(
        f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()
    )


@pytest.mark.parametrize("document", ["ARCHITECTURE.md", "CONTRIBUTING.md"])
def test_the_document_names_every_module(document: str) -> None:
    text = (ROOT / document).read_text()
    missing = [name for name in modules() if f"`{name}`" not in text]
    assert missing == [], (
        f"{document} does not name {missing}: say in it what each holds "
        "(ARCHITECTURE.md) and where a change to it belongs (CONTRIBUTING.md)"
    )


def test_the_readme_layout_names_every_layer() -> None:
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    missing = [layer for layer in layers() if layer not in layout]
    assert missing == [], f"README.md's Layout does not name {missing}"


def test_a_module_without_docs_is_found() -> None:
    """The check above can fail: the list holds every module."""
    assert "worker/pool.py" in modules()
    assert "cli.py" in modules()
    assert "plugin/__init__.py" in modules()  # it names the plugin class
    assert "worker/__init__.py" not in modules()  # a docstring only
