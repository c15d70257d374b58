"""Workers never outlive the build, and timeouts hold without the parent."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.procs import running
from tests.runner.conftest import EXECUTORS, Site, mkdocs, write_site

SPINNER = '''\
import subprocess
from pathlib import Path


def show_spin():
    """Start a helper process, say so, then spin for ever."""
    helper = subprocess.Popen(["sleep", "600"])
    Path("started").write_text(str(helper.pid))
    while True:
        pass
'''


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_killed_build_leaves_no_process(tmp_path: Path, signum: int) -> None:
    """Kill `mkdocs build` while a snippet spins: the worker, the run and
    what the run started are all gone soon after, long before the
    snippet's timeout."""
    site = write_site(tmp_path, timeout=3600)
    site.write("snippets/spin.py", SPINNER)
    site.write("docs/index.md", "```{run} snippets.spin.show_spin\n```\n")
    build = mkdocs(site)
    started = site.root / "started"
    deadline = time.monotonic() + 120
    while not started.exists():
        assert time.monotonic() < deadline, "the snippet never started"
        time.sleep(0.1)
    family = [
        p.pid for p in psutil.Process(build.pid).children(recursive=True)
    ]
    family.append(int(started.read_text()))
    assert len(family) >= 3  # zygote, run, helper
    build.send_signal(signum)
    build.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while running(family):
        assert time.monotonic() < deadline, f"left running: {running(family)}"
        time.sleep(0.2)


@EXECUTORS
def test_the_worker_enforces_the_timeout(site: Site) -> None:
    """A spinning run is stopped by its worker at its own timeout (the pool
    waits a minute longer before it would step in, with another message)."""
    site.write("snippets/spin.py", SPINNER)
    site.write(
        "docs/index.md", "```{run} snippets.spin.show_spin\ntimeout: 2\n```\n"
    )
    site.build()
    [warning, _] = site.warnings
    assert "TimeoutError: it ran longer than its timeout of 2 s" in warning
    helper = int((site.root / "started").read_text())
    assert not running([helper])


def _zygotes(site: Site) -> list[psutil.Process]:
    assert site.plugin is not None
    assert site.plugin.runner is not None
    pool = site.plugin.runner.pool
    return [
        psutil.Process(slot.process.pid)
        for slot in pool._slots
        if slot.process is not None
    ]


def test_a_worker_killed_while_idle_is_replaced(site: Site) -> None:
    """An idle worker that died is replaced before the next job: the next
    run succeeds, and nothing reports a crash."""
    site.build()
    [zygote] = _zygotes(site)
    zygote.kill()
    zygote.wait(timeout=10)
    demo = (site.root / "snippets/demo.py").read_text()
    site.write("snippets/demo.py", demo.replace("double:", "doubled:"))
    site.build()
    assert "doubled: 42" in site.html()
    assert not site.warnings
    [replacement] = _zygotes(site)
    assert replacement.pid != zygote.pid


@EXECUTORS
def test_a_run_that_kills_its_worker_fails_alone(site: Site) -> None:
    """A run that kills the worker process fails; the next run on a fresh
    worker succeeds."""
    site.write(
        "snippets/killer.py",
        "import os\nimport signal\n\n\ndef show_kill():\n"
        '    """Kill the worker."""\n'
        "    os.kill(os.getppid(), signal.SIGKILL)\n",
    )
    site.write(
        "docs/index.md",
        "```{run} snippets.killer.show_kill\n```\n\n"
        "```{run} snippets.demo.show_plain\n```\n",
    )
    site.build()
    assert (
        "WorkerDied: the worker process died while running it"
        in (site.warnings[0])
    )
    assert "plain: 3.14159" in site.html()
    assert len(site.warnings) == 2  # the failure, and the summary
