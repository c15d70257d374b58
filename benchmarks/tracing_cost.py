"""The CPU cost of knowing which project functions a run executed.

    python benchmarks/tracing_cost.py [snippets.mlp.show_mlp_scratch ...]
        [--repeat 1]

Runs each snippet in a fresh process three ways, alternating, and prints
the CPU seconds (user + system, all threads) of the call:

- ``plain``: the project imported as usual;
- ``marked``: project modules compiled by `execnotes.core.funcstate.Executed`
  (each function notes its key when entered), what the workers do;
- ``settrace``: a global trace function (`sys.settrace` and
  `threading.settrace`) that notes the code objects of project files and
  returns None, so no line is traced: the alternative that was weighed.

Then the CPU a run spends on getting the project's modules compiled (all
of `snippets`, best of 5): plain `compile` of the source, as the workers
did before; `Executed.compile` the first time (parse, instrument, compile,
measure); and again from its memo (what every later run pays).

Nothing is asserted: the numbers go into the issue notes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from execnotes.core import funcstate

ROOT = Path(__file__).resolve().parents[1]
MODES = ("plain", "marked", "settrace")
CHILD = r"""
import importlib, importlib.machinery, os, sys, threading, time
mode, target, root = sys.argv[1:4]
sys.path.insert(0, root)
if mode == "marked":
    from execnotes.core.funcstate import Executed
    executed = Executed()
    executed.install()

    class Loader(importlib.machinery.SourceFileLoader):
        def get_code(self, fullname):
            path = self.get_filename(fullname)
            data = self.get_data(path)
            name = os.path.relpath(path, root)
            return executed.compile(name, path, data) or super().get_code(
                fullname
            )

    class Finder(importlib.machinery.PathFinder):
        @classmethod
        def find_spec(cls, fullname, path=None, target=None):
            spec = super().find_spec(fullname, path, target)
            if spec and spec.origin and spec.origin.startswith(
                os.path.join(root, "snippets")
            ):
                spec.loader = Loader(fullname, spec.origin)
            return spec

    sys.meta_path.insert(0, Finder)
elif mode == "settrace":
    seen = set()
    prefix = os.path.join(root, "snippets")

    def note(frame, event, arg):
        code = frame.f_code
        if code.co_filename.startswith(prefix):
            seen.add(code)

    sys.settrace(note)
    threading.settrace(note)
import mxnet  # noqa: F401  (the zygote has it already)
module, name = target.rsplit(".", 1)
function = getattr(importlib.import_module(module), name)
start = os.times()
function()
end = os.times()
print("CPU", end.user - start.user + end.system - start.system)
"""


def measure(mode: str, target: str) -> float:
    """CPU seconds of one call of `target` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, target, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore"),
    )
    line = done.stdout.strip().splitlines()[-1]
    return float(line.split()[1])


def _best(action: Callable[[], object], repeat: int = 5) -> float:
    """The least CPU milliseconds of `repeat` calls of `action`."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best * 1000


def compile_costs() -> None:
    """Print what compiling the project's modules costs a run."""
    sources = [
        (str(path), path.read_bytes())
        for path in sorted((ROOT / "snippets").glob("*.py"))
        if not path.name.startswith(("test_", "conftest"))
    ]
    with tempfile.TemporaryDirectory() as folder:
        executed = funcstate.Executed()
        executed.memo = funcstate.Memo(Path(folder))

        def marked() -> object:
            return [executed.compile(f, f, data) for f, data in sources]

        first = _best(marked, repeat=1)
        again = _best(marked)
    plain = _best(
        lambda: [
            compile(data, f, "exec", dont_inherit=True) for f, data in sources
        ]
    )
    print(
        f"\n{len(sources)} modules of snippets: plain compile {plain:.1f} ms; "
        f"Executed.compile {first:.1f} ms the first time, {again:.1f} ms "
        "from its memo"
    )


def main() -> None:
    """Print a table of medians, per snippet and mode."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "targets", nargs="*", default=["snippets.mlp.show_mlp_scratch"]
    )
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    print("| snippet | " + " | ".join(MODES) + " |")
    print("|---|" + "---|" * len(MODES))
    for target in options.targets:
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(options.repeat):
            for mode in MODES:  # alternated, so that load hits all alike
                times[mode].append(measure(mode, target))
        plain = statistics.median(times["plain"])
        cells = [
            f"{statistics.median(times[m]):.2f} s "
            f"({statistics.median(times[m]) / plain:.3f}x)"
            for m in MODES
        ]
        print(f"| `{target}` | " + " | ".join(cells) + " |")
    compile_costs()


if __name__ == "__main__":
    main()
