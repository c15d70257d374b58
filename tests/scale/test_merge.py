"""`cache merge`: a write-once union that reports non-determinism."""

from __future__ import annotations

import json
from pathlib import Path

from execnotes.core.protocol import Outcome
from execnotes.store.merge import NAMES, merge, record_names
from tests.runner.conftest import write_site
from tests.scale.conftest import execnotes

KEY = "ab" * 32


def _cache(folder: Path, output: str, seconds: float) -> Path:
    entry = folder / KEY / "0123.json"
    entry.parent.mkdir(parents=True)
    outcome = Outcome("ok", output=output, duration=seconds)
    entry.write_text(json.dumps(outcome.to_json()))
    record_names(folder, {KEY: "snippets.demo.show_random"})
    (folder / "durations.json").write_text(json.dumps({"a": seconds}))
    return entry


def test_union_is_write_once_and_durations_merge(tmp_path: Path) -> None:
    """New entries are copied; the same result (run time aside) is no
    conflict; durations and names are joined."""
    _cache(tmp_path / "one", "same\n", 1.0)
    _cache(tmp_path / "two", "same\n", 2.0)
    target = tmp_path / "target"
    merged = merge(target, [tmp_path / "one", tmp_path / "two"])
    assert (merged.added, merged.same, merged.conflicts) == (1, 1, [])
    assert json.loads((target / "durations.json").read_text()) == {"a": 2.0}
    assert KEY in json.loads((target / NAMES).read_text())
    assert (
        json.loads((target / KEY / "0123.json").read_text())["duration"] == 1.0
    )


def test_two_results_under_one_key_are_reported_not_overwritten(
    tmp_path: Path,
) -> None:
    """A different output under one key names the job and the field, and
    the entry already there stays."""
    kept = _cache(tmp_path / "target", "first\n", 1.0)
    _cache(tmp_path / "shard", "second\n", 1.0)
    merged = merge(tmp_path / "target", [tmp_path / "shard"])
    assert len(merged.conflicts) == 1
    message = str(merged.conflicts[0])
    assert "snippets.demo.show_random" in message
    assert "field 'output' differs" in message
    assert json.loads(kept.read_text())["output"] == "first\n"


def test_command_line_merge_fails_on_a_conflict(tmp_path: Path) -> None:
    """`cache merge` exits 1 and names the job and field; a folder that
    is not there is an error that names it."""
    site = write_site(tmp_path / "site")
    _cache(site.root / ".execnotes-cache", "first\n", 1.0)
    _cache(site.root / "shard-1", "second\n", 1.0)
    merged = execnotes(site.root, "cache", "merge", "shard-1")
    assert merged.returncode == 1
    assert "NON-DETERMINISTIC snippets.demo.show_random" in merged.stderr
    assert "0 new results, 0 already there, 1 conflicts" in merged.stdout
    nothing = execnotes(site.root, "cache", "merge", "shard-9")
    assert nothing.returncode == 1
    assert "no folder shard-9" in nothing.stderr
