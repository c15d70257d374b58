"""A notebook page as readers download it: runnable with only mxnet, NumPy,
matplotlib and Jupyter installed.

It is the executed notebook (`executed.Executed`) with the run's outputs,
figures as SVG, a failed cell's error, and a setup section before the
first code cell: one cell seeds the random generators as the build did
before the first cell, the next defines the helpers the cells import from
the package (see `export`), whose imports are taken out of the cells.
"""

from __future__ import annotations

import ast
from typing import Any

from execnotes.core import strings
from execnotes.pages.ipynb import Cell
from execnotes.render.executed_notebook import Executed, dumps
from execnotes.render.fragments import failure_message
from execnotes.render.jupyter_markdown import (
    LinkResolver,
    to_jupyter,
    without_site_only,
)
from execnotes.render.page_notebook import (
    helpers_header,
    jupyter_outputs,
)
from execnotes.source.export import Exporter, ExportError, Unit, assemble

_MAIN = "__main__"  # the module a notebook's cells run in
_SEED = """\
{comment}
import random

import mxnet as mx
import numpy as np

random.seed({seed})
np.random.seed({seed})
mx.random.seed({seed})
"""


def download(
    executed: Executed, exporter: Exporter, *, seed: int, link: LinkResolver
) -> tuple[str, str | None]:
    """The notebook a reader downloads, and why it lacks its helpers (if
    it does: a cell's project import could not be inlined)."""
    try:
        helpers, problem = _helpers(executed, exporter), None
    except ExportError as error:
        helpers, problem = [], str(error)

    def code(cell: Cell, data: dict[str, Any]) -> None:
        data["source"] = _without_imports(
            cell.source, exporter, executed.language
        )
        data["outputs"] = _outputs(executed, cell)

    data = executed.made_over(
        code, lambda text: to_jupyter(without_site_only(text), link)
    )
    setup = _setup(executed.language, seed, helpers)
    first = next(
        (n for n, c in enumerate(data["cells"]) if c["cell_type"] == "code"),
        len(data["cells"]),
    )
    if data.get("nbformat_minor", 0) >= 5:  # cell ids came with 4.5
        for number, cell in enumerate(setup):
            cell["id"] = f"execnotes-setup-{number}"
    data["cells"][first:first] = setup
    return dumps(data), problem


def runnables(
    executed: Executed, exporter: Exporter, *, seed: int
) -> list[str] | None:
    """For each code cell, the text "Copy runnable" copies: the seeding and
    the helpers of the download's setup, then the cells up to this one,
    which it needs as it needs them in Jupyter. None if the helpers
    cannot be inlined (the download says why)."""
    try:
        helpers = _helpers(executed, exporter)
    except ExportError:
        return None
    setup = _setup(executed.language, seed, helpers)
    parts = [c["source"] for c in setup if c["cell_type"] == "code"]
    texts = []
    for cell in executed.notebook.code_cells:
        parts.append(
            _without_imports(cell.source, exporter, executed.language)
        )
        texts.append("\n\n\n".join(parts) + "\n")
    return texts


def _helpers(executed: Executed, exporter: Exporter) -> list[Unit]:
    """What the cells import from the package, with what it needs, in
    dependency order."""
    package = exporter.package
    roots: dict[tuple[str, int], Unit] = {}
    for cell in executed.notebook.code_cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # the run reported it
        _check_imports(tree, cell, package.name)
        for key in package.imported_names(cell.source, _MAIN).values():
            unit = package.definition(key)
            roots[unit.order] = unit
    return exporter.closure(roots.values()) if roots else []


def _check_imports(tree: ast.Module, cell: Cell, package: str) -> None:
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == package:
                    raise ExportError(
                        f"cell {cell.number}: `import {alias.name}` cannot "
                        f"be inlined; write `from {alias.name} import NAME`"
                    )


def _without_imports(source: str, exporter: Exporter, language: str) -> str:
    try:
        names = exporter.package.imported_names(source, _MAIN)
        code = exporter.package.without_project_imports(source, _MAIN)
    except (SyntaxError, ExportError):
        return source
    if not names:
        return source
    imported = strings.words(language)["download.imported"]
    package = exporter.package.name
    note = imported.format(package=package, names=", ".join(sorted(names)))
    return f"{note}\n{code.lstrip(chr(10))}".rstrip("\n")


def _outputs(executed: Executed, cell: Cell) -> list[dict[str, Any]]:
    result = executed.results.get(cell.number)
    count = executed.counts.get(cell.number)
    if result is None or count is None:
        return []
    outputs = jupyter_outputs(result, count)
    outcome = executed.outcome
    if result.status == "error" and outcome and outcome.problem:
        outputs.append(
            {
                "output_type": "error",
                "ename": outcome.problem.exception,
                "evalue": outcome.problem.message,
                "traceback": failure_message(outcome).splitlines(),
            }
        )
    return outputs


def _setup(
    language: str, seed: int, helpers: list[Unit]
) -> list[dict[str, Any]]:
    words = strings.words(language)
    notes = [words["notebook.setup_title"], words["download.seed_note"]]
    notes += [words["notebook.setup_helpers"]] if helpers else []
    cells = [
        _cell("markdown", "\n\n".join(notes)),
        _cell("code", _seed_cell(language, seed), "execnotes.setup"),
    ]
    if helpers:
        code = assemble(helpers, header=helpers_header(language))
        cells.append(_cell("code", code, "execnotes.helpers"))
    return cells


def _seed_cell(language: str, seed: int) -> str:
    comment = strings.words(language)["download.seed_comment"]
    return _SEED.format(comment=comment.format(seed=seed), seed=seed)


def _cell(kind: str, source: str, name: str = "") -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "metadata": {"execnotes": {"name": name}} if name else {},
        "source": source.rstrip("\n"),
    }
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell
