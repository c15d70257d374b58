"""Joining the caches of shards (or of colleagues) into one.

Entries are write-once: an entry is copied only where its file (its key
and the state of its inputs) is not there yet. Where it is, the two must
say the same thing, run time aside; if they do not, the job is not
deterministic, and the merge reports which job and which field differ,
keeps the entry it had, and fails. Durations and the notes of which job is
which are merged too (the incoming record wins: it is the newer run).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from execnotes.core.atomic import write_atomically
from execnotes.core.protocol import Outcome, SchemaError

NAMES = "names.json"
"""Beside the results: which job (snippet or notebook) each key is."""
_MERGED_MAPS = (NAMES, "durations.json", "fingerprint-memo.json")
_IGNORED = frozenset(("duration",))  # differs between two runs of anything


@dataclass(frozen=True)
class Conflict:
    """Two different results under one key: a non-deterministic job."""

    key: str
    name: str
    field: str
    source: Path

    def __str__(self) -> str:
        return (
            f"{self.name} (key {self.key[:12]}): field '{self.field}' "
            f"differs between {self.source} and the cache; kept the cache's. "
            "Make the snippet deterministic, or mark the block 'varies: true'"
        )


@dataclass
class Merged:
    """What a merge did."""

    added: int = 0
    same: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def merge(target: Path, sources: Iterable[Path]) -> Merged:
    """Union the caches `sources` into `target` (see the module)."""
    merged = Merged()
    names = _read_map(target / NAMES)
    for source in sources:
        names |= _read_map(source / NAMES)
        for entry in _entries(source):
            _merge_entry(target, source, entry, names, merged)
        for name in _MERGED_MAPS:
            _merge_map(target / name, source / name)
        _copy_new(target, source, "probes")
    return merged


def _merge_entry(
    target: Path,
    source: Path,
    entry: Path,
    names: Mapping[str, str],
    merged: Merged,
) -> None:
    relative = entry.relative_to(source)
    key = relative.parts[0]
    incoming = _outcome(entry)
    if incoming is None:
        merged.skipped.append(f"{entry}: not a result of execnotes")
        return
    destination = target / relative
    existing = _outcome(destination) if destination.exists() else None
    if existing is None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(destination, entry.read_text(encoding="utf-8"))
        merged.added += 1
        return
    difference = first_difference(existing.to_json(), incoming.to_json())
    if difference is None:
        merged.same += 1
    else:
        name = names.get(key, "an unnamed job")
        merged.conflicts.append(Conflict(key, name, difference, source))


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    """The first field (a dotted path) in which two results differ, run
    times aside; None if they agree."""
    if isinstance(a, dict) and isinstance(b, dict):
        for name in sorted(set(a) | set(b)):
            if name in _IGNORED:
                continue
            found = first_difference(
                a.get(name), b.get(name), f"{where}.{name}" if where else name
            )
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    return None if a == b else where or "the whole entry"


def _entries(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.glob("*/*.json")):
        if path.parent.name != "probes" and not path.name.startswith("."):
            yield path


def _outcome(path: Path) -> Outcome | None:
    try:
        return Outcome.from_json(json.loads(path.read_bytes()))
    except (OSError, ValueError, SchemaError):
        return None


def _read_map(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _merge_map(target: Path, source: Path) -> None:
    incoming = _read_map(source)
    if incoming:
        target.parent.mkdir(parents=True, exist_ok=True)
        joined = _read_map(target) | incoming
        write_atomically(target, json.dumps(joined, indent=0, sort_keys=True))


def _copy_new(target: Path, source: Path, folder: str) -> None:
    for path in sorted((source / folder).glob("*.json")):
        destination = target / folder / path.name
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(destination, path.read_text(encoding="utf-8"))


def record_names(folder: Path, names: Mapping[str, str]) -> None:
    """Note which job each key is (for the messages of a merge)."""
    joined = _read_map(folder / NAMES) | dict(names)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(
        folder / NAMES, json.dumps(joined, indent=0, sort_keys=True)
    )
