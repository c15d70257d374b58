"""Soundness of the runner: inputs measured when read, tracking by what a
run did, and a supervisor that nothing a run starts can escape.

Each test builds a tiny site for real and reproduces a case that once
broke: a result cached for a version of a module that did not run, reads
hidden by blanket rules, a background process that outlived the build and
held the caller's pipe, a forged frame that crashed the zygote.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from execnotes.core import funcstate
from execnotes.render.figures import sanitize_svg
from execnotes.worker.tracking import UNSEEN
from tests.runner.conftest import EXECUTORS, Site, entries, mkdocs, ran

ROOT = Path(__file__).resolve().parents[2]


def _check(site: Site) -> subprocess.CompletedProcess[str]:
    """`python -m execnotes check` on the site."""
    return subprocess.run(
        [sys.executable, "-m", "execnotes", "check"],
        cwd=site.root,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _outputs(site: Site) -> dict[str, str]:
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    return {
        r.name.rsplit(".", 1)[1]: r.outcome.output
        for r in site.plugin.last_build.results.values()
    }


# -- 1. inputs are measured when read --------------------------------------

EDITOR = '''\
from pathlib import Path

from snippets.helper import V


def show_and_edit():
    """Print the helper's value, then save the next version of it, as an
    author saving while the block runs (same size, same second)."""
    print("V", V)
    Path("snippets/helper.py").write_text(f"V = {V + 1}\\n")
'''


@EXECUTORS
def test_an_edit_during_a_run_is_never_served_from_the_cache(
    site: Site,
) -> None:
    """The module is hashed as it is imported: a result computed from
    `V = 1` is kept under `V = 1`, never under `V = 2`. The next build
    runs again and shows `V 2`, and `check` reports the block stale in
    between. (The run's own edit is no warning: it read `V = 1`.)"""
    site.write("snippets/helper.py", "V = 1\n")
    site.write("snippets/editor.py", EDITOR)
    site.write(
        "docs/index.md", "```{run} snippets.editor.show_and_edit\n```\n"
    )
    site.build()
    assert _outputs(site) == {"show_and_edit": "V 1\n"}
    assert (site.root / "snippets/helper.py").read_text() == "V = 2\n"
    assert not site.warnings
    [entry] = entries(site)
    recorded = json.loads(entry.read_text())["inputs"]
    first = funcstate.read(b"V = 1\n")
    assert first is not None
    assert recorded["skeleton:snippets/helper.py"] == first[0].skeleton
    stale = _check(site)
    assert stale.returncode == 1, stale.stdout
    assert "0 from the cache" in stale.stdout
    site.build()
    assert ran(site) == 1
    # Same size, written within the same second: stale bytecode in
    # __pycache__ would still say 1.
    assert _outputs(site) == {"show_and_edit": "V 2\n"}


WAITER = '''\
import os
import signal
from pathlib import Path

from snippets.helper import V


def show_waiting():
    """Print the helper's value, then wait until the author has saved."""
    print("V", V)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    Path("running.pid").write_text(str(os.getpid()))
    signal.sigwait([signal.SIGUSR1])
'''


@EXECUTORS
def test_an_author_saving_during_a_run_gets_the_new_version_next(
    site: Site,
) -> None:
    """The author saves `V = 2` while the block that imported `V = 1`
    runs (it waits for a signal the test sends after saving). The page
    shows `V 1`, nothing is cached, and the next build shows `V 2`."""
    site.write("snippets/helper.py", "V = 1\n")
    site.write("snippets/waiter.py", WAITER)
    site.write("docs/index.md", "```{run} snippets.waiter.show_waiting\n```\n")
    pid_file = site.root / "running.pid"
    missed: list[str] = []

    def author() -> None:
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            if time.monotonic() > deadline:
                missed.append("the block never wrote running.pid")
                return  # the build then times the block out
            time.sleep(0.01)
        site.write("snippets/helper.py", "V = 2\n")
        os.kill(int(pid_file.read_text()), signal.SIGUSR1)

    editor = threading.Thread(target=author)
    editor.start()
    site.build()
    editor.join()
    assert not missed
    assert _outputs(site) == {"show_waiting": "V 1\n"}
    [warning] = site.warnings
    assert "snippets/helper.py changed while" in warning
    assert entries(site) == []
    assert _check(site).returncode == 1
    pid_file.unlink()
    editor = threading.Thread(target=author)
    editor.start()
    site.build()
    editor.join()
    assert not missed
    assert _outputs(site) == {"show_waiting": "V 2\n"}


@EXECUTORS
def test_a_module_is_hashed_as_it_was_imported(site: Site) -> None:
    """The state recorded for a module is that of the bytes compiled, not
    of the file after the run; with nothing edited, the result is cached
    and `check` passes."""
    site.write("snippets/helper.py", "V = 1\n")
    site.write(
        "snippets/reader.py",
        "from snippets.helper import V\n\n\n"
        "def show_v():\n    print('V', V)\n",
    )
    site.write("docs/index.md", "```{run} snippets.reader.show_v\n```\n")
    site.build()
    [entry] = entries(site)
    assert '"skeleton:snippets/helper.py"' in entry.read_text()
    assert _check(site).returncode == 0
    site.write("snippets/helper.py", "V = 3\n")
    assert _check(site).returncode == 1
    site.build()
    assert _outputs(site) == {"show_v": "V 3\n"}


# -- 2. tracking by what happened ------------------------------------------

READS = '''\
import os
import runpy
import sys
from pathlib import Path


def show_makedirs():
    """A loader idiom: make the folder if needed, then read from it."""
    os.makedirs("data", exist_ok=True)
    print(Path("data/a.txt").read_text().strip())


def show_path_mkdir():
    """The same with pathlib."""
    Path("data/sub").mkdir(parents=True, exist_ok=True)
    print(Path("data/sub/b.txt").read_text().strip())


def show_py_as_data():
    """A project .py file read as text."""
    with open("tools/gen.py") as handle:
        print(handle.read().strip())


def show_run_path():
    """A project script run by path."""
    print(runpy.run_path("tools/script.py")["RESULT"])


def show_read_plus():
    """A file opened for update, read first."""
    with open("data/rplus.txt", "r+") as handle:
        print(handle.read().strip())


def show_append_then_read():
    """A file opened to append (nothing written), then read."""
    open("data/log.txt", "a").close()
    print(Path("data/log.txt").read_text().strip())


def show_environb():
    """A variable read as bytes."""
    print(os.environb.get(b"SOUND_BYTES", b"none").decode())


def show_environ_names():
    """The names of the environment, listed."""
    print([name for name in os.environ if name.startswith("SOUND_NEW")])


def show_outside_module():
    """A module found on a folder outside the project."""
    sys.path.insert(0, OUTSIDE)
    import outside_helper

    print("outside", outside_helper.VALUE)


def show_opener():
    """A file opened relative to a folder's descriptor."""
    folder = os.open("data", os.O_RDONLY)

    def opener(path, flags):
        return os.open(path, flags, dir_fd=folder)

    with open("c.txt", opener=opener) as handle:
        print(handle.read().strip())
'''

# name: (files before, files after, variables before, variables after)
READ_CASES = {
    "show_makedirs": ({"data/a.txt": "a1"}, {"data/a.txt": "a2"}),
    "show_path_mkdir": ({"data/sub/b.txt": "b1"}, {"data/sub/b.txt": "b2"}),
    "show_py_as_data": ({"tools/gen.py": "X = 1"}, {"tools/gen.py": "X = 2"}),
    "show_run_path": (
        {"tools/script.py": "RESULT = 'run 1'"},
        {"tools/script.py": "RESULT = 'run 2'"},
    ),
    "show_read_plus": ({"data/rplus.txt": "r1"}, {"data/rplus.txt": "r2"}),
    "show_append_then_read": ({"data/log.txt": "l1"}, {"data/log.txt": "l2"}),
    "show_outside_module": (
        {"OUTSIDE/outside_helper.py": "VALUE = 1"},
        {"OUTSIDE/outside_helper.py": "VALUE = 2"},
    ),
    "show_opener": ({"data/c.txt": "c1"}, {"data/c.txt": "c2"}),
    "show_environb": ({}, {}),
    "show_environ_names": ({}, {}),
}
ENV_BEFORE = {"SOUND_BYTES": "bytes 1"}
ENV_AFTER = {"SOUND_BYTES": "bytes 2", "SOUND_NEW_ONE": "1"}


def _write_files(site: Site, outside: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        if name.startswith("OUTSIDE/"):
            outside.mkdir(exist_ok=True)
            (outside / name.removeprefix("OUTSIDE/")).write_text(text + "\n")
        else:
            site.write(name, text + "\n")


def _build(site: Site, env: dict[str, str]) -> str:
    process = mkdocs(site, **env)
    log, _ = process.communicate(timeout=600)
    assert process.returncode == 0, log
    return log


def _shown(site: Site) -> dict[str, str]:
    """Each block's printed output, by snippet, from the built page (the
    page names each snippet in inline code before its block)."""
    found = {}
    for part in site.html().split("<code>snippets.reads.")[1:]:
        name = part.partition("<")[0]
        output = re.search(
            r'<pre class="execnotes-output"><code>(.*?)</code>', part, re.S
        )
        found[name] = output.group(1).strip() if output else "(no output)"
    assert set(found) == set(READ_CASES)
    return found


# The variables it changes are the build's: a shared cluster's workers keep
# their own environment (the guarantees page), a cluster of the build's own
# inherits it.
@pytest.mark.parametrize("executor", ["local", "dask-embedded"])
def test_each_read_is_tracked_by_what_happened(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every read kind that once kept an old value is an input now: the
    second build runs nothing, and after the change every block runs
    again and shows the new value."""
    outside = tmp_path_factory.mktemp("outside")
    site.write("snippets/reads.py", f"OUTSIDE = {str(outside)!r}\n\n" + READS)
    site.write(
        "docs/index.md",
        "".join(
            f"`snippets.reads.{n}`\n\n```{{run}} snippets.reads.{n}\n"
            "hide: code\n```\n\n"
            for n in READ_CASES
        ),
    )
    _write_files(
        site,
        outside,
        {k: v for c in READ_CASES.values() for k, v in c[0].items()},
    )
    assert "10 ran" in _build(site, ENV_BEFORE)
    before = _shown(site)
    assert "0 ran" in _build(site, ENV_BEFORE)
    _write_files(
        site,
        outside,
        {k: v for c in READ_CASES.values() for k, v in c[1].items()},
    )
    assert "10 ran" in _build(site, ENV_AFTER)
    after = _shown(site)
    changed = {n for n in READ_CASES if before[n] != after[n]}
    assert changed == set(READ_CASES), (before, after)
    assert after["show_environb"] == "bytes 2"
    assert after["show_environ_names"] == "[&#x27;SOUND_NEW_ONE&#x27;]"


def test_the_guarantees_page_lists_what_the_tracker_cannot_see() -> None:
    """Both languages list exactly the reads the tracker declares unseen,
    each with the `inputs:` declaration that covers it."""
    row = re.compile(r"^\| `([a-z-]+)` \|.*\| `(inputs: [^`]+)` \|$")
    for page in ("guarantees.md", "guarantees.en.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        listed = {
            match.group(1): match.group(2)
            for line in text.splitlines()
            if (match := row.match(line))
        }
        assert listed == UNSEEN, page


# -- 3. nothing a run starts survives the build ----------------------------

ESCAPE = '''\
import os
import signal
import time


def show_escape():
    """Start a background process in a session of its own that holds
    the build's stdout and waits to write into the finished site, then
    kill the zygote that supervises this run."""
    root = os.getcwd()
    build = int(open(f"/proc/{os.getppid()}/stat").read().split()[3])
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            held = os.open(f"/proc/{build}/fd/1", os.O_WRONLY)
            with open(os.path.join(root, "escapee.pid"), "w") as handle:
                handle.write(str(os.getpid()))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if os.path.exists(os.path.join(root, "site", "index.html")):
                    with open(os.path.join(root, "site", "late.txt"), "w"):
                        pass
                    break
                time.sleep(0.05)
            os.close(held)
            os._exit(0)
        os._exit(0)
    while not os.path.exists(os.path.join(root, "escapee.pid")):
        time.sleep(0.01)
    os.kill(os.getppid(), signal.SIGKILL)
'''


@EXECUTORS
def test_a_run_that_kills_its_zygote_leaves_nothing_behind(
    site: Site,
) -> None:
    """`mkdocs build | reader`: the reader sees the pipe end when the build
    ends, the block fails honestly, the escaped process is gone and wrote
    nothing into the site."""
    site.write("snippets/escape.py", ESCAPE)
    site.write(
        "docs/index.md",
        "```{run} snippets.escape.show_escape\n```\n\n"
        "```{run} snippets.demo.show_plain\n```\n",
    )
    build = mkdocs(site)
    # communicate() reads the pipe to its end: it returns only at EOF,
    # which an escaped holder of the pipe would put off.
    log, _ = build.communicate(timeout=240)
    assert build.returncode == 0, log
    assert "the worker process died while running it" in log
    assert "plain: 3.14" in site.html()
    escapee = int((site.root / "escapee.pid").read_text())
    assert not psutil.pid_exists(escapee) or (
        psutil.Process(escapee).status() == psutil.STATUS_ZOMBIE
    )
    assert not (site.root / "site" / "late.txt").exists()
    left = [
        p.pid
        for p in psutil.process_iter(["cwd"])
        if p.info["cwd"] == str(site.root) and p.pid != os.getpid()
    ]
    assert left == []


FORGERS = {
    "show_truncated_header": "run.marker + b'abc'",
    "show_short_body": "run.marker + HEADER.pack(1000) + b'{}'",
    "show_not_json": "run.marker + HEADER.pack(3) + b'{{{'",
    "show_wrong_shape": ("run.marker + HEADER.pack(len(body)) + body"),
}
FORGER_MODULE = """\
import json
import os
import sys

from execnotes.worker.child import HEADER


def _run():
    frame = sys._getframe(1)
    while not hasattr(frame.f_locals.get("run"), "marker"):
        frame = frame.f_back
    return frame.f_locals["run"]


"""


@EXECUTORS
def test_malformed_frames_fail_only_their_own_block(
    site: Site, executor: str
) -> None:
    """Frames that carry the run's real marker but not a whole result fail
    their block with a message that says so; the zygote survives and the
    next block runs."""
    functions = [
        f"def {name}():\n"
        "    run = _run()\n"
        "    body = json.dumps({'pid': os.getpid(), "
        "'marker': run.marker.hex()}).encode()\n"
        f"    os.write(run.result, {data})\n"
        "    os._exit(0)\n"
        for name, data in FORGERS.items()
    ]
    site.write("snippets/forgers.py", FORGER_MODULE + "\n\n".join(functions))
    site.write(
        "docs/index.md",
        "".join(f"```{{run}} snippets.forgers.{n}\n```\n\n" for n in FORGERS)
        + "```{run} snippets.demo.show_plain\n```\n",
    )
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    results = {
        r.name.rsplit(".", 1)[1]: r.outcome
        for r in site.plugin.last_build.results.values()
    }
    for name in FORGERS:
        problem = results[name].problem
        assert problem is not None, name
        assert problem.exception == "WorkerProtocolError", (name, problem)
        assert "its result could not be read" in problem.message
    assert results["show_plain"].status == "ok"
    assert site.plugin.runner is not None
    if executor == "local":  # on Dask, the zygote is a Dask worker's
        assert site.plugin.runner.pool.started_workers == 1


# -- 4. the exporter sees imports inside functions -------------------------

LOCAL_IMPORTS = '''\
def show_local_from():
    """Import a helper inside the body."""
    from snippets.ma import helper

    print(helper())


def show_local_import():
    """Import the module inside the body."""
    import snippets.ma

    print(snippets.ma.helper())


def show_importlib():
    """Import the module by name at run time."""
    import importlib

    print(importlib.import_module("snippets.ma").helper())


def show_library_inside():
    """A library imported inside the body is fine: it is installed."""
    import math

    print(math.floor(2.5))
'''


def test_imports_inside_functions_are_refused_with_their_place(
    site: Site,
) -> None:
    """A copy that would import the package fails `--strict` with a
    warning naming the file and line of the import; a library imported
    inside a body is kept as it is."""
    site.write("snippets/ma.py", 'def helper():\n    """5."""\n    return 5\n')
    site.write("snippets/local.py", LOCAL_IMPORTS)
    names = [
        "show_local_from",
        "show_local_import",
        "show_importlib",
        "show_library_inside",
    ]
    site.write(
        "docs/index.md",
        "".join(f"```{{show}} snippets.local.{n}\n```\n\n" for n in names),
    )
    site.build()
    refused = {
        "snippets/local.py:3: `from snippets.ma import helper`",
        "snippets/local.py:10: `import snippets.ma`",
        "snippets/local.py:19: `importlib.import_module('snippets.ma')`",
    }
    for where in refused:
        assert any(
            f"copy runnable: {where} is not at the top level" in w
            for w in site.warnings
        ), (where, site.warnings)
    assert not any("show_library_inside" in w for w in site.warnings)
    assert "math.floor" in site.html()


# -- 6. smaller ------------------------------------------------------------

FIGURES = '''\
import matplotlib.pyplot as plt


def show_titled():
    """Draw with markup in the title."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set_title("a<b & c")
'''

TAMPERED = (
    '<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
    "<script>alert(2)</script>"
    '<a xlink:href="javascript:alert(3)"><rect width="5" height="5"/></a>'
    '<rect width="4" height="4" onclick="alert(4)" '
    'style="fill: url(https://example.invalid/x)"/>'
    '<image xlink:href=" java\tscript:alert(5)"/>'
    "<foreignObject><div>html</div></foreignObject>"
    '<path d="M0 0L1 1"/>'
    "</svg>"
)


def test_figures_alt_text_once_escaped_and_tampered_svg_sanitised(
    site: Site,
) -> None:
    """A title with markup is escaped once in the alt text; an SVG taken
    from a tampered cache entry is written without scripts, handlers,
    foreign content or javascript: links, and keeps its drawing."""
    site.write("snippets/figs.py", FIGURES)
    site.write("docs/index.md", "```{run} snippets.figs.show_titled\n```\n")
    site.build()
    html = site.html()
    assert "a&lt;b &amp; c" in html
    assert "&amp;lt;" not in html
    [entry] = entries(site)
    data = json.loads(entry.read_text())
    data["figures"] = [TAMPERED]
    entry.write_text(json.dumps(data))
    drawn = set((site.root / "site").rglob("*.svg"))
    site.build()
    assert ran(site) == 0
    # Figures are named by their content: the tampered one is new.
    [figure] = set((site.root / "site").rglob("*.svg")) - drawn
    svg = figure.read_text()
    for unsafe in ("<script", "onload", "onclick", "javascript", "foreign"):
        assert unsafe not in svg.lower(), svg
    assert "example.invalid" not in svg
    assert 'd="M0 0L1 1"' in svg


def test_matplotlib_svgs_pass_the_sanitiser_unchanged() -> None:
    """What matplotlib writes is clean: sanitising never changes the bytes
    of a figure (builds stay byte-identical)."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], [1, 0], label="line")
    left.legend()
    right.imshow(np.eye(3))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    svg = buffer.getvalue()
    assert sanitize_svg(svg) == svg


def test_declared_inputs_outside_the_project_are_refused(site: Site) -> None:
    """`inputs:` naming a file outside the project is a located error, not
    a silent declaration."""
    site.write(
        "docs/index.md",
        "```{run} snippets.demo.show_plain\n"
        "inputs: ../../../etc/passwd\n```\n",
    )
    site.build()
    [warning, *_] = site.warnings
    assert "index.md" in warning
    assert "'../../../etc/passwd' lies outside the project" in warning


def test_cache_entries_are_bounded_before_they_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry over the bound is skipped without being read whole or
    parsed, and a result over it is not stored."""
    from execnotes.core.inputs import Inputs
    from execnotes.core.protocol import Outcome
    from execnotes.store import cache as cache_module
    from execnotes.store.cache import Bound, Cache

    cache = Cache(
        tmp_path, Inputs(str(tmp_path), {}, []), Bound(max_entry_bytes=1000)
    )
    (tmp_path / "key").mkdir()
    (tmp_path / "key" / "garbage.json").write_bytes(b"[" * 5000)

    def no_parse(data: object) -> object:
        raise AssertionError("an entry over the bound was parsed")

    monkeypatch.setattr(cache_module.json, "loads", no_parse)
    assert cache.load("key") is None
    monkeypatch.undo()
    with pytest.raises(OSError, match="over the bound"):
        cache.store("big", Outcome(status="ok", output="x" * 2000))
    cache.store("small", Outcome(status="ok", output="x"))
    assert cache.load("small") == Outcome(status="ok", output="x")


MAKER = '''\
import os


def show_made_once():
    """Create a file if it is missing (as a download would)."""
    if os.path.exists("made.txt"):
        print("found")
    else:
        with open("made.txt", "w") as handle:
            handle.write("made")
        print("made")
'''


@EXECUTORS
def test_what_a_run_changes_itself_is_no_warning(site: Site) -> None:
    """A run that looks for a file and then creates it saw it missing:
    the result is stored under that state, with no warning, and the next
    build (the file now there) runs again."""
    site.write("snippets/maker.py", MAKER)
    site.write(
        "docs/index.md", "```{run} snippets.maker.show_made_once\n```\n"
    )
    site.build()
    assert _outputs(site) == {"show_made_once": "made\n"}
    assert not site.warnings
    [entry] = entries(site)
    assert json.loads(entry.read_text())["inputs"]["file:made.txt"] == (
        "missing"
    )
    site.build()
    assert _outputs(site) == {"show_made_once": "found\n"}
    assert ran(site) == 1
