"""Run many "copy runnable" texts as a reader's `python -` would, cheaply.

Executed by the reader's interpreter (`python -c SOURCE`, from an empty
folder), so it may import nothing of this project. It imports mxnet, numpy
and matplotlib once, then forks a fresh child per text: each text runs in
its own process, from its own empty folder, in a new `__main__` module,
with nothing it did visible to the next. What each child printed comes
back as one JSON line per text, as soon as it ends.

Protocol (stdin, then stdout), one JSON document per line:
    in:  {"jobs": N, "timeout": SECONDS}, then {"id": ID, "text": TEXT}...
    out: {"ready": PREFIX} once the imports are done, then
         {"id": ID, "ok": BOOL, "output": TEXT} per text, in finishing order
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
import types


def _warm_up() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import mxnet.gluon  # noqa: F401 (imported once, for every child)
    import numpy  # noqa: F401


def _child(text: str, folder: str, output: str) -> None:
    """In the forked child: run `text` as `python -` does; never return."""
    code = 1
    try:
        os.setsid()  # its own group: a timeout kills what it started too
        os.chdir(folder)
        null = os.open(os.devnull, os.O_RDONLY)
        out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        module = types.ModuleType("__main__")
        sys.modules["__main__"] = module
        sys.argv = ["-"]
        sys.path[0] = ""  # `python -` looks in the working folder first
        try:
            exec(compile(text, "<stdin>", "exec"), module.__dict__)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
            if stop.code is not None and not isinstance(stop.code, int):
                print(stop.code, file=sys.stderr)
        except BaseException as error:  # shown as `python -` shows it
            tb = error.__traceback__
            traceback.print_exception(error, error, tb and tb.tb_next)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # the text closed it
                stream.flush()
        os._exit(code)


class _Running:
    def __init__(self, ident: object, text: str, timeout: float) -> None:
        self.ident = ident
        # The output file sits beside the empty working folder, not in it.
        self.box = tempfile.mkdtemp(prefix="reader-")
        self.folder = os.path.join(self.box, "cwd")
        os.mkdir(self.folder)
        self.output = os.path.join(self.box, "output")
        self.deadline = time.monotonic() + timeout
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            _child(text, self.folder, self.output)
        self.pidfd = os.pidfd_open(self.pid)

    def finish(self, status: int | None) -> dict[str, object]:
        """The result line; `status` None means it ran out of time."""
        if status is None:
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        else:
            # What it left running in its group goes with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        os.close(self.pidfd)
        try:
            with open(self.output, encoding="utf-8", errors="replace") as f:
                printed = f.read()
        except FileNotFoundError:
            printed = ""
        shutil.rmtree(self.box, ignore_errors=True)
        ok = status == 0
        if status is None:
            printed += "\n[timed out]"
        elif status != 0:
            printed += f"\n[exit status {status}]"
        return {"id": self.ident, "ok": ok, "output": printed}


def main() -> None:
    """Read the settings and texts, run them, report each."""
    lines = sys.stdin.read().splitlines()
    settings = json.loads(lines[0])
    jobs, timeout = int(settings["jobs"]), float(settings["timeout"])
    queue = [json.loads(line) for line in lines[1:]]
    queue.reverse()
    _warm_up()
    print(json.dumps({"ready": os.path.realpath(sys.prefix)}), flush=True)
    running: list[_Running] = []
    while queue or running:
        while queue and len(running) < jobs:
            job = queue.pop()
            running.append(_Running(job["id"], job["text"], timeout))
        wait = max(0.0, min(r.deadline for r in running) - time.monotonic())
        ready, _, _ = select.select([r.pidfd for r in running], [], [], wait)
        for run in list(running):
            if run.pidfd in ready:
                _, status = os.waitpid(run.pid, 0)
                code = os.waitstatus_to_exitcode(status)
            elif time.monotonic() >= run.deadline:
                code = None
            else:
                continue
            running.remove(run)
            print(json.dumps(run.finish(code)), flush=True)


if __name__ == "__main__":
    main()
