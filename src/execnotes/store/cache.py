"""Results on disk, keyed by content, with every generation kept.

A job's key (see `job_key`) covers the code that runs, the options that
change its output, its declared inputs and the environment. Under
``<cache>/<key>/`` each generation is one JSON file, named by the state of
the inputs the run recorded; a cached result is used only if all of those
inputs are unchanged, re-measured without mtimes. Because earlier
generations stay, reverting an edit finds its old result again.

Entries are written atomically (readers see the old file or the new one)
and validated on every read: a file of the wrong shape is a miss, never a
crash. Pruning removes generations unused for `keep_days`, then the least
recently used ones beyond `max_bytes`, and never one this build used.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execnotes.core.atomic import write_atomically as _write_atomically
from execnotes.core.inputs import Inputs
from execnotes.core.protocol import Outcome, SchemaError
from execnotes.store.fingerprint import fingerprint

log = logging.getLogger("execnotes.store.cache")
# The bound of the small files beside the results (probes, durations).
_MAX_SMALL = 16 * 2**20


@dataclass(frozen=True)
class Bound:
    """How much of the past the cache keeps."""

    keep_days: float = 30.0
    max_bytes: int = 1024 * 2**20
    # One result: larger ones are not stored, nor read (a damaged or
    # foreign file is skipped before it is parsed).
    max_entry_bytes: int = 64 * 2**20


def environment(
    root: Path, environ: Mapping[str, str], *, epoch: str = "", folder: Path
) -> dict[str, str]:
    """The declared environment that enters every key (see
    `execnotes.store.fingerprint`); `folder` is the cache, which keeps a
    memo."""
    return fingerprint(
        root, environ, epoch=epoch, memo=folder / "fingerprint-memo.json"
    )


def job_key(job_fields: dict[str, Any], env: dict[str, str]) -> str:
    """Hash everything that decides a run's result, except what it reads."""
    blob = json.dumps({"job": job_fields, "env": env}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """A folder of results; safe for concurrent builds."""

    def __init__(self, folder: Path, inputs: Inputs, bound: Bound) -> None:
        self.folder = folder
        self.inputs = inputs
        self.bound = bound
        self.used: set[Path] = set()

    def new_build(self) -> None:
        """Measure inputs afresh and forget what the last build used."""
        self.inputs.forget()
        self.used = set()

    def load(self, key: str) -> Outcome | None:
        """The newest generation of `key` whose inputs are all unchanged."""
        for path in self._generations(key):
            outcome = self._read(path)
            if outcome is not None and self.inputs.fresh(outcome.inputs):
                self.used.add(path)
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: pruned last
                return outcome
        return None

    def _generations(self, key: str) -> list[Path]:
        folder = self.folder / key
        try:
            paths = [p for p in folder.iterdir() if _is_entry(p)]
        except OSError:
            return []
        return sorted(paths, key=_last_used, reverse=True)

    def _read(self, path: Path) -> Outcome | None:
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > self.bound.max_entry_bytes:
                    log.info(
                        "execnotes: ignoring cache entry %s (%d bytes, over "
                        "the bound of %d)",
                        path,
                        size,
                        self.bound.max_entry_bytes,
                    )
                    return None
                data = handle.read(self.bound.max_entry_bytes + 1)
            return Outcome.from_json(json.loads(data))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, SchemaError) as error:
            log.info("execnotes: ignoring cache entry %s (%s)", path, error)
            return None

    def store(self, key: str, outcome: Outcome) -> None:
        """Write a generation atomically. Raises OSError if it cannot."""
        text = json.dumps(outcome.to_json(), sort_keys=True)
        if len(text) > self.bound.max_entry_bytes:  # ASCII: chars = bytes
            raise OSError(
                errno.EFBIG,
                f"the result has {len(text)} bytes, over the bound of "
                f"{self.bound.max_entry_bytes} for one entry",
            )
        state = json.dumps(outcome.inputs, sort_keys=True).encode()
        folder = self.folder / key
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{hashlib.sha256(state).hexdigest()[:24]}.json"
        _write_atomically(path, text)
        self.used.add(path)

    def prune(self) -> int:
        """Drop old generations within the bound; return how many went."""
        try:
            entries = [
                (_last_used(path), path.stat().st_size, path)
                for folder in self.folder.iterdir()
                if folder.is_dir()
                for path in folder.iterdir()
                if _is_entry(path)
            ]
        except OSError:
            return 0
        entries.sort(reverse=True)  # most recently used first
        cutoff = time.time() - self.bound.keep_days * 86_400
        total, removed = 0, 0
        for used, size, path in entries:
            total += size
            old = used < cutoff or total > self.bound.max_bytes
            if old and path not in self.used:
                removed += _remove(path)
        return removed

    def clear(self) -> int:
        """Remove every entry; return how many generations there were."""
        count = sum(1 for _ in self.folder.glob("*/*.json"))
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        return count


class Durations:
    """How long each snippet took when it last ran, by name: the hint that
    puts the longest runs first. A name never run is expected to take the
    mean of its module's others, or `default` seconds."""

    def __init__(self, path: Path, default: float = 1.0) -> None:
        self.path = path
        self.default = default
        self.seconds: dict[str, float] = self._read()

    def _read(self) -> dict[str, float]:
        try:
            if self.path.stat().st_size > _MAX_SMALL:
                return {}
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            str(name): float(seconds)
            for name, seconds in data.items()
            if isinstance(seconds, int | float) and seconds >= 0
        }

    def expected(self, name: str) -> float:
        """The seconds `name` is expected to run."""
        if name in self.seconds:
            return self.seconds[name]
        module = name.rpartition(".")[0] + "."
        others = [s for n, s in self.seconds.items() if n.startswith(module)]
        return sum(others) / len(others) if others else self.default

    def save(self, runs: Iterable[tuple[str, float]]) -> None:
        """Record the runs of a build (best effort: it is only a hint)."""
        self.seconds = self._read() | dict(runs)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(
                self.path, json.dumps(self.seconds, indent=0, sort_keys=True)
            )


class PlaceFiles:
    """Small lists of words by key, kept beside the results: where the
    site's Markdown puts a page's blocks (the `PlaceMemo` of
    execnotes.pages.directives)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def _path(self, key: str) -> Path:
        return self.cache.folder / "probes" / f"{key}.json"

    def get(self, key: str) -> list[str] | None:
        """The words stored under `key`, if they are there and well formed."""
        path = self._path(key)
        try:
            if path.stat().st_size > _MAX_SMALL:
                return None
            words = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(words, list) or not all(
            isinstance(w, str) for w in words
        ):
            return None
        self.cache.used.add(path)
        return words

    def put(self, key: str, words: list[str]) -> None:
        """Store words under `key`; a cache that cannot be written is no
        reason to fail (the probe simply runs again next time)."""
        path = self._path(key)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, json.dumps(words))
            self.cache.used.add(path)


def _is_entry(path: Path) -> bool:
    return path.suffix == ".json" and not path.name.startswith(".")


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only if it was the last generation
    return 1
