"""What a run leaves behind: its output, and its failure explained.

A run's stdout and stderr (Python's and native code's alike, in the order
they were written) go to one pipe that the zygote reads into an
`OutputSink`. When the snippet returns, the child writes an end marker that
only it knows: whatever a left-over subprocess writes after it is not the
snippet's output.
"""

from __future__ import annotations

import codecs
import os
import traceback

from execnotes.protocol import Problem, clean_text

CALL_FILENAME = "<execnotes>"


class OutputSink:
    """Keeps the first `limit` characters of a byte stream up to `marker`,
    and counts all of them."""

    def __init__(self, limit: int, marker: bytes) -> None:
        self.limit = limit
        self.marker = marker
        self.ended = False
        self.total = 0
        self._parts: list[str] = []
        self._kept = 0
        self._pending = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes read from the pipe."""
        if self.ended:
            return
        data = self._pending + chunk
        end = data.find(self.marker)
        if end >= 0:
            self._decode(data[:end], final=True)
            self.ended = True
            return
        # The marker may begin in the last bytes: hold them back.
        hold = min(len(data), len(self.marker) - 1)
        self._decode(data[: len(data) - hold])
        self._pending = data[len(data) - hold :]

    def close(self) -> None:
        """The stream ended (without a marker, if the run crashed)."""
        if not self.ended:
            self._decode(self._pending, final=True)
            self._pending = b""
            self.ended = True

    def _decode(self, data: bytes, *, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        self.total += len(text)
        room = self.limit - self._kept
        if room > 0 and text:
            self._parts.append(text[:room])
            self._kept += min(room, len(text))

    def text(self) -> str:
        """What was kept."""
        return "".join(self._parts)


def describe(error: BaseException, root: str, package: str) -> Problem:
    """The exception and a traceback trimmed to the snippets' own frames,
    with paths relative to the project."""
    package_dir = os.path.join(root, package) + os.sep
    frames = [
        _relative_frame(frame, root)
        for frame in traceback.extract_tb(error.__traceback__)
        if _is_snippet_frame(frame.filename, package_dir)
    ]
    try:
        message = "".join(traceback.format_exception_only(error)).strip()
    except Exception as broken:  # a broken __str__ is reported, not raised
        message = f"{type(error).__name__}: <str() failed: {broken!r}>"
    return Problem(
        kind="error",
        exception=type(error).__name__,
        message=clean_text(message),
        traceback=clean_text("".join(traceback.format_list(frames))),
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
