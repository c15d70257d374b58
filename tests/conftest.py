"""The real site, built once per test session and shared by tests/site
(HTML and browser tests) and tests/reader (the reader's environment).

The site is built from the repository root exactly as a reader would build
it (`mkdocs build --strict`), into a temporary folder. Set GLUON_SITE_ROOT
to build another checkout (see tests/site/site_helpers.py), or
GLUON_SITE_DIR to test a site already built that way from this checkout,
with its snippet cache in place (CI builds it once, in one job, and tests
it in others).

The reader's runs (tests/reader/runs.py: every page notebook and "copy
runnable" text, run in the reader's environment) are the session's longest
work, and they wait on nothing but the site. When a session holds reader
tests and others that read the site, the runs start in the background as
soon as the site is built, and the reader tests go last: the HTML, browser
and serve tests, which spend much of their time waiting on a browser or a
server, run while the reader's trainings keep the cores busy.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reader.reader_env import READER_PYTHON, RUN_TIMEOUT, reader_env
from tests.reader.runs import NotebookRuns, RunnableRuns
from tests.site.site_helpers import BUILD_TIMEOUT, build_site


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


@pytest.fixture(scope="session")
def reader_python() -> Path:
    """The reader's interpreter, checked to lack this project."""
    if not READER_PYTHON.exists():
        pytest.fail(
            f"{READER_PYTHON} not found: run `scripts/setup.sh --test`, "
            "which creates the reader's environment",
            pytrace=False,
        )
    probe = subprocess.run(
        [str(READER_PYTHON), "-c", "import snippets"],
        cwd="/",
        env=reader_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0, "snippets is importable in the reader venv"
    return READER_PYTHON


@pytest.fixture(scope="session")
def notebook_runs(
    site_dir: Path, reader_python: Path
) -> Iterator[NotebookRuns]:
    """The site's notebooks, run in the background from now on."""
    runs = NotebookRuns(site_dir)
    yield runs
    runs.background.close()


@pytest.fixture(scope="session")
def runnable_runs(
    site_dir: Path, reader_python: Path, notebook_runs: NotebookRuns
) -> Iterator[RunnableRuns]:
    """Every distinct "copy runnable" text of the site, run from now on
    in the background (trainings: see tests/reader/runs.py)."""
    runs = RunnableRuns(site_dir, notebook_runs)
    yield runs
    runs.forked.close()


READER_FOLDER = "tests/reader/"


@pytest.fixture(scope="session", autouse=True)
def _reader_runs_start_with_the_session(
    request: pytest.FixtureRequest,
) -> None:
    """In a session with reader tests after others (see the docstring),
    start the reader's runs with the first test, not the first reader
    test."""
    if _reader_tests_follow_others(request.session.items):
        request.getfixturevalue("runnable_runs")


def _reader_tests_follow_others(items: list[pytest.Item]) -> bool:
    """Whether the (sorted) session holds reader tests after others."""
    return bool(items) and not _is_reader(items[0]) and _is_reader(items[-1])


def _is_reader(item: pytest.Item) -> bool:
    return _module(item).startswith(READER_FOLDER)


def _module(item: pytest.Item) -> str:
    try:
        return item.path.relative_to(_REPOSITORY).as_posix()
    except ValueError:  # collected from elsewhere
        return ""


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
    """Mark `tiny` the tiny-site tests the fast tier leaves out, and put
    the reader tests last (see the module's docstring)."""
    items.sort(key=_is_reader)  # stable: the order within each part stays
    if _reader_tests_follow_others(items):
        # Its set-up builds the site and starts the reader's runs.
        items[0].add_marker(
            pytest.mark.timeout(BUILD_TIMEOUT + RUN_TIMEOUT), append=False
        )
    for item in items:
        module = _module(item)
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
