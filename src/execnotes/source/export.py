"""Standalone code: a snippet with the project code it needs, inlined.

A page shows a symbol with `from snippets.x import y` lines, which run
only where the package is installed. Here the dependency closure of a
snippet (every top-level definition of the package it uses, across
modules, with the constants and the imports those need) is assembled into
one text that runs with only the third-party libraries installed:
imports merged at the top, then the definitions in dependency order.
"""

from __future__ import annotations

import heapq
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from execnotes.core.profiles import READER_NEEDS
from execnotes.core.strings import listing
from execnotes.source.imports import Imported, import_block
from execnotes.source.package import ExportError, Key, Package, Unit
from execnotes.source.symbols import Modules, Snippet, without_pragmas

__all__ = ["ExportError", "Exporter", "Unit", "assemble", "check_names"]

_EXECUTED = ("region", "module")  # kinds whose code runs as it is shown


class Exporter:
    """Makes standalone code out of the snippets of one package.

    Keeps what it worked out (the standalone text of each snippet, too):
    make a new one when the code may have changed.
    """

    def __init__(
        self, root: Path, package: str, modules: Modules | None = None
    ) -> None:
        self.package = Package(root, package, modules)
        self._standalone: dict[tuple[Snippet, int | None], str] = {}
        self._helpers: dict[tuple[Snippet, ...], list[Unit]] = {}

    def standalone(self, snippet: Snippet, seed: int | None = None) -> str:
        """The snippet with every project definition it needs inlined; if
        it runs and `seed` is given, seeded as the build's run was."""
        known = self._standalone.get((snippet, seed))
        if known is None:
            known = self._assemble(snippet, seed)
            self._standalone[snippet, seed] = known
        return known

    def _assemble(self, snippet: Snippet, seed: int | None) -> str:
        units = self.closure([self.unit(snippet)])
        runs = snippet.call is not None or snippet.kind in _EXECUTED
        if runs and seed is not None:
            units.insert(0, seeding(seed))
        tail = snippet.call or ""
        imports = {i for unit in units for i in unit.imports}
        if tail and Imported(None, "matplotlib.pyplot", "plt") in imports:
            # Run as a script, a demo's figures would never appear.
            tail += "\nplt.show()"
        header = textwrap.fill(
            f"{snippet.name}, with the code it uses from the "
            f"{self.package.name} "
            f"package inlined: it needs only {listing('en', READER_NEEDS)}.",
            width=77,
            initial_indent="# ",
            subsequent_indent="# ",
        )
        return assemble(units, header=header, tail=tail)

    def cell(self, snippet: Snippet) -> str:
        """The shown code without its imports from the package."""
        code = self.package.without_project_imports(
            snippet.shown, snippet.module
        )
        return code.strip("\n") + "\n"

    def project_names(self, snippet: Snippet) -> dict[str, Key]:
        """Names the shown code imports from the package, with the
        definition each one stands for."""
        return self.package.imported_names(snippet.shown, snippet.module)

    def unit(self, snippet: Snippet) -> Unit:
        """The snippet's own code as a unit."""
        return self.package.unit(snippet)

    def closure(
        self, roots: Iterable[Unit], *, now_only: bool = False
    ) -> list[Unit]:
        """The roots and every unit they need, dependencies first.

        With `now_only`, only what the roots need while they run (a
        function's definition needs its defaults, not its body's names).
        """
        roots = list(roots)
        found = {} if now_only else {unit.order: unit for unit in roots}
        stack = [
            key
            for unit in roots
            for key in (unit.needs_now if now_only else unit.needs)
        ]
        while stack:
            unit = self.package.definition(stack.pop())
            if unit.order not in found:
                found[unit.order] = unit
                stack += unit.needs
        return self._ordered(list(found.values()))

    def page_helpers(self, snippets: Sequence[Snippet]) -> list[Unit]:
        """What a page's notebook must define before the page's own cells:
        the code its cells use that the page does not show, and what a
        cell needs before the page shows it; in dependency order."""
        key = tuple(snippets)
        known = self._helpers.get(key)
        if known is None:
            known = self._helpers[key] = self._page_helpers(snippets)
        return list(known)

    def _page_helpers(self, snippets: Sequence[Snippet]) -> list[Unit]:
        cells = [self.unit(snippet) for snippet in snippets]
        shown: set[Key] = set()
        helpers: dict[tuple[str, int], Unit] = {}
        for snippet, cell in zip(snippets, cells, strict=True):
            runs = snippet.call is not None or snippet.kind in _EXECUTED
            for unit in self.closure([cell], now_only=not runs):
                if unit.order != cell.order and not unit.provides <= shown:
                    helpers[unit.order] = unit
            shown |= cell.provides
        for unit in self.closure(cells):
            if not unit.provides <= shown:
                helpers[unit.order] = unit
        # A helper's default values and decorators must exist before it.
        for unit in self.closure(list(helpers.values()), now_only=True):
            helpers[unit.order] = unit
        ordered = self._ordered(list(helpers.values()))
        check_names([*ordered, *cells])
        return ordered

    def _ordered(self, units: list[Unit]) -> list[Unit]:
        """Topological order; ties (and cycles) go by place in the package."""
        by_key = {key: unit for unit in units for key in unit.provides}
        waiting = {
            unit.order: {by_key[k].order for k in unit.needs if k in by_key}
            - {unit.order}
            for unit in units
        }
        ready = [order for order, deps in waiting.items() if not deps]
        heapq.heapify(ready)
        ordered: list[Unit] = []
        units_by_order = {unit.order: unit for unit in units}
        while waiting:
            if not ready:  # mutual recursion: break it in source order
                ready = [min(waiting)]
            order = heapq.heappop(ready)
            if order not in waiting:
                continue
            del waiting[order]
            ordered.append(units_by_order[order])
            for other, deps in waiting.items():
                if order in deps:
                    deps.discard(order)
                    if not deps:
                        heapq.heappush(ready, other)
        return ordered


