"""Framework profiles: workers preload only what the site needs, and a
library a run loads itself is prepared exactly as a preloaded one."""

from __future__ import annotations

from pathlib import Path

import pytest

from execnotes.core import profiles
from execnotes.core.protocol import FigureStyle, Job
from execnotes.worker.pool import WorkerPool
from execnotes.worker.zygote import WorkerSettings
from tests.runner.conftest import Site, choose_framework, with_gluon_state
from tests.runner.test_inputs import READERS, check_case

PROBE = '''\
import sys


def show_loaded():
    """Which heavy libraries the run found loaded."""
    print("mxnet" in sys.modules, "matplotlib.pyplot" in sys.modules)
'''

# Imported by name, so that the light profile preloads none of them.
RANDOM = '''\
import importlib


def show_random():
    """Draw from every generator the worker seeds."""
    import random

    np = importlib.import_module("numpy")
    mx = importlib.import_module("mxnet")
    nn = importlib.import_module("mxnet.gluon.nn")
    matplotlib = importlib.import_module("matplotlib")
    print(random.random(), np.random.rand())
    print(mx.nd.random.uniform(shape=(3,)).asnumpy().tolist())
    print(nn.Dense(2).name, matplotlib.rcParams["svg.hashsalt"])
'''


def _seed(site: Site, seed: int) -> None:
    text = (site.root / "mkdocs.yml").read_text()
    site.write(
        "mkdocs.yml", text.replace("timeout:", f"seed: {seed}\n      timeout:")
    )


def _output(site: Site, page: str) -> str:
    site.write("docs/index.md", page)
    site.build()
    assert not site.warnings
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    [result] = site.plugin.last_build.results.values()
    return result.outcome.output


def test_auto_is_mxnet_only_when_a_snippet_imports_it(tmp_path: Path) -> None:
    """`auto` reads every import of the package, in functions too, and
    adds the known libraries it imports to the light profile."""
    package = tmp_path / "snippets"
    package.mkdir()
    (package / "plot.py").write_text(
        "import numpy as np\n\ndef f():\n    import matplotlib.pyplot\n"
    )
    light = profiles.choose("auto", package)
    assert (light.name, light.warm) == ("python", ("numpy", "matplotlib"))
    (package / "net.py").write_text("def g():\n    from mxnet import nd\n")
    heavy = profiles.choose("auto", package)
    assert (heavy.name, heavy.warm) == (
        "mxnet",
        ("numpy", "matplotlib", "mxnet"),
    )
    assert profiles.choose("python", package).name == "python"


def test_a_site_without_mxnet_never_loads_it(site: Site) -> None:
    """The tiny site's snippets draw but do not import mxnet: its workers
    preload matplotlib and not MXNet; once a snippet imports mxnet, a new
    pool preloads it too."""
    site.write("snippets/probe.py", PROBE)
    page = "```{run} snippets.probe.show_loaded\n```\n"
    assert _output(site, page) == "False True\n"
    # A new pool reads the package again.
    site.close()
    with_gluon_state(site)
    (site.root / ".execnotes-cache").rename(site.root / "old-cache")
    assert _output(site, page) == "True True\n"


def test_a_library_loaded_by_the_run_is_seeded_and_styled(
    site: Site,
) -> None:
    """random, NumPy and MXNet draw the same numbers, Gluon counts names
    and matplotlib has the site's style whether the workers preloaded
    them (`mxnet`) or the run imported them (`python`)."""
    site.write("snippets/rand.py", RANDOM)
    site.write("snippets/demo.py", "")
    page = "```{run} snippets.rand.show_random\n```\n"
    choose_framework(site, "python")
    _seed(site, 7)  # not MXNet's default
    lazily = _output(site, page)
    choose_framework(site, "mxnet")
    (site.root / ".execnotes-cache").rename(site.root / "old-cache")
    preloaded = _output(site, page)
    assert lazily == preloaded
    assert "dense0 execnotes" in lazily
    assert profiles.choose("python", site.root / "snippets").warm == ()


@pytest.mark.parametrize(
    "case",
    ["native-nd-load", "native-load-parameters", "matplotlib-style-file"],
)
def test_a_library_loaded_by_the_run_is_tracked(site: Site, case: str) -> None:
    """With the light profile, MXNet's native reads (and a matplotlib
    style file) of a run that imports them are inputs: a change runs it
    again, and a revert is a hit."""
    choose_framework(site, "python")
    site.write("snippets/readers.py", READERS)
    check_case(site, case)


def test_a_worker_that_cannot_start_names_its_profile(tmp_path: Path) -> None:
    """A zygote that dies while warming up fails the run with a message
    that names what it imports and the option that chooses it."""
    settings = WorkerSettings(
        str(tmp_path / "missing"),
        "snippets",
        1,
        FigureStyle(),
        profiles.PROFILES["python"].with_imports({"numpy"}),
    )
    pool = WorkerPool(1, settings)
    try:
        job = Job("noop", (("pass", "<noop>", 1),), None, "<x>", 0, 1000)
        outcome = pool.submit(job).result(timeout=120)
    finally:
        pool.close()
    assert outcome.problem is not None
    assert outcome.problem.exception == "WorkerStartError"
    assert "importing numpy failed, for the framework profile 'python'" in (
        outcome.problem.message
    )
    assert "`framework` option" in outcome.problem.message
