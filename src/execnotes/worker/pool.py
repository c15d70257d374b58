"""A small pool of warm zygote processes, one per slot, fed by threads.

Each slot owns one zygote (`execnotes.worker.zygote`), spawned fresh, that
forks a child per run. Every job gets a run id; a reply is taken only if it
carries that id, so a stray message can never pass for another job's result. A
zygote found dead before a job starts is replaced and the job retried; only a
zygote that dies during a run fails that run.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import multiprocessing
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from execnotes.core.inputs import SUPERVISOR_VARIABLE
from execnotes.core.protocol import Job, Outcome, Problem, SchemaError, Status
from execnotes.worker import procs, zygote

log = logging.getLogger("execnotes.worker.pool")
_STARTUP_TIMEOUT = 300.0
_ACK_TIMEOUT = 60.0
# The zygote enforces the timeout; this is how long the pool waits beyond
# it before it takes the zygote for wedged.
_GRACE = 60.0

OnDone = Callable[[Job, Outcome], Outcome]


@dataclass(frozen=True, order=True)
class _Task:
    """A job in the queue; without a job, the sign for a slot to stop."""

    # Queue order: the longest expected run first, then the oldest.
    rank: tuple[float, int]
    job: Job | None = field(default=None, compare=False)
    future: Future[Outcome] | None = field(default=None, compare=False)
    on_done: OnDone | None = field(default=None, compare=False)


class _Lost(Exception):
    """The zygote's pipe ended."""


