"""A notebook's code cells, run in order inside one forked child.

As in Jupyter: the cells share one namespace, the value of a cell's last
expression is shown (unless the cell ends with `;`), figures shown with
`plt.show()` or left open are collected after each cell and closed, and a
cell that fails stops the notebook: the cells after it are not run.
Before each cell the child writes the run's separator to the output pipe,
so that the zygote can tell the cells' outputs apart.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import os
import sys
import time
import tokenize
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from execnotes.core.protocol import CellResult, CodeCell, Problem, Value
from execnotes.worker.capture import describe
from execnotes.worker.reprs import collect_figures, plain_value, value_repr

_QUIET_TOKENS = frozenset(
    (
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.ENDMARKER,
        tokenize.INDENT,
        tokenize.DEDENT,
    )
)


@dataclass(frozen=True)
class Context:
    """Where the notebook runs and how its results are kept."""

    root: str
    package: str
    separator: bytes
    limit: int


@dataclass
class _Shown:
    """Figures shown with plt.show() during the current cell."""

    figures: list[str] = field(default_factory=list)
    problem: str | None = None


def cell_filename(number: int) -> str:
    """The name a code cell runs under (its prompt, as in Jupyter)."""
    return f"<In [{number}]>"


def run_cells(
    cells: Sequence[CodeCell], context: Context
) -> tuple[Problem | None, list[dict[str, Any]]]:
    """Run the cells in order; the first failure and each cell's result
    (as JSON-ready dicts, without their output, which the zygote reads)."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    shown = _collect_shown_figures()
    problem: Problem | None = None
    results = []
    for number, cell in enumerate(cells, start=1):
        if problem is not None:
            results.append(asdict(CellResult("not run")))
            continue
        result, problem = _run_cell(cell, number, namespace, context, shown)
        results.append(asdict(result))
    return problem, results


def _run_cell(
    cell: CodeCell,
    number: int,
    namespace: dict[str, Any],
    context: Context,
    shown: _Shown,
) -> tuple[CellResult, Problem | None]:
    _separate(context.separator)
    started = time.perf_counter()
    value, problem = _execute(cell.source, number, namespace, context)
    figures, figure_problem = _take_figures(shown)
    if problem is None and figure_problem is not None:
        problem = Problem(
            "error",
            "FigureError",
            f"a figure could not be saved as SVG: {figure_problem}",
        )
    result = CellResult(
        status="ok" if problem is None else "error",
        value=None if value is None else value_repr(value, context.limit),
        figures=figures,
        duration=time.perf_counter() - started,
    )
    if problem is None:
        values, missing = _inline_values(cell.values, namespace, context)
        result = replace(result, values=values, missing=missing)
    return result, problem


def _execute(
    source: str, number: int, namespace: dict[str, Any], context: Context
) -> tuple[Any, Problem | None]:
    """Run one cell; the value of its last expression, or its failure."""
    filename = cell_filename(number)
    # Tracebacks then show the cell's lines, as they do for a module.
    linecache.cache[filename] = (
        len(source),
        None,
        source.splitlines(keepends=True),
        filename,
    )
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as error:
        return None, _syntax_problem(error)
    try:
        last = _last_expression(tree, source)
        exec(compile(tree, filename, "exec"), namespace)
        if last is None:
            return None, None
        return eval(compile(last, filename, "eval"), namespace), None
    except BaseException as error:  # the cell's failure, reported
        return None, describe(error, context.root, context.package)


def _last_expression(tree: ast.Module, source: str) -> ast.Expression | None:
    """The cell's last statement, taken out of `tree`, if it is an
    expression whose value Jupyter would show."""
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or _ends_with_semicolon(source):
        return None
    tree.body.pop()
    return ast.Expression(last.value)


def _ends_with_semicolon(source: str) -> bool:
    """Whether the cell ends with `;`, which hides its value in Jupyter."""
    readline = io.StringIO(source).readline
    try:
        tokens = [
            token
            for token in tokenize.generate_tokens(readline)
            if token.type not in _QUIET_TOKENS
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    return bool(tokens) and tokens[-1].string == ";"


def _syntax_problem(error: SyntaxError) -> Problem:
    """A cell that is not Python: where, and why if it is IPython's."""
    line = (error.text or "").strip()
    message = f"{error.msg} (line {error.lineno}: {line})"
    if line.startswith(("%", "!")):
        message += (
            "; IPython commands (lines that start with % or !) do not run "
            "here: cells are plain Python (figures are shown without "
            "%matplotlib inline)"
        )
    return Problem("error", "SyntaxError", message)


def _separate(separator: bytes) -> None:
    for handle in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            handle.flush()
    with contextlib.suppress(OSError):
        os.write(1, separator)


def _collect_shown_figures() -> _Shown:
    """Make plt.show() hand its figures to the cell, as Jupyter's inline
    backend does, instead of warning that Agg cannot show them."""
    shown = _Shown()
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # not installed (execnotes needs no matplotlib)
        return shown

    def show(*args: Any, **kwargs: Any) -> None:
        figures, problem = collect_figures()
        shown.figures += figures
        shown.problem = shown.problem or problem
        plt.close("all")

    plt.show = show
    return shown


def _take_figures(shown: _Shown) -> tuple[list[str], str | None]:
    """The figures of the cell: those shown, then those left open."""
    left, problem = collect_figures()
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    figures, problem = shown.figures + left, shown.problem or problem
    shown.figures, shown.problem = [], None
    return figures, problem


def _inline_values(
    expressions: Sequence[str], namespace: dict[str, Any], context: Context
) -> tuple[dict[str, Value], dict[str, str]]:
    values: dict[str, Value] = {}
    missing: dict[str, str] = {}
    for expression in expressions:
        try:
            found = eval(compile(expression, "<value>", "eval"), namespace)
        except Exception as error:  # an inline value without a value
            missing[expression] = f"{type(error).__name__}: {error}"
            continue
        plain = plain_value(found, context.limit)
        if plain is None:
            missing[expression] = (
                f"it is a {type(found).__name__}, not a number or a text"
            )
        else:
            values[expression] = plain
    return values, missing


def with_outputs(
    count: int, segments: Sequence[str], ran: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """The results of a notebook's `count` cells with their outputs (the
    output pipe's text cut at each separator, see OutputSink.segments).

    `ran` is None when the run ended without a result (it crashed or ran
    out of time): the last cell that started is the one that failed.
    """
    if count == 0:
        return []
    # What came before the first cell (nothing, normally) is not lost.
    texts = [segments[0] + "".join(segments[1:2]), *segments[2:]]
    if ran is None:
        started = len(segments) - 1
        ran = [asdict(CellResult("ok")) for _ in range(started - 1)]
        ran += [asdict(CellResult("error"))] if started else []
        ran += [asdict(CellResult("not run"))] * (count - len(ran))
    return [
        {**cell, "output": texts[n] if n < len(texts) else ""}
        for n, cell in enumerate(ran)
    ]
