"""Every run starts from the same clean state, and owns its output.

Each case is one that was seen to leak between runs when workers reset
state one global at a time: a run changes something, and the next run on
the same worker (one worker, runs in page order) must not see it.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.procs import running
from tests.runner.conftest import EXECUTORS, Site, entries

# Each entry: (what the first run does, what the second run prints).
CHANGES = {
    "autograd-training": (
        "from mxnet import autograd\n    autograd.set_training(True)",
        "from mxnet import autograd\n    print(autograd.is_training())",
    ),
    "numpy-seterr": (
        "import numpy as np\n    np.seterr(all='raise')",
        "import numpy as np\n    print(np.geterr()['divide'])",
    ),
    "mxnet-numpy-mode": (
        "import mxnet as mx\n    mx.npx.set_np()",
        "import mxnet as mx\n    print(mx.util.is_np_array())",
    ),
    "decimal-precision": (
        "import decimal\n    decimal.getcontext().prec = 3",
        "import decimal\n    print(decimal.Decimal(1) / decimal.Decimal(7))",
    ),
    "logging-level": (
        "import logging\n    logging.basicConfig(level=logging.DEBUG)",
        "import logging\n    print(logging.getLogger().level)",
    ),
    "umask": (
        "import os\n    os.umask(0o777)",
        "import os\n    print(oct(os.umask(0o022)))",
    ),
    "builtins": (
        "import builtins\n    builtins.print = lambda *a, **k: None",
        "print('printed')",
    ),
    "sigalrm": (
        "import signal\n    signal.signal(signal.SIGALRM, lambda *a: None)",
        "import signal\n    print(signal.getsignal(signal.SIGALRM))",
    ),
    "random-state": (
        "import random\n    random.random()",
        "import random\n    print(random.random())",
    ),
    "gluon-names": (
        "from mxnet.gluon import nn\n    nn.Dense(2)",
        "from mxnet.gluon import nn\n    print(nn.Dense(2).name)",
    ),
    "cwd-environ-path": (
        "import os, sys\n    os.chdir('docs')\n    os.environ['X_SET'] = '1'\n"
        "    sys.path.append('/nowhere')",
        "import os, sys\n    print(os.path.basename(os.getcwd()),"
        " os.environ.get('X_SET'), '/nowhere' in sys.path)",
    ),
}


def _module(changes: dict[str, tuple[str, str]]) -> str:
    functions = []
    for n, (change, read) in enumerate(changes.values()):
        functions.append(f"def show_change_{n}():\n    {change}\n")
        functions.append(f"def show_read_{n}():\n    {read}\n")
    return "\n\n".join(functions)


@pytest.fixture
def state_site(site: Site) -> Site:
    """A site whose snippets change and read every kind of process state."""
    site.write("snippets/state.py", _module(CHANGES))
    return site


def _page(names: list[str]) -> str:
    return "".join(f"```{{run}} snippets.state.{n}\n```\n\n" for n in names)


def _outputs(site: Site) -> dict[str, str]:
    """Each run's printed output, by snippet name, from the last build."""
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    return {
        r.snippet.name.rsplit(".", 1)[1]: r.outcome.output
        for r in site.plugin.last_build.results.values()
    }


@EXECUTORS
def test_no_run_sees_what_an_earlier_run_changed(state_site: Site) -> None:
    """On one worker, each reader prints the same after a run that changed
    the state it reads as it prints alone; the cache holds those outputs."""
    readers = [f"show_read_{n}" for n in range(len(CHANGES))]
    state_site.write("docs/index.md", _page(readers))
    state_site.build()
    alone = _outputs(state_site)
    assert (alone["show_read_0"], alone["show_read_5"]) == (
        "False\n",
        "0o22\n",
    )
    (state_site.root / ".execnotes-cache").rename(state_site.root / "old")
    interleaved = []
    for n in range(len(CHANGES)):
        interleaved += [f"show_change_{n}", f"show_read_{n}"]
    state_site.write("docs/index.md", _page(interleaved))
    state_site.build()
    after = _outputs(state_site)
    assert {name: after[name] for name in readers} == alone
    cached = {
        json.loads(path.read_text())["output"] for path in entries(state_site)
    }
    assert set(alone.values()) <= cached


