"""What execnotes.plugin.internals relies on in MkDocs, Material and
mkdocs-static-i18n is still there, in the versions installed.

Each failure names the private name (or copied function) that changed and
the versions internals was checked with: fix internals for the new
version, then widen `TESTED` and the bounds in pyproject.toml.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from execnotes.plugin import internals

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    (distribution, target, name)
    for distribution, targets in internals.RELIED_ON.items()
    for target, names in targets.items()
    for name in names
]


def versions(distribution: str) -> str:
    """`distribution`'s versions that internals was checked with."""
    return f"{distribution}{','.join(internals.TESTED[distribution])}"


def resolve(dotted: str) -> object:
    """The object of a dotted name: a module's attribute."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def missing(target: object, name: str) -> bool:
    """Whether a class lacks the attribute `name` (in its own source: an
    attribute set in `__init__` is no attribute of the class), or a
    function lacks the parameter `name`."""
    if not isinstance(target, type):
        return name not in inspect.signature(target).parameters
    if hasattr(target, name):
        return False
    assigned = re.compile(rf"\bself\.{re.escape(name)}\s*(:[^=\n]*)?=[^=]")
    return not any(
        assigned.search(inspect.getsource(cls))
        for cls in target.__mro__
        if cls.__module__.split(".")[0] == target.__module__.split(".")[0]
    )


@pytest.mark.parametrize("distribution", sorted(internals.TESTED))
def test_the_installed_version_is_one_tested(distribution: str) -> None:
    version = metadata.version(distribution)
    checked = SpecifierSet(",".join(internals.TESTED[distribution]))
    assert version in checked, (
        f"{distribution} {version} is installed, but execnotes.plugin."
        f"internals was checked with {versions(distribution)}: run this "
        "file's tests, fix internals for the new version, then widen "
        "TESTED and pyproject.toml's bounds"
    )


@pytest.mark.parametrize(("distribution", "target", "name"), NAMES)
def test_what_internals_uses_is_there(
    distribution: str, target: str, name: str
) -> None:
    version = metadata.version(distribution)
    assert not missing(resolve(target), name), (
        f"{target} has no {name!r} in {distribution} {version} "
        f"(execnotes.plugin.internals uses it, checked with "
        f"{versions(distribution)}): change internals to do without it"
    )


@pytest.mark.parametrize("function", sorted(internals.COPIED))
def test_copied_functions_are_unchanged(function: str) -> None:
    source = inspect.getsource(resolve(function))
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == internals.COPIED[function], (
        f"{function} changed in mkdocs {metadata.version('mkdocs')} "
        "(internals.render_again copies it, checked with "
        f"{versions('mkdocs')}): bring render_again in line with it, "
        "then record its new digest in internals.COPIED"
    )


def test_a_name_that_went_away_is_found_missing() -> None:
    """The check above can fail: a renamed attribute or parameter."""

    class Server:
        def __init__(self) -> None:
            self._epoch = 0

    def create(file: str, language: str) -> None:
        """A function whose parameters changed."""

    assert missing(Server, "_epoch_cond")
    assert not missing(Server, "_epoch")
    assert missing(create, "current_language")
    assert not missing(create, "language")


def test_pyproject_bounds_are_the_versions_tested() -> None:
    """pip installs only versions internals was checked with."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bounds = {
        requirement.name: requirement.specifier
        for requirement in map(Requirement, project["project"]["dependencies"])
    }
    for distribution, tested in internals.TESTED.items():
        assert bounds.get(distribution) == SpecifierSet(",".join(tested)), (
            f"pyproject.toml bounds {distribution} by "
            f"{bounds.get(distribution)}, internals.TESTED by {tested}"
        )
