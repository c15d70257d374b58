"""The real site, built once per test session and shared by tests/site
(HTML and browser tests) and tests/reader (the reader's environment).

The site is built from the repository root exactly as a reader would build
it (`mkdocs build --strict`), into a temporary folder. Set GLUON_SITE_ROOT
to build another checkout (see tests/site/site_helpers.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.site_helpers import ROOT

BUILD_TIMEOUT = 1800  # a first build runs every snippet (training demos too)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SITE_URL", None)  # links must work from the local server root
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        log = (result.stdout + result.stderr).strip().splitlines()
        problems = [line for line in log if not line.startswith("INFO")]
        pytest.fail(
            f"`mkdocs build --strict` failed in {ROOT}:\n"
            + "\n".join(problems[-40:]),
            pytrace=False,
        )
    return out
