"""One outer build: the pages' blocks, their jobs, results and problems."""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, cast

from execnotes.build.notebook_runs import NotebookRun, notebook_job, run_name
from execnotes.build.results import Result, Use
from execnotes.build.runner import Runner
from execnotes.core.inputs import CHANGED, name_of
from execnotes.core.protocol import (
    CALL_FILENAME,
    CodePart,
    Job,
    Outcome,
    Problem,
)
from execnotes.pages.directives import (
    Directive,
    PageSource,
    ParsedPage,
    Probe,
    parse_page,
)
from execnotes.pages.ipynb import (
    NotebookError,
    NotebookSource,
    job_fields,
    read_notebook,
)
from execnotes.source import symbols
from execnotes.store.cache import PlaceFiles, job_key

T = TypeVar("T")
log = logging.getLogger("execnotes.build.build")


class Counts(NamedTuple):
    """How many snippets a build had, how their runs went, and how many
    problems its pages showed (each an error box and a warning)."""

    total: int
    ran: int
    cached: int
    failed: int
    seconds: float
    problems: int


@dataclass(frozen=True)
class Resolved:
    """A directive with its snippet, its result (for runs) or its error."""

    directive: Directive
    snippet: symbols.Snippet | None = None
    result: Result | None = None
    error: str | None = None


