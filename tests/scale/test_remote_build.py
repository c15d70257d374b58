"""Builds that share results through a remote cache (file://)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.runner.conftest import mkdocs, write_site
from tests.scale.conftest import execnotes, ok


def test_a_fresh_checkout_runs_nothing_with_the_remote(tmp_path: Path) -> None:
    """A writer's results serve a reader with an empty local cache (0 ran,
    listed as from the remote); `cache push` uploads a local cache."""
    writer = write_site(tmp_path / "writer")
    shared = (tmp_path / "shared").as_uri()
    ok(
        execnotes(
            writer.root,
            "run",
            EXECNOTES_REMOTE=shared,
            EXECNOTES_REMOTE_MODE="write",
        )
    )
    reader = tmp_path / "reader"
    shutil.copytree(
        writer.root, reader, ignore=shutil.ignore_patterns(".exec*")
    )
    checked = ok(execnotes(reader, "check", EXECNOTES_REMOTE=shared))
    assert "3 snippets: 0 ran, 3 from the cache, 0 failed" in checked
    assert "snippets.demo.show_figure  ok      remote" in checked
    # Kept locally: without the remote, the reader is complete too.
    assert "3 from the cache" in ok(execnotes(reader, "check"))
    other = (tmp_path / "other").as_uri()
    pushed = execnotes(
        reader,
        "cache",
        "push",
        EXECNOTES_REMOTE=other,
        EXECNOTES_REMOTE_MODE="write",
    )
    assert "pushed 3 new results" in ok(pushed)
    third = tmp_path / "third"
    shutil.copytree(reader, third, ignore=shutil.ignore_patterns(".exec*"))
    served = ok(execnotes(third, "check", EXECNOTES_REMOTE=other))
    assert "3 snippets: 0 ran, 3 from the cache, 0 failed" in served
    refused = execnotes(reader, "cache", "push", EXECNOTES_REMOTE=other)
    assert "pushed 0 new results" in ok(refused)


def test_an_unreachable_remote_never_fails_a_strict_build(
    tmp_path: Path,
) -> None:
    """A remote that cannot be read is one message, the snippets run
    locally, and `mkdocs build --strict` succeeds."""
    site = write_site(tmp_path / "site")
    (tmp_path / "a-file").write_text("")
    broken = (tmp_path / "a-file" / "below").as_uri()
    process = mkdocs(site, "--strict", EXECNOTES_REMOTE=broken)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert output.count("remote cache") == 1
    assert "3 snippets: 3 ran" in output
