"""Runs on a Dask cluster (`executor: dask`, extra ``execnotes[dask]``).

Dask workers are long-lived processes that run many tasks, so a task must
not run a snippet in the worker itself: the next task would see what it
left behind. Instead each Dask worker keeps a one-slot `WorkerPool` of its
own (a worker plugin): its zygote forks a fresh child for every run,
exactly as on the local machine, so isolation, input tracking and limits
are the same. The cluster must see the project at the same path (a local
cluster, or a shared file system).

Without a scheduler address an embedded `LocalCluster` starts, with one
single-threaded worker per pool slot and no dashboard. With a scheduler, a
job's `resources` (``{gpu: 1}``) are passed to Dask, which runs it only
on a worker that declares them (``dask worker --resources gpu=1``); the
embedded cluster declares none, so there they are not asked for. A job
that asks for more than any worker of the cluster declares fails at once,
saying what is missing: Dask would keep it waiting for such a worker.
When the build ends, the workers' pools stop with it (the plugin is
unregistered), so a shared cluster keeps nothing of a build.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any, cast

import dask
from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from execnotes.core.protocol import Job, Outcome, Problem
from execnotes.worker.pool import OnDone, WorkerPool
from execnotes.worker.zygote import WorkerSettings

log = logging.getLogger("execnotes.worker.daskpool")
PLUGIN = "execnotes-pool"
WORKER_CONFIG = {
    # Worker processes start the pool's zygotes: Dask's daemonic workers
    # may not have children.
    "distributed.worker.daemon": False,
    # No variables of Dask's own (MALLOC_TRIM_THRESHOLD_, thread counts):
    # runs see the build's environment, as in the local pool, so what they
    # read of it is judged against the same values (and names).
    "distributed.nanny.pre-spawn-environ": {},
    "distributed.nanny.environ": {},
}
"""Dask's settings for the workers of a cluster started here."""


class DaskPool:
    """The local pool's interface (`submit`, `close`) on a Dask cluster."""

    def __init__(
        self, size: int, settings: WorkerSettings, scheduler: str = ""
    ) -> None:
        self.warm = False
        self.closed = False
        self._cluster: Any = None
        if scheduler:
            self._client: Any = Client(scheduler)  # type: ignore[no-untyped-call]
        else:
            with dask.config.set(WORKER_CONFIG):
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=size,
                    threads_per_worker=1,
                    dashboard_address=None,
                    processes=True,
                )
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
        self._client.register_plugin(_PoolPlugin(settings), name=PLUGIN)

    def submit(
        self,
        job: Job,
        on_done: OnDone | None = None,
        *,
        future: Future[Outcome] | None = None,
        priority: float = 0.0,
        resources: Mapping[str, float] | None = None,
    ) -> Future[Outcome]:
        """Queue a job on the cluster; the future always completes with an
        Outcome (a lost task is a crashed run), after `on_done`."""
        future = Future() if future is None else future
        asked = self._resources(resources)
        missing = self._missing(asked) if asked else ""
        if missing:
            refused = Problem("error", "MissingResource", missing)
            _finish(job, Outcome("error", problem=refused), on_done, future)
            return future
        task = self._client.submit(
            run_on_worker,
            job,
            key=f"execnotes-{job.key[:16]}-{uuid.uuid4().hex[:8]}",
            priority=priority,
            resources=asked,
            pure=False,
        )
        task.add_done_callback(
            lambda done: _complete(done, job, on_done, future)
        )
        return future

    def _resources(
        self, resources: Mapping[str, float] | None
    ) -> dict[str, float] | None:
        """What Dask must find on a worker. The embedded cluster's workers
        declare none, so there a job asking for any would wait forever:
        it runs on any worker instead."""
        if not resources or self._cluster is not None:
            return None
        return dict(resources)

    def _missing(self, asked: Mapping[str, float]) -> str:
        """Why no worker of the cluster can run a job that asks for
        `asked` (empty if one can), asked of the scheduler now: workers
        come and go."""
        workers = self._client.scheduler_info()["workers"].values()
        declared = [dict(w.get("resources") or {}) for w in workers]
        if any(
            all(have.get(name, 0) >= need for name, need in asked.items())
            for have in declared
        ):
            return ""
        wanted = ", ".join(f"{name}={need:g}" for name, need in asked.items())
        offered = "; ".join(
            ", ".join(f"{n}={v:g}" for n, v in sorted(have.items())) or "none"
            for have in declared
        )
        return (
            f"it asks for resources {wanted}, which no worker of the Dask "
            f"cluster at {self._client.scheduler.address} declares (its "
            f"workers declare: {offered or 'no worker'}); start one with "
            f'`dask worker --resources "{wanted.replace(", ", ",")}"`, or '
            "change the block's `resources:`"
        )

    def close(self) -> None:
        """Stop the workers' pools (on a cluster started elsewhere, which
        outlives the build), the client and, if it was started here, the
        cluster."""
        self.closed = True
        if self._cluster is None:
            with contextlib.suppress(Exception):
                self._client.unregister_worker_plugin(PLUGIN)
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()


def run_on_worker(job: Job) -> Outcome:
    """On a Dask worker: run `job` in a fresh child of its own zygote."""
    plugin = cast(_PoolPlugin, get_worker().plugins[PLUGIN])
    if plugin.pool is None:  # pragma: no cover - Dask calls setup first
        raise RuntimeError("the execnotes worker plugin was not set up")
    outcome: Outcome = plugin.pool.submit(job).result()
    return outcome


class _PoolPlugin(WorkerPlugin):
    """Gives each Dask worker a warm one-slot pool, stopped with it."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.pool: WorkerPool | None = None

    def setup(self, worker: Any) -> None:
        self.pool = WorkerPool(1, self.settings, warm=True)

    def teardown(self, worker: Any) -> None:
        if self.pool is not None:
            self.pool.close()


def _complete(
    done: Any, job: Job, on_done: OnDone | None, future: Future[Outcome]
) -> None:
    try:
        outcome: Outcome = done.result()
    except Exception as error:  # a lost worker, a cancelled task, ...
        outcome = Outcome(
            status="crashed",
            problem=Problem(
                "crashed",
                type(error).__name__,
                f"the Dask task of this run failed: {error}",
            ),
        )
    _finish(job, outcome, on_done, future)


def _finish(
    job: Job, outcome: Outcome, on_done: OnDone | None, future: Future[Outcome]
) -> None:
    if on_done is not None:
        outcome = on_done(job, outcome)
    if not future.done():
        future.set_result(outcome)
