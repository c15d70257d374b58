"""One run, inside a child forked from the zygote for it alone.

The child starts as an exact copy of the zygote, which has imported the
heavy libraries and never runs an author's code, so every run starts from
the same state whatever earlier runs did. It runs the snippet, writes its
result to a pipe and exits with `os._exit`; the zygote then kills whatever
the run left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import signal
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from execnotes.core import profiles
from execnotes.core.atomic import user_cache
from execnotes.core.funcstate import Memo
from execnotes.core.inputs import CHANGED
from execnotes.core.protocol import Job, Problem
from execnotes.worker import cells, procs
from execnotes.worker.capture import describe
from execnotes.worker.reprs import collect_figures, plain_values, value_repr
from execnotes.worker.tracking import Recorder, install

HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Run:
    """What the zygote hands the child besides the job."""

    job: Job
    root: str
    package: str
    marker: bytes
    output: int
    result: int
    zygote: int
    baseline: frozenset[str]
    ignored: tuple[str, ...]
    separator: bytes = b""  # written before each cell of a notebook
    style: profiles.Style = ()  # matplotlib's, if a run loads it


def main(run: Run) -> NoReturn:
    """Run the job and exit; never returns to the zygote's code."""
    code = 0
    try:
        _run(run)
    except BaseException:  # our own failure: the zygote reports no result
        code = 70
    finally:
        os._exit(code)


def _run(run: Run) -> None:
    me = os.getpid()
    os.setsid()  # its own process group and session: killed as a whole
    # Out of the way of the low numbers a snippet might write to.
    result_fd = os.dup2(run.result, 1000 + run.result)
    os.close(run.result)
    run = dataclasses.replace(run, result=result_fd)
    procs.die_with_parent(signal.SIGKILL, run.zygote)
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stream = _redirect(run.output)
    search_path = list(sys.path)
    recorder = Recorder(run.root, run.ignored)
    install(recorder)
    folder = user_cache(os.environ)  # read before the run: no input
    if folder is not None:
        recorder.executed.memo = Memo(folder / "code")
    profiles.prepare_run(_preparation(run, recorder))
    started = time.perf_counter()
    recorder.active = True
    if run.job.cells:
        value = None
        problem, ran = cells.run_cells(run.job.cells, _cell_context(run))
    else:
        value, problem = _execute(run)
        ran = []
    recorder.active = False
    duration = time.perf_counter() - started
    _end_output(stream, run)
    if os.getpid() != me:
        return  # a fork the snippet made, returning: it must not report
    recorder.missing_imports(search_path)
    result = _result(run, value, problem, duration, recorder)
    result["cells"] = ran
    _send(run.result, run.marker, result)


def _redirect(fd: int) -> io.TextIOWrapper:
    """Send fds 1 and 2, and sys.stdout and sys.stderr, into the pipe, in
    the order things are written."""
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    stream = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )
    sys.stdout = sys.stderr = stream
    return stream


def _preparation(run: Run, recorder: Recorder) -> profiles.Preparation:
    return profiles.Preparation(
        seed=run.job.seed,
        style=run.style,
        read=recorder.read,
        wrote=recorder.wrote,
        ignore=recorder.ignore,
        installed=recorder.installed,
    )


def _execute(run: Run) -> tuple[Any, Problem | None]:
    job = run.job
    namespace: dict[str, Any] = {"__name__": "__main__"}
    module_file = next(
        (f for _, f, _ in job.parts if not f.startswith("<")), None
    )
    if module_file is not None:  # a region: it may use __file__
        namespace["__file__"] = os.path.join(run.root, module_file)
    try:
        for source, filename, first_line in job.parts:
            # Blank lines in front keep tracebacks on the file's real lines.
            code = compile("\n" * (first_line - 1) + source, filename, "exec")
            exec(code, namespace)
        if job.call is None:
            return None, None
        return eval(
            compile(job.call, job.call_filename, "eval"), namespace
        ), None
    except BaseException as error:  # a snippet's failure, reported
        return None, describe(error, run.root, run.package)


def _cell_context(run: Run) -> cells.Context:
    return cells.Context(
        root=run.root,
        package=run.package,
        separator=run.separator,
        limit=run.job.max_output,
    )


def _end_output(stream: io.TextIOWrapper, run: Run) -> None:
    """Mark the end of the snippet's output; later writes go nowhere."""
    for handle in (sys.stdout, sys.stderr, stream):
        with contextlib.suppress(Exception):
            handle.flush()
    with contextlib.suppress(OSError):
        os.write(1, run.marker)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def _result(
    run: Run,
    value: Any,
    problem: Problem | None,
    duration: float,
    recorder: Recorder,
) -> dict[str, Any]:
    figures, figure_problem = collect_figures()
    limit = run.job.max_output
    # A module also read as a file (e.g. by inspect) is an input whole.
    inputs = recorder.code_inputs(failed=problem is not None)
    inputs.update(recorder.inputs)
    # Modules loaded other than from a file on sys.path (a custom finder)
    # were not hashed at import: measured now, they are still checked
    # again before the result is stored.
    compiled = recorder.executed.modules
    for key, state in _project_modules(run).items():
        if key.partition(":")[2] not in compiled:
            inputs.setdefault(key, state)
    for key in recorder.unsettled():
        inputs[key] = CHANGED
    return {
        "pid": os.getpid(),
        "marker": run.marker.hex(),
        "value": None if value is None else value_repr(value, limit),
        "values": plain_values(value, limit),
        "figures": figures,
        "duration": duration,
        "problem": None if problem is None else vars(problem),
        "figure_problem": figure_problem,
        "inputs": dict(sorted(inputs.items())),
    }


def _send(fd: int, marker: bytes, result: dict[str, Any]) -> None:
    """Write the result, framed: the run's secret marker, the length, the
    JSON. Whatever else reaches this pipe is skipped by the reader."""
    data = json.dumps(result, ensure_ascii=True).encode("ascii")
    view = memoryview(marker + HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _project_modules(run: Run) -> dict[str, str]:
    """Every module of the project the run imported, by its source's hash."""
    from execnotes.core.inputs import file_state, name_of

    # The package's own modules (this one is in its worker/ layer).
    runner = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runner += os.sep
    found = {}
    # Only the modules this run loaded: looking at the others would copy
    # their memory from the zygote for nothing.
    for name in sys.modules.keys() - run.baseline:
        filename = getattr(sys.modules.get(name), "__file__", None)
        if not isinstance(filename, str):
            continue
        # Not resolved: snippets/ may be a link to a folder elsewhere.
        path = os.path.abspath(filename)
        if path.startswith(run.root + os.sep) and not path.startswith(
            (runner, *run.ignored)
        ):
            found[f"file:{name_of(path, run.root)}"] = file_state(path)
    return found
