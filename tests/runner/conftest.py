"""A tiny site, written into a temporary folder and built for real."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from execnotes.plugin.hooks import ExecNotesPlugin

MKDOCS_YML = """\
site_name: tiny
theme: mkdocs
plugins:
  - execnotes:
      workers: {workers}
      timeout: {timeout}
      max_output_chars: 2000
markdown_extensions:
  - pymdownx.highlight
  - pymdownx.superfences
  - admonition
"""

SNIPPETS = {
    "__init__.py": '"""Teaching code of the tiny site."""\n',
    "helpers.py": '''\
        SCALE = 3


        def double(x):
            """Return twice x."""
            return 2 * x
        ''',
    "demo.py": '''\
        import math

        from snippets.helpers import double


        def area(r):
            """Return the area of a circle of radius r."""
            return math.pi * r**2


        def show_double():
            """Print a doubled number."""
            print("double:", double(21))
            return {"value": double(21), "ratio": 0.8512}


        def show_plain():
            """Print without helpers."""
            print("plain:", math.pi)


        def show_figure():
            """Draw a parabola."""
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots()
            ax.plot([0, 1, 2, 3], [0, 1, 4, 9])
            ax.set_title("parabola")
        ''',
    # A region is module-level code: it runs whenever its module is
    # imported, so it lives in a module of its own.
    "regions.py": """\
        # region loop-demo
        total = 0
        for i in range(4):
            total += i
        print("total", total)
        # endregion
        """,
    "bad.py": '''\
        import os
        import time


        def show_raise():
            """Fail on purpose."""
            return {}["missing"]


        def show_sleep():
            """Sleep past any short timeout."""
            time.sleep(60)


        def show_exit():
            """Kill the worker."""
            os._exit(3)


        def show_script():
            """Print markup."""
            print("<script>alert('x')</script>")


        def show_native():
            """Write to file descriptor 2, as native code does."""
            print("from python")
            os.write(2, b"from the fd\\n")


        def show_segfault():
            """Crash in native code."""
            import ctypes

            ctypes.string_at(0)


        def show_flood():
            """Print far too much."""
            print("y" * 10_000_000)
        ''',
}

# Runs that use MXNet's process state: a site that embeds them needs the
# `mxnet` framework profile (execnotes.core.profiles), which `auto` infers from
# this module; the other tiny sites stay on the light `python` profile.
GLUON_STATE = {
    "gluon_state.py": '''\
        def show_state_change():
            """Change process state a later run must not see."""
            import os

            import numpy as np
            from mxnet.gluon import nn

            np.set_printoptions(precision=1)
            os.environ["EXECNOTES_TEST"] = "changed"
            os.chdir("docs")
            print(nn.Dense(2).name)


        def show_state():
            """Print what depends on process state."""
            import os

            import numpy as np
            from mxnet.gluon import nn

            print(np.array([1 / 3]), nn.Dense(2).name)
            in_docs = os.getcwd().endswith("docs")
            print(os.environ.get("EXECNOTES_TEST"), in_docs)
            print(sorted({"b", "a"}), {"kiwi", "fig", "x", "y", "z"})
        ''',
}


def with_gluon_state(site: Site) -> Site:
    """The site, with the snippets module whose runs change and read
    MXNet's and the process's state."""
    for name, text in GLUON_STATE.items():
        site.write(f"snippets/{name}", text)
    return site


INDEX = """\
# Home

```{show} snippets.demo.area
```

The ratio is {{ snippets.demo.show_double["ratio"]:.2f }}.

```{run} snippets.demo.show_double
caption: Doubling
show: value
```

```{run} snippets.demo.show_plain
```

