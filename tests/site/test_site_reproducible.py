"""Two clean builds of the real site are the same, byte for byte, except
the parts tests/reproducible.py names (and says why)."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import build_site

from tests.reproducible import ALLOWED, differences


@pytest.mark.slow
def test_a_clean_rebuild_gives_the_same_site(
    site_dir: Path, tmp_path: Path
) -> None:
    """Rebuilt with an empty cache, fresh workers and another hash seed, the
    site differs only in the files and marked parts that may differ."""
    again = build_site(
        tmp_path / "site",
        EXECNOTES_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONHASHSEED="7",
    )
    found = differences(site_dir, again)
    unexpected = {
        name: why for name, why in found.items() if name not in ALLOWED
    }
    assert unexpected == {}
