"""Orchestration: scan pages, serve results from the cache or the pool.

A `Runner` lives as long as the process (the whole of `mkdocs serve`); a
`Build` lives for one outer build, which with mkdocs-static-i18n spans the
builds of every language, so each snippet runs at most once per build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from execnotes.build.results import Result
from execnotes.core import profiles
from execnotes.core.inputs import CHANGED, Inputs
from execnotes.core.protocol import FigureStyle, Job, Outcome
from execnotes.source import symbols
from execnotes.source.export import Exporter
from execnotes.store import fingerprint
from execnotes.store.cache import Bound, Cache, Durations, environment
from execnotes.store.remote import Remote, RemoteSettings
from execnotes.worker.pool import WorkerPool
from execnotes.worker.zygote import (
    WorkerSettings,
    search_path,
    worker_variables,
)

if TYPE_CHECKING:
    from execnotes.worker.daskpool import DaskPool

log = logging.getLogger("execnotes.build.runner")
Executor: TypeAlias = "WorkerPool | DaskPool"


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
    cache_bound: Bound = field(default_factory=Bound)
    cache_epoch: str = ""
    remote: RemoteSettings = field(default_factory=RemoteSettings)
    executor: str = "local"
    scheduler: str = ""
    framework: str = "auto"

    @property
    def worker_count(self) -> int:
        """Workers to start: the setting, or one per core."""
        return self.workers or os.cpu_count() or 1

    @property
    def threads(self) -> int:
        """BLAS/OpenMP threads per worker, so workers share the cores."""
        return max(1, (os.cpu_count() or 1) // self.worker_count)


class Runner:
    """Owns the warm worker pool and the cache across builds."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        root = str(settings.root)
        self.environ = worker_variables(dict(os.environ), settings.threads)
        self.inputs = Inputs(root, self.environ, search_path(root, sys.path))
        folder = settings.cache_dir
        if not folder.is_absolute():
            folder = settings.root / folder
        self.cache = Cache(folder, self.inputs, settings.cache_bound)
        self.durations = Durations(folder / "durations.json")
        self.environment = self._environment()
        # Kept across the builds of `mkdocs serve`; each checks the source
        # it depends on.
        self.modules = symbols.Modules()
        self._exporter: tuple[str, Exporter] | None = None
        self._pool: Executor | None = None
        self._lock = threading.Lock()
        self._failures: dict[str, Outcome] = {}
        self.remote: Remote | None = None

    @property
    def pool(self) -> Executor:
        """The worker pool, started on first use."""
        return self.start_pool(warm=False)

    def start_pool(self, *, warm: bool) -> Executor:
        """Start the pool if it is not running; `warm` starts its workers
        now instead of on their first job."""
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool(warm=warm)
            return self._pool

    def _new_pool(self, *, warm: bool) -> Executor:
        settings = self.settings
        worker = WorkerSettings(
            str(settings.root),
            settings.package,
            settings.threads,
            settings.style,
            profiles.choose(
                settings.framework, settings.root / settings.package
            ),
        )
        if settings.executor != "dask":
            return WorkerPool(settings.worker_count, worker, warm=warm)
        try:
            from execnotes.worker.daskpool import DaskPool
        except ImportError as error:
            raise RuntimeError(
                "execnotes: 'executor: dask' needs Dask; install "
                "execnotes[dask] (dask and distributed)"
            ) from error
        return DaskPool(settings.worker_count, worker, settings.scheduler)

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def begin_build(self) -> None:
        """Start an outer build (a `Build` calls it when it is made): the
        cache counts afresh, and a changed environment gets new workers."""
        self.cache.new_build()
        current = self._environment()
        if current != self.environment:
            # Workers loaded the old matplotlib files: start fresh ones.
            self.environment = current
            warm = self._pool is not None and self._pool.warm
            self.close()
            if warm:
                self.start_pool(warm=True)
        self.remote = self.open_remote()

    def open_remote(self) -> Remote | None:
        """The remote cache of this environment, if one is configured
        (each build opens it afresh: one that was offline may be back)."""
        if not self.settings.remote.url:
            return None
        return Remote(
            self.settings.remote, fingerprint.digest(self.environment)
        )

    def fetch(self, key: str) -> Outcome | None:
        """A result of `key` from the remote cache, with fresh inputs;
        kept in the local cache too, so the next build finds it there."""
        if self.remote is None:
            return None
        outcome = self.remote.fetch(key, self.inputs.fresh)
        if outcome is not None:
            with contextlib.suppress(OSError):
                self.cache.store(key, outcome)
        return outcome

    def submit(self, result: Result, *, priority: float) -> None:
        """Run a result's job on the executor, longest (`priority`) first."""
        pool = self.pool
        if isinstance(pool, WorkerPool):
            pool.submit(
                result.job, self.keep, future=result.future, priority=priority
            )
        else:
            pool.submit(
                result.job,
                self.keep,
                future=result.future,
                priority=priority,
                resources=dict(result.resources),
            )

    def exporter(self) -> Exporter:
        """The exporter of the package as it is now: the same one (with
        what it worked out) while no module of the package changed."""
        root, package = self.settings.root, self.settings.package
        files = sorted((root / package).rglob("*.py"))
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        key = digest.hexdigest()
        if self._exporter is None or self._exporter[0] != key:
            self._exporter = (key, Exporter(root, package, self.modules))
        return self._exporter[1]

    def _environment(self) -> dict[str, str]:
        settings = self.settings
        # The variables as the user set them: the thread counts the pool
        # imposes follow the number of cores, which must not split keys.
        return environment(
            settings.root,
            dict(os.environ),
            epoch=settings.cache_epoch,
            folder=self.cache.folder,
        )

    def keep(self, job: Job, outcome: Outcome) -> Outcome:
        """Store a finished run: a success in the cache on disk, a failure
        in memory, so `mkdocs serve` retries it only when its inputs
        change (a new `mkdocs build` always retries)."""
        changed = self._changed_during(outcome)
        if changed:
            log.warning(
                "execnotes: %s changed while %s ran, after the run read it; "
                "its result is shown but not cached, and the next build "
                "runs it again",
                changed,
                job.call or job.parts[-1][1],
            )
            if outcome.status == "ok":
                return outcome
        elif outcome.status == "ok":
            if self.remote is not None:
                self.remote.push(job.key, outcome)
            try:
                self.cache.store(job.key, outcome)
            except OSError as error:
                if error.errno == errno.EFBIG:
                    log.warning(
                        "execnotes: %s: not cached, %s; it runs again in "
                        "every build. Print less, or draw fewer figures",
                        job.call or job.parts[-1][1],
                        error.strerror,
                    )
                    return outcome
                log.warning(
                    "execnotes: could not write to the cache %s (%s); the "
                    "result is used in this build only. Make the folder "
                    "writable, or set 'cache_dir' in the plugin options",
                    self.cache.folder,
                    error,
                )
            return outcome
        if not outcome.inputs:
            outcome = dataclasses.replace(
                outcome, inputs=self._package_files()
            )
        self._failures[job.key] = outcome
        return outcome

    @staticmethod
    def _changed_during(outcome: Outcome) -> str | None:
        """The first input that changed while the run read it (the worker
        marks it so, see execnotes.worker.tracking), if any: no state describes
        what the run saw, so the result must not be stored."""
        for key, state in outcome.inputs.items():
            if state == CHANGED:
                return key.partition(":")[2] or key
        return None

    def known_failure(self, job: Job) -> Outcome | None:
        """The remembered failure of `job`, if its inputs are unchanged."""
        outcome = self._failures.get(job.key)
        if outcome is not None and self.inputs.fresh(outcome.inputs):
            return outcome
        return None

    def _package_files(self) -> dict[str, str]:
        """Every module of the package: what a run that died or timed out,
        and so could not say what it read, is taken to depend on."""
        root = self.settings.root
        package = root / self.settings.package
        keys = [
            f"file:{p.relative_to(root).as_posix()}"
            for p in package.rglob("*.py")
        ]
        return {key: self.inputs.state(key) for key in sorted(keys)}


__all__ = ["Runner", "Settings"]
