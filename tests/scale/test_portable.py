"""Keys are content, never place: a cache is valid wherever it goes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from execnotes.store import fingerprint as fingerprint_module
from execnotes.store.fingerprint import fingerprint, matplotlib_config
from tests.runner.conftest import write_site
from tests.scale.conftest import execnotes, ok

ALL_CACHED = "3 snippets: 0 ran, 3 from the cache, 0 failed"


def test_a_copied_checkout_and_another_home_run_nothing(
    tmp_path: Path,
) -> None:
    """A site copied to another path, and one built under another HOME
    (another user's matplotlib folders), both find every result in the
    first one's cache."""
    first = write_site(tmp_path / "first")
    assert "3 ran" in ok(execnotes(first.root, "run", "-j", "1"))
    copy = tmp_path / "elsewhere" / "deeper" / "copy"
    shutil.copytree(first.root, copy)
    assert ALL_CACHED in ok(execnotes(copy, "check"))
    home = tmp_path / "another-home"
    (home / ".cache" / "matplotlib").mkdir(parents=True)
    # A font list as matplotlib writes it: absolute paths of this machine.
    (home / ".cache" / "matplotlib" / "fontlist-v390.json").write_text(
        '{"ttflist": [{"fname": "/home/someone/.fonts/a.ttf"}]}'
    )
    other = execnotes(copy, "check", HOME=str(home), USER="someone")
    assert ALL_CACHED in ok(other)


def test_fingerprint_holds_no_path_or_user(tmp_path: Path) -> None:
    """The fingerprint names no folder of the machine, and is the same
    for two checkouts and two homes; settings change it by content."""
    environ = {"HOME": str(tmp_path / "home"), "USER": "alice"}
    first = fingerprint(tmp_path / "a", environ)
    second = fingerprint(tmp_path / "b", {"HOME": "/elsewhere"})
    assert first == second
    assert not any(str(tmp_path) in value for value in first.values())
    assert "alice" not in str(first)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "matplotlibrc").write_text("lines.linewidth: 3\n")
    changed = matplotlib_config(tmp_path / "b", environ)
    assert changed != first["matplotlib-config"]


def test_fingerprint_declares_the_environment(tmp_path: Path) -> None:
    """Python's ABI, the machine, framework versions, MXNet's build
    features, allow-listed variables and the epoch are in it; other
    variables are not."""
    environ = {"OMP_NUM_THREADS": "1", "MXNET_ENGINE_TYPE": "Naive"}
    found = fingerprint(
        tmp_path, {**environ, "SECRET": "x"}, epoch="2", memo=None
    )
    assert found["env:OMP_NUM_THREADS"] == "1"
    assert found["env:MXNET_ENGINE_TYPE"] == "Naive"
    assert "env:SECRET" not in found
    assert found["cache_epoch"] == "2"
    for name in ("abi", "machine", "platform", "version:mxnet"):
        assert found[name]
    assert "CPU_SSE" in found["mxnet-features"].split(",")


def test_mxnet_features_are_asked_once_per_user_not_per_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new cache folder takes MXNet's features from the user's memo
    (written by the first one), without loading MXNet again, and the
    fingerprint is the same."""
    environ = {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    first = fingerprint(tmp_path, environ, memo=tmp_path / "a" / "memo.json")
    assert first["mxnet-features"] not in {"unknown", ""}

    def no_mxnet() -> None:
        raise AssertionError("MXNet was loaded again for a new cache")

    monkeypatch.setattr(fingerprint_module, "_ask_mxnet", no_mxnet)
    second = fingerprint(tmp_path, environ, memo=tmp_path / "b" / "memo.json")
    assert second == first
    assert (tmp_path / "b" / "memo.json").exists()
