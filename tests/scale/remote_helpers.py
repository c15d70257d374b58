"""Outcomes to share, and remotes to share them in."""

from __future__ import annotations

from typing import Any

from execnotes.core.protocol import Outcome
from execnotes.store.remote import Remote, RemoteSettings

KEY = "cd" * 32
ENVIRONMENT = "0123456789abcdef"
INPUTS = {"file:snippets/demo.py": "e3" * 32}
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>'


def outcome(output: str = "hello\n") -> Outcome:
    """A successful run with a figure."""
    return Outcome(
        "ok", output=output, figures=[SVG], duration=0.5, inputs=INPUTS
    )


def remote(
    fs: Any, url: str, mode: str = "write", secret: str = "", **options: Any
) -> Remote:
    """A remote on `fs` at `url`, signing with `secret` if given."""
    settings = RemoteSettings(url, mode, **options)  # type: ignore[arg-type]
    environ = {"EXECNOTES_REMOTE_KEY": secret} if secret else {}
    return Remote(settings, ENVIRONMENT, fs=fs, environ=environ)


def always(inputs: object) -> bool:
    """Every recorded input is taken as unchanged."""
    return True
