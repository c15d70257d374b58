"""Command line: run every snippet ahead of a build, check the cache, clear it.

python -m execnotes run     # run what is missing or stale, in parallel
python -m execnotes check   # run nothing; fail if a result is missing
python -m execnotes clear   # remove every cached result
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from execnotes.directives import Probe
from execnotes.jobs import Build
from execnotes.session import Runner, Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m execnotes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("run", "check", "clear"))
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
        help="worker processes (default: the plugin's setting)",
    )
    args = parser.parse_args(argv)
    config_file = Path(args.config_file)
    if not config_file.is_file():
        parser.error(
            f"no {config_file}; run from the site's folder "
            "or pass -f PATH/mkdocs.yml"
        )
    settings, (pages, notebooks), probe = _load(config_file)
    if args.workers is not None:
        settings = dataclasses.replace(settings, workers=args.workers)
    # `check` never runs anything: it is a frozen build.
    frozen = settings.frozen or args.command == "check"
    runner = Runner(dataclasses.replace(settings, frozen=frozen))
    if args.command == "clear":
        count = runner.cache.clear()
        print(f"removed {count} cached results from {runner.cache.folder}")
        return 0
    started = time.perf_counter()
    try:
        build = runner.new_build(probe=probe)
        build.scan(pages)
        build.scan_notebooks(notebooks)
        build.wait_all()
    finally:
        runner.close()
    print(_table(build))
    print(_footer(build, time.perf_counter() - started))
    return 0 if _all_ok(build) else 1


def _load(
    config_file: Path,
) -> tuple[
    Settings, tuple[list[tuple[str, str, int]], list[tuple[str, str]]], Probe
]:
    """The plugin's settings, the pages MkDocs would build (so that
    `exclude_docs` and front matter count as in a build) and its notebook
    pages, and the site's Markdown (so that blocks count exactly where
    they are rendered)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from execnotes.nbfiles import notebook_sources
    from execnotes.plugin import (
        ExecNotesPlugin,
        MarkdownProbe,
        markdown_pages,
        settings_from,
    )

    config = load_config(config_file=str(config_file))
    plugin = config.plugins.get("execnotes")
    if not isinstance(plugin, ExecNotesPlugin):
        sys.exit(f"{config_file}: the execnotes plugin is not in 'plugins'")
    files = get_files(config)
    pages = (markdown_pages(files), notebook_sources(files, config))
    return settings_from(plugin.config, config), pages, MarkdownProbe(config)


def _table(build: Build) -> str:
    rows = [("snippet", "status", "source", "seconds", "pages")]
    for result in sorted(build.results.values(), key=lambda r: r.name):
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
    for result in build.results.values():
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
    outcomes_ok = all(r.outcome.status == "ok" for r in build.results.values())
    parse_ok = not any(page.errors for page in build.parsed.values())
    resolve_ok = not any(
        item.error for items in build.pages.values() for item in items
    )
    return outcomes_ok and parse_ok and resolve_ok
