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


def marked(variable: str, value: str) -> list[int]:
    """Every process whose environment, as it started, holds
    `variable=value` (or a value starting with `value-`)."""
    exact = f"{variable}={value}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                entries = handle.read().split(b"\0")
        except OSError:
            continue  # gone, or not ours to read
        if any(e == exact or e.startswith(exact + b"-") for e in entries):
            found.append(int(name))
    return found


def adopted() -> list[int]:
    """This process's children that live in another session: what a run
    started and the kernel handed to this subreaper (every run has its own
    session; the build's own children share the build's)."""
    me, session = os.getpid(), os.getsid(0)
    found = []
    for child in children(me):
        with contextlib.suppress(OSError):
            if os.getsid(child) != session:
                found.append(child)
    return found


def sweep(variable: str, value: str, *, rounds: int = 50) -> int:
    """SIGKILL every process marked with `variable=value` and every orphan
    this (subreaper) process adopted from a run, with their descendants,
    until none is left; reap those that became children of this process.
    Returns how many were killed."""
    me, killed = os.getpid(), 0
    for _ in range(rounds):
        roots = [p for p in {*marked(variable, value), *adopted()} if p != me]
        found = {p for root in roots for p in (root, *_tree(root))}
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed += len(found)
        _reap_until_gone(me, set(children(me)) & found)
    return killed
