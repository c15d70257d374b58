"""Orchestration: scan pages, serve results from the cache or the pool.

A `Runner` lives as long as the process (the whole of `mkdocs serve`); a
`Build` lives for one outer build, which with mkdocs-static-i18n spans the
builds of every language, so each snippet runs at most once per build.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from execnotes import symbols
from execnotes.cache import Cache, environment, job_key
from execnotes.capture import CALL_FILENAME, file_digest, project_key
from execnotes.directives import Directive, ParsedPage, parse_page
from execnotes.pool import WorkerPool
from execnotes.protocol import FigureStyle, Job, Outcome, Problem
from execnotes.worker import WorkerSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """How snippets are found, run and cached."""

    root: Path
    package: str = "snippets"
    cache_dir: Path = Path(".execnotes-cache")
    workers: int = 0
    timeout: float = 300.0
    seed: int = 0
    max_output_chars: int = 100_000
    frozen: bool = False
    style: FigureStyle = field(default_factory=FigureStyle)

    @property
    def worker_count(self) -> int:
        """Workers to start: the setting, or one per core."""
        return self.workers or os.cpu_count() or 1


class Counts(NamedTuple):
    """How many snippets a build had, and how their runs went."""

    total: int
    ran: int
    cached: int
    failed: int
    seconds: float


@dataclass
class Result:
    """The outcome of one snippet in one build, and where it came from."""

    job: Job
    snippet: symbols.Snippet
    future: Future[Outcome]
    source: str
    uses: list[tuple[str, int]] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """Wait for the run (or the cache) and return what it produced."""
        return self.future.result()


@dataclass(frozen=True)
class Resolved:
    """A directive with its snippet, its result (for runs) or its error."""

    directive: Directive
    snippet: symbols.Snippet | None = None
    result: Result | None = None
    error: str | None = None


class Runner:
    """Owns the warm worker pool and the cache across builds."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        folder = settings.cache_dir
        if not folder.is_absolute():
            folder = settings.root / folder
        self.cache = Cache(folder, settings.root)
        self.environment = environment()
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        self._failures: dict[str, Outcome] = {}

    @property
    def pool(self) -> WorkerPool:
        """The worker pool, started on first use."""
        return self.start_pool(warm=False)

    def start_pool(self, *, warm: bool) -> WorkerPool:
        """Start the pool if it is not running; `warm` starts its workers
        now instead of on their first job."""
        with self._lock:
            if self._pool is None:
                count = self.settings.worker_count
                threads = max(1, (os.cpu_count() or 1) // count)
                self._pool = WorkerPool(
                    count,
                    WorkerSettings(
                        str(self.settings.root),
                        self.settings.package,
                        threads,
                        self.settings.style,
                    ),
                    warm=warm,
                )
            return self._pool

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def new_build(self, *, execute: bool = True) -> Build:
        """Start an outer build."""
        self.cache.new_build()
        return Build(self, execute=execute)

    def keep(self, job: Job, outcome: Outcome) -> Outcome:
        """Store a finished run: a success in the cache on disk, a failure
        in memory, so `mkdocs serve` retries it only when its inputs
        change (a new `mkdocs build` always retries)."""
        if outcome.status == "ok":
            try:
                self.cache.store(job.key, outcome)
            except OSError as error:
                log.warning("execnotes: could not write the cache: %s", error)
            return outcome
        if not outcome.modules:
            # A worker that died or timed out could not say what it
            # imported: any change to the package counts.
            outcome = dataclasses.replace(outcome, modules=self._package())
        self._failures[job.key] = outcome
        return outcome

    def known_failure(self, job: Job) -> Outcome | None:
        """The remembered failure of `job`, if its inputs are unchanged."""
        outcome = self._failures.get(job.key)
        if outcome is not None and self.cache.is_fresh(outcome):
            return outcome
        return None

    def _package(self) -> dict[str, str]:
        root = self.settings.root
        return {
            project_key(path, root): file_digest(path)
            for path in sorted((root / self.settings.package).rglob("*.py"))
        }


class Build:
    """Everything one outer build knows: pages, results, failures.

    With `execute=False` (the plugin disabled) blocks are resolved, so code
    is still shown, but nothing runs and no result is looked up.
    """

    def __init__(self, runner: Runner, *, execute: bool = True) -> None:
        self.runner = runner
        self.execute = execute
        self.results: dict[str, Result] = {}
        self.pages: dict[str, list[Resolved]] = {}
        self.parsed: dict[str, ParsedPage] = {}
        self.failures: dict[tuple[str, int], str] = {}
        self._snippets: dict[tuple[str, bool], symbols.Snippet] = {}
        self._jobs: dict[symbols.Snippet, Job] = {}
        self._modules = symbols.Modules()

    def scan(self, pages: Iterable[tuple[str, str, int]]) -> None:
        """Parse pages (name, Markdown, lines before the Markdown in the
        file) and start every run they need, cached or not."""
        resolved: list[tuple[str, list[Resolved]]] = []
        for page, markdown, offset in pages:
            parsed = parse_page(page, markdown, line_offset=offset)
            self.parsed[page] = parsed
            for result in self.results.values():
                result.uses = [use for use in result.uses if use[0] != page]
            resolved.append(
                (page, [self._resolve(d) for d in parsed.directives])
            )
        timeouts = self._timeouts(
            item for _, items in resolved for item in items
        )
        for page, items in resolved:
            self.pages[page] = [self._with_result(i, timeouts) for i in items]

    def _resolve(self, directive: Directive) -> Resolved:
        if directive.kind == "report":
            return Resolved(directive)
        settings = self.runner.settings
        run = directive.kind == "run"
        try:
            snippet = self._snippets.get((directive.target, run))
            if snippet is None:
                snippet = symbols.resolve(
                    directive.target,
                    settings.root,
                    settings.package,
                    run=run,
                    modules=self._modules,
                )
                self._snippets[(directive.target, run)] = snippet
        except (symbols.SymbolError, SyntaxError, OSError) as error:
            return Resolved(directive, error=_describe_error(error))
        return Resolved(directive, snippet)

    def _timeouts(self, items: Iterable[Resolved]) -> dict[str, float]:
        """The longest timeout any block of a snippet asks for."""
        timeouts: dict[str, float] = {}
        for item in items:
            if item.directive.kind == "run" and item.snippet is not None:
                key = self._job(item.snippet).key
                asked = item.directive.options.timeout
                timeout = asked or self.runner.settings.timeout
                timeouts[key] = max(timeout, timeouts.get(key, 0.0))
        return timeouts

    def _with_result(
        self, item: Resolved, timeouts: dict[str, float]
    ) -> Resolved:
        directive, snippet = item.directive, item.snippet
        if directive.kind != "run" or snippet is None or not self.execute:
            return item
        job = self._job(snippet)
        result = self.results.get(job.key)
        if result is None:
            result = self._start(job, snippet, timeouts[job.key])
            self.results[job.key] = result
        if (directive.page, directive.line) not in result.uses:
            result.uses.append((directive.page, directive.line))
        return Resolved(directive, snippet, result)

    def _start(
        self, job: Job, snippet: symbols.Snippet, timeout: float
    ) -> Result:
        known = self.runner.cache.load(job) or self.runner.known_failure(job)
        if known is not None:
            return Result(job, snippet, _done(known), "cache")
        if self.runner.settings.frozen:
            return Result(job, snippet, _done(_missing()), "missing")
        future = self.runner.pool.submit(job, timeout, self.runner.keep)
        return Result(job, snippet, future, "ran")

    def _job(self, snippet: symbols.Snippet) -> Job:
        job = self._jobs.get(snippet)
        if job is None:
            job = self._jobs[snippet] = self._new_job(snippet)
        return job

    def _new_job(self, snippet: symbols.Snippet) -> Job:
        settings = self.runner.settings
        parts = []
        if snippet.imports:
            parts.append((snippet.imports, f"<imports of {snippet.name}>", 1))
        parts.append((snippet.source, snippet.path, snippet.line))
        fields = {
            # Not the line numbers: moving a function does not change what
            # it prints.
            "parts": [(source, name) for source, name, _ in parts],
            "call": snippet.call,
            "seed": settings.seed,
            "max_output": settings.max_output_chars,
            "style": [list(item) for item in settings.style.rc],
        }
        return Job(
            key=job_key(fields, self.runner.environment),
            parts=tuple(parts),
            call=snippet.call,
            call_filename=CALL_FILENAME,
            seed=settings.seed,
            max_output=settings.max_output_chars,
        )

    def record_failure(self, page: str, line: int, message: str) -> bool:
        """Remember a failure for the summary; False if already known."""
        if (page, line) in self.failures:
            return False
        self.failures[(page, line)] = message
        return True

    def wait_all(self) -> None:
        """Block until every run of this build has an outcome."""
        for result in list(self.results.values()):
            result.future.result()

    @property
    def executed(self) -> int:
        """How many snippets this build sent to the workers."""
        return self.counts().ran

    def counts(self) -> Counts:
        """Snippets of this build by where their result came from and how
        it ended (waits for the runs)."""
        results = list(self.results.values())
        return Counts(
            total=len(results),
            ran=sum(r.source == "ran" for r in results),
            cached=sum(r.source == "cache" for r in results),
            failed=sum(r.outcome.status != "ok" for r in results),
            seconds=sum(r.outcome.duration for r in results),
        )

    def summary(self) -> str:
        """One line of counts, and one line per failure."""
        counts = self.counts()
        lines = [
            f"execnotes: {counts.total} snippets: {counts.ran} ran, "
            f"{counts.cached} from the cache, {counts.failed} failed"
        ]
        lines += [
            "  " + message.replace("\n", "\n  ")
            for _, message in sorted(self.failures.items())
        ]
        return "\n".join(lines)

    def finish(self, *, prune: bool) -> list[str]:
        """Wait for all runs; drop cache entries this build did not use."""
        self.wait_all()
        if not prune or self.runner.settings.frozen or not self.execute:
            return []
        keep = {k for k, r in self.results.items() if r.outcome.status == "ok"}
        return self.runner.cache.prune(keep)


def _done(outcome: Outcome) -> Future[Outcome]:
    future: Future[Outcome] = Future()
    future.set_result(outcome)
    return future


def _missing() -> Outcome:
    return Outcome(
        status="error",
        problem=Problem(
            "error",
            "FrozenCacheMiss",
            "frozen mode: no fresh cached result. Run `python -m execnotes "
            "run` to execute the snippets, or set `frozen: false`",
        ),
    )


def _describe_error(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.filename}:{error.lineno}: syntax error: {error.msg}"
    return str(error)


__all__ = ["Build", "Resolved", "Result", "Runner", "Settings"]
