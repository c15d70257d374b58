"""A read-only `https://` mirror of the remote cache, offline: a file://
remote's folder served by a local `http.server`, read through fsspec's
HTTPFileSystem (plain http: the same filesystem, without certificates)."""

from __future__ import annotations

import functools
import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import fsspec
import pytest

from execnotes.store.remote import Remote, RemoteSettings
from tests.runner.conftest import Site, with_gluon_state, write_site
from tests.scale.conftest import execnotes, ok
from tests.scale.remote_helpers import ENVIRONMENT, KEY, always, outcome

READS = frozenset({"GET", "HEAD"})


@dataclass
class Mirror:
    """A folder served over HTTP, and every request method it received."""

    folder: Path
    url: str
    methods: list[str] = field(default_factory=list)

    def reader(self) -> Remote:
        """A remote on the mirror, in the default (read) mode."""
        return Remote(RemoteSettings(self.url), ENVIRONMENT, environ={})


class _Recording(SimpleHTTPRequestHandler):
    """Serves a folder (listings included) and records each method, even
    of requests it refuses (a write would be answered 501)."""

    methods: list[str]

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.methods.append(self.command)
        return parsed

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what the tests assert."""


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    """An HTTP server on a free local port over an empty folder."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    methods: list[str] = []
    handler = type("Handler", (_Recording,), {"methods": methods})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield Mirror(folder, f"http://{host!s}:{port}", methods)
    server.shutdown()  # returns once serve_forever has ended
    server.server_close()
    thread.join()


def _publish(mirror: Mirror) -> None:
    """Write one entry into the mirror's folder, as a trusted writer's
    file:// remote would (the mirror is a copy of such a folder)."""
    fs = fsspec.filesystem("file")
    writer = Remote(
        RemoteSettings(mirror.folder.as_uri(), "write"),
        ENVIRONMENT,
        fs=fs,
        environ={},
    )
    assert writer.push(KEY, outcome())


def test_a_hit_and_a_missing_entry_read_only(mirror: Mirror) -> None:
    """An entry comes back whole over HTTP; a key with no entry is a quiet
    miss; a push in read mode sends nothing; the server saw reads only."""
    _publish(mirror)
    reader = mirror.reader()
    assert reader.fetch(KEY, always) == outcome()
    assert reader.fetch("ab" * 32, always) is None
    assert not reader.offline
    assert not reader.push("ef" * 32, outcome("new\n"))
    assert "GET" in mirror.methods
    assert set(mirror.methods) <= READS, mirror.methods


def test_a_corrupt_or_missing_blob_is_a_miss_with_one_warning(
    mirror: Mirror, caplog: pytest.LogCaptureFixture
) -> None:
    """A blob changed on the mirror fails its SHA-256: one warning and a
    miss, never the changed result; a blob gone from the mirror is a
    miss too."""
    _publish(mirror)
    blobs = sorted((mirror.folder / "blobs").rglob("*"))
    figure = next(
        p for p in blobs if p.is_file() and b"<svg" in p.read_bytes()
    )
    figure.write_bytes(b"<svg>tampered</svg>")
    reader = mirror.reader()
    with caplog.at_level(logging.INFO, "execnotes.store.remote"):
        assert reader.fetch(KEY, always) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "does not match its hash" in warnings[0].getMessage()
    figure.unlink()
    assert mirror.reader().fetch(KEY, always) is None
    assert set(mirror.methods) <= READS, mirror.methods


def test_a_checkout_builds_from_the_mirror_and_never_writes_to_it(
    tmp_path: Path, mirror: Mirror
) -> None:
    """A writer's results, published as a folder and served over HTTP,
    serve a fresh checkout: `check` finds every snippet, listed as from
    the remote. A `run` with a new snippet runs it locally and writes
    nothing to the mirror."""
    writer = write_site(tmp_path / "writer")
    remote = {"EXECNOTES_REMOTE_MODE": "write"}
    shared = mirror.folder.as_uri()
    ok(execnotes(writer.root, "run", EXECNOTES_REMOTE=shared, **remote))
    reader = tmp_path / "reader"
    shutil.copytree(
        writer.root, reader, ignore=shutil.ignore_patterns(".exec*")
    )
    checked = ok(execnotes(reader, "check", EXECNOTES_REMOTE=mirror.url))
    assert "3 snippets: 0 ran, 3 from the cache, 0 failed" in checked
    assert "snippets.demo.show_figure  ok      remote" in checked
    with_gluon_state(Site(reader))
    index = reader / "docs" / "index.md"
    index.write_text(
        index.read_text() + "\n```{run} snippets.gluon_state.show_state\n```\n"
    )
    before = sorted(p for p in mirror.folder.rglob("*"))
    ran = ok(execnotes(reader, "run", EXECNOTES_REMOTE=mirror.url))
    assert "4 snippets: 1 ran, 3 from the cache, 0 failed" in ran
    assert sorted(p for p in mirror.folder.rglob("*")) == before
    assert set(mirror.methods) <= READS, mirror.methods
