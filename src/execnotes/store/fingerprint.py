"""The declared environment of a run: what, besides code and inputs,
decides its result, and may enter a cache key.

A key must mean the same on every machine, so the fingerprint is built
from content and versions only: never a path, a user name or a file that
one machine keeps for itself (matplotlib's font-list cache holds absolute
paths). It covers:

- Python's version, implementation and ABI, the platform and machine;
- the versions of the framework's distributions (`FRAMEWORK`, from
  `execnotes.core.profiles`);
- MXNet's build features (`mxnet.runtime.Features`), when it is installed;
- allow-listed variables of the workers' environment (`MXNET_*`,
  `OMP_NUM_THREADS`);
- the matplotlib configuration a worker reads, by content;
- the cache schema and the user's `cache_epoch`.

Reading MXNet's features means loading its 100 MB library (about 2 s), so
they are worked out once in a subprocess and remembered, by the content
digest of the installed distribution, in a memo file beside the results
and in one in the user's cache folder (`$XDG_CACHE_HOME/execnotes`), which
every project and every new cache folder of that user reads first. A memo
holds only what the features are; a memo from another machine can never
be read for a different build, whose digest differs, and its place never
enters a key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from execnotes.core import profiles
from execnotes.core.atomic import user_cache, write_atomically

SCHEMA = 5
"""Bumped whenever a key or an entry changes meaning."""
FRAMEWORK = profiles.VERSIONED


def fingerprint(
    root: Path,
    environ: Mapping[str, str],
    *,
    epoch: str = "",
    memo: Path | None = None,
) -> dict[str, str]:
    """The declared environment of runs of the project at `root` whose
    workers see `environ`; `memo` is where MXNet's features are kept."""
    found = {
        "schema": str(SCHEMA),
        "cache_epoch": epoch,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "abi": str(sysconfig.get_config_var("SOABI") or sys.abiflags),
        "platform": sys.platform,
        "machine": platform.machine(),
        "matplotlib-config": matplotlib_config(root, environ),
    }
    for name in FRAMEWORK:
        found[f"version:{name}"] = _version(name)
    found["mxnet-features"] = mxnet_features(memo, _user_memo(environ))
    for name in sorted(environ):
        if profiles.ALLOWED_VARIABLES.match(name):
            found[f"env:{name}"] = environ[name]
    return found


def digest(env: Mapping[str, str]) -> str:
    """A short name for a fingerprint (a folder of the remote cache)."""
    text = json.dumps(dict(env), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def matplotlib_config(root: Path, environ: Mapping[str, str]) -> str:
    """A hash of the contents of the matplotlib files a worker reads when
    it starts (rc files, style library), found as matplotlib finds them,
    without importing it. Each file is named by its role, never by its
    path, so the same settings hash the same anywhere."""
    home = environ.get("HOME", str(Path.home()))
    config = environ.get("MPLCONFIGDIR")
    configdir = Path(
        config or environ.get("XDG_CONFIG_HOME", f"{home}/.config")
    )
    if not config:
        configdir = configdir / "matplotlib"
    roles = {
        "project": root / "matplotlibrc",
        "MATPLOTLIBRC": _rc_file(environ.get("MATPLOTLIBRC")),
        "user": configdir / "matplotlibrc",
    }
    styles = configdir / "stylelib"
    with contextlib.suppress(OSError):
        for path in sorted(styles.glob("*.mplstyle")):
            roles[f"style:{path.name}"] = path
    states = {role: _content(path) for role, path in roles.items() if path}
    text = json.dumps(states, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _rc_file(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    return path / "matplotlibrc" if path.is_dir() else path


def _content(path: Path | None) -> str:
    if path is None:
        return "unset"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def mxnet_features(memo: Path | None, shared: Path | None = None) -> str:
    """MXNet's enabled build features, comma-separated ("missing" when it
    is not installed), remembered in `memo` and `shared` by the installed
    build."""
    build = _distribution_digest(profiles.FEATURES_DISTRIBUTION)
    if build is None:
        return "missing"
    known = _read_memo(memo)
    if build in known:
        return known[build]
    features = _read_memo(shared).get(build) or _ask_mxnet()
    if features is None:
        return "unknown"
    for place in (memo, shared):
        if place is not None:
            _write_memo(place, {**_read_memo(place), build: features})
    return features


def _user_memo(environ: Mapping[str, str]) -> Path | None:
    """The memo in the user's cache folder, or None without a home."""
    folder = user_cache(environ)
    return folder / "mxnet-features.json" if folder else None


def _distribution_digest(name: str) -> str | None:
    """The SHA-256 of a distribution's RECORD, which lists the hash of
    every file it installed: the same for the same build anywhere."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    record = dist.read_text("RECORD") or ""
    lines = sorted(
        line.split(",", 1)[1]
        for line in record.splitlines()
        if "," in line and ".pyc," not in line
    )
    named = f"{name}=={dist.version}\n" + "\n".join(lines)
    return hashlib.sha256(named.encode()).hexdigest()


def _ask_mxnet() -> str | None:
    try:
        answer = subprocess.run(
            [sys.executable, "-c", profiles.FEATURES_PROBE],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        names = json.loads(answer.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return ",".join(str(name) for name in names)


def _read_memo(memo: Path | None) -> dict[str, str]:
    if memo is None:
        return {}
    try:
        data = json.loads(memo.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _write_memo(memo: Path, data: dict[str, str]) -> None:
    with contextlib.suppress(OSError):
        memo.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(memo, json.dumps(data, sort_keys=True))
