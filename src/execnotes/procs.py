"""Linux process plumbing for the workers: death signals and process trees.

Only the zygote and the pool use this module. Everything here is Linux
specific (prctl, /proc); the worker model needs it to guarantee that no
process a snippet started outlives its run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}): {os.strerror(error)}")


def die_with_parent(signum: int, parent: int) -> None:
    """Have the kernel send `signum` to this process when its parent dies.

    If the parent is already gone (it died before the call), exit now.
    """
    _prctl(_PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:
        os._exit(1)


def become_subreaper() -> None:
    """Adopt orphaned descendants, so that none of them escapes a kill."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def children(pid: int) -> list[int]:
    """The direct children of `pid` (all its threads'), from /proc."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with (
                contextlib.suppress(OSError),
                open(
                    f"/proc/{pid}/task/{task}/children", encoding="ascii"
                ) as handle,
            ):
                found += [int(word) for word in handle.read().split()]
    return found


def kill_group(pgid: int) -> None:
    """SIGKILL a process group, if any member is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_descendants(pid: int, *, rounds: int = 50) -> None:
    """SIGKILL every descendant of `pid` and reap the direct children.

    `pid` must be this process (a subreaper), so that orphans come back to
    it; a process that forks while we kill is found on the next round.
    """
    for _ in range(rounds):
        found = _tree(pid)
        if not found:
            return
        for child in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        _reap_until_gone(pid, set(children(pid)))


def _tree(pid: int) -> list[int]:
    found: list[int] = []
    stack = children(pid)
    while stack:
        child = stack.pop()
        found.append(child)
        stack += children(child)
    return found


def _reap_until_gone(pid: int, direct: set[int]) -> None:
    deadline = time.monotonic() + 5
    while direct and time.monotonic() < deadline:
        for child in list(direct):
            try:
                done, _ = os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                done = child
            if done:
                direct.discard(child)
        if direct:
            time.sleep(0.001)
