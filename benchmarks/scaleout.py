"""Scale-out benchmark: shards, merge and a remote cache, against one machine.

    python benchmarks/scaleout.py [--synthetic] [--shards 1 2 4] [-j 1]
                                  [--json FILE]

On a copy of the project's site (or, with --synthetic, a generated site of
blocks that sleep for known times), measures:

- a one-machine cold build (empty cache), which also records durations;
- for each shard count N, from a cache that holds only those durations
  (as CI restores them): the plan's predicted makespan (each shard's jobs
  replayed on its -j workers) against the measured longest shard, each
  shard's predicted and measured seconds, the balance (longest / mean
  shard), and the
  critical path plan + longest shard + merge + frozen build, against the
  cold build. The shards run one after another here; on CI they run at
  once, so the longest one is what counts;
- a build of a fresh checkout served by a file:// remote cache, against a
  local warm build.

Nothing is asserted: the numbers go into the issue notes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(
    os.environ,
    NO_MKDOCS_2_WARNING="1",
    PYTHONWARNINGS="ignore",
    SOURCE_DATE_EPOCH="0",
)
SLEEPS = (6, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0.5, 0.5, 0.5, 0.5)
SYNTHETIC_YML = """\
site_name: scale-out
plugins:
  - execnotes:
      workers: !ENV [EXECNOTES_WORKERS, 1]
      frozen: !ENV [EXECNOTES_FROZEN, false]
markdown_extensions:
  - pymdownx.superfences
"""
COPIED = ("docs", "snippets", "overrides", "mkdocs.yml", "pyproject.toml")


def write_synthetic_site(folder: Path) -> None:
    """Blocks that sleep for known times (two of them in one group)."""
    (folder / "docs").mkdir(parents=True)
    (folder / "snippets").mkdir()
    (folder / "snippets" / "__init__.py").write_text('"""Generated."""\n')
    functions = "".join(
        f"def show_{n}():\n"
        f'    """Sleep {seconds} s, then print."""\n'
        f"    time.sleep({seconds})\n"
        f"    print({n})\n\n\n"
        for n, seconds in enumerate(SLEEPS)
    )
    (folder / "snippets" / "sleep.py").write_text(
        "import time\n\n\n" + functions
    )
    blocks = "".join(
        f"```{{run}} snippets.sleep.show_{n}\n"
        + ("group: pair\n" if n in (0, 1) else "")
        + "```\n\n"
        for n in range(len(SLEEPS))
    )
    (folder / "docs" / "index.md").write_text("# Sleeps\n\n" + blocks)
    (folder / "mkdocs.yml").write_text(SYNTHETIC_YML)


def copy_project(folder: Path) -> None:
    """The project's site, without its cache or built site."""
    folder.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        elif source.is_file():
            shutil.copy2(source, folder / name)


def timed(command: list[str], cwd: Path, **env: str) -> tuple[float, str]:
    """Run a command; its wall time and output (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed in {cwd}:\n{done.stdout}{done.stderr}"
        )
    return seconds, done.stdout + done.stderr


def execnotes(*args: str) -> list[str]:
    """The command line of execnotes."""
    return [sys.executable, "-m", "execnotes", *args]


def mkdocs_build() -> list[str]:
    """A strict build."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict"]