```{run} snippets.demo.show_figure
hide: code
caption: A parabola
```
"""


@dataclass
class Site:
    """A tiny site on disk, and the results of its builds."""

    root: Path
    workers: int = 1
    timeout: float = 30
    plugin: ExecNotesPlugin | None = None
    logs: list[str] = field(default_factory=list)

    def write(self, relative: str, text: str) -> None:
        """Write a file of the site."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def html(self, page: str = "index.html") -> str:
        """The built HTML of a page."""
        return (self.root / "site" / page).read_text(encoding="utf-8")

    def build(self, *, strict: bool = False) -> ExecNotesPlugin:
        """Build like `mkdocs build` (or one rebuild of `mkdocs serve`).

        The plugin instance is kept across calls, as `mkdocs serve` keeps it.
        """
        config = load_config(config_file=str(self.root / "mkdocs.yml"))
        config.strict = strict
        # MkDocs keeps one instance of a plugin that has on_startup for the
        # whole process, as `mkdocs serve` does between rebuilds.
        plugin = config.plugins["execnotes"]
        assert isinstance(plugin, ExecNotesPlugin)
        if self.plugin is None:
            config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = plugin
        handler = _ListHandler(self.logs)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        try:
            build(config)
        finally:
            logger.removeHandler(handler)
        return plugin

    def close(self) -> None:
        """Stop the plugin's workers."""
        if self.plugin is not None:
            self.plugin.on_shutdown()

    @property
    def warnings(self) -> list[str]:
        """Every warning logged by the builds so far."""
        return [m for m in self.logs if m.startswith("WARNING")]


def mkdocs(site: Site, *args: str, **env: str) -> subprocess.Popen[str]:
    """Start `mkdocs build ARGS` (or another command) on the site, as its
    own process, with `env` added to the environment."""
    command = (
        args
        if args and args[0] in ("serve", "gh-deploy")
        else ("build", *args)
    )
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", *command],
        cwd=site.root,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "SOURCE_DATE_EPOCH": "0",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def entries(site: Site) -> list[Path]:
    """The cache's result files (one per generation of each job)."""
    cache = site.root / ".execnotes-cache"
    return sorted(
        p for p in cache.glob("*/*.json") if p.parent.name != "probes"
    )


def ran(site: Site) -> int:
    """How many snippets the last build sent to the workers."""
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    return site.plugin.last_build.executed


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(f"{record.levelname} {record.getMessage()}")


def write_site(root: Path, workers: int = 1, timeout: float = 30) -> Site:
    """Write the tiny site into `root`."""
    site = Site(root, workers, timeout)
    site.write(
        "mkdocs.yml", MKDOCS_YML.format(workers=workers, timeout=timeout)
    )
    for name, text in SNIPPETS.items():
        site.write(f"snippets/{name}", text)
    site.write("docs/index.md", INDEX)
    return site


EXECUTORS = pytest.mark.parametrize("executor", ["local", "dask"])
"""Runs a test that builds `site` on each executor: what the local pool
guarantees, Dask must too (the guarantees page says so)."""


@pytest.fixture
def executor() -> str:
    """Where `site` runs its snippets, unless a test is `EXECUTORS`."""
    return "local"


def on_dask(site: Site, scheduler: str = "") -> None:
    """Make the site run its snippets on the Dask cluster at `scheduler`
    (without one, on a cluster each build starts)."""
    config = site.root / "mkdocs.yml"
    where = f"      scheduler: {scheduler}\n" if scheduler else ""
    config.write_text(
        config.read_text().replace(
            "      workers:", f"      executor: dask\n{where}      workers:"
        )
    )


@pytest.fixture
def site(
    tmp_path: Path, executor: str, request: pytest.FixtureRequest
) -> Iterator[Site]:
    """A tiny site with one worker; its workers stop after the test.

    With `executor` dask it runs on the session's Dask cluster; with
    dask-embedded, on a cluster of its own that each build starts (whose
    workers, unlike a shared cluster's, have the build's environment).
    """
    tiny = write_site(tmp_path)
    if executor == "dask":
        on_dask(tiny, request.getfixturevalue("dask_scheduler"))
    elif executor == "dask-embedded":
        on_dask(tiny)
    yield tiny
    runner = tiny.plugin.runner if tiny.plugin else None
    if runner is not None and runner._pool is not None:
        on = type(runner._pool).__name__
        assert on == ("DaskPool" if "dask" in executor else "WorkerPool"), on
    tiny.close()


def choose_framework(site: Site, framework: str) -> None:
    """Set the plugin's `framework` option (a new runner starts)."""
    text = (site.root / "mkdocs.yml").read_text()
    text = re.sub(r"\n      framework: \w+", "", text)
    site.write(
        "mkdocs.yml",
        text.replace(
            "max_output_chars: 2000",
            f"max_output_chars: 2000\n      framework: {framework}",
        ),
    )
