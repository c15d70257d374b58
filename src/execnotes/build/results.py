"""The result of a job in a build: the record every part of a build shares.

It sits below the `Runner` (which runs it) and the `Build` (which makes
it), so that neither has to import the other's module to name it.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import NamedTuple

from execnotes.core.protocol import Job, Outcome
from execnotes.source import symbols


class Use(NamedTuple):
    """Where a page shows a result: the page, and the line of its block
    (0 for a notebook page, whose run is the whole notebook)."""

    page: str
    line: int


@dataclass
class Result:
    """The outcome of one job in one build, and where it came from."""

    job: Job
    snippet: symbols.Snippet | None  # None for a notebook
    future: Future[Outcome]
    source: str
    uses: list[Use] = field(default_factory=list)
    notebook: str = ""  # the (first) notebook page whose cells it runs
    group: str = ""  # runs of a group go to one shard (execnotes.build.plan)
    resources: tuple[tuple[str, float], ...] = ()  # for a Dask worker

    @property
    def name(self) -> str:
        """The snippet's dotted name, or the notebook page."""
        return self.snippet.name if self.snippet else self.notebook

    @property
    def outcome(self) -> Outcome:
        """Wait for the run (or the cache) and return what it produced."""
        return self.future.result()
