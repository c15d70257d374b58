"""Files written so that readers see the old bytes or the new, never half;
and the folder execnotes keeps for the user across projects."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomically(path: Path, text: str | bytes) -> None:
    """Replace `path` with `text` (or bytes) in one step (a rename in its
    folder)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def user_cache(environ: Mapping[str, str]) -> Path | None:
    """execnotes' folder in the user's cache, or None without a home."""
    folder = environ.get("XDG_CACHE_HOME") or (
        f"{environ['HOME']}/.cache" if environ.get("HOME") else ""
    )
    return Path(folder, "execnotes") if folder else None
