"""`mkdocs serve` of the real site, edited in quick succession: once it is
quiet, every page it serves equals a fresh `mkdocs build` of the same tree.

Edits: prose of one page, a snippet module (its blocks run again), the
navigation in mkdocs.yml, and a new page in both languages. The fresh
build uses the serve's own address as `site_url` (serve sets it), and the
livereload script serve injects into HTML is taken out before comparing.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.reproducible import ALLOWED, masked
from tests.serving import ServeLog
from tests.site.site_helpers import copy_project

# Each test serves the real site and waits for its first build and for a
# rebuild per edit, each wait with its own _WAIT deadline: pytest-timeout's
# guard against a hang sits above their sum (on a loaded machine, one test
# took 8.5 minutes).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

_LIVERELOAD = re.compile(rb"<script>\s*var livereload = .*?</script>", re.S)
_WAIT = 600.0  # the first build runs what the copied cache lacks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())
    except (urllib.error.URLError, OSError):
        return None


def _until(url: str, text: bytes, what: str) -> None:
    deadline = time.monotonic() + _WAIT
    while (page := _get(url)) is None or text not in page:
        assert time.monotonic() < deadline, f"never served: {what}"
        time.sleep(0.3)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    return {**env, "NO_MKDOCS_2_WARNING": "1"}


def test_served_site_ends_as_a_fresh_build(tmp_path: Path) -> None:
    """After prose, snippet, navigation and new-page edits, every file the
    server serves equals the fresh build's, but what may differ anyway."""
    project = tmp_path / "project"
    copy_project(project)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server, served = _serve(project, port)
    try:
        _until(base, b"</html>", "the first build")
        before = served.rebuilds()
        docs = project / "docs"
        _edit(docs / "losses.md", "\n## ", "\n一段新加的说明。\n\n## ")
        _edit(
            project / "snippets/conv.py",
            '"""',
            '"""Edited. ',
        )
        _edit(project / "mkdocs.yml", "      - references.md\n", "")
        (docs / "extra-note.md").write_text("# 新的一页\n\n正文。\n")
        (docs / "extra-note.en.md").write_text("# A new page\n\nText.\n")
        _until(base + "en/extra-note/", b"A new page", "the new page")
        _until(base + "losses/", "一段新加的说明".encode(), "the prose edit")
        # The last edit was made before the new page was served, so the
        # rebuild that served it saw every edit; wait until it, and any
        # other the edits caused, has finished.
        served.wait_quiet(before, "the edits", _WAIT)
        fresh = tmp_path / "fresh"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-d", str(fresh)],
            cwd=project,
            env={**_environment(), "SITE_URL": base},
            check=True,
            capture_output=True,
        )
        different = {}
        for path in sorted(p for p in fresh.rglob("*") if p.is_file()):
            name = path.relative_to(fresh).as_posix()
            page = _get(base + name)
            assert page is not None, f"not served: {name}"
            page = _LIVERELOAD.sub(b"", page)
            if masked(name, page) != masked(name, path.read_bytes()):
                different[name] = ALLOWED.get(name, "differs")
        unexpected = {k: v for k, v in different.items() if k not in ALLOWED}
        assert unexpected == {}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        served.join(timeout=60)


def _served_page(url: str) -> bytes:
    page = _get(url)
    assert page is not None, f"not served: {url}"
    return _LIVERELOAD.sub(b"", page)


def test_a_page_shown_early_is_the_page_the_rebuild_makes(
    tmp_path: Path,
) -> None:
    """A page served before its rebuild is done (a prose edit of a Chinese
    and of an English page: before the rebuild starts; a snippet edit: as
    soon as the page is built) equals the page once the rebuild is done."""
    project = tmp_path / "project"
    copy_project(project)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server, served = _serve(project, port)
    docs = project / "docs"
    edits = [
        (docs / "losses.md", "\n## ", "\n早先发布的一句。\n\n## ", "losses/"),
        (
            docs / "losses.en.md",
            "\n## ",
            "\nShown early.\n\n## ",
            "en/losses/",
        ),
        (
            project / "snippets/conv.py",
            "    return corr2d_multi_in_out(X, K)",
            "    # shown early\n    return corr2d_multi_in_out(X, K)",
            "conv-channels/",
        ),
    ]
    try:
        _until(base, b"</html>", "the first build")
        for path, old, new, page in edits:
            marker = new.strip().split("\n")[0].encode()
            before = served.rebuilds()
            _edit(path, old, new)
            _until(base + page, marker, f"the edit of {path.name}")
            early = _served_page(base + page)
            served.wait_quiet(before, f"the edit of {path.name}", _WAIT)
            assert _served_page(base + page) == early, page
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        text = served.join(timeout=60)
    assert "losses.md published before the rebuild (zh)" in text, text
    assert "losses.en.md published before the rebuild (en)" in text, text


def _serve(project: Path, port: int) -> tuple[subprocess.Popen[str], ServeLog]:
    """`mkdocs serve` of `project` on `port`, and its log as it comes."""
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    return server, ServeLog(server.stdout)
