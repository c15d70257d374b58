"""The worker process: a warm zygote that forks a fresh child for every run.

The zygote is spawned by the pool. It imports the libraries of the site's
framework profile once (`execnotes.core.profiles`: mxnet, numpy and matplotlib
for the notes), then waits for jobs; for each it forks a child
(`execnotes.worker.child`), supervises it and replies with the outcome. It
never runs an author's code, so no run can change what the next one sees. It
also owns the clock: the timeout holds even if the pool's process is gone, and
when that process dies the zygote kills the run in progress and exits.

Messages (pickled over the pool's pipe):
pool -> zygote: ``(run_id, job)`` or ``None`` to stop;
zygote -> pool: ``("ready", pid)``, ``("started", run_id, child_pid)``,
``("done", run_id, outcome_json)``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import secrets
import select
import signal
import site
import struct
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from execnotes.core import profiles
from execnotes.core.protocol import (
    CellResult,
    FigureStyle,
    Job,
    Outcome,
    Problem,
)
from execnotes.worker import cells, child, procs
from execnotes.worker.capture import OutputSink

_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MXNET_CPU_WORKER_NTHREADS",
)
_MAX_RESULT = 512 * 2**20  # figures included


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to know at start."""

    root: str
    package: str
    threads: int
    style: FigureStyle
    profile: profiles.Profile = profiles.PROFILES["mxnet"]


def worker_variables(base: dict[str, str], threads: int) -> dict[str, str]:
    """The environment a worker (and so every run) sees."""
    fixed = {name: str(threads) for name in _THREAD_VARIABLES}
    # A fixed hash seed: a printed set of strings keeps its order.
    fixed |= {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    return {**base, **fixed}


def search_path(root: str, path: list[str]) -> list[str]:
    """Where a worker's imports look: the project first."""
    return [root, *(entry for entry in path if entry != root)]


def main(
    connection: Connection, settings: WorkerSettings, parent: int
) -> None:
    """Serve jobs from `connection` until it closes or sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C
    zygote = _Zygote(connection, settings)
    signal.signal(signal.SIGTERM, zygote.terminate)
    procs.die_with_parent(signal.SIGTERM, parent)
    procs.become_subreaper()
    zygote.warm_up()
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):
        connection.send(("ready", os.getpid()))
        while (message := connection.recv()) is not None:
            run_id, job = message
            outcome = zygote.supervise(run_id, job)
            connection.send(("done", run_id, json.dumps(outcome.to_json())))
    zygote.kill_run()


class _Zygote:
    def __init__(
        self, connection: Connection, settings: WorkerSettings
    ) -> None:
        self.connection = connection
        self.settings = settings
        self.child: int | None = None
        self.baseline: frozenset[str] = frozenset()
        self.ignored: tuple[str, ...] = ()

    def warm_up(self) -> None:
        fixed = worker_variables(dict(os.environ), self.settings.threads)
        os.environ.clear()
        os.environ.update(fixed)
        os.chdir(self.settings.root)
        sys.path[:] = search_path(self.settings.root, sys.path)
        folders = profiles.warm_up(
            self.settings.profile, self.settings.style.rc
        )
        self.baseline = frozenset(sys.modules)
        # Children share the zygote's memory until they write to it; the
        # garbage collector would write to every object it visits.
        gc.collect()
        gc.freeze()
        self.ignored = tuple(
            {
                sys.prefix,
                sys.base_prefix,
                sys.exec_prefix,
                *site.getsitepackages(),
                site.getusersitepackages(),
                *folders,
                # The runner's own modules (an editable install lies
                # outside the installation's folders).
                os.path.dirname(
                    os.path.dirname(os.path.abspath(child.__file__))
                ),
                "/proc",
                "/sys",
                "/dev",
            }
        )
        _own_output()

    def supervise(self, run_id: str, job: Job) -> Outcome:
        token = secrets.token_hex(16).encode()
        marker = b"\0\x1bexecnotes-end-" + token
        # A notebook's run writes it before each code cell.
        separator = b"\0\x1bexecnotes-cell-" + token if job.cells else b""
        out_r, out_w = os.pipe()
        result_r, result_w = os.pipe()
        run = self._run(job, (marker, separator), out_w, result_w)
        pid = os.fork()
        if pid == 0:
            self.connection.close()
            os.close(out_r)
            os.close(result_r)
            child.main(run)
        self.child = pid
        os.close(out_w)
        os.close(result_w)
        self.connection.send(("started", run_id, pid))
        sink = OutputSink(job.max_output, marker, separator or None)
        watch = _Watch(pid, out_r, result_r, sink)
        try:
            status = watch.wait(
                self.connection, time.monotonic() + job.timeout
            )
        finally:
            self.kill_run()
            watch.drain()
        return watch.outcome(status, job, marker)

    def _run(
        self, job: Job, marks: tuple[bytes, bytes], out: int, result: int
    ) -> child.Run:
        marker, separator = marks
        return child.Run(
            job=job,
            root=self.settings.root,
            package=self.settings.package,
            marker=marker,
            separator=separator,
            output=out,
            result=result,
            zygote=os.getpid(),
            baseline=self.baseline,
            ignored=self.ignored,
            style=self.settings.style.rc,
        )

    def kill_run(self) -> None:
        """Kill the run in progress and everything it started."""
        if self.child is not None:
            procs.kill_group(self.child)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.child, 0)
            self.child = None
        procs.kill_descendants(os.getpid())

    def terminate(self, signum: int, frame: Any) -> None:
        self.kill_run()
        os._exit(0)


def _own_output() -> None:
    """Write nowhere near the build's stdout and stderr: a run (forked
    from here) or whatever it leaves behind must never hold the caller's
    pipe (`mkdocs build | tee log` would wait for it)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


