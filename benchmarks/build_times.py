"""Build-time benchmarks of execnotes; prints medians and ratios in one run.

    python benchmarks/build_times.py [--pages 50 --snippets 20 --cost 0.02]
        [--repeat 3] [--skip-project] [--skip-synthetic] [--overhead-only]

Measures, on a generated site of PAGES x SNIPPETS blocks that each spin the
CPU for COST seconds, and on the project's own site:

- plain build (runner disabled, same pages), warm build (all cached), cold
  build (empty cache); ratios warm/plain and cold/(plain + work/workers);
- rebuilds as in `mkdocs serve`: executions after a prose edit and after
  editing one snippet module (expected: 0 and exactly its dependents);
- per framework profile, the pool's start-up and its overhead per run (a
  snippet that does nothing): wall time and CPU (`--overhead-only`);
- the peak memory (PSS of the build and its workers together), and the
  revert of an edit (a cache hit: no run).

Nothing here is asserted: the numbers go into the issue notes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import psutil

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")


def write_synthetic_site(
    folder: Path, pages: int, snippets: int, cost: float
) -> None:
    """N pages, each running M snippets from its own module."""
    (folder / "docs").mkdir(parents=True)
    package = folder / "snippets"
    package.mkdir()
    (package / "__init__.py").write_text('"""Generated snippets."""\n')
    (package / "spin.py").write_text(
        "import time\n\n\n"
        "def spin(seconds):\n"
        '    """Keep the CPU busy for `seconds`."""\n'
        "    end = time.perf_counter() + seconds\n"
        "    while time.perf_counter() < end:\n"
        "        pass\n"
    )
    for page in range(pages):
        functions = "".join(
            f"def show_{n}():\n"
            f'    """Spin, then print."""\n'
            f"    spin({cost})\n"
            f'    print("page {page} snippet {n}")\n\n\n'
            for n in range(snippets)
        )
        # Each page's module imports its own helper module, so editing
        # one helper must re-run exactly that page's snippets.
        (package / f"util{page}.py").write_text(
            f"from snippets.spin import spin as spin\n\nPAGE = {page}\n"
        )
        (package / f"page{page}.py").write_text(
            f"from snippets.util{page} import spin\n\n\n{functions}"
        )
        blocks = "".join(
            f"Text before snippet {n}.\n\n```{{run}} snippets.page{page}.show_{n}\n```\n\n"
            for n in range(snippets)
        )
        (folder / "docs" / f"page{page}.md").write_text(
            f"# Page {page}\n\n{blocks}"
        )
    (folder / "docs" / "index.md").write_text("# Synthetic site\n")
    (folder / "mkdocs.yml").write_text(
        "site_name: synthetic\n"
        "theme: mkdocs\n"
        "plugins:\n"
        "  - execnotes:\n"
        "      enabled: !ENV [EXECNOTES_ENABLED, true]\n"
        "markdown_extensions:\n"
        "  - pymdownx.highlight\n"
        "  - pymdownx.superfences\n"
    )


class Run(NamedTuple):
    """One build: wall and CPU seconds (CPU is less noisy than wall time on
    a shared machine), the peak PSS of the build and all its workers
    together, and the largest ru_maxrss of one process of the tree (MiB)."""

    wall: float
    pss: float
    cpu: float
    maxrss: float
    parts: str = ""  # the peak PSS by process: build, workers, runs


def build(folder: Path, *, enabled: bool = True) -> Run:
    """Run `mkdocs build` and measure it (see `Run`).

    Memory is the proportional set size (PSS): a page shared by the zygote
    and the children it forked is counted once, not once per process as
    a sum of RSS would.
    """
    env = dict(ENV, EXECNOTES_ENABLED="true" if enabled else "false")
    site = Path(tempfile.mkdtemp(prefix="bench-site-"))
    started = time.perf_counter()
    process = psutil.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak: dict[str, int] = {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        sample = _tree_pss(process)
        if sum(sample.values()) > sum(peak.values()):
            peak = sample
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    # wait4 reports the whole tree the build reaped: CPU summed, and
    # maxrss as the largest single process (the build, a worker or a run).
    cpu = usage.ru_utime + usage.ru_stime
    shutil.rmtree(site, ignore_errors=True)
    if process.returncode != 0:
        raise SystemExit(
            f"build failed in {folder}:\n{process.stderr.read().decode()}"
        )
    parts = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in peak.items())
    total = sum(peak.values()) / 2**20
    return Run(seconds, total, cpu, usage.ru_maxrss / 1024, parts)


_ROLES = ("build", "workers", "runs")  # by depth below the build


def _tree_pss(process: psutil.Process) -> dict[str, int]:
    """The PSS of the process and its descendants, summed by role: the
    build, its workers (zygotes), the runs they forked (and theirs)."""
    totals = dict.fromkeys(_ROLES, 0)
    level = [process]
    for depth in range(8):
        role = _ROLES[min(depth, len(_ROLES) - 1)]
        below = []
        for member in level:
            with contextlib.suppress(
                psutil.NoSuchProcess, psutil.AccessDenied
            ):
                totals[role] += member.memory_full_info().pss
                below += member.children()
        level = below
    return totals


def medians(runs: list[Run]) -> Run:
    """Median wall and CPU seconds, and the largest peaks of memory."""
    return Run(
        statistics.median(r.wall for r in runs),
        max(r.pss for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.maxrss for r in runs),
        max(runs, key=lambda r: r.pss).parts,
    )


def clear_cache(folder: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(
        folder / ".execnotes-cache", ignore_errors=True
    )


def measure_builds(
    name: str, folder: Path, repeat: int, cold_repeat: int
) -> None:
    """Plain, cold and warm builds of one site, with their ratios. Plain and
    warm builds alternate, so that drift in the machine hits both alike."""
    from execnotes.build.runner import Settings

    colds = []
    for _ in range(cold_repeat):
        clear_cache(folder)()
        colds.append(build(folder))
    plains, warms = [], []
    for _ in range(repeat):
        plains.append(build(folder, enabled=False))
        warms.append(build(folder))
    plain, cold, warm = (medians(runs) for runs in (plains, colds, warms))
    work, longest = _recorded_work(folder)
    workers = Settings(folder).worker_count
    print(f"\n## {name}")
    print(
        "                               wall       CPU     peak PSS (sum)"
        "   largest ru_maxrss"
    )
    for label, run in (
        ("plain build (runner disabled):", plain),
        ("cold build (empty cache):     ", cold),
        ("warm build (all cached):      ", warm),
    ):
        print(
            f"{label} {run.wall:6.2f} s  {run.cpu:6.2f} s  {run.pss:6.0f} MiB"
            f"       {run.maxrss:6.0f} MiB"
        )
        print(f"{'':31} at the peak, PSS in MiB: {run.parts}")
    print(
        f"sum of snippet run times:      {work:6.2f} s  on {workers} workers"
    )
    print(
        f"warm / plain:                  {warm.wall / plain.wall:6.3f} wall, {warm.cpu / plain.cpu:.3f} CPU (target <= 1.15)"
    )
    ideal = plain.wall + work / workers
    print(
        f"cold / (plain + work/workers): {cold.wall / ideal:6.3f}   (target <= 1.3)"
    )
    # No schedule beats the longest single snippet: the critical path.
    bound = plain.wall + max(work / workers, longest)
    print(f"longest single snippet:        {longest:6.2f} s")
    print(
        f"cold / (plain + max(work/workers, longest)): {cold.wall / bound:6.3f}"
    )


def _recorded_work(folder: Path) -> tuple[float, float]:
    """Total and longest run time recorded in the cache."""
    import json

    durations = [
        json.loads(path.read_text())["duration"] for path in _entries(folder)
    ]
    return sum(durations), max(durations)


def measure_serve(folder: Path, module: str, page_for_prose: str) -> None:
    """Rebuilds with one plugin instance, as `mkdocs serve` does."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    def rebuild() -> tuple[int, float]:
        config = load_config(
            config_file=str(folder / "mkdocs.yml"), site_dir=str(site)
        )
        plugin = config.plugins["execnotes"]
        if not started:
            config.plugins.on_startup(command="serve", dirty=False)
            started.append(True)
        begin = time.perf_counter()
        mkdocs_build(config)
        return plugin.last_build.executed, time.perf_counter() - begin

    import logging

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    started: list[bool] = []
    rebuild()
    page = folder / "docs" / page_for_prose
    page.write_text(page.read_text() + "\nAn edited paragraph.\n")
    prose_runs, prose_time = rebuild()
    path = folder / module
    original = path.read_text()
    path.write_text(original + "\n# an edit\n")
    dependents = _dependents(folder, module)
    module_runs, module_time = rebuild()
    path.write_text(original)
    revert_runs, revert_time = rebuild()
    config = load_config(config_file=str(folder / "mkdocs.yml"))
    config.plugins.on_shutdown()
    print(
        f"serve, prose edit:  {prose_runs} snippets executed, rebuild {prose_time:.2f} s (expected 0)"
    )
    print(
        f"serve, edit {module}: {module_runs} executed, rebuild {module_time:.2f} s "
        f"(its dependents: {dependents})"
    )
    print(
        f"serve, revert the edit: {revert_runs} executed, rebuild {revert_time:.2f} s "
        "(expected 0: the earlier results are kept)"
    )


