"""`mkdocs serve` as an author uses it: edits in turn, pages polled over
HTTP, and nothing left running after SIGTERM."""

from __future__ import annotations

import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.procs import running
from tests.runner.conftest import Site, mkdocs, write_site
from tests.serving import ServeLog

_WAIT = 120.0  # a first build starts the workers and runs every snippet


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _until(url: str, check: Callable[[int, str], bool], what: str) -> str:
    deadline = time.monotonic() + _WAIT
    while True:
        status, page = _get(url)
        if check(status, page):
            return page
        assert time.monotonic() < deadline, f"never served: {what}"
        time.sleep(0.2)


def _shows(text: str) -> Callable[[int, str], bool]:
    return lambda status, page: status == 200 and text in page


def test_serve_follows_edits_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """Prose, snippet, broken and fixed snippet, deleted page: each edit is
    served; SIGTERM stops the server and every worker."""
    site: Site = write_site(tmp_path)
    site.write(
        "docs/other.md", "# Other\n\n```{run} snippets.demo.show_plain\n```\n"
    )
    port = _free_port()
    server = mkdocs(site, "serve", "-a", f"127.0.0.1:{port}")
    home, other = (
        f"http://127.0.0.1:{port}/",
        f"http://127.0.0.1:{port}/other/",
    )
    try:
        _until(home, _shows("double: 42"), "the first build")
        family = [
            p.pid for p in psutil.Process(server.pid).children(recursive=True)
        ]
        assert family, "the workers stay up while serving"

        index = (site.root / "docs/index.md").read_text()
        site.write("docs/index.md", index.replace("# Home", "# Home, edited"))
        _until(home, _shows("Home, edited"), "a prose edit")

        helpers = (site.root / "snippets/helpers.py").read_text()
        site.write("snippets/helpers.py", helpers.replace("2 * x", "3 * x"))
        _until(home, _shows("double: 63"), "a snippet edit")

        site.write("snippets/helpers.py", helpers.replace("2 * x", "2 * (x"))
        page = _until(home, _shows("execnotes-error"), "a broken snippet")
        assert "double: 63" not in page

        site.write("snippets/helpers.py", helpers)
        page = _until(home, _shows("double: 42"), "the fixed snippet")
        assert "execnotes-error" not in page

        (site.root / "docs/other.md").unlink()
        _until(other, lambda status, _: status == 404, "a deleted page")
        assert _get(home)[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while left := running(family):
        assert time.monotonic() < deadline, f"left running: {left}"
        time.sleep(0.2)


def test_edits_are_published_before_the_rebuild(tmp_path: Path) -> None:
    """An edit of one page's text is served before the rebuild starts; an
    edit of a page that needs a new run, or that makes a warning, waits for
    the rebuild. An edit of a snippet runs it before the rebuild, which
    then runs nothing, and shows its page first. Each is served in the
    end."""
    site: Site = write_site(tmp_path)
    other = (
        "# Other\n\nFirst text.\n\n```{run} snippets.demo.show_plain\n```\n"
    )
    site.write("docs/other.md", other)
    extra = 'def show_new():\n    """Not run before."""\n'
    extra += '    print("new run:", 7)\n'
    site.write("snippets/extra.py", extra)
    port = _free_port()
    server = mkdocs(site, "serve", "-a", f"127.0.0.1:{port}")
    assert server.stdout is not None
    served = ServeLog(server.stdout)
    url = f"http://127.0.0.1:{port}/other/"

    def edit(path: str, text: str, shows: str, what: str) -> None:
        """Make an edit, see it served, and wait for its rebuild to end,
        so that the next edit is a rebuild of its own."""
        before = served.rebuilds()
        site.write(path, text)
        _until(url, _shows(shows), what)
        served.wait_quiet(before, what, _WAIT)

    try:
        _until(url, _shows("First text."), "the first build")
        edit(
            "docs/other.md",
            other.replace("First", "Second"),
            "Second text.",
            "a prose edit",
        )
        needs_run = "Third text.\n\n```{run} snippets.extra.show_new\n```\n"
        edit(
            "docs/other.md",
            other + needs_run,
            "new run: 7",
            "an edit that adds a run",
        )
        edit(
            "snippets/extra.py",
            extra.replace("7", "8"),
            "new run: 8",
            "a snippet edit",
        )
        broken = "\n```{run} snippets.demo.no_such_function\n```\n"
        edit(
            "docs/other.md",
            other + needs_run + broken,
            "execnotes-error",
            "an edit with a warning",
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log = served.join(timeout=60)
    rebuilds = log.split("Detected file changes")[1:]
    assert len(rebuilds) == 4, log
    published = "other.md published before the rebuild"
    before, after = zip(
        *(r.split("Building documentation") for r in rebuilds), strict=True
    )
    prose, run, snippet, warning = before
    assert published in prose, log
    assert published not in run, log
    assert published in snippet, log
    assert "runs before the rebuild: 1" in snippet, log
    assert "0 ran, " in after[2], log
    assert published not in warning, log
