"""What a run read, named and measured the same way in the worker and later.

A run's inputs are a dict from a key to the state the input had when the run
read it. The worker records them (`execnotes.worker.tracking`); before a cached
result is used, `Inputs.fresh` measures every state again. Both sides call the
same `state` function, so they cannot disagree on what "unchanged" means. Keys:

- ``file:PATH``: a file opened for reading, or a path looked at with
  `os.stat` (`os.path.exists`, `isfile`, ...): its SHA-256, ``dir``,
  ``missing`` or ``other``;
- ``list:PATH``: a directory listed (`os.listdir`, `os.scandir`, `glob`,
  `os.walk`, `pathlib`): the SHA-256 of its sorted names, or ``missing``;
- ``env:NAME``: an environment variable read through `os.environ`: the
  SHA-256 of its value (never the value), or ``unset``;
- ``environ:names``: the environment's names were listed (`os.environ`
  iterated): the SHA-256 of the sorted names;
- ``import:NAME``: a module the run tried to import and could not find:
  ``missing``, or where it is found now;
- ``skeleton:PATH`` and ``code:PATH:QUALNAME``: a project module's code
  outside its functions, and one function it executed (see
  `execnotes.core.funcstate`).

PATH is relative to the project root when it lies inside, else absolute.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from execnotes.core import funcstate

MISSING = "missing"
UNSET = "unset"
ENVIRON_NAMES = "environ:names"
# The state of an input that changed after the run read it, and not by the
# run's own hand: it never matches a measured state.
CHANGED = "changed while the run used it"
# Set by the pool in its workers, to find what they started (see
# execnotes.worker.procs): never part of what a run sees as its environment.
SUPERVISOR_VARIABLE = "EXECNOTES_SUPERVISOR"
EXECUTOR_MARKS = frozenset({SUPERVISOR_VARIABLE, "__DASK_PARENT_PID"})
"""Variables an executor sets for itself: the pool's mark, and the one a
Dask nanny sets in the process that starts it (the build's, once its
cluster starts), which its workers inherit."""


def file_digest(path: Path | str) -> str:
    """Return the SHA-256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def name_of(path: str, root: str) -> str:
    """How `path` (absolute) is named in a key: relative to the project
    when inside it, so a cache moved with the project stays valid."""
    if path == root or path.startswith(root + os.sep):
        return Path(os.path.relpath(path, root)).as_posix()
    return path


def path_of(name: str, root: str) -> str:
    """The absolute path that `name` (from `name_of`) stands for."""
    return name if os.path.isabs(name) else os.path.join(root, name)


def file_state(path: str) -> str:
    """A file's content hash, or what stands at `path` instead."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    if not stat.S_ISREG(info.st_mode):
        return "other"
    try:
        return file_digest(path)
    except OSError:
        return MISSING


def listing_state(path: str) -> str:
    """The hash of a directory's sorted entry names."""
    try:
        names = sorted(os.listdir(path))
    except (OSError, ValueError):
        return MISSING
    return hashlib.sha256(
        "\n".join(names).encode("utf-8", "surrogateescape")
    ).hexdigest()


def env_state(value: str | None) -> str:
    """A variable's value, hashed (values may be secrets)."""
    if value is None:
        return UNSET
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


def names_state(names: Iterable[str]) -> str:
    """The hash of the environment's sorted names (the executors' own
    marks left out: the build process does not always carry them)."""
    kept = sorted(name for name in names if name not in EXECUTOR_MARKS)
    return hashlib.sha256(
        "\n".join(kept).encode("utf-8", "surrogateescape")
    ).hexdigest()


def import_state(name: str, search_path: Sequence[str], root: str) -> str:
    """Where the import system would find module `name` now."""
    path: list[str] | None = list(search_path)
    spec = None
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        if path is None:
            return MISSING
        try:
            spec = importlib.machinery.PathFinder.find_spec(
                ".".join(parts[:depth]), path
            )
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return MISSING
        locations = spec.submodule_search_locations
        path = None if locations is None else list(locations)
    origin = spec.origin if spec is not None else None
    return "found:" + (name_of(origin, root) if origin else "namespace")


class Inputs:
    """Measures inputs as the workers see them, caching file hashes for the
    length of one build (files do not change under a build's feet)."""

    def __init__(
        self, root: str, environ: Mapping[str, str], search_path: Sequence[str]
    ) -> None:
        self.root = root
        self.environ = environ
        self.search_path = list(search_path)
        self._states: dict[str, str] = {}
        self._code: dict[str, funcstate.ModuleCode | str] = {}

    def forget(self) -> None:
        """Measure everything afresh (a new build starts)."""
        self._states.clear()
        self._code.clear()
        importlib.invalidate_caches()

    def state(self, key: str) -> str:
        """The state of the input named by `key`, now."""
        known = self._states.get(key)
        if known is None:
            known = self._states[key] = self._measure(key)
        return known

    def fresh(self, recorded: Mapping[str, str]) -> bool:
        """True when every recorded input still has its recorded state."""
        return all(self.state(key) == old for key, old in recorded.items())

    def _code_state(self, kind: str, name: str) -> str:
        path = name if kind == "skeleton" else name.rpartition(":")[0]
        if path not in self._code:  # parsed once for all its functions
            self._code[path] = funcstate.measure(path_of(path, self.root))
        return funcstate.state(kind, name, self._code[path])

    def _measure(self, key: str) -> str:
        kind, _, name = key.partition(":")
        if kind in ("file", "list"):
            measure = file_state if kind == "file" else listing_state
            return measure(path_of(name, self.root))
        if kind == "env":
            return env_state(self.environ.get(name))
        if key == ENVIRON_NAMES:
            return names_state(self.environ)
        if kind == "import":
            return import_state(name, self.search_path, self.root)
        if kind in ("skeleton", "code"):
            return self._code_state(kind, name)
        return "unknown kind " + kind  # never equal to a recorded state
