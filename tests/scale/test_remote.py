"""The remote cache on memory:// and file:// (S3: test_remote_s3.py)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import fsspec
import pytest

from execnotes.store.remote import Remote, RemoteSettings
from tests.scale.remote_helpers import (
    ENVIRONMENT,
    INPUTS,
    KEY,
    SVG,
    always,
    outcome,
    remote,
)


@pytest.fixture
def memory() -> str:
    """A fresh folder of the in-memory filesystem."""
    return f"memory://execnotes-{uuid.uuid4().hex}"


def test_round_trip_with_figures_as_blobs(memory: str) -> None:
    """A pushed result comes back whole; the manifest is small and the
    figure is a blob named by its hash."""
    fs = fsspec.filesystem("memory")
    shared = remote(fs, memory)
    assert shared.push(KEY, outcome())
    assert remote(fs, memory, "read").fetch(KEY, always) == outcome()
    [manifest] = list(shared.manifests())
    assert len(fs.cat_file(manifest)) < 2000
    assert SVG.encode() in [fs.cat_file(p) for p in fs.find(memory)]


def test_entries_are_never_replaced(memory: str) -> None:
    """A second push under the same key and inputs writes nothing, so the
    first result stays."""
    fs = fsspec.filesystem("memory")
    shared = remote(fs, memory)
    assert shared.push(KEY, outcome("first\n"))
    assert not shared.push(KEY, outcome("second\n"))
    assert shared.fetch(KEY, always) == outcome("first\n")


def test_read_mode_writes_nothing_and_stale_inputs_miss(memory: str) -> None:
    """In read mode a push is a no-op; an entry whose inputs changed is
    not used."""
    fs = fsspec.filesystem("memory")
    assert not remote(fs, memory, "read").push(KEY, outcome())
    assert not fs.exists(memory)
    remote(fs, memory).push(KEY, outcome())
    reader = remote(fs, memory, "read")
    assert reader.fetch(KEY, lambda inputs: inputs != INPUTS) is None
    assert reader.fetch(KEY, always) is not None


def test_a_corrupt_blob_is_one_warning_and_a_miss(
    memory: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A blob that does not match its hash is ignored with one warning."""
    fs = fsspec.filesystem("memory")
    remote(fs, memory).push(KEY, outcome())
    for path in fs.find(f"{memory}/blobs"):
        fs.pipe_file(path, b"<svg>tampered</svg>")
    reader = remote(fs, memory, "read")
    with caplog.at_level(logging.INFO, "execnotes.store.remote"):
        assert reader.fetch(KEY, always) is None
        assert reader.fetch(KEY, always) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "does not match its hash" in warnings[0].getMessage()


def test_signatures(memory: str) -> None:
    """With require_signature, unsigned entries and entries signed with
    another key are ignored; the right key reads them."""
    fs = fsspec.filesystem("memory")
    remote(fs, memory, secret="trusted").push(KEY, outcome())
    strict = {"require_signature": True}
    assert remote(fs, memory, "read", "trusted", **strict).fetch(KEY, always)
    assert not remote(fs, memory, "read", "forged", **strict).fetch(
        KEY, always
    )
    assert not remote(fs, memory, "read", **strict).fetch(KEY, always)
    unsigned = f"{memory}/unsigned"
    remote(fs, unsigned).push(KEY, outcome())
    assert remote(fs, unsigned, "read").fetch(KEY, always)
    assert not remote(fs, unsigned, "read", "trusted", **strict).fetch(
        KEY, always
    )


def test_file_url_and_an_unreachable_remote(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """file:// works through its folders; a remote that cannot be read is
    one warning, then not asked again in the build."""
    fs = fsspec.filesystem("file")
    url = (tmp_path / "shared").as_uri()
    assert remote(fs, url).push(KEY, outcome())
    assert remote(fs, url, "read").fetch(KEY, always) == outcome()
    (tmp_path / "a-file").write_text("")
    broken = remote(fs, (tmp_path / "a-file" / "below").as_uri(), "read")
    with caplog.at_level(logging.WARNING, "execnotes.store.remote"):
        assert broken.fetch(KEY, always) is None
    assert broken.offline
    assert len(caplog.records) == 1


def test_an_url_opens_its_own_filesystem_on_first_use(tmp_path: Path) -> None:
    """A remote given only its URL writes every file under it, even when
    its first act is a push (regression: blobs went to /blobs)."""
    url = (tmp_path / "shared").as_uri()
    writer = Remote(RemoteSettings(url, "write"), ENVIRONMENT, environ={})
    assert writer.push(KEY, outcome())
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 3  # the manifest, the outcome, the figure
    reader = Remote(RemoteSettings(url), ENVIRONMENT, environ={})
    assert reader.fetch(KEY, always) == outcome()


def test_gc_drops_old_manifests_and_their_blobs(memory: str) -> None:
    """gc removes manifests older than the cutoff (and files that are not
    manifests) and the blobs no other manifest names; it refuses in read
    mode."""
    fs = fsspec.filesystem("memory")
    shared = remote(fs, memory)
    shared.push(KEY, outcome())
    assert shared.gc(30, now=0) == 0
    fs.pipe_file(f"{memory}/v1/{ENVIRONMENT}/{KEY}/junk.json", b"{")
    assert shared.gc(30, now=0) == 1  # the junk only
    assert shared.gc(30, now=10**12) == 1
    assert fs.find(memory) == []
    with pytest.raises(PermissionError, match="read-only"):
        remote(fs, memory, "read").gc(1)


def test_settings_from_the_environment() -> None:
    """EXECNOTES_REMOTE and EXECNOTES_REMOTE_MODE override the options;
    a mode other than read or write is an error that says how to fix."""
    settings = RemoteSettings.from_options(
        "",
        "read",
        require_signature=False,
        environ={
            "EXECNOTES_REMOTE": "s3://b",
            "EXECNOTES_REMOTE_MODE": "write",
        },
    )
    assert (settings.url, settings.mode) == ("s3://b", "write")
    with pytest.raises(ValueError, match="EXECNOTES_REMOTE_MODE"):
        RemoteSettings.from_options(
            "x", "rw", require_signature=False, environ={}
        )
