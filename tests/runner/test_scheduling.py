"""Cold builds at the critical path: the longest run first, workers
started while MkDocs is still preparing, and none for a cached build."""

from __future__ import annotations

import json

from mkdocs.config import load_config

from execnotes.plugin.hooks import ExecNotesPlugin
from tests.runner.conftest import Site, ran

TIMED = '''\
import time
from pathlib import Path

EDIT = 0


def _log(name, seconds):
    with open("order.log", "a") as log:
        log.write(name + "\\n")
    time.sleep(seconds)
    print(name, "done")


def show_quick():
    """Take a moment."""
    _log("quick", 0.1)


def show_slow():
    """Take a while."""
    _log("slow", 1.5)


def show_medium():
    """Take a bit."""
    _log("medium", 0.6)
'''

PAGE = "".join(
    f"```{{run}} snippets.timed.show_{name}\n```\n\n"
    for name in ("quick", "medium", "slow")
)


def test_the_longest_run_goes_first(site: Site) -> None:
    """Runs go out by the time they took last: slowest first, whatever
    their order on the page; their outputs do not depend on it."""
    site.write("snippets/timed.py", TIMED)
    site.write("docs/index.md", PAGE)
    site.build()
    assert (site.root / "order.log").read_text().split() == [
        "quick",
        "medium",
        "slow",
    ]
    durations = json.loads(
        (site.root / ".execnotes-cache/durations.json").read_text()
    )
    assert durations["snippets.timed.show_slow"] >= 1.5
    first = site.html()
    (site.root / "order.log").unlink()
    site.write("snippets/timed.py", TIMED.replace("EDIT = 0", "EDIT = 1"))
    site.build()
    assert ran(site) == 3
    assert (site.root / "order.log").read_text().split() == [
        "slow",
        "medium",
        "quick",
    ]
    assert site.html().count(" done") == first.count(" done") == 3


def _configured(site: Site) -> ExecNotesPlugin:
    config = load_config(config_file=str(site.root / "mkdocs.yml"))
    plugin = config.plugins["execnotes"]
    assert isinstance(plugin, ExecNotesPlugin)
    config.plugins.on_startup(command="build", dirty=False)
    config.plugins.on_config(config)
    return plugin


def test_workers_start_while_mkdocs_prepares(site: Site) -> None:
    """With a run to do, the runs are already under way when MkDocs has
    only read its configuration."""
    plugin = _configured(site)
    try:
        assert plugin.runner is not None
        assert plugin.runner._pool is not None
        assert plugin.build is not None
        assert sorted(r.source for r in plugin.build.results.values()) == [
            "ran",
            "ran",
            "ran",
        ]
    finally:
        plugin.on_shutdown()


def test_a_cached_build_starts_no_worker(site: Site) -> None:
    """When everything is cached, no worker process is ever started."""
    site.build()
    site.close()
    plugin = _configured(site)
    try:
        assert plugin.runner is not None
        assert plugin.runner._pool is None
        assert plugin.build is not None
        assert {r.source for r in plugin.build.results.values()} == {"cache"}
    finally:
        plugin.on_shutdown()
