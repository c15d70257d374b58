"""Helpers of the scale-out tests: the command line, as its own process."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def execnotes(
    root: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m execnotes ARGS` in `root`, with `env` added."""
    return subprocess.run(
        [sys.executable, "-m", "execnotes", *args],
        cwd=root,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "SOURCE_DATE_EPOCH": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(process: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    return output


@pytest.fixture(autouse=True)
def core_logs_reach_caplog() -> Iterator[None]:
    """An in-process MkDocs build earlier in the session hands the core's
    logs to MkDocs' logger only (the plugin stops their propagation); here
    they must also reach pytest's capture, whatever ran before."""
    core = logging.getLogger("execnotes")
    before = core.propagate
    core.propagate = True
    yield
    core.propagate = before