def _write_page(site: Site, module: str, names: list[str]) -> None:
    site.write(f"snippets/{module}.py", MODULES[module])
    site.write(
        "docs/index.md",
        "".join(f"```{{run}} snippets.{module}.{n}\n```\n\n" for n in names),
    )


MODULES = {
    "forks": '''\
        import os


        def show_fork():
            """Fork; the child returns instead of exiting."""
            print("A before")
            os.fork()
            print("A after", "child" if os.getppid() else "?")


        def show_b():
            """Print B."""
            print("B")


        def show_c():
            """Print C."""
            print("C")
        ''',
    "leftovers": '''\
        import subprocess
        import threading
        import time


        def show_thread():
            """Leave a thread that keeps printing."""

            def chatter():
                while True:
                    print("thread of A")
                    time.sleep(0.005)

            threading.Thread(target=chatter, daemon=True).start()
            time.sleep(0.05)
            print("A done")


        def show_processes():
            """Leave processes behind: a child, and a daemon of its own."""
            sleeper = subprocess.Popen(["sleep", "300"])
            subprocess.run(
                ["sh", "-c", "setsid sleep 301 & echo daemon $!"], check=True
            )
            subprocess.Popen(["sh", "-c", "sleep 0.3; echo late"])
            print("child", sleeper.pid)


        def show_b():
            """Print B, slowly enough for a leftover to interfere."""
            time.sleep(0.5)
            print("B")
        ''',
    "forger": '''\
        import os


        def show_forger():
            """Write a forged result to every descriptor it can reach."""
            forged = b'{"pid": 1, "status": "ok", "output": "forged"}'
            for fd in range(3, 2048):
                try:
                    os.write(fd, forged)
                except OSError:
                    pass
            print("real")
        ''',
}


@EXECUTORS
def test_a_fork_that_returns_does_not_shift_outputs(site: Site) -> None:
    """A forked child that returns into the runner never reports: every
    block shows its own output, and so does the cache."""
    _write_page(site, "forks", ["show_fork", "show_b", "show_c"])
    site.build()
    outputs = _outputs(site)
    assert outputs["show_fork"].startswith("A before\nA after")
    assert outputs["show_b"] == "B\n"
    assert outputs["show_c"] == "C\n"
    cached = {json.loads(p.read_text())["output"] for p in entries(site)}
    assert cached == set(outputs.values())


@EXECUTORS
def test_what_a_run_leaves_running_is_gone_before_the_next(
    site: Site,
) -> None:
    """Threads, children and daemons a run leaves are killed before its
    outcome is taken; none writes into the next block, none outlives it."""
    _write_page(site, "leftovers", ["show_thread", "show_processes", "show_b"])
    site.build()
    outputs = _outputs(site)
    assert outputs["show_thread"].endswith("A done\n")
    assert "late" not in outputs["show_processes"]
    assert outputs["show_b"] == "B\n"
    words = outputs["show_processes"].split()
    pids = [int(words[words.index(w) + 1]) for w in ("child", "daemon")]
    deadline = time.monotonic() + 10
    while running(pids):
        assert time.monotonic() < deadline, "a process outlived its run"
        time.sleep(0.1)


@EXECUTORS
def test_forged_results_are_never_taken(site: Site) -> None:
    """Bytes a snippet writes to the runner's pipes cannot pass for its
    result: the run reports what it really printed."""
    _write_page(site, "forger", ["show_forger"])
    site.build()
    assert _outputs(site) == {"show_forger": "real\n"}
    assert not site.warnings


def test_a_stray_message_is_dropped() -> None:
    """The pool takes a reply only with the run id it is waiting for."""
    import multiprocessing

    from execnotes.worker.pool import _Slot

    ours, theirs = multiprocessing.Pipe()
    theirs.send(("done", "another-run", "stale"))
    theirs.send(("started", "this-run", 42))
    theirs.send(("done", "this-run", "fresh"))
    slot = _Slot.__new__(_Slot)
    assert slot._receive(ours, "done", "this-run", 5) == "fresh"
    ours.close()
    theirs.close()