def sharded(
    base: Path, work: Path, count: int, workers: str
) -> dict[str, Any]:
    """Plan, run each shard, merge, check and build frozen, on a copy of
    `base` whose cache holds only `base`'s recorded durations."""
    site = work / f"shards-{count}"
    shutil.copytree(
        base, site, ignore=shutil.ignore_patterns(".execnotes-cache", "site")
    )
    cache = site / ".execnotes-cache"
    cache.mkdir()
    shutil.copy2(base / ".execnotes-cache" / "durations.json", cache)
    plan_s, _ = timed(
        execnotes(
            "plan",
            "--shards",
            str(count),
            "-j",
            workers,
            "--json",
            "plan.json",
        ),
        site,
    )
    plan = json.loads((site / "plan.json").read_text())
    shards = []
    for index in range(1, plan["shards"] + 1):
        seconds, _ = timed(
            execnotes(
                "run",
                "--shard",
                f"{index}/{plan['shards']}",
                "--plan",
                "plan.json",
                "--cache-dir",
                f"shard-{index}",
                "-j",
                workers,
            ),
            site,
        )
        shards.append(seconds)
    folders = [f"shard-{n}" for n in range(1, plan["shards"] + 1)]
    merge_s, _ = timed(execnotes("cache", "merge", *folders), site)
    timed(execnotes("check"), site)
    frozen_s, _ = timed(mkdocs_build(), site, EXECNOTES_FROZEN="true")
    longest = max(shards, default=0.0)
    return {
        "shards": plan["shards"],
        "predicted": plan["makespan"],
        "longest": longest,
        "spans": plan["spans"],
        "measured": shards,
        "balance": longest / (sum(shards) / len(shards)) if shards else 1.0,
        "plan": plan_s,
        "merge": merge_s,
        "frozen": frozen_s,
        "path": plan_s + longest + merge_s + frozen_s,
    }


def remote_hit(base: Path, work: Path) -> tuple[float, float]:
    """A fresh checkout's build from a file:// remote, and a warm build."""
    remote = (work / "remote").as_uri()
    timed(
        execnotes("cache", "push"),
        base,
        EXECNOTES_REMOTE=remote,
        EXECNOTES_REMOTE_MODE="write",
    )
    fresh = work / "fresh"
    shutil.copytree(
        base, fresh, ignore=shutil.ignore_patterns(".execnotes-cache", "site")
    )
    hit, output = timed(mkdocs_build(), fresh, EXECNOTES_REMOTE=remote)
    if " 0 ran" not in output:
        sys.exit(f"the remote-hit build ran snippets:\n{output}")
    warm, _ = timed(mkdocs_build(), base)
    return hit, warm


def main() -> None:
    """Measure and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("-j", "--workers", default="1")
    parser.add_argument("--json", type=Path, help="also write the numbers")
    args = parser.parse_args()
    # Each line as soon as it is measured: a long run may be cut short.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory(prefix="execnotes-scaleout-") as tmp:
        work = Path(tmp)
        base = work / "one-machine"
        if args.synthetic:
            write_synthetic_site(base)
        else:
            copy_project(base)
        cold, _ = timed(mkdocs_build(), base, EXECNOTES_WORKERS=args.workers)
        report: dict[str, Any] = {"workers": args.workers, "cold": cold}
        print(
            f"site: {'synthetic' if args.synthetic else 'project'}; "
            f"workers per machine: {args.workers}"
        )
        print(f"one-machine cold build: {cold:7.1f} s")
        print(
            "shards  predicted  longest  balance  plan  merge  frozen"
            "  critical path  vs cold"
        )
        rows = report["shards"] = []
        for count in args.shards:
            r = sharded(base, work, count, args.workers)
            rows.append(r)
            print(
                f"{r['shards']:6.0f}  {r['predicted']:9.1f}  "
                f"{r['longest']:7.1f}  {r['balance']:7.2f}  {r['plan']:4.1f}"
                f"  {r['merge']:5.1f}  {r['frozen']:6.1f}  "
                f"{r['path']:13.1f}  {r['path'] / cold:7.2f}"
            )
            print(f"        per shard: {_per_shard(r)}")
        hit, warm = remote_hit(base, work)
        report |= {"remote_hit": hit, "local_warm": warm}
        print(
            f"remote-hit build (fresh checkout): {hit:6.1f} s; "
            f"local warm build: {warm:6.1f} s; ratio {hit / warm:.2f}"
        )
        if args.json:
            args.json.write_text(json.dumps(report, indent=1) + "\n")


def _per_shard(row: dict[str, Any]) -> str:
    """Each shard's predicted / measured seconds."""
    pairs = zip(row["spans"], row["measured"], strict=True)
    return ", ".join(f"{p:.0f}/{m:.0f} s" for p, m in pairs)


if __name__ == "__main__":
    main()
