"""Command line: run snippets ahead of a build, check, share and split.

python -m execnotes run     # run what is missing or stale, in parallel
python -m execnotes check   # run nothing; fail if a result is missing
python -m execnotes clear   # remove every cached result
python -m execnotes plan --shards 4 --json plan.json   # split the misses
python -m execnotes run --shard 2/4 --plan plan.json   # run one part
python -m execnotes cache merge DIR...   # join shards' caches into this one
python -m execnotes cache push           # upload results to the remote
python -m execnotes cache gc --older-than 30   # trim the remote
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from execnotes.build import plan as planning
from execnotes.build.build import Build
from execnotes.build.results import Result
from execnotes.build.runner import Runner, Settings
from execnotes.pages.directives import Probe
from execnotes.store.merge import merge, record_names
from execnotes.store.remote import Remote, RemoteSettings

if TYPE_CHECKING:
    # Imported when a command reads the site: `--help` needs no MkDocs.
    from execnotes.plugin.site import Site
    from execnotes.plugin.site import SitePages as Pages


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(message)s")
    config_file = Path(args.config_file)
    if not config_file.is_file():
        parser.error(
            f"no {config_file}; run from the site's folder "
            "or pass -f PATH/mkdocs.yml"
        )
    settings, pages, probe = _load(config_file)
    if args.workers is not None:
        settings = dataclasses.replace(settings, workers=args.workers)
    if args.cache_dir is not None:
        settings = dataclasses.replace(settings, cache_dir=args.cache_dir)
    if args.command == "cache":
        return _cache(args, settings, pages, probe)
    if args.command == "clear":
        runner = Runner(settings)
        count = runner.cache.clear()
        print(f"removed {count} cached results from {runner.cache.folder}")
        return 0
    if args.command == "plan":
        return _print_plan(args, _plan(args, settings, pages, probe))
    return _run(args, settings, pages, probe)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m execnotes", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "command", choices=("run", "check", "clear", "plan", "cache")
    )
    parser.add_argument(
        "action",
        nargs="*",
        help="for `cache`: merge DIR..., push, or gc",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        help="the site's mkdocs.yml (default: %(default)s)",
    )
    parser.add_argument(
        "-j",
        "--workers",
        type=int,
        default=None,
        help="worker processes, and for `plan` those of each shard "
        "(default: the plugin's setting, or one per core)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="the local cache folder (default: the plugin's cache_dir)",
    )
    _plan_arguments(parser)
    return parser


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shard", help="run: only shard I of N of the plan, as I/N"
    )
    parser.add_argument(
        "--plan", type=Path, help="run --shard: the plan written by `plan`"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        help="plan: print the plan as JSON, to stdout or a file",
    )
    parser.add_argument(
        "--github-output",
        action="store_true",
        help="plan: append matrix= and shards= to $GITHUB_OUTPUT",
    )
    parser.add_argument("--shards", type=int, help="plan: this many shards")
    parser.add_argument(
        "--target",
        type=float,
        help="plan: as many shards as take about this many seconds each",
    )
    parser.add_argument(
        "--max-shards",
        type=int,
        default=planning.MAX_SHARDS,
        help="plan: at most this many shards (default: %(default)s)",
    )
    parser.add_argument(
        "--older-than",
        type=float,
        help="cache gc: remove remote entries older than DAYS",
    )


def _run(
    args: argparse.Namespace, settings: Settings, pages: Pages, probe: Probe
) -> int:
    only = None
    if args.shard is not None:
        index, count = _shard(args.shard)
        if args.plan is not None:
            plan = planning.Plan.from_json(json.loads(args.plan.read_bytes()))
        else:
            args.shards, args.target = count, None
            plan = _plan(args, settings, pages, probe)
        only = plan.shard_of(index) if plan.shards else frozenset()
    # `check` never runs anything: it is a frozen build.
    frozen = settings.frozen or args.command == "check"
    runner = Runner(dataclasses.replace(settings, frozen=frozen))
    started = time.perf_counter()
    try:
        build = _scan(runner, pages, probe, only)
        build.wait_all()
        if not frozen:
            build.record_durations()
            record_names(runner.cache.folder, _names(build))
    finally:
        runner.close()
    print(_table(build))
    print(_footer(build, time.perf_counter() - started))
    return 0 if _all_ok(build) else 1


def _scan(
    runner: Runner, pages: Pages, probe: Probe, only: frozenset[str] | None
) -> Build:
    build = Build(runner, probe=probe, only=only)
    build.scan(pages.markdown)
    build.scan_notebooks(pages.notebooks)
    return build


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    try:
        numbers = int(index), int(count)
    except ValueError:
        numbers = (0, 0)
    if not 1 <= numbers[0] <= numbers[1]:
        sys.exit(f"--shard {text}: write I/N with 1 <= I <= N, e.g. 2/4")
    return numbers


def _plan(
    args: argparse.Namespace, settings: Settings, pages: Pages, probe: Probe
) -> planning.Plan:
    """Look every job up (locally, then remotely) without running any,
    and split the misses."""
    runner = Runner(dataclasses.replace(settings, frozen=True))
    build = _scan(runner, pages, probe, None)
    missing = [r for r in build.results.values() if r.source == "missing"]
    expected = planning.estimates(
        {r.name for r in missing}, runner.durations.seconds
    )
    jobs = [
        planning.Job(r.job.key, r.name, expected[r.name], r.group)
        for r in missing
    ]
    hits = sum(r.source in ("cache", "remote") for r in build.results.values())
    return planning.make_plan(
        jobs,
        hits=hits,
        shards=args.shards,
        target=args.target,
        cap=args.max_shards,
        workers=settings.worker_count,
    )


def _print_plan(args: argparse.Namespace, plan: planning.Plan) -> int:
    text = json.dumps(plan.to_json(), indent=1)
    if args.json == "-":
        print(text)
    elif args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.github_output:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(planning.github_output(plan))
    if args.json != "-":
        spans = ", ".join(f"{span:.1f}" for span in plan.spans)
        print(
            f"{plan.misses} to run, {plan.hits} cached; "
            f"{len(plan.shards)} shards of {plan.workers} workers, "
            f"expected seconds [{spans}]; longest {plan.makespan:.1f} s"
        )
    return 0


def _cache(
    args: argparse.Namespace, settings: Settings, pages: Pages, probe: Probe
) -> int:
    action, *folders = args.action or [""]
    if action == "merge" and folders:
        return _merge(settings, folders)
    remote = Runner(settings).open_remote()
    if remote is None:
        sys.exit(
            "execnotes cache: no remote cache; set the option 'remote' or "
            "EXECNOTES_REMOTE to an fsspec URL"
        )
    if action == "push":
        return _push(settings, remote, pages, probe)
    if action == "gc" and args.older_than is not None:
        removed = remote.gc(args.older_than)
        print(f"removed {removed} remote entries of {args.older_than}+ days")
        return 0
    sys.exit(
        "execnotes cache: write `cache merge DIR...`, `cache push` or "
        "`cache gc --older-than DAYS`"
    )


def _merge(settings: Settings, folders: list[str]) -> int:
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        sys.exit(f"execnotes cache merge: no folder {', '.join(missing)}")
    target = settings.root / settings.cache_dir  # an absolute one wins
    merged = merge(target, [Path(f) for f in folders])
    for conflict in merged.conflicts:
        print(f"NON-DETERMINISTIC {conflict}", file=sys.stderr)
    for skipped in merged.skipped:
        print(f"SKIPPED {skipped}", file=sys.stderr)
    print(
        f"merged {len(folders)} caches into {target}: "
        f"{merged.added} new results, {merged.same} already there, "
        f"{len(merged.conflicts)} conflicts"
    )
    return 1 if merged.conflicts else 0


def _push(
    settings: Settings, remote: Remote, pages: Pages, probe: Probe
) -> int:
    """Upload the fresh local result of every job of the site."""
    # Frozen, and without the remote: only what is here, nothing runs.
    local = dataclasses.replace(settings, frozen=True, remote=RemoteSettings())
    runner = Runner(local)
    try:
        build = _scan(runner, pages, probe, None)
    finally:
        runner.close()
    pushed = sum(
        remote.push(r.job.key, r.outcome)
        for r in build.results.values()
        if r.source == "cache" and r.outcome.status == "ok"
    )
    print(f"pushed {pushed} new results to {remote.settings.url}")
    return 1 if remote.offline else 0


def _names(build: Build) -> dict[str, str]:
    return {key: result.name for key, result in build.results.items()}


def _load(config_file: Path) -> Site:
    """The site of `config_file`, read through the MkDocs layer."""
    from execnotes.plugin.site import SiteError, load_site

    try:
        return load_site(config_file)
    except SiteError as error:
        sys.exit(str(error))


def _ours(build: Build) -> list[Result]:
    """The results of this shard (all of them, without shards)."""
    return [r for r in build.results.values() if r.source != "elsewhere"]


def _table(build: Build) -> str:
    rows = [("snippet", "status", "source", "seconds", "pages")]
    for result in sorted(_ours(build), key=lambda r: r.name):
        outcome = result.outcome
        pages = ", ".join(sorted({page for page, _ in result.uses}))
        rows.append(
            (
                result.name,
                outcome.status,
                result.source,
                f"{outcome.duration:.2f}",
                pages,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(
            cell.ljust(width)
            for cell, width in zip(row[:4], widths, strict=True)
        )
        + "  "
        + row[4]
        for row in rows
    )


def _footer(build: Build, seconds: float) -> str:
    lines = [
        build.summary().splitlines()[0].removeprefix("execnotes: ")
        + f" in {seconds:.1f} s"
    ]
    for result in _ours(build):
        problem = result.outcome.problem
        if problem is not None:
            where = ", ".join(f"{page}:{line}" for page, line in result.uses)
            first = problem.message.splitlines()[0]
            lines.append(f"FAILED {result.name} ({where}): {first}")
    for page in build.parsed.values():
        lines += [f"ERROR {error}" for error in page.errors]
    for items in build.pages.values():
        lines += [
            f"ERROR {item.directive.page}:{item.directive.line}: {item.error}"
            for item in items
            if item.error is not None
        ]
    return "\n".join(lines)


def _all_ok(build: Build) -> bool:
    outcomes_ok = all(r.outcome.status == "ok" for r in _ours(build))
    parse_ok = not any(page.errors for page in build.parsed.values())
    resolve_ok = not any(
        item.error for items in build.pages.values() for item in items
    )
    return outcomes_ok and parse_ok and resolve_ok