# The worker seeds these generators before every run (child._seed).
_SEEDED = frozenset(
    {
        Imported(None, "random"),
        Imported(None, "numpy", "np"),
        Imported(None, "mxnet", "mx"),
    }
)
_SEEDING = """\
# The site seeded Python's, NumPy's and MXNet's random generators with {seed}
# right before this ran: the same seeds give the numbers on the page.
random.seed({seed})
np.random.seed({seed})
mx.random.seed({seed})"""


def seeding(seed: int) -> Unit:
    """Code that seeds the random generators as a build's run does, as a
    unit to go first (the imports it needs merge with the others')."""
    return Unit(
        module="",
        line=0,
        source=_SEEDING.format(seed=seed),
        provides=frozenset(),
        needs=frozenset(),
        needs_now=frozenset(),
        imports=_SEEDED,
    )


def assemble(units: Iterable[Unit], header: str = "", tail: str = "") -> str:
    """Units as one Python text: imports, definitions, then `tail`."""
    units = list(units)
    check_names(units)
    imports = import_block({i for unit in units for i in unit.imports})
    top = "\n".join(part for part in (header, imports) if part)
    body = ""
    for previous, unit in zip([None, *units], units, strict=False):
        # Constants of one module stay together, as in their module.
        together = (
            previous is not None
            and previous.module == unit.module
            and previous.is_value
            and unit.is_value
        )
        body += ("\n" if together else "\n\n\n") + without_pragmas(unit.source)
    parts = [top, body.strip("\n"), tail]
    return "\n\n\n".join(part for part in parts if part) + "\n"


def check_names(units: Iterable[Unit]) -> None:
    """Raise if two units or imports bind one name to different things."""
    seen: dict[str, tuple[object, str]] = {}
    for unit in units:
        bindings: list[tuple[str, object, str]] = [
            (i.bound, i, i.statement()) for i in unit.imports
        ]
        bindings += [
            (name, unit.order, f"{module}.{name}")
            for module, name in unit.provides
        ]
        for name, origin, label in bindings:
            first = seen.setdefault(name, (origin, label))
            if first[0] != origin:
                raise ExportError(
                    f"{name!r} would mean both {first[1]} and {label} in one "
                    "standalone text; rename one of them"
                )
