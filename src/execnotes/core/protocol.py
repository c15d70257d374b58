"""The messages between the runner and its workers, and the cached result.

An `Outcome` crosses two trust boundaries: from a forked child (which runs
an author's code) to the pool, and from the cache folder (which anyone may
edit) back into a build. Both go through `Outcome.from_json`, which accepts
exactly the documented shape and raises `SchemaError` on anything else.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple, get_args

Status = Literal["ok", "error", "timeout", "crashed"]
CellStatus = Literal["ok", "error", "not run"]
Value = float | int | str | bool

# Longest timeout a block or the plugin may ask for: a day. Beyond it a
# wait is no longer a timeout, and `inf` or `nan` would break the clocks.
MAX_TIMEOUT = 86_400.0


class SchemaError(ValueError):
    """A message or cache entry that does not have the expected shape."""


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


CALL_FILENAME = "<execnotes>"
"""The file name a job's call and a notebook's cells run under: the worker
leaves its frames out of the tracebacks it reports."""


@dataclass(frozen=True)
class CodeCell:
    """A notebook's code cell as a job runs it."""

    source: str
    values: tuple[str, ...] = ()
    """The inline values (`{{ expression }}`) of the Markdown cells after
    this cell, evaluated once it has run."""


class CodePart(NamedTuple):
    """A piece of code a job runs, and where it comes from."""

    code: str
    filename: str  # shown in tracebacks; a module's path, or <...>
    first_line: int


@dataclass(frozen=True)
class Job:
    """One snippet to run: the code parts in order, then an optional call;
    or, with `cells`, a notebook: its code cells in order, in one process."""

    key: str
    parts: tuple[CodePart, ...]
    call: str | None
    call_filename: str
    seed: int
    max_output: int
    timeout: float = 300.0
    cells: tuple[CodeCell, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Why a run did not succeed."""

    kind: Status
    exception: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class CellResult:
    """What one code cell of a notebook produced.

    `value` is the repr of the cell's last expression (Jupyter's
    execute_result); `values` the inline values evaluated after it, and
    `missing` those that gave none, with the reason.
    """

    status: CellStatus
    output: str = ""
    value: str | None = None
    figures: list[str] = field(default_factory=list)
    duration: float = 0.0
    values: dict[str, Value] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: object) -> CellResult:
        """Rebuild a cell's result, checking every field.

        Raises:
            SchemaError: `data` is not exactly a cell result's shape.
        """
        fields = _object(data, "cell", _CELL_FIELDS)
        status = fields["status"]
        if status not in get_args(CellStatus):
            raise SchemaError(f"cell status: unknown {status!r}")
        return cls(
            status=status,
            output=_typed(fields["output"], str, "cell output"),
            value=_optional_str(fields["value"], "cell value"),
            figures=_strings(fields["figures"], "cell figures"),
            duration=_seconds(fields["duration"]),
            values=_values(fields["values"]),
            missing=_inputs(fields["missing"], "missing"),
        )


@dataclass(frozen=True)
class Outcome:
    """Everything a run produced; this is what the cache stores.

    `inputs` maps what the run read (``file:``, ``list:``, ``env:``,
    ``import:`` keys) to its state at the time; see `execnotes.core.inputs`.
    """

    status: Status
    output: str = ""
    output_chars: int = 0
    value: str | None = None
    values: dict[str, Value] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    duration: float = 0.0
    problem: Problem | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    cells: list[CellResult] = field(default_factory=list)
    """A notebook's code cells, in order (empty for a snippet)."""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Outcome:
        """Rebuild an outcome from parsed JSON, checking every field.

        Raises:
            SchemaError: `data` is not exactly an outcome's shape.
        """
        fields = _object(data, "outcome", _OUTCOME_FIELDS)
        problem = fields["problem"]
        return cls(
            status=_status(fields["status"]),
            output=_typed(fields["output"], str, "output"),
            output_chars=_count(fields["output_chars"], "output_chars"),
            value=_optional_str(fields["value"], "value"),
            values=_values(fields["values"]),
            figures=_strings(fields["figures"], "figures"),
            duration=_seconds(fields["duration"]),
            problem=None if problem is None else _problem(problem),
            inputs=_inputs(fields["inputs"]),
            cells=[
                CellResult.from_json(cell)
                for cell in _typed(fields["cells"], list, "cells")
            ],
        )

    @property
    def failed_cell(self) -> int | None:
        """The index of the code cell that failed, if one did."""
        return next(
            (n for n, c in enumerate(self.cells) if c.status == "error"), None
        )


_OUTCOME_FIELDS = frozenset(
    ("status", "output", "output_chars", "value", "values", "figures")
) | frozenset(("duration", "problem", "inputs", "cells"))
_CELL_FIELDS = frozenset(
    ("status", "output", "value", "figures", "duration", "values")
) | frozenset(("missing",))
_PROBLEM_FIELDS = frozenset(("kind", "exception", "message", "traceback"))


def _object(data: object, what: str, names: frozenset[str]) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != names:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise SchemaError(
            f"{what}: expected fields {sorted(names)}, found {found}"
        )
    return data


def _typed(value: object, kind: type, what: str) -> Any:
    # bool is an int in Python, but never a count or a duration here.
    if not isinstance(value, kind) or (
        kind is not bool and isinstance(value, bool)
    ):
        raise SchemaError(f"{what}: expected {kind.__name__}, found {value!r}")
    return value


def _status(value: object) -> Status:
    if value not in get_args(Status):
        raise SchemaError(f"status: unknown {value!r}")
    return value  # type: ignore[return-value]


def _count(value: object, what: str) -> int:
    number: int = _typed(value, int, what)
    if number < 0:
        raise SchemaError(f"{what}: negative {number}")
    return number


def _seconds(value: object) -> float:
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    seconds: float = _typed(value, float, "duration")
    if not math.isfinite(seconds) or seconds < 0:
        raise SchemaError(f"duration: {seconds!r} is not a time")
    return seconds


def _optional_str(value: object, what: str) -> str | None:
    return None if value is None else _typed(value, str, what)


def _strings(value: object, what: str) -> list[str]:
    items: list[object] = _typed(value, list, what)
    return [_typed(item, str, what) for item in items]


def _values(value: object) -> dict[str, Value]:
    items: dict[object, object] = _typed(value, dict, "values")
    for key, item in items.items():
        _typed(key, str, "values key")
        if not isinstance(item, float | int | str | bool):
            raise SchemaError(f"values[{key!r}]: not a number or text")
    return items  # type: ignore[return-value]


def _inputs(value: object, what: str = "inputs") -> dict[str, str]:
    items: dict[object, object] = _typed(value, dict, what)
    for key, state in items.items():
        _typed(key, str, f"{what} key")
        _typed(state, str, f"{what}[{key!r}]")
    return items  # type: ignore[return-value]


def _problem(data: object) -> Problem:
    fields = _object(data, "problem", _PROBLEM_FIELDS)
    return Problem(
        kind=_status(fields["kind"]),
        exception=_typed(fields["exception"], str, "problem.exception"),
        message=_typed(fields["message"], str, "problem.message"),
        traceback=_typed(fields["traceback"], str, "problem.traceback"),
    )


def clean_text(text: str) -> str:
    """`text` without lone surrogates (they cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def check_timeout(value: float) -> str | None:
    """Why `value` is not a usable timeout in seconds, or None if it is."""
    if not math.isfinite(value) or value <= 0:
        return f"{value!r} is not a positive number of seconds"
    if value > MAX_TIMEOUT:
        return f"{value:g} s is more than the limit of {MAX_TIMEOUT:g} s"
    return None
