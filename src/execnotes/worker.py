"""The worker process: imports the heavy libraries once, then runs jobs.

Runs in a *spawned* process. Nothing heavy is imported at module level, so
that the thread caps below are in place before numpy and mxnet load.
Before every run the worker puts back what a snippet may have changed:
seeds, matplotlib's settings, numpy's print options, Gluon's layer names,
the working directory, environment and sys.path (each run also keeps its
warning filters to itself), and it forgets the project's modules so that
they are imported afresh.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execnotes.capture import (
    BoundedText,
    FileRecorder,
    describe,
    file_digest,
    native_output,
    project_key,
)
from execnotes.protocol import FigureStyle, Job, Outcome

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


@dataclass
class _Baseline:
    """The process state every run starts from."""

    environ: dict[str, str]
    path: list[str]
    modules: frozenset[str]
    printoptions: dict[str, Any]


def main(connection: Any, settings: WorkerSettings) -> None:
    """Serve jobs from `connection` until it closes or sends None."""
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(settings.threads)
    os.environ["MPLBACKEND"] = "Agg"
    os.chdir(settings.root)
    if settings.root not in sys.path:
        sys.path.insert(0, settings.root)
    recorder, baseline = _warm_up()
    # The pool may have closed while this worker was importing mxnet (a
    # build that found everything cached): then just leave quietly.
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):
        connection.send("ready")
        while (job := connection.recv()) is not None:
            _restore(settings, baseline, job.seed)
            connection.send(run(job, settings, recorder, baseline))


def _warm_up() -> tuple[FileRecorder, _Baseline]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import mxnet  # noqa: F401
    import numpy

    recorder = FileRecorder(
        (
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
        )
    )
    sys.addaudithook(recorder)
    baseline = _Baseline(
        environ=dict(os.environ),
        path=list(sys.path),
        # Loaded before any snippet ran, so none of them is project code;
        # only the rest is looked at, which keeps a run's overhead small.
        modules=frozenset(sys.modules),
        printoptions=dict(numpy.get_printoptions()),
    )
    return recorder, baseline


def _restore(settings: WorkerSettings, baseline: _Baseline, seed: int) -> None:
    import random

    import matplotlib
    import matplotlib.pyplot as plt
    import mxnet as mx
    import numpy as np

    for name in _loaded_project_modules(settings, baseline):
        del sys.modules[name]
    os.chdir(settings.root)
    os.environ.clear()
    os.environ.update(baseline.environ)
    sys.path[:] = baseline.path
    np.set_printoptions(**baseline.printoptions)
    # Gluon numbers layers per process (dense0, dense1, ...): start again.
    mx.name.NameManager._current.value = mx.name.NameManager()
    plt.close("all")
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(dict(settings.style.rc))
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def run(
    job: Job,
    settings: WorkerSettings,
    recorder: FileRecorder,
    baseline: _Baseline,
) -> Outcome:
    """Run one job in a fresh namespace and describe what it did."""
    out = BoundedText(job.max_output)
    recorder.paths = set()
    recorder.active = True
    started = time.perf_counter()
    value: Any = None
    problem = None
    try:
        with (
            native_output(out),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
            warnings.catch_warnings(),
        ):
            value = _execute(job)
    except BaseException as error:  # a snippet's failure, reported
        problem = describe(error, settings.root, settings.package)
    finally:
        recorder.active = False
    root = Path(settings.root)
    return Outcome(
        status="ok" if problem is None else "error",
        output=out.getvalue(),
        output_chars=out.total,
        value=None if value is None else _safe_repr(value, job.max_output),
        values=_plain_values(value),
        figures=_collect_figures(),
        duration=time.perf_counter() - started,
        problem=problem,
        modules=_project_modules(settings, baseline),
        data_files=recorder.digests(root),
    )


def _execute(job: Job) -> Any:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for source, filename, first_line in job.parts:
        # Blank lines in front keep tracebacks on the file's real lines.
        code = compile("\n" * (first_line - 1) + source, filename, "exec")
        exec(code, namespace)
    if job.call is None:
        return None
    return eval(compile(job.call, job.call_filename, "eval"), namespace)


def _loaded_project_modules(
    settings: WorkerSettings, baseline: _Baseline
) -> list[str]:
    package = settings.package
    return [
        name
        for name in list(sys.modules)
        if name == package
        or name.startswith(package + ".")
        or (
            name not in baseline.modules and _is_project_module(name, settings)
        )
    ]


def _is_project_module(name: str, settings: WorkerSettings) -> bool:
    """The snippets package, and any other module of the project's own
    (not the runner, not an installed library)."""
    if name == settings.package or name.startswith(settings.package + "."):
        return True
    filename = getattr(sys.modules.get(name), "__file__", None)
    if not filename:
        return False
    path = os.path.abspath(filename)
    runner = os.path.dirname(os.path.abspath(__file__)) + os.sep
    installed = (sys.prefix + os.sep, sys.base_prefix + os.sep)
    return (
        path.startswith(settings.root + os.sep)
        and not path.startswith(runner)
        and not path.startswith(installed)
    )


def _project_modules(
    settings: WorkerSettings, baseline: _Baseline
) -> dict[str, str]:
    root = Path(settings.root)
    found: dict[str, str] = {}
    for name in _loaded_project_modules(settings, baseline):
        filename = getattr(sys.modules[name], "__file__", None)
        if filename:
            # Not resolved: snippets/ may be a link to a folder elsewhere.
            path = Path(os.path.abspath(filename))
            found[project_key(path, root)] = file_digest(path)
    return dict(sorted(found.items()))


def _collect_figures() -> list[str]:
    import io

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


def _safe_repr(value: Any, limit: int) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ is shown, not raised
        text = f"<repr failed: {type(error).__name__}: {error}>"
    return text if len(text) <= limit else text[:limit] + " ..."


def _plain_values(value: Any) -> dict[str, float | int | str | bool]:
    if not isinstance(value, Mapping):
        return {}
    plain: dict[str, float | int | str | bool] = {}
    for key, item in value.items():
        converted = _plain(item)
        if isinstance(key, str) and converted is not None:
            plain[key] = converted
    return plain


def _plain(item: Any) -> float | int | str | bool | None:
    if isinstance(item, bool | int | float | str):
        return item
    if hasattr(item, "asscalar") and getattr(item, "size", None) == 1:
        item = item.asscalar()
    if hasattr(item, "item") and getattr(item, "size", None) == 1:
        return _plain(item.item())
    return None
