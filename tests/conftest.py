"""The real site, built once per test session and shared by tests/site
(HTML and browser tests) and tests/reader (the reader's environment).

The site is built from the repository root exactly as a reader would build
it (`mkdocs build --strict`), into a temporary folder. Set GLUON_SITE_ROOT
to build another checkout (see tests/site/site_helpers.py), or
GLUON_SITE_DIR to test a site already built that way from this checkout,
with its snippet cache in place (CI builds it once, in one job, and tests
it in others).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.site.site_helpers import build_site


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with `mkdocs build --strict`."""
    built = os.environ.get("GLUON_SITE_DIR")
    if built:
        if not (Path(built) / "index.html").is_file():
            pytest.fail(
                f"GLUON_SITE_DIR={built} holds no built site (index.html): "
                "build it with `mkdocs build --strict -d DIR`, or unset it",
                pytrace=False,
            )
        return Path(built).resolve()
    return build_site(tmp_path_factory.mktemp("site"))