class Build:
    """Everything one outer build knows: pages, results, problems.

    With `execute=False` (the plugin disabled) blocks are resolved, so code
    is still shown, but nothing runs and no result is looked up. With
    `only`, a job whose key is not in it and misses the cache does not run
    either: another shard runs it (see execnotes.build.plan).

    Making one starts an outer build of the runner (`Runner.begin_build`).
    """

    def __init__(
        self,
        runner: Runner,
        *,
        execute: bool = True,
        probe: Probe | None = None,
        only: frozenset[str] | None = None,
    ) -> None:
        runner.begin_build()
        self.runner = runner
        self.execute = execute
        self.probe = probe
        self.only = only
        self.results: dict[str, Result] = {}
        self.pages: dict[str, list[Resolved]] = {}
        self.parsed: dict[str, ParsedPage] = {}
        self._scanned: dict[str, tuple[str, int]] = {}
        self._memo = PlaceFiles(runner.cache)
        self.problems: dict[tuple[str, int, str], str] = {}
        self._snippets: dict[tuple[str, bool], symbols.Snippet] = {}
        self._jobs: dict[tuple[symbols.Snippet, tuple[str, ...]], Job] = {}
        self._modules = runner.modules
        self._once: dict[str, object] = {}
        self.notebooks: dict[str, NotebookRun] = {}

    def scan(self, pages: Iterable[PageSource]) -> None:
        """Parse pages (name, Markdown, lines before the Markdown in the
        file) and start every run they need, cached or not."""
        resolved: list[tuple[str, list[Resolved]]] = []
        for page, markdown, offset in pages:
            if self._scanned.get(page) == (markdown, offset):
                continue  # e.g. rendering a page scanned with all the others
            self._scanned[page] = (markdown, offset)
            parsed = parse_page(page, markdown, offset, self.probe, self._memo)
            self.parsed[page] = parsed
            for result in self.results.values():
                result.uses = [u for u in result.uses if u.page != page]
            resolved.append(
                (page, [self._resolve(d) for d in parsed.directives])
            )
        timeouts = self._timeouts(
            item for _, items in resolved for item in items
        )
        misses: list[Result] = []
        for page, items in resolved:
            self.pages[page] = [
                self._with_result(i, timeouts, misses) for i in items
            ]
        self._submit(misses)

    def covers(self, page: str, markdown: str, offset: int) -> bool:
        """Whether every run the page (name, Markdown, offset as in
        `scan`) asks for is done in this build: rendering it again then
        runs nothing and waits for nothing."""
        parsed = parse_page(page, markdown, offset, self.probe, self._memo)
        for directive in parsed.directives:
            if directive.kind == "report":
                return False  # sums up the whole build
            item = self._resolve(directive)
            if directive.kind != "run" or not self.execute:
                continue
            if item.snippet is None:
                return False  # an error that a full build reports
            result = self.results.get(self._job(item).key)
            if result is None or not result.future.done():
                return False
        return True

    def changed_pages(self, before: Build) -> list[str]:
        """Pages whose blocks differ from `before`'s (another snippet, or a
        result that must run), those expected to be ready soonest first."""
        expected = self.runner.durations.expected
        found = []
        for page, items in self.pages.items():
            old = before.pages.get(page)
            if old is None:
                continue
            runs = [
                item.result
                for item in items
                if item.result is not None and item.result.source == "ran"
            ]
            snippets = [item.snippet for item in items]
            if runs or snippets != [item.snippet for item in old]:
                wait = max((expected(r.name) for r in runs), default=0.0)
                found.append((wait, page))
        return [page for _, page in sorted(found)]

    def scan_notebooks(self, notebooks: Iterable[NotebookSource]) -> None:
        """Read notebook pages (name, JSON text) and start their runs."""
        misses: list[Result] = []
        for page, text in notebooks:
            if self._scanned.get(page) != (text, 0):
                self._scanned[page] = (text, 0)
                for result in self.results.values():
                    result.uses = [u for u in result.uses if u.page != page]
                found = self._notebook_run(page, text, misses)
                self.notebooks[page] = found
        self._submit(misses)

    def _notebook_run(
        self, page: str, text: str, misses: list[Result]
    ) -> NotebookRun:
        """Read the notebook page `page`; find or start its run."""
        try:
            notebook = read_notebook(page, text)
        except NotebookError as error:
            return NotebookRun(page, None, error=f"cannot read it: {error}")
        cells = notebook.job_cells()
        if not (self.execute and cells and notebook.runs_python):
            return NotebookRun(page, notebook)
        key = self.job_key(job_fields(notebook))
        job = notebook_job(cells, key, self.runner.settings)
        result = self.results.get(job.key)
        if result is None:
            result = self.start(job, None, misses, notebook=page)
        result.notebook = run_name(result.notebook, page)
        result.uses.append(Use(page, 0))
        return NotebookRun(page, notebook, result)

    def _submit(self, misses: list[Result]) -> None:
        """Hand the runs out longest first (by the time each took last),
        so that the longest run starts at once: the critical path."""
        runner = self.runner
        expected = runner.durations.expected
        misses.sort(key=lambda r: -expected(r.name))
        for result in misses:
            runner.submit(result, priority=expected(result.name))

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
        except (
            symbols.SymbolError,
            SyntaxError,
            OSError,
            ValueError,
        ) as error:
            return Resolved(directive, error=_describe_error(error))
        return Resolved(directive, snippet)

    def _timeouts(self, items: Iterable[Resolved]) -> dict[str, float]:
        """The longest timeout any block of a job asks for."""
        timeouts: dict[str, float] = {}
        for item in items:
            if item.directive.kind == "run" and item.snippet is not None:
                key = self._job(item).key
                asked = item.directive.options.timeout
                timeout = asked or self.runner.settings.timeout
                timeouts[key] = max(timeout, timeouts.get(key, 0.0))
        return timeouts

    def _with_result(
        self, item: Resolved, timeouts: dict[str, float], misses: list[Result]
    ) -> Resolved:
        directive, snippet = item.directive, item.snippet
        if directive.kind != "run" or snippet is None or not self.execute:
            return item
        job = self._job(item)
        result = self.results.get(job.key)
        if result is None:
            job = Job(**{**vars(job), "timeout": timeouts[job.key]})
            result = self.start(job, snippet, misses)
        options = directive.options
        result.group = result.group or options.group
        result.resources = result.resources or options.resources
        use = Use(directive.page, directive.line)
        if use not in result.uses:
            result.uses.append(use)
        return Resolved(directive, snippet, result)

    def start(
        self,
        job: Job,
        snippet: symbols.Snippet | None,
        misses: list[Result],
        notebook: str = "",
    ) -> Result:
        """The result of a job new to this build: from the cache, or a
        run to submit (added to `misses`)."""
        runner = self.runner
        known = runner.cache.load(job.key) or runner.known_failure(job)
        remote = None if known else runner.fetch(job.key)
        if known is not None or remote is not None:
            outcome = known or remote
            assert outcome is not None  # for mypy
            source = "cache" if known else "remote"
            result = Result(job, snippet, _done(outcome), source)
        elif runner.settings.frozen:
            result = Result(job, snippet, _done(_missing()), "missing")
        elif self.only is not None and job.key not in self.only:
            result = Result(job, snippet, _done(_elsewhere()), "elsewhere")
        else:
            result = Result(job, snippet, Future(), "ran")
            misses.append(result)
        result.notebook = notebook
        self.results[job.key] = result
        return result

    def _job(self, item: Resolved) -> Job:
        snippet = item.snippet
        if snippet is None:  # pragma: no cover - callers check
            raise ValueError("a block without a snippet has no job")
        declared = item.directive.options.inputs
        job = self._jobs.get((snippet, declared))
        if job is None:
            job = self._jobs[(snippet, declared)] = self._new_job(
                snippet, declared
            )
        return job

    def _new_job(
        self, snippet: symbols.Snippet, declared: tuple[str, ...]
    ) -> Job:
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
            "declared": {
                spec: self._declared_state(spec) for spec in declared
            },
        }
        return Job(
            key=self.job_key(fields),
            parts=_parts(snippet),
            call=snippet.call,
            call_filename=CALL_FILENAME,
            seed=settings.seed,
            max_output=settings.max_output_chars,
            timeout=settings.timeout,
        )

    def job_key(self, fields: dict[str, Any]) -> str:
        """The key of a job whose code and inputs `fields` describe: with
        the seed, output limit, figure style and environment added."""
        settings = self.runner.settings
        common = {
            "seed": settings.seed,
            "max_output": settings.max_output_chars,
            "style": [list(item) for item in settings.style.rc],
        }
        return job_key({**fields, **common}, self.runner.environment)

    def _declared_state(self, spec: str) -> str:
        """The state of a declared input: a variable, or files by glob."""
        inputs = self.runner.inputs
        if spec.startswith("env:"):
            return inputs.state(spec)
        root = str(self.runner.settings.root)
        pattern = spec if os.path.isabs(spec) else os.path.join(root, spec)
        matches = sorted(glob.glob(pattern, recursive=True))
        states = [
            (name_of(p, root), inputs.state("file:" + name_of(p, root)))
            for p in matches
        ]
        return hashlib.sha256(json.dumps(states).encode()).hexdigest()

    def once(self, name: str, compute: Callable[[], T]) -> T:
        """`compute()`, worked out once per build (for what every page of
        the build shares, once all pages are scanned)."""
        if name not in self._once:
            self._once[name] = compute()
        return cast(T, self._once[name])

    def record_problem(self, page: str, line: int, message: str) -> bool:
        """Remember a problem for the summary; False if already known."""
        key = (page, line, message)
        if key in self.problems:
            return False
        self.problems[key] = message
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
        it ended (waits for the runs), and the problems its pages showed."""
        # Another shard's jobs are not this build's.
        results = [r for r in self.results.values() if r.source != "elsewhere"]
        return Counts(
            total=len(results),
            ran=sum(r.source == "ran" for r in results),
            cached=sum(r.source in ("cache", "remote") for r in results),
            failed=sum(r.outcome.status != "ok" for r in results),
            seconds=sum(r.outcome.duration for r in results),
            problems=len(self.problems),
        )

    def summary(self) -> str:
        """One line of counts, and one line per problem shown on a page."""
        counts = self.counts()
        lines = [
            f"execnotes: {counts.total} snippets: {counts.ran} ran, "
            f"{counts.cached} from the cache, {counts.failed} failed; "
            f"{counts.problems} problems shown on pages"
        ]
        lines += [
            "  " + message.replace("\n", "\n  ")
            for _, message in sorted(self.problems.items())
        ]
        return "\n".join(lines)

    def finish(self) -> int:
        """Wait for all runs, then prune the cache within its bound (never
        what this build used); return how many entries went."""
        self.wait_all()
        if self.runner.settings.frozen or not self.execute:
            return 0
        self.warn_overtaken()
        self.record_durations()
        return self.runner.cache.prune()

    def warn_overtaken(self) -> None:
        """Warn about each result taken from a cache whose input a run of
        this build then changed (a block loads a file that another block
        writes): the page shows the result for what the file held before.
        Measured afresh once every run is over; the next build runs the
        reader again, on the new content. (A result that ran may have
        changed its own inputs, which is no warning: see tracking.)"""
        inputs = self.runner.inputs
        inputs.forget()
        for result in self.results.values():
            outcome = result.outcome
            if (
                result.source not in ("cache", "remote")
                or outcome.status != "ok"
            ):
                continue
            changed = [
                key
                for key, state in outcome.inputs.items()
                if state != CHANGED and inputs.state(key) != state
            ]
            if changed:
                log.warning(
                    "execnotes: %s came from the cache, but %s changed "
                    "during this build (did another block write it?); the "
                    "page shows the result for the old content, and the "
                    "next build runs it again",
                    result.name,
                    changed[0].partition(":")[2] or changed[0],
                )

    def record_durations(self) -> None:
        """Note how long this build's runs took: the hint by which later
        builds hand out the longest first."""
        self.runner.durations.save(
            (r.name, r.outcome.duration)
            for r in self.results.values()
            if r.source == "ran"
        )


def _parts(snippet: symbols.Snippet) -> tuple[CodePart, ...]:
    """The code a worker runs for a snippet.

    A function is imported from its module, exactly as the tests import
    it, so whatever module code Python accepts runs; a region, which is a
    part of a module, runs as written after the imports it needs.
    """
    if snippet.kind != "region":
        name = snippet.name.rsplit(".", 1)[1]
        call = f"from {snippet.module} import {name}"
        return (CodePart(call, CALL_FILENAME, 1),)
    parts = [CodePart(snippet.source, snippet.path, snippet.line)]
    if snippet.imports:
        imports = f"<imports of {snippet.name}>"
        parts.insert(0, CodePart(snippet.imports, imports, 1))
    return tuple(parts)


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


def _elsewhere() -> Outcome:
    return Outcome(
        status="error",
        problem=Problem(
            "error",
            "OtherShard",
            "another shard runs this job (python -m execnotes run --shard)",
        ),
    )


def _describe_error(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.filename}:{error.lineno}: syntax error: {error.msg}"
    return str(error)
