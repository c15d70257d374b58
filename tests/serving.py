"""The log of a `mkdocs serve` process, read as it comes, so that a test
waits for the rebuild its edit caused instead of sleeping.

MkDocs' build loop logs "Detected file changes" when a rebuild starts and
"Reloading browsers" when it has finished; a rebuild that fails logs
neither the second line nor a later one, and the wait fails at its
deadline with the log.
"""

from __future__ import annotations

import threading
import time
from typing import IO

import pytest

STARTED = "Detected file changes"
FINISHED = "Reloading browsers"


class ServeLog:
    """Every line a server wrote to `stream` (its stdout and stderr)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.lines: list[str] = []
        self.ended = False
        self.changed = threading.Condition()
        self.reader = threading.Thread(
            target=self._read, args=(stream,), daemon=True
        )
        self.reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def text(self) -> str:
        """The log so far (all of it, once the server has ended)."""
        with self.changed:
            return "".join(self.lines)

    def count(self, what: str) -> int:
        """How many lines so far contain `what`."""
        with self.changed:
            return sum(what in line for line in self.lines)

    def rebuilds(self) -> int:
        """How many rebuilds have started."""
        return self.count(STARTED)

    def wait_quiet(self, after: int, what: str, timeout: float) -> None:
        """Wait until a rebuild later than the first `after` started, and
        every rebuild started has finished; fail, with the log, if that
        has not happened within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not self._quiet(after):
                left = deadline - time.monotonic()
                if left <= 0 or self.ended:
                    pytest.fail(
                        f"no finished rebuild after {what} within "
                        f"{timeout:.0f}s"
                        + (" (the server ended)" if self.ended else "")
                        + ":\n"
                        + "".join(self.lines[-40:]),
                        pytrace=False,
                    )
                self.changed.wait(timeout=left)

    def _quiet(self, after: int) -> bool:
        started = sum(STARTED in line for line in self.lines)
        finished = sum(FINISHED in line for line in self.lines)
        return started > after and finished >= started

    def join(self, timeout: float) -> str:
        """The whole log, once the server's output has ended."""
        self.reader.join(timeout)
        assert not self.reader.is_alive(), "the server's output never ended"
        self.stream.close()
        return self.text()
