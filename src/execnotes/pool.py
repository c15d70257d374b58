"""A small pool of warm, spawned worker processes with per-run timeouts.

Unlike `concurrent.futures.ProcessPoolExecutor`, a run that hangs or kills its
process is reported on its own future and the pool carries on with a fresh
worker; the other runs are not affected.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import threading
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from execnotes import worker
from execnotes.protocol import Job, Outcome, Problem

log = logging.getLogger(__name__)
_STARTUP_TIMEOUT = 300.0


class WorkerPool:
    """Runs jobs in `size` spawned processes that stay warm between builds."""

    def __init__(self, size: int, settings: worker.WorkerSettings) -> None:
        self.size = size
        self.settings = settings
        self.started_workers = 0
        self._jobs: queue.Queue[tuple[Job, float, Future[Outcome]] | None]
        self._jobs = queue.Queue()
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

    def submit(self, job: Job, timeout: float) -> Future[Outcome]:
        """Queue a job; the future always completes with an Outcome."""
        future: Future[Outcome] = Future()
        self._jobs.put((job, timeout, future))
        return future

    def close(self) -> None:
        """Stop every worker and wait for the threads."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        for slot in self._slots:
            slot.stop()

    def _spawn(self) -> tuple[BaseProcess, Connection]:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=worker.main,
            args=(child, self.settings),
            name="execnotes-worker",
            daemon=True,
        )
        process.start()
        child.close()
        with self._lock:
            self.started_workers += 1
        return process, parent


class _Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None
        self.ready = False

    def serve(self) -> None:
        self._start()
        while True:
            item = self.pool._jobs.get()
            if item is None:
                return
            job, timeout, future = item
            if future.set_running_or_notify_cancel():
                future.set_result(self._run(job, timeout))

    def _start(self) -> None:
        self.process, self.connection = self.pool._spawn()
        self.ready = False

    def _wait_ready(self) -> Outcome | None:
        connection = self.connection
        if connection is None or self.ready:
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
        self._replace(kill=True)
        return Outcome(
            status="crashed",
            problem=Problem(
                "crashed",
                "WorkerStartError",
                "a worker process could not start (importing mxnet or "
                "matplotlib failed); `python -c 'import mxnet'` shows why",
            ),
        )

    def _run(self, job: Job, timeout: float) -> Outcome:
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

    def _lost(self, problem: Problem) -> Outcome:
        self._replace(kill=True)
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

    def _replace(self, *, kill: bool) -> None:
        self.stop(kill=kill)
        self._start()

    def stop(self, *, kill: bool = False) -> None:
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
