"""A small pool of warm, spawned worker processes with per-run timeouts.

Unlike `concurrent.futures.ProcessPoolExecutor`, a run that hangs or kills its
process is reported on its own future and the pool carries on with a fresh
worker; the other runs are not affected.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from execnotes import worker
from execnotes.protocol import Job, Outcome, Problem, Status

log = logging.getLogger(__name__)
_STARTUP_TIMEOUT = 300.0

OnDone = Callable[[Job, Outcome], Outcome]


@dataclass(frozen=True)
class _Task:
    job: Job
    timeout: float
    future: Future[Outcome]
    on_done: OnDone | None


class WorkerPool:
    """Runs jobs in `size` spawned processes that stay warm between builds."""

    def __init__(
        self, size: int, settings: worker.WorkerSettings, *, warm: bool = False
    ) -> None:
        """Start `size` slots; with `warm`, each starts its worker at once
        rather than on its first job."""
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.size = size
        self.settings = settings
        self.started_workers = 0
        self.closed = False
        self.warm = warm
        self.tasks: queue.Queue[_Task | None] = queue.Queue()
        self._lock = threading.Lock()
        self._slots = [_Slot(self) for _ in range(size)]
        self._threads = [
            threading.Thread(
                target=slot.serve, name=f"execnotes-worker-{n}", daemon=True
            )
            for n, slot in enumerate(self._slots)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self, job: Job, timeout: float, on_done: OnDone | None = None
    ) -> Future[Outcome]:
        """Queue a job; the future always completes with an Outcome.

        `on_done` runs before the future completes, so whoever waits for
        the future also sees what it did (e.g. the cache entry); the
        outcome it returns is the future's result.
        """
        future: Future[Outcome] = Future()
        self.tasks.put(_Task(job, timeout, future, on_done))
        return future

    def close(self) -> None:
        """Stop every worker; queued jobs are cancelled."""
        self.closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                task = self.tasks.get_nowait()
                if task is not None:
                    task.future.cancel()
        for _ in self._threads:
            self.tasks.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        for slot in self._slots:
            slot.stop(kill=True)

    def spawn(self) -> tuple[BaseProcess, Connection]:
        """Start one worker process."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=worker.main,
            args=(child, self.settings),
            name="execnotes-worker",
            daemon=True,
        )
        with self._lock:
            # A fixed hash seed: a printed set or dict of strings must not
            # change order between builds. The child copies the environment
            # at start, so it is set only around start().
            previous = os.environ.get("PYTHONHASHSEED")
            os.environ["PYTHONHASHSEED"] = "0"
            try:
                process.start()
            finally:
                if previous is None:
                    del os.environ["PYTHONHASHSEED"]
                else:
                    os.environ["PYTHONHASHSEED"] = previous
            self.started_workers += 1
        child.close()
        return process, parent


class _Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None
        self.ready = False

    def serve(self) -> None:
        """Take tasks until the pool closes."""
        if self.pool.warm:
            self._start()
        while (task := self.pool.tasks.get()) is not None:
            if not task.future.set_running_or_notify_cancel():
                continue
            try:
                outcome = self._run(task.job, task.timeout)
            except Exception as error:  # the slot must never die silently
                log.exception("execnotes: a worker slot failed")
                outcome = _failed("crashed", "WorkerPoolError", str(error))
            if task.on_done is not None:
                outcome = task.on_done(task.job, outcome)
            task.future.set_result(outcome)

    def _run(self, job: Job, timeout: float) -> Outcome:
        if self.connection is None:
            self._start()
        failed = self._wait_ready()
        if failed is not None:
            return failed
        connection = self.connection
        if connection is None:  # pragma: no cover - _start always sets it
            raise RuntimeError("worker slot has no connection")
        try:
            connection.send(job)
            if connection.poll(timeout):
                return _checked(connection.recv())
            return self._lost(_timeout_problem(timeout))
        except (EOFError, OSError, ConnectionError):
            return self._lost(self._crash_problem())

    def _start(self) -> None:
        if not self.pool.closed:
            self.process, self.connection = self.pool.spawn()
            self.ready = False

    def _wait_ready(self) -> Outcome | None:
        connection = self.connection
        if connection is None:
            return _failed("crashed", "PoolClosed", "the pool was closed")
        if self.ready:
            return None
        try:
            if (
                connection.poll(_STARTUP_TIMEOUT)
                and connection.recv() == "ready"
            ):
                self.ready = True
                return None
        except (EOFError, OSError):
            pass
        self.stop(kill=True)
        return _failed(
            "crashed",
            "WorkerStartError",
            "a worker process could not start (importing mxnet or "
            "matplotlib failed); `python -c 'import mxnet'` shows why",
        )

    def _lost(self, problem: Problem) -> Outcome:
        self.stop(kill=True)
        return Outcome(status=problem.kind, problem=problem)

    def _crash_problem(self) -> Problem:
        process = self.process
        if process is not None:
            process.join(timeout=5)
        code = None if process is None else process.exitcode
        return Problem(
            "crashed",
            "WorkerDied",
            f"the worker process died while running it (exit code {code}); "
            "look for os._exit, sys.exit in a thread, or a crash in native "
            "code. A fresh worker took over",
        )

    def stop(self, *, kill: bool = False) -> None:
        """End this slot's worker; the next task starts a fresh one."""
        process, connection = self.process, self.connection
        self.process = self.connection = None
        if process is not None and kill:
            process.kill()
        if connection is not None:
            with contextlib.suppress(OSError, ValueError):
                connection.send(None)
            connection.close()
        if process is not None:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def _failed(kind: Status, exception: str, message: str) -> Outcome:
    problem = Problem(kind, exception, message)
    return Outcome(status=problem.kind, problem=problem)


def _timeout_problem(timeout: float) -> Problem:
    return Problem(
        "timeout",
        "TimeoutError",
        f"it ran longer than its timeout of {timeout:g} s and was stopped; "
        "make it faster, or raise the limit with 'timeout: N' in the block "
        "or the plugin's 'timeout' option",
    )


def _checked(message: object) -> Outcome:
    if isinstance(message, Outcome):
        return message
    raise ConnectionError(f"unexpected message from a worker: {message!r}")
