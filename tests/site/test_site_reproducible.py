"""A rebuild of the real site from the results of the session's build is
the same site, byte for byte, but the files tests/reproducible.py names.

A clean rebuild would run every training again (minutes); that two clean
builds give the same site, whatever the hash seed and the worker count, is
checked on tiny sites (tests/runner/test_reproducible.py). Here a frozen
rebuild (it runs nothing: every result comes from the cache the session's
build filled) in a fresh process with another hash seed checks what only
the real site has: its plugins, themes, notebooks and search index give
the same bytes on every build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reproducible import ALLOWED
from tests.site.site_helpers import build_site

pytestmark = pytest.mark.slow


def test_a_frozen_rebuild_gives_the_same_site(
    site_dir: Path, tmp_path: Path
) -> None:
    """Rebuilt from the cache with fresh workers and another hash seed,
    every file is the same, byte for byte, but those that may differ."""
    again = build_site(
        tmp_path / "site", EXECNOTES_FROZEN="true", PYTHONHASHSEED="7"
    )
    names = {
        path.relative_to(root).as_posix()
        for root in (site_dir, again)
        for path in root.rglob("*")
        if path.is_file()
    }
    different = sorted(
        name
        for name in names - set(ALLOWED)
        if not (site_dir / name).is_file()
        or not (again / name).is_file()
        or (site_dir / name).read_bytes() != (again / name).read_bytes()
    )
    assert different == []