class _Watch:
    """Reads a child's output and result until it exits or time is up."""

    def __init__(
        self, pid: int, out: int, result: int, sink: OutputSink
    ) -> None:
        self.pid = pid
        self.sink = sink
        self.result = bytearray()
        self.streams = {out: sink.feed, result: self._take_result}
        self.pidfd = os.pidfd_open(pid)

    def _take_result(self, chunk: bytes) -> None:
        if len(self.result) < _MAX_RESULT:
            self.result += chunk

    def wait(self, connection: Connection, deadline: float) -> Any:
        """How the child ended (a `waitid` result; the child is left
        unreaped, so that its pid and group cannot be reused before they
        are killed), or None if it ran past the deadline."""
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                watched = [*self.streams, self.pidfd, connection.fileno()]
                ready, _, _ = select.select(watched, [], [], remaining)
                self._read(ready)
                if connection.fileno() in ready:
                    # The pool only speaks during a run when it closes or
                    # dies: stop everything.
                    raise EOFError
                if self.pidfd in ready:
                    return os.waitid(
                        os.P_PID, self.pid, os.WEXITED | os.WNOWAIT
                    )
            return None
        finally:
            os.close(self.pidfd)

    def _read(self, ready: list[int]) -> None:
        for fd in [fd for fd in ready if fd in self.streams]:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                self.streams[fd](chunk)
            else:
                os.close(fd)
                del self.streams[fd]

    def drain(self) -> None:
        """Read what is left: every writer is dead, so each pipe ends (a
        writer that could not be killed is given a few seconds)."""
        deadline = time.monotonic() + 5
        while self.streams and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(list(self.streams), [], [], left)
            self._read(ready)
        for fd in self.streams:
            os.close(fd)
        self.streams.clear()
        self.sink.close()

    def outcome(self, status: Any, job: Job, marker: bytes) -> Outcome:
        output = {"output": self.sink.text(), "output_chars": self.sink.total}
        segments, count = self.sink.segments(), len(job.cells)

        def failed(kind: str, name: str, message: str) -> Outcome:
            """The run's failure, with what each cell printed before it."""
            ran = cells.with_outputs(count, segments, None)
            return _failed(output, kind, name, message, ran)

        if status is None:
            return failed("timeout", "TimeoutError", _timeout(job.timeout))
        try:
            result = _parse(bytes(self.result), self.pid, marker)
        except _NoResult:
            return failed("crashed", "WorkerDied", _died(status))
        except _Malformed as error:
            return failed("crashed", "WorkerProtocolError", _malformed(error))
        try:
            result["cells"] = cells.with_outputs(
                count, segments, result["cells"]
            )
            return _outcome(output, result)
        except _SHAPE_ERRORS as error:
            return failed("crashed", "WorkerProtocolError", _malformed(error))


