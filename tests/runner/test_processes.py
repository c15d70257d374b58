"""`mkdocs build` and `python -m execnotes` as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.runner.conftest import Site, entries, write_site
from tests.runner.conftest import mkdocs as _mkdocs


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="0")
    env.update(extra)
    return env


def _execnotes(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "execnotes", *args],
        cwd=site.root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".html", ".svg"}
    }


def test_strict_build_fails_on_a_failing_snippet(tmp_path: Path) -> None:
    """A failing snippet is a warning, so `mkdocs build --strict` fails."""
    site = write_site(tmp_path)
    site.write("docs/index.md", "```{run} snippets.bad.show_raise\n```\n")
    process = _mkdocs(site, "--strict")
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 1
    assert "execnotes: index.md:1: {run} snippets.bad.show_raise" in output
    assert "Aborted with 2 warnings in strict mode!" in output


def test_two_builds_at_once_share_one_cache(tmp_path: Path) -> None:
    """Concurrent builds on one cache both succeed and agree."""
    site = write_site(tmp_path)
    processes = [_mkdocs(site, "-d", f"out{n}") for n in (1, 2)]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
    assert _files(site.root / "out1") == _files(site.root / "out2")
    found = entries(site)
    assert len(found) == 3
    for entry in found:
        assert json.loads(entry.read_text())["status"] == "ok"


def test_command_line_run_check_clear(tmp_path: Path) -> None:
    """`check` fails on a cold cache, `run` fills it, `clear` empties it."""
    site = write_site(tmp_path)
    cold = _execnotes(site, "check")
    assert cold.returncode == 1
    assert "3 snippets: 0 ran, 0 from the cache, 3 failed" in cold.stdout
    assert "frozen mode: no fresh cached result" in cold.stdout
    run = _execnotes(site, "run", "-j", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 snippets: 3 ran, 0 from the cache, 0 failed" in run.stdout
    assert "snippets.demo.show_double  ok" in run.stdout
    warm = _execnotes(site, "check")
    assert warm.returncode == 0
    assert "3 snippets: 0 ran, 3 from the cache, 0 failed" in warm.stdout
    cleared = _execnotes(site, "clear")
    assert cleared.stdout.startswith("removed 3 cached results")
    assert _execnotes(site, "check").returncode == 1


def test_command_line_fails_on_a_failing_snippet(tmp_path: Path) -> None:
    """`run` exits 1 and names the failure and its page."""
    site = write_site(tmp_path)
    site.write("docs/index.md", "```{run} snippets.bad.show_raise\n```\n")
    result = _execnotes(site, "run")
    assert result.returncode == 1
    assert (
        "FAILED snippets.bad.show_raise (index.md:1): KeyError: 'missing'"
        in result.stdout
    )
