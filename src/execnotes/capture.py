"""What a run leaves behind: its output, the files it read, its failure."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from execnotes.protocol import Problem

CALL_FILENAME = "<execnotes>"


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def project_key(path: Path, root: Path) -> str:
    """How a file is named in a cache entry: relative to the project if it
    is inside it, so a cache moved with the project stays valid."""
    return (
        path.relative_to(root) if path.is_relative_to(root) else path
    ).as_posix()


class BoundedText(io.TextIOBase):
    """A text sink that keeps the first `limit` characters and counts all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0

    def writable(self) -> bool:
        """It is."""
        return True

    def write(self, text: str) -> int:
        """Keep what fits, count everything."""
        self.total += len(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        return len(text)

    def getvalue(self) -> str:
        """What was kept."""
        return "".join(self.parts)


@contextlib.contextmanager
def native_output(out: BoundedText) -> Iterator[None]:
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
            native = sink.read(out.limit + 1)
            out.write(native.decode(errors="replace"))
            out.total += max(0, size - len(native))


class FileRecorder:
    """Records the data files a run opens for reading (an audit hook)."""

    def __init__(self, ignored: tuple[str, ...]) -> None:
        self.ignored = tuple(
            folder.rstrip(os.sep) + os.sep for folder in ignored
        )
        self.active = False
        self.paths: set[str] = set()

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        """Called by Python for every audited event."""
        if not self.active or event != "open" or not args:
            return
        path, mode = args[0], args[1] if len(args) > 1 else "r"
        if not isinstance(path, str) or not isinstance(mode, str | None):
            return
        if mode and any(flag in mode for flag in "wax+"):
            return
        path = os.path.abspath(path)
        if not path.endswith((".py", ".pyc")) and not path.startswith(
            self.ignored
        ):
            self.paths.add(path)

    def digests(self, root: Path) -> dict[str, str]:
        """The hash of every regular file recorded."""
        return {
            project_key(Path(path), root): file_digest(Path(path))
            for path in sorted(self.paths)
            if os.path.isfile(path)
        }


def describe(error: BaseException, root: str, package: str) -> Problem:
    """The exception and a traceback trimmed to the snippets' own frames,
    with paths relative to the project."""
    package_dir = os.path.join(root, package) + os.sep
    frames = [
        _relative_frame(frame, root)
        for frame in traceback.extract_tb(error.__traceback__)
        if _is_snippet_frame(frame.filename, package_dir)
    ]
    message = "".join(traceback.format_exception_only(error)).strip()
    return Problem(
        kind="error",
        exception=type(error).__name__,
        message=message,
        traceback="".join(traceback.format_list(frames)),
    )


def _is_snippet_frame(filename: str, package_dir: str) -> bool:
    if filename == CALL_FILENAME:
        return False
    if filename.startswith("<"):
        return True
    return os.path.abspath(filename).startswith(package_dir)


def _relative_frame(
    frame: traceback.FrameSummary, root: str
) -> traceback.FrameSummary:
    filename = frame.filename
    if not filename.startswith("<"):
        filename = os.path.relpath(os.path.abspath(filename), root)
    return traceback.FrameSummary(
        filename, frame.lineno, frame.name, line=frame.line
    )