def _dependents(folder: Path, module: str) -> int:
    import json

    return sum(
        f"file:{module}" in json.loads(path.read_text())["inputs"]
        for path in _entries(folder)
    )


def _entries(folder: Path) -> list[Path]:
    """The cached results (every generation of every job)."""
    cache = folder / ".execnotes-cache"
    return [p for p in cache.glob("*/*.json") if p.parent.name != "probes"]


def measure_pool_overhead(runs: int = 200) -> None:
    """Per framework profile: the pool's start-up (spawn, warm-up, first
    no-op run) and, through the warm one-worker pool, each no-op run's wall
    time and CPU (every process: the pool's threads, the zygote and the
    child forked for the run, which is isolated, tracked and cleaned up).
    Against the code before profiles (PYTHONPATH=.../src of an older
    checkout) it measures that code's single profile, `mxnet`."""
    try:
        from execnotes.core.profiles import PROFILES
    except ImportError:  # before profiles: MXNet, NumPy and matplotlib
        names = [None]
    else:
        names = list(PROFILES.values())
    print("\n## worker pool (fork per run)")
    for profile in names:
        name = "mxnet (no profiles)" if profile is None else profile.name
        start, wall, cpu = _pool_overhead(profile, runs)
        print(
            f"{name}: start-up {start:.2f} s; per no-op run: wall median "
            f"{wall * 1000:.1f} ms, CPU {cpu * 1000:.1f} ms (mean of {runs}, "
            "all processes; target <= 5 ms)"
        )


