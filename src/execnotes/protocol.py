"""The messages between the runner and its workers, and the cached result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "error", "timeout", "crashed"]


@dataclass(frozen=True)
class FigureStyle:
    """Matplotlib settings applied before every run (part of the cache key)."""

    rc: tuple[tuple[str, Any], ...] = (
        ("svg.hashsalt", "execnotes"),
        ("svg.fonttype", "path"),
        ("figure.dpi", 100),
        ("figure.figsize", (5.0, 3.5)),
        ("axes.grid", True),
        ("grid.alpha", 0.3),
    )


@dataclass(frozen=True)
class Job:
    """One snippet to run: the code parts in order, then an optional call."""

    key: str
    parts: tuple[tuple[str, str, int], ...]
    call: str | None
    call_filename: str
    seed: int
    max_output: int


@dataclass(frozen=True)
class Problem:
    """Why a run did not succeed."""

    kind: Status
    exception: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class Outcome:
    """Everything a run produced; this is what the cache stores."""

    status: Status
    output: str = ""
    output_chars: int = 0
    value: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    duration: float = 0.0
    problem: Problem | None = None
    modules: dict[str, str] = field(default_factory=dict)
    data_files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        """Rebuild an outcome; raise KeyError/TypeError on a malformed one."""
        problem = data.pop("problem")
        return cls(
            **data, problem=None if problem is None else Problem(**problem)
        )
