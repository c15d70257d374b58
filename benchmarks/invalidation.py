"""Which runs an edit of each `snippets` function re-runs: by module
(before) and by function (after), computed from a warm cache.

    python benchmarks/invalidation.py [--cache .execnotes-cache]
        [--show snippets.activations.stable_softmax ...]

Nothing is rebuilt. For every function and method of `snippets/*.py`
(tests left out) the script simulates two edits of its body in memory:
one that keeps its lines (`pass; ` before its last simple statement) and
one that adds a line after it (which moves every function below).
A run (the newest generation of each cache key) re-runs when

- before, by module: it imported the function's module at all (each
  imported module was an input, hashed whole);
- after, by function: an input it recorded changes state, measured by
  `execnotes.core.funcstate` exactly as `execnotes check` measures it (the
  module's skeleton, the bodies of the functions it executed, or the whole
  file where it fell back).

A function that is itself a block's snippet also changes that job's key;
the run that executed it has it among its inputs, so it is counted here.
The seconds are the durations the cache recorded for those runs.
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from execnotes.core import funcstate

ROOT = Path(__file__).resolve().parents[1]
SHOWN = (
    "snippets.activations.stable_softmax",
    "snippets.lenet.train_lenet",
)


@dataclass(frozen=True)
class Run:
    """One cached result: its name and the inputs it recorded."""

    name: str
    seconds: float
    inputs: dict[str, str]

    def imported(self, path: str) -> bool:
        """Whether the run read module `path` at all."""
        return any(
            key.partition(":")[2].partition(":")[0] == path
            or key == f"file:{path}"
            for key in self.inputs
            if key.startswith(("file:", "skeleton:", "code:"))
        )

    def stale(self, path: str, now: bytes, edited: bytes) -> bool:
        """Whether the run re-runs when module `path` goes from `now` to
        `edited`: an input it recorded about the module changes state."""
        keys = [
            key
            for key in self.inputs
            if key in (f"file:{path}", f"skeleton:{path}")
            or key.startswith(f"code:{path}:")
        ]
        return any(_state(k, now) != _state(k, edited) for k in keys)


def _state(key: str, data: bytes) -> str:
    """The state of input `key` (about one module) if it holds `data`."""
    kind, _, name = key.partition(":")
    if kind == "file":
        return hashlib.sha256(data).hexdigest()
    return funcstate.state(kind, name, _code(data))


@functools.cache
def _code(data: bytes) -> funcstate.ModuleCode | str:
    found = funcstate.read(data)
    return funcstate.UNPARSABLE if found is None else found[0]


def load_runs(cache: Path) -> list[Run]:
    """The newest generation of every key in the cache."""
    runs = []
    for folder in sorted(p for p in cache.iterdir() if p.is_dir()):
        entries = sorted(
            folder.glob("*.json"), key=lambda p: p.stat().st_mtime
        )
        if folder.name == "probes" or not entries:
            continue
        data = json.loads(entries[-1].read_bytes())
        runs.append(
            Run(_name(data, folder.name), data["duration"], data["inputs"])
        )
    return runs


def _name(data: dict[str, object], key: str) -> str:
    """A readable name for a run: the snippet it executed, if it says."""
    executed = sorted(
        k.rpartition(":")[2]
        for k in data["inputs"]  # type: ignore[attr-defined]
        if k.startswith("code:") and k.rpartition(":")[2].startswith("show")
    )
    return executed[0] if executed else key[:12]


def edits(data: bytes, node: ast.stmt) -> tuple[bytes, bytes]:
    """The module's source after two edits of the function `node`: a
    `pass; ` put before its last simple statement (its lines stay), or a
    `pass` on a line of its own after its body."""
    lines = data.splitlines(keepends=True)
    simple = [
        s
        for s in ast.walk(node)
        if isinstance(s, ast.stmt) and not hasattr(s, "body")
    ]
    last = max(simple, key=lambda s: (s.lineno, s.col_offset))
    line = lines[last.lineno - 1]
    start = len(line[: last.col_offset])
    lines[last.lineno - 1] = line[:start] + b"pass; " + line[start:]
    same = b"".join(lines)
    lines = data.splitlines(keepends=True)
    body = getattr(node, "body", [node])
    end = node.end_lineno or node.lineno
    lines.insert(end, b" " * body[-1].col_offset + b"pass\n")
    return same, b"".join(lines)


@dataclass(frozen=True)
class Row:
    """What an edit of one function re-runs."""

    function: str
    before: list[Run]
    same: list[Run]
    grown: list[Run]


def rows(runs: list[Run], root: Path) -> list[Row]:
    """One row per function of the snippets package."""
    found = []
    for module in sorted((root / "snippets").glob("*.py")):
        if module.name.startswith(("test_", "conftest")):
            continue
        path = module.relative_to(root).as_posix()
        data = module.read_bytes()
        parsed = funcstate.read(data)
        if parsed is None:
            continue
        users = [run for run in runs if run.imported(path)]
        dotted = path[:-3].replace("/", ".")
        for qualname, node in funcstate.functions(parsed[1]):
            same, grown = edits(data, node)
            found.append(
                Row(
                    f"{dotted}.{qualname}",
                    users,
                    [r for r in users if r.stale(path, data, same)],
                    [r for r in users if r.stale(path, data, grown)],
                )
            )
    return found


def _cell(runs: list[Run]) -> str:
    return f"{len(runs)} ({sum(r.seconds for r in runs):.1f} s)"


def main() -> None:
    """Print the table, then the runs of the functions to show."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cache", type=Path, default=ROOT / ".execnotes-cache"
    )
    parser.add_argument("--show", nargs="*", default=list(SHOWN))
    options = parser.parse_args()
    runs = load_runs(options.cache)
    if not any(k.startswith("skeleton:") for r in runs for k in r.inputs):
        sys.exit(
            f"{options.cache} holds no entries by function: build the site "
            "with this version of execnotes first (python -m execnotes run)"
        )
    table = rows(runs, ROOT)
    print(f"{len(runs)} runs in {options.cache}\n")
    print(
        "| function | before: by module | after, same lines | after, "
        "one more line |"
    )
    print("|---|---|---|---|")
    for row in table:
        print(
            f"| `{row.function}` | {_cell(row.before)} | {_cell(row.same)} "
            f"| {_cell(row.grown)} |"
        )
    total = [
        sum(len(getattr(r, f)) for r in table)
        for f in ("before", "same", "grown")
    ]
    print(
        f"| **all {len(table)} functions** | {total[0]} | {total[1]} "
        f"| {total[2]} |"
    )
    for row in table:
        if row.function in options.show:
            print(f"\n{row.function}:")
            print("  before:", ", ".join(sorted(r.name for r in row.before)))
            print("  after: ", ", ".join(sorted(r.name for r in row.same)))
            print(
                "  after, one more line:",
                ", ".join(sorted(r.name for r in row.grown)),
            )


if __name__ == "__main__":
    main()