def _pool_overhead(profile: object, runs: int) -> tuple[float, float, float]:
    """Start-up seconds, median wall and mean CPU seconds per no-op run."""
    from execnotes.core.protocol import FigureStyle, Job
    from execnotes.worker.pool import WorkerPool
    from execnotes.worker.zygote import WorkerSettings

    extra = () if profile is None else (profile,)
    settings = WorkerSettings(str(ROOT), "snippets", 1, FigureStyle(), *extra)
    job = Job("noop", (("pass", "<noop>", 1),), None, "<execnotes>", 0, 1000)
    started = time.perf_counter()
    pool = WorkerPool(1, settings)
    pool.submit(job).result()
    start = time.perf_counter() - started
    cpu_before = _tree_cpu()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pool.submit(job).result()
        times.append(time.perf_counter() - started)
    cpu = (_tree_cpu() - cpu_before) / runs
    pool.close()
    return start, statistics.median(times), cpu


def _tree_cpu() -> float:
    """CPU seconds of this process and its live descendants, with the
    children each has reaped (the zygote reaps every run's child)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += sum(times[:4])  # user, system, children's user, system
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--snippets", type=int, default=20)
    parser.add_argument("--cost", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-project", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument(
        "--overhead-only",
        action="store_true",
        help="only the pool's start-up and per-run overhead, per profile",
    )
    args = parser.parse_args()
    print(
        f"# execnotes benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
    if args.overhead_only:
        measure_pool_overhead()
        return
    if not args.skip_synthetic:
        measure_synthetic(args)
    if not args.skip_project:
        measure_project(args.repeat)


def measure_synthetic(args: argparse.Namespace) -> None:
    """The pool's overhead and the generated site."""
    measure_pool_overhead()
    with tempfile.TemporaryDirectory(prefix="bench-synthetic-") as tmp:
        folder = Path(tmp)
        write_synthetic_site(folder, args.pages, args.snippets, args.cost)
        blocks = args.pages * args.snippets
        measure_builds(
            f"synthetic site: {args.pages} pages x {args.snippets} snippets = {blocks}, "
            f"{args.cost * 1000:g} ms each",
            folder,
            args.repeat,
            args.repeat,
        )
        measure_serve(folder, "snippets/util0.py", "page1.md")


def measure_project(repeat: int) -> None:
    """The project's own site, in a copy (its cache starts empty)."""
    with tempfile.TemporaryDirectory(prefix="bench-project-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", "site", ".git", "node_modules", ".execnotes-cache"
            ),
        )
        measure_builds("the project's own site", copy, repeat, 1)
        measure_serve(copy, "snippets/losses.py", "index.md")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
