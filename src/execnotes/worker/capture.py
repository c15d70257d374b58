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

from execnotes.core.protocol import CALL_FILENAME, Problem, clean_text


class OutputSink:
    """Keeps the first `limit` characters of a byte stream up to `marker`,
    and counts all of them.

    With a `separator` (a notebook's runs write one before each code
    cell), the text is also kept in segments: what came before the first
    separator, then one per separator.
    """

    def __init__(
        self, limit: int, marker: bytes, separator: bytes | None = None
    ) -> None:
        self.limit = limit
        self.marker = marker
        self.separator = separator
        self.ended = False
        self.total = 0
        self._segments: list[list[str]] = [[]]
        self._kept = 0
        self._pending = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._hold = max(len(marker), len(separator or b"")) - 1

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes read from the pipe."""
        data = self._pending + chunk
        while not self.ended:
            found = self._next_mark(data)
            if found is None:
                break
            start, mark = found
            self._decode(data[:start], final=True)
            data = data[start + len(mark) :]
            if mark == self.marker:
                self.ended = True
            else:
                self._segments.append([])
        if self.ended:
            return
        # A mark may begin in the last bytes: hold them back.
        hold = min(len(data), self._hold)
        self._decode(data[: len(data) - hold])
        self._pending = data[len(data) - hold :]

    def _next_mark(self, data: bytes) -> tuple[int, bytes] | None:
        marks = [m for m in (self.marker, self.separator) if m]
        found = [(data.find(m), m) for m in marks]
        found = [(at, m) for at, m in found if at >= 0]
        return min(found) if found else None

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
            self._segments[-1].append(text[:room])
            self._kept += min(room, len(text))

    def text(self) -> str:
        """What was kept."""
        return "".join("".join(parts) for parts in self._segments)

    def segments(self) -> list[str]:
        """What was kept, cut at each separator."""
        return ["".join(parts) for parts in self._segments]


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
