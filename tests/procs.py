"""Processes as the tests see them: running, or gone."""

from __future__ import annotations

import contextlib
import os

import psutil


def running(pids: list[int]) -> list[int]:
    """The processes of `pids` that still run. A zombie has ended: its
    parent has not read its status yet. The test process can be that
    parent (an in-process build makes it a subreaper, which adopts
    orphans), so it reaps its own zombies as it finds them."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
                continue
        except psutil.NoSuchProcess:
            continue
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    return alive
