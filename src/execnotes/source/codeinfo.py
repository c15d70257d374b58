"""What a piece of Python code binds, reads, and runs when it is defined.

Scopes are not told apart: a name bound anywhere in the code counts as
bound everywhere in it, which is exact for the short functions of a
teaching package.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from execnotes.source.imports import bound_name


def free_names(code: str | ast.AST) -> set[str]:
    """Names the code reads but never binds itself (its free names)."""
    tree = ast.parse(code) if isinstance(code, str) else code
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        else:
            bound.update(_bound_by(node))
    return loaded - bound


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [bound_name(alias) for alias in node.names]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        return [node.name] if node.name else []
    return []


_COMPOUND = ast.Try | ast.If | ast.With | ast.For | ast.While


def defined_by(node: ast.stmt) -> set[str]:
    """The module-level names a top-level statement defines: a def or a
    class, the targets of an assignment (tuples too), and every name bound
    inside a `try`, `if`, `with` or loop (e.g. `try: import cv2 / except
    ImportError: cv2 = None`). A plain import is an import, not a
    definition."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target]
        )
        return {
            name.id
            for target in targets
            for name in ast.walk(target)
            if isinstance(name, ast.Name)
        }
    if isinstance(node, _COMPOUND):
        return _bound_inside(node)
    return set()


def _bound_inside(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
            names.add(inner.id)
        elif isinstance(
            inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            names.add(inner.name)
        elif isinstance(inner, ast.Import | ast.ImportFrom):
            names.update(bound_name(alias) for alias in inner.names)
    return names


def top_level_names(tree: ast.Module) -> set[str]:
    """Names the module-level statements of `tree` define."""
    return set().union(*(defined_by(node) for node in tree.body))


def definition_time_parts(node: ast.stmt) -> list[ast.AST] | None:
    """What runs when a function is defined: decorators, defaults and
    annotations; None means all of it (a class body, an assignment)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    args = node.args
    parts: list[ast.AST | None] = [
        *node.decorator_list,
        *args.defaults,
        *args.kw_defaults,
        node.returns,
        *(
            arg.annotation
            for arg in ast.walk(args)
            if isinstance(arg, ast.arg)
        ),
    ]
    return [part for part in parts if part is not None]


def without_statements(code: str, nodes: Sequence[ast.stmt]) -> str:
    """The code with the lines of `nodes` removed, blank runs squeezed."""
    lines = code.splitlines()
    dropped = {
        number
        for node in nodes
        for number in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    kept = [text for n, text in enumerate(lines, 1) if n not in dropped]
    squeezed: list[str] = []
    for text in kept:
        if text.strip() or (squeezed and squeezed[-1].strip()):
            squeezed.append(text)
    return "\n".join(squeezed)
