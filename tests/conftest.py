"""The real site, built once per test session and shared by tests/site
(HTML and browser tests) and tests/reader (the reader's environment).

The site is built from the repository root exactly as a reader would build
it (`mkdocs build --strict`), into a temporary folder. Set GLUON_SITE_ROOT
to build another checkout (see tests/site/site_helpers.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.site.site_helpers import build_site


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with `mkdocs build --strict`."""
    return build_site(tmp_path_factory.mktemp("site"))
