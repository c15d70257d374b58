"""The worker process: imports the heavy libraries once, then runs jobs.

Runs in a *spawned* process. Nothing heavy is imported at module level, so
that the thread caps below are in place before numpy and mxnet load.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execnotes.protocol import FigureStyle, Job, Outcome, Problem

CALL_FILENAME = "<execnotes>"
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MXNET_CPU_WORKER_NTHREADS",
)


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to know at start."""

    root: str
    package: str
    threads: int
    style: FigureStyle


class _BoundedText(io.TextIOBase):
    """A text sink that keeps the first `limit` characters and counts all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.total += len(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


class _FileRecorder:
    """Records data files opened for reading, through an audit hook."""

    def __init__(self, ignored: tuple[str, ...]) -> None:
        self.ignored = ignored
        self.active = False
        self.paths: set[str] = set()

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active or event != "open" or not args:
            return
        path, mode = args[0], args[1] if len(args) > 1 else "r"
        if not isinstance(path, str) or not isinstance(mode, str | None):
            return
        if mode and any(flag in mode for flag in "wax+"):
            return
        if path.endswith((".py", ".pyc")) or path.startswith(self.ignored):
            return
        self.paths.add(os.path.abspath(path))


def main(connection: Any, settings: WorkerSettings) -> None:
    """Serve jobs from `connection` until it closes or sends None."""
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(settings.threads)
    os.environ["MPLBACKEND"] = "Agg"
    os.chdir(settings.root)
    if settings.root not in sys.path:
        sys.path.insert(0, settings.root)
    recorder = _warm_up(settings)
    # The pool may have closed while this worker was importing mxnet (a
    # build that found everything cached): then just leave quietly.
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):
        connection.send("ready")
        while (job := connection.recv()) is not None:
            connection.send(run(job, settings, recorder))


def _warm_up(settings: WorkerSettings) -> _FileRecorder:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import mxnet  # noqa: F401
    import numpy  # noqa: F401

    ignored = tuple(
        {
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            matplotlib.get_cachedir(),
            matplotlib.get_configdir(),
            "/proc",
            "/sys",
            "/dev",
            "/etc",
            "/usr/share/fonts",
            "/usr/lib",
            "/tmp",
        }
    )
    recorder = _FileRecorder(ignored)
    sys.addaudithook(recorder)
    return recorder


def run(
    job: Job, settings: WorkerSettings, recorder: _FileRecorder
) -> Outcome:
    """Run one job in a fresh namespace and describe what it did."""
    _forget_project_modules(settings)
    _reset_state(job.seed, settings.style)
    out = _BoundedText(job.max_output)
    recorder.paths = set()
    recorder.active = True
    started = time.perf_counter()
    value: Any = None
    problem = None
    try:
        with (
            _native_output(out),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
        ):
            value = _execute(job)
    except BaseException as error:
        problem = _describe(error, settings.root, settings.package)
    finally:
        recorder.active = False
    duration = time.perf_counter() - started
    return Outcome(
        status="ok" if problem is None else "error",
        output=out.getvalue(),
        output_chars=out.total,
        value=None if value is None else _safe_repr(value, job.max_output),
        values=_plain_values(value),
        figures=_collect_figures(),
        duration=duration,
        problem=problem,
        modules=_project_modules(settings),
        data_files=_hash_files(recorder.paths),
    )


@contextlib.contextmanager
def _native_output(out: _BoundedText) -> Iterator[None]:
    """Capture what native code (mxnet's C++ logs) writes to fds 1 and 2.

    It is appended after the Python-level output when the run ends.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            size = sink.seek(0, os.SEEK_END)
            sink.seek(0)
            native = sink.read(out.limit + 1).decode(errors="replace")
            out.write(native)
            out.total += max(0, size - len(native))


def _execute(job: Job) -> Any:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for source, filename, first_line in job.parts:
        code = compile(_shifted(source, first_line), filename, "exec")
        exec(code, namespace)
    if job.call is None:
        return None
    return eval(compile(job.call, job.call_filename, "eval"), namespace)


def _shifted(source: str, first_line: int) -> str:
    return "\n" * (first_line - 1) + source


def _forget_project_modules(settings: WorkerSettings) -> None:
    prefix = settings.package
    for name in [
        n for n in sys.modules if n == prefix or n.startswith(prefix + ".")
    ]:
        del sys.modules[name]


def _reset_state(seed: int, style: FigureStyle) -> None:
    import random

    import matplotlib
    import matplotlib.pyplot as plt
    import mxnet as mx
    import numpy as np

    plt.close("all")
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(dict(style.rc))
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def _collect_figures() -> list[str]:
    import matplotlib.pyplot as plt

    figures = []
    for number in plt.get_fignums():
        buffer = io.StringIO()
        plt.figure(number).savefig(
            buffer, format="svg", bbox_inches="tight", metadata={"Date": None}
        )
        figures.append(buffer.getvalue())
    plt.close("all")
    return figures


def _project_modules(settings: WorkerSettings) -> dict[str, str]:
    root = Path(settings.root)
    found: dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        if name != settings.package and not name.startswith(
            settings.package + "."
        ):
            continue
        filename = getattr(module, "__file__", None)
        if filename:
            # Not resolved: snippets/ may be a link to a folder elsewhere.
            path = Path(os.path.abspath(filename))
            key = path.relative_to(root) if path.is_relative_to(root) else path
            found[key.as_posix()] = file_digest(path)
    return dict(sorted(found.items()))


def _hash_files(paths: set[str]) -> dict[str, str]:
    return {
        path: file_digest(Path(path))
        for path in sorted(paths)
        if os.path.isfile(path)
    }


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _safe_repr(value: Any, limit: int) -> str:
    try:
        text = repr(value)
    except Exception as error:
        text = f"<repr failed: {type(error).__name__}: {error}>"
    return text if len(text) <= limit else text[:limit] + " ..."


def _plain_values(value: Any) -> dict[str, float | int | str | bool]:
    if not isinstance(value, Mapping):
        return {}
    plain: dict[str, float | int | str | bool] = {}
    for key, item in value.items():
        if isinstance(key, str):
            converted = _plain(item)
            if converted is not None:
                plain[key] = converted
    return plain


def _plain(item: Any) -> float | int | str | bool | None:
    if isinstance(item, bool | int | float | str):
        return item
    if hasattr(item, "item") and getattr(item, "size", None) == 1:
        scalar = (
            item.item() if not hasattr(item, "asscalar") else item.asscalar()
        )
        return _plain(scalar.item() if hasattr(scalar, "item") else scalar)
    return None


def _describe(error: BaseException, root: str, package: str) -> Problem:
    package_dir = os.path.join(root, package)
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if _is_project_file(frame.filename, package_dir)
        and frame.filename != CALL_FILENAME
    ]
    lines = traceback.format_list(
        [_relative_frame(frame, root) for frame in frames]
    )
    message = "".join(traceback.format_exception_only(error)).strip()
    return Problem(
        kind="error",
        exception=type(error).__name__,
        message=message,
        traceback="".join(lines),
    )


def _is_project_file(filename: str, package_dir: str) -> bool:
    if filename.startswith("<"):
        return True
    return os.path.abspath(filename).startswith(package_dir + os.sep)


def _relative_frame(
    frame: traceback.FrameSummary, root: str
) -> traceback.FrameSummary:
    filename = frame.filename
    if not filename.startswith("<"):
        filename = os.path.relpath(os.path.abspath(filename), root)
    return traceback.FrameSummary(
        filename, frame.lineno, frame.name, line=frame.line
    )
