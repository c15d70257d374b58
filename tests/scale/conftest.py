"""Helpers of the scale-out tests: the command line, as its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