class _NoResult(Exception):
    """The run wrote no framed result: its process ended early."""


class _Malformed(Exception):
    """A frame with the run's marker whose content is not a result."""


# What a frame of the wrong shape raises while it is taken apart.
_SHAPE_ERRORS = (
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    RecursionError,
    struct.error,
)


def _parse(data: bytes, pid: int, marker: bytes) -> dict[str, Any]:
    """The child's framed result (see child._send). Raises _NoResult when
    there is no frame, _Malformed when the last one is not a whole
    result of this run."""
    start = data.rfind(marker)
    if start < 0:
        raise _NoResult
    start += len(marker)
    try:
        (size,) = child.HEADER.unpack_from(data, start)
    except struct.error as error:
        raise _Malformed("it ends inside the frame's header") from error
    start += child.HEADER.size
    if len(data) - start < size:
        raise _Malformed(
            f"it announces {size} bytes and holds {len(data) - start}"
        )
    try:
        result = json.loads(data[start : start + size])
    except (*_SHAPE_ERRORS,) as error:
        raise _Malformed(f"it is not JSON ({error})") from error
    if not isinstance(result, dict) or (
        result.get("pid"),
        result.get("marker"),
    ) != (
        pid,
        marker.hex(),
    ):
        raise _Malformed("it names another process")
    return result


def _outcome(output: dict[str, Any], result: dict[str, Any]) -> Outcome:
    problem = result["problem"]
    if problem is None and result["figure_problem"] is not None:
        problem = vars(
            Problem(
                "error",
                "FigureError",
                "a figure could not be saved as "
                f"SVG: {result['figure_problem']}",
            )
        )
    data = {
        **output,
        "status": "ok" if problem is None else "error",
        "value": result["value"],
        "values": result["values"],
        "figures": result["figures"],
        "duration": result["duration"],
        "problem": problem,
        "inputs": result["inputs"],
        "cells": result["cells"],
    }
    return Outcome.from_json(data)


def _failed(
    output: dict[str, Any],
    kind: Any,
    name: str,
    message: str,
    ran: list[dict[str, Any]],
) -> Outcome:
    return Outcome(
        status=kind,
        problem=Problem(kind, name, message),
        cells=[CellResult.from_json(cell) for cell in ran],
        **output,
    )


def _malformed(error: BaseException) -> str:
    reason = str(error) or type(error).__name__
    return (
        f"its result could not be read: {reason}. Something in the run "
        "wrote to the runner's result pipe (file descriptors above 1000 "
        "belong to the runner); no other block is affected"
    )


def _timeout(timeout: float) -> str:
    return (
        f"it ran longer than its timeout of {timeout:g} s and was stopped; "
        "make it faster, or raise the limit with 'timeout: N' in the block "
        "or the plugin's 'timeout' option"
    )


def _died(status: Any) -> str:
    if status.si_code == os.CLD_EXITED:
        how = f"exit code {status.si_status}"
    else:
        how = f"signal {signal.Signals(status.si_status).name}"
    return (
        f"the process running it ended without a result ({how}); look for "
        "os._exit, sys.exit in a thread, or a crash in native code"
    )
