"""Results on disk, one JSON file per snippet, keyed by content.

The key covers the code that runs, the seed, the figure style, the output
limit and the versions of Python, mxnet, numpy and matplotlib. The entry
records the sources of the project modules and the data files the run read;
they are re-hashed before a cached result is used. No mtimes anywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from execnotes.capture import file_digest
from execnotes.protocol import Job, Outcome

log = logging.getLogger(__name__)
FORMAT = 1
_VERSIONED = ("mxnet", "numpy", "matplotlib")


def environment() -> dict[str, str]:
    """The versions that change what a snippet prints or draws."""
    versions = {
        "python": platform.python_version(),
        "execnotes-format": str(FORMAT),
    }
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def job_key(job_fields: dict[str, Any], env: dict[str, str]) -> str:
    """Hash everything that decides a run's result, except imported files."""
    blob = json.dumps({"job": job_fields, "env": env}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """A folder of results; safe for concurrent builds (atomic replace)."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root = root
        self._digests: dict[Path, str | None] = {}

    def new_build(self) -> None:
        """Forget file hashes, so that every build sees files as they are."""
        self._digests.clear()

    def path(self, key: str) -> Path:
        """Where the result for `key` lives."""
        return self.folder / f"{key}.json"

    def load(self, job: Job) -> Outcome | None:
        """Return the cached outcome if it exists and is still fresh."""
        try:
            data = json.loads(self.path(job.key).read_text(encoding="utf-8"))
            outcome = Outcome.from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.info(
                "execnotes: ignoring unreadable cache entry %s (%s)",
                job.key[:12],
                error,
            )
            return None
        return outcome if self.is_fresh(outcome) else None

    def is_fresh(self, outcome: Outcome) -> bool:
        """True when every imported module and data file is unchanged."""
        recorded = {**outcome.modules, **outcome.data_files}
        # Entries name project files relative to the root, others absolutely.
        return all(
            self._digest(self.root / name) == digest
            for name, digest in recorded.items()
        )

    def _digest(self, path: Path) -> str | None:
        if path not in self._digests:
            try:
                self._digests[path] = file_digest(path)
            except OSError:
                self._digests[path] = None
        return self._digests[path]

    def store(self, key: str, outcome: Outcome) -> None:
        """Write an entry atomically: readers see the old file or the new."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(outcome.to_json(), sort_keys=True)
        handle, temporary = tempfile.mkstemp(
            dir=self.folder, prefix=".tmp-", suffix=".json"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def keys(self) -> set[str]:
        """The keys that have an entry."""
        if not self.folder.is_dir():
            return set()
        return {
            path.stem
            for path in self.folder.glob("*.json")
            if not path.name.startswith(".")
        }

    def prune(self, keep: set[str]) -> list[str]:
        """Remove entries whose key is not in `keep`; return what went."""
        removed = sorted(self.keys() - keep)
        for key in removed:
            with contextlib.suppress(FileNotFoundError):
                self.path(key).unlink()
        return removed

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        return len(self.prune(set()))
