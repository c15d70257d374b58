"""Import statements as data: what each one binds, merged and formatted.

Standalone code gathers the imports of definitions from several modules;
here they are deduplicated and written back the way ruff's isort would:
`__future__` first, then the standard library, then third-party
libraries, plain imports before `from` imports in each group.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Imported:
    """One name bound by an import of code outside the project.

    `source` is the module of a `from source import name`, or None for a
    plain `import name`.
    """

    source: str | None
    name: str
    asname: str | None = None

    @property
    def bound(self) -> str:
        """The name the import binds."""
        if self.asname:
            return self.asname
        return (
            self.name if self.source is not None else self.name.split(".")[0]
        )

    @property
    def top_module(self) -> str:
        """The top-level package the import comes from."""
        return (self.source or self.name).split(".")[0]

    def statement(self) -> str:
        """The import alone, as Python code."""
        alias = f" as {self.asname}" if self.asname else ""
        if self.source is None:
            return f"import {self.name}{alias}"
        return f"from {self.source} import {self.name}{alias}"


def import_block(imported: Iterable[Imported], width: int = 79) -> str:
    """The imports as sorted, merged statements in isort's groups."""
    groups: dict[int, list[str]] = defaultdict(list)
    plain = sorted({i for i in imported if i.source is None}, key=_plain_key)
    for item in plain:
        groups[_group(item)].append(item.statement())
    merged: dict[str, set[Imported]] = defaultdict(set)
    for item in imported:
        if item.source is not None:
            merged[item.source].add(item)
    for source in sorted(merged, key=str.lower):
        names = sorted(merged[source], key=_name_key)
        first = names[0]
        line = f"from {source} import " + ", ".join(
            n.statement().partition(" import ")[2] for n in names
        )
        groups[_group(first)].append(_wrapped(line, width))
    return "\n\n".join("\n".join(groups[g]) for g in sorted(groups))


def _group(item: Imported) -> int:
    if item.top_module == "__future__":
        return 0
    return 1 if item.top_module in sys.stdlib_module_names else 2


def _plain_key(item: Imported) -> tuple[str, str]:
    return item.name.lower(), item.asname or ""


def _name_key(item: Imported) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions.
    name = item.name
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def wrapped(line: str, width: int = 79) -> str:
    """Wrap a long `from x import a, b` the way ruff and black do."""
    return _wrapped(line, width)


def _wrapped(line: str, width: int) -> str:
    head, separator, names = line.partition(" import ")
    if len(line) <= width or not head.startswith("from ") or not separator:
        return line
    items = "".join(f"    {name.strip()},\n" for name in names.split(","))
    return f"{head} import (\n{items})"


def absolute_source(node: ast.ImportFrom, module: str) -> str:
    """The absolute module of a `from ... import`, relative ones resolved
    against `module` (the importing module's dotted name)."""
    source = node.module or ""
    if node.level:
        base = module.split(".")[: -node.level]
        source = ".".join([*base, source] if source else base)
    return source


def bound_name(alias: ast.alias) -> str:
    """The name an import alias binds (`import a.b` binds `a`)."""
    return alias.asname or alias.name.split(".")[0]
