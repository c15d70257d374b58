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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# The fast tier (`make test-fast`, -m "not slow and not tiny") keeps, of
# the folders whose tests build tiny sites for real, only these modules:
# their unit tests, and a representative set of tiny builds (a page with
# runs, figures and values and its cache; errors; golden HTML; the
# exported copies). `make test` runs all.
TINY_FOLDERS = ("tests/runner/", "tests/notebooks/", "tests/export/")
TINY_MODULES = ("tests/site/test_publishing.py",)
FAST_MODULES = frozenset(
    {
        # unit tests: no site is built
        "tests/runner/test_directives.py",
        "tests/runner/test_symbols.py",
        "tests/notebooks/test_units.py",
        "tests/notebooks/test_cells.py",
        "tests/export/test_export.py",
        "tests/export/test_jupyter.py",
        "tests/export/test_figures.py",
        # representative tiny sites
        "tests/runner/test_golden.py",
        "tests/runner/test_errors.py",
        "tests/runner/test_bookkeeping.py",
        "tests/export/test_built_pages.py",
    }
)
_REPOSITORY = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `tiny` the tiny-site tests the fast tier leaves out."""
    for item in items:
        try:
            module = item.path.relative_to(_REPOSITORY).as_posix()
        except ValueError:  # collected from elsewhere
            continue
        if module in FAST_MODULES:
            continue
        if module.startswith(TINY_FOLDERS) or module in TINY_MODULES:
            item.add_marker(pytest.mark.tiny)


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[Any]:
    """The session's Dask LocalCluster (tests/dask_cluster.py), started on
    first use."""
    from tests.dask_cluster import local_cluster

    with local_cluster() as cluster:
        yield cluster


@pytest.fixture
def dask_scheduler(dask_cluster: Any) -> str:
    """The address of the session's Dask cluster."""
    return str(dask_cluster.scheduler_address)