class WorkerPool:
    """Runs jobs in `size` zygotes that stay warm between builds."""

    def __init__(
        self, size: int, settings: zygote.WorkerSettings, *, warm: bool = False
    ) -> None:
        """Start `size` slots; with `warm`, each starts its zygote at once
        rather than on its first job."""
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.size = size
        self.settings = settings
        self.started_workers = 0
        self.closed = False
        self.warm = warm
        self.tasks: queue.PriorityQueue[_Task] = queue.PriorityQueue()
        # Every zygote, and so all a run starts, carries this mark in its
        # environment: what is left of a dead zygote's runs is found by it.
        self.mark = uuid.uuid4().hex
        _adopt_orphans()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._slots = [_Slot(self) for _ in range(size)]
        self._threads = [
            threading.Thread(
                target=slot.serve, name=f"execnotes-slot-{n}", daemon=True
            )
            for n, slot in enumerate(self._slots)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self,
        job: Job,
        on_done: OnDone | None = None,
        *,
        future: Future[Outcome] | None = None,
        priority: float = 0.0,
    ) -> Future[Outcome]:
        """Queue a job; the future always completes with an Outcome.

        `on_done` runs before the future completes, so whoever waits for
        the future also sees what it did (e.g. the cache entry); the
        outcome it returns is the future's result. Jobs of higher
        `priority` (the expected seconds) go out first.
        """
        future = Future() if future is None else future
        rank = (-priority, next(self._order))
        self.tasks.put(_Task(rank, job, future, on_done))
        return future

    def close(self) -> None:
        """Stop every zygote; queued jobs are cancelled."""
        self.closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                task = self.tasks.get_nowait()
                if task.future is not None:
                    task.future.cancel()
        for _ in self._threads:
            # Ranked after every job: a slot stops when nothing is left.
            self.tasks.put(_Task((math.inf, next(self._order))))
        for slot in self._slots:
            slot.interrupt()
        for slot, thread in zip(self._slots, self._threads, strict=True):
            thread.join(timeout=10)
            if thread.is_alive() and slot.process is not None:
                slot.process.kill()
        # Whatever a run started and hid from its zygote (a double fork,
        # a new session, the zygote killed) ends with the pool.
        procs.sweep(SUPERVISOR_VARIABLE, self.mark)

    def spawn(self) -> tuple[BaseProcess, Connection, str]:
        """Start one zygote process (from a slot's long-lived thread: the
        zygote dies with the thread that started it); return it, its pipe
        and its mark."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=zygote.main,
            args=(child, self.settings, os.getpid()),
            name="execnotes-zygote",
            daemon=True,
        )
        # Started now if it is not running, so that it does not inherit
        # the mark (it serves the whole process, and must outlive pools).
        resource_tracker.ensure_running()
        with self._lock:
            mark = f"{self.mark}-{self.started_workers}"
            # The hash seed is read when the interpreter starts, and the
            # mark must be in what /proc shows of every process the zygote
            # starts: both go into the environment it is spawned with.
            fixed = {"PYTHONHASHSEED": "0", SUPERVISOR_VARIABLE: mark}
            previous = {name: os.environ.get(name) for name in fixed}
            os.environ.update(fixed)
            try:
                process.start()
            finally:
                for name, value in previous.items():
                    if value is None:
                        del os.environ[name]
                    else:
                        os.environ[name] = value
            self.started_workers += 1
        child.close()
        return process, parent, mark


class _Slot:
    """One zygote and the thread that feeds it."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None
        self.mark = ""
        self.ready = False
        self.busy = False

    def serve(self) -> None:
        """Take tasks until the pool closes."""
        if self.pool.warm:
            with contextlib.suppress(Exception):
                self._ensure_ready()
        while True:
            task = self.pool.tasks.get()
            job, future = task.job, task.future
            if job is None or future is None:
                break
            if not future.set_running_or_notify_cancel():
                continue
            self.busy = True
            try:
                outcome = self._run(job)
                if task.on_done is not None:
                    outcome = task.on_done(job, outcome)
            except Exception as error:  # the slot must never die silently
                log.exception("execnotes: a worker slot failed")
                outcome = _failed("crashed", "WorkerPoolError", repr(error))
            finally:
                self.busy = False
            future.set_result(outcome)
        self.stop()

    def _run(self, job: Job) -> Outcome:
        # A zygote that died while idle is replaced, and the job retried:
        # the job never started, so it is not its failure.
        for _ in range(3):
            try:
                connection = self._ensure_ready()
            except _Lost:
                self.stop()
                return self._start_failed()
            run_id = uuid.uuid4().hex
            try:
                connection.send((run_id, job))
                pid = self._receive(
                    connection, "started", run_id, _ACK_TIMEOUT
                )
            except (_Lost, OSError, ValueError):
                self.stop()
                continue
            return self._finish(connection, run_id, pid, job)
        return self._start_failed()

    def _start_failed(self) -> Outcome:
        profile = self.pool.settings.profile
        message = _START_FAILED.format(
            libraries=", ".join(profile.warm) or "execnotes",
            profile=profile.name,
        )
        return _failed("crashed", "WorkerStartError", message)

    def _finish(
        self, connection: Connection, run_id: str, pid: int, job: Job
    ) -> Outcome:
        try:
            text = self._receive(
                connection, "done", run_id, job.timeout + _GRACE
            )
        except _Lost:
            self.stop()
            procs.kill_group(pid)
            return _failed("crashed", "WorkerDied", _ZYGOTE_DIED)
        if text is None:  # the zygote is wedged: it must be replaced
            self.stop()
            procs.kill_group(pid)
            return _failed("timeout", "TimeoutError", _WEDGED)
        try:
            return Outcome.from_json(json.loads(text))
        except (ValueError, SchemaError) as error:
            return _failed("crashed", "WorkerProtocolError", str(error))

    def _receive(
        self, connection: Connection, kind: str, run_id: str, timeout: float
    ) -> Any:
        """The payload of the message (kind, run_id, payload); None if none
        came in time. Messages for other runs are dropped."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                if not connection.poll(left):
                    return None
                message = connection.recv()
            except (EOFError, OSError) as error:
                raise _Lost from error
            if _matches(message, kind, run_id):
                return message[2]
            log.debug("execnotes: dropped a stray message %.200r", message)
        return None

    def _ensure_ready(self) -> Connection:
        process, connection = self.process, self.connection
        if process is None or connection is None or not process.is_alive():
            self.stop()
            if self.pool.closed:
                raise _Lost
            process, connection, self.mark = self.pool.spawn()
            self.process, self.connection = process, connection
            self.ready = False
        if not self.ready:
            try:
                ready = connection.poll(_STARTUP_TIMEOUT) and connection.recv()
            except (EOFError, OSError) as error:
                raise _Lost from error
            if not (isinstance(ready, tuple) and ready[0] == "ready"):
                raise _Lost
            self.ready = True
        return connection

    def interrupt(self) -> None:
        """Stop a run in progress (the pool is closing): the zygote kills
        its run on SIGTERM and exits."""
        process = self.process
        if self.busy and process is not None and process.is_alive():
            process.terminate()

    def stop(self) -> None:
        """End this slot's zygote; the next task starts a fresh one."""
        process, connection = self.process, self.connection
        self.process = self.connection = None
        self.ready = False
        if connection is not None:
            with contextlib.suppress(OSError, ValueError):
                connection.send(None)
            connection.close()
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            # A zygote killed from inside its run leaves that run's
            # orphans to this process (a subreaper too): they end here.
            procs.sweep(SUPERVISOR_VARIABLE, self.mark)


def _adopt_orphans() -> None:
    """Make this process a subreaper: a run whose zygote was killed leaves
    its orphans here, where `procs.sweep` finds them, not to init."""
    try:
        procs.become_subreaper()
    except OSError as error:  # not Linux, or not allowed: marks still work
        log.debug("execnotes: cannot adopt orphans (%s)", error)


def _matches(message: object, kind: str, run_id: str) -> bool:
    return (
        isinstance(message, tuple)
        and len(message) == 3
        and message[0] == kind
        and message[1] == run_id
    )


def _failed(kind: Status, exception: str, message: str) -> Outcome:
    return Outcome(status=kind, problem=Problem(kind, exception, message))


_START_FAILED = (
    "a worker process could not start (importing {libraries} failed, for "
    "the framework profile '{profile}'); `python -c 'import {libraries}'` "
    "shows why, and the plugin's `framework` option chooses what workers "
    "import first"
)
_ZYGOTE_DIED = (
    "the worker process died while running it; look for code that kills "
    "its parent process. A fresh worker took over"
)
_WEDGED = (
    "the worker process stopped answering; it was replaced. Please report "
    "this as a bug of execnotes"
)
