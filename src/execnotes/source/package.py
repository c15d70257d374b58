"""The snippets package read as units of code, with what each one needs.

A unit is a top-level definition (a function, a class, a constant) or a
snippet's own code (a region, a whole module). For each one this module
knows the project names it uses, resolved across modules (also names a
module imports from another and passes on), the imports of libraries it
needs, and which of its names are needed when it is defined rather than
when it is called. `export` assembles units into standalone code.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from execnotes.source.codeinfo import (
    definition_time_parts,
    free_names,
    top_level_names,
    without_statements,
)
from execnotes.source.imports import Imported, absolute_source, bound_name
from execnotes.source.symbols import (
    Modules,
    ParsedModule,
    Snippet,
    SymbolError,
    definition_code,
    read_source,
)

Key = tuple[str, str]  # a top-level name of the package: (module, name)
_BUILTINS = frozenset(dir(builtins))


class ExportError(Exception):
    """Code that cannot be made to run without the package."""


@dataclass(frozen=True)
class Unit:
    """A piece of project code as it goes into standalone code."""

    module: str
    line: int
    source: str  # without the import statements of its top level
    provides: frozenset[Key]
    needs: frozenset[Key]  # the project names it uses
    needs_now: frozenset[Key]  # those used while the code itself runs
    imports: frozenset[Imported]

    @property
    def is_value(self) -> bool:
        """Whether the unit is an assignment (a constant)."""
        return not self.source.startswith(("def ", "class ", "@", "async "))

    @property
    def order(self) -> tuple[str, int]:
        """Where the code is in the package (its identity, too)."""
        return self.module, self.line


@dataclass
class _Scope:
    """A module's top-level names: definitions and what it imports."""

    module: str
    parsed: ParsedModule
    names: dict[str, Key | Imported] = field(default_factory=dict)


class Package:
    """The units of one package, read on demand and kept.

    Make a new one when the code may have changed (one per page render is
    cheap: the modules are parsed once).
    """

    def __init__(
        self, root: Path, name: str, modules: Modules | None = None
    ) -> None:
        self.root = root
        self.name = name
        self._modules = modules or Modules()
        self._scopes: dict[str, _Scope] = {}
        self._units: dict[Key, Unit] = {}

    def unit(self, snippet: Snippet) -> Unit:
        """The snippet's own code as a unit."""
        if snippet.kind in ("function", "class", "value"):
            return self.definition(
                (snippet.module, snippet.name.split(".")[-1])
            )
        scope = self._scope(snippet.module)
        return self._code_unit(scope, snippet.source, snippet.line)

    def definition(self, key: Key) -> Unit:
        """The unit that defines a top-level name of the package."""
        known = self._units.get(key)
        if known is None:
            module, name = key
            scope = self._scope(module)
            node = scope.parsed.definitions.get(name)
            if node is None:
                raise ExportError(f"{module} defines no {name!r}")
            line, source = definition_code(scope.parsed, node)
            known = self._code_unit(
                scope, source, line, definition_time_parts(node)
            )
            self._units[key] = known
        return known

    def imported_names(self, code: str, module: str) -> dict[str, Key]:
        """Names the code's top-level imports bind to project definitions."""
        found: dict[str, Key] = {}
        for node in ast.parse(code).body:
            if isinstance(node, ast.ImportFrom):
                for bound, target in self._import_targets(node, module):
                    if isinstance(target, tuple):
                        found[bound] = target
        return found

    def without_project_imports(self, code: str, module: str) -> str:
        """The code without its top-level imports from the package."""
        drop = [
            node
            for node in ast.parse(code).body
            if isinstance(node, ast.Import | ast.ImportFrom)
            and self._project_import(node, module)
        ]
        return without_statements(code, drop)

    def _code_unit(
        self,
        scope: _Scope,
        source: str,
        line: int,
        now_parts: list[ast.AST] | None = None,
    ) -> Unit:
        tree = ast.parse(source)
        top_imports = [
            node
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        self._refuse_inner_imports(tree, top_imports, scope.module, line)
        local = _Scope(scope.module, scope.parsed, dict(scope.names))
        for node in top_imports:
            for bound, target in self._import_targets(node, scope.module):
                local.names[bound] = target
        body = without_statements(source, top_imports)
        needs, imports = self._resolve(local, free_names(ast.parse(body)))
        imports |= {
            t
            for t in local.names.values()
            if isinstance(t, Imported) and t.source == "__future__"
        }
        if now_parts is None:
            needs_now = needs
        else:
            used_now = set().union(*map(free_names, now_parts))
            needs_now, _ = self._resolve(local, used_now)
        provides = {(scope.module, n) for n in top_level_names(tree)}
        return Unit(
            scope.module,
            line,
            body.strip("\n"),
            frozenset(provides),
            frozenset(needs - provides),
            frozenset(needs_now - provides),
            frozenset(imports),
        )

    def _refuse_inner_imports(
        self,
        tree: ast.Module,
        top: list[ast.Import | ast.ImportFrom],
        module: str,
        line: int,
    ) -> None:
        """Raise on an import of the package that is not at the top level
        (in a function's body, or through importlib): the inlined copy has
        no package to import it from."""
        for node in ast.walk(tree):
            named = (
                self._inner_import(node, module) if node not in top else None
            )
            if named is not None:
                where = self._module_path(module).relative_to(self.root)
                at = line + getattr(node, "lineno", 1) - 1
                raise ExportError(
                    f"{where.as_posix()}:{at}: {named} is not at the top "
                    "level, so it cannot be inlined and a reader's copy "
                    "would fail with ModuleNotFoundError; import it at the "
                    f"top of {module} instead"
                )

    def _inner_import(self, node: ast.AST, module: str) -> str | None:
        """How `node` imports the package, if it does (or may: a module
        named by a computed string)."""
        if isinstance(node, ast.Import | ast.ImportFrom) and (
            self._project_import(node, module)
        ):
            return f"`{ast.unparse(node)}`"
        if not (isinstance(node, ast.Call) and node.args):
            return None
        function = node.func
        called = getattr(function, "attr", getattr(function, "id", ""))
        if called not in ("import_module", "__import__"):
            return None
        target = node.args[0]
        if not (
            isinstance(target, ast.Constant) and isinstance(target.value, str)
        ):
            return f"`{ast.unparse(node)}` (a module named at run time)"
        name = target.value
        if name.startswith("."):
            name = absolute_source(
                ast.ImportFrom(
                    module=name.lstrip(".") or None,
                    names=[],
                    level=len(name) - len(name.lstrip(".")),
                ),
                module,
            )
        return f"`{ast.unparse(node)}`" if self._in_package(name) else None

    def _resolve(
        self, scope: _Scope, names: Iterable[str]
    ) -> tuple[set[Key], set[Imported]]:
        needs: set[Key] = set()
        imports: set[Imported] = set()
        for name in sorted(names):
            target = scope.names.get(name)
            if isinstance(target, Imported):
                imports.add(target)
            elif target is not None:
                needs.add(target)
            elif name == "__file__":
                raise ExportError(
                    f"{scope.module} uses __file__: code that finds files "
                    "beside its module cannot run in a reader's copy, which "
                    "has no such file; pass the path in instead"
                )
            elif name not in _BUILTINS:
                raise ExportError(
                    f"{scope.module} uses {name!r}, which is not defined at "
                    f"the top level of {scope.module}: define it there (a "
                    "def, a class, an assignment or an import)"
                )
        return needs, imports

    def _scope(self, module: str) -> _Scope:
        known = self._scopes.get(module)
        if known is not None:
            return known
        path = self._module_path(module)
        rel = path.relative_to(self.root).as_posix()
        try:
            parsed = self._modules.parse(rel, read_source(path, rel))
        except SyntaxError as error:
            raise ExportError(
                f"{rel}:{error.lineno}: syntax error: {error.msg}"
            ) from error
        except SymbolError as error:
            raise ExportError(str(error)) from error
        scope = _Scope(module, parsed)
        self._scopes[module] = scope
        for name in parsed.definitions:
            scope.names[name] = (module, name)
        for node in parsed.tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for bound, target in self._import_targets(node, module):
                    scope.names.setdefault(bound, target)
        return scope

    def _module_path(self, module: str) -> Path:
        relative = Path(*module.split("."))
        for path in (
            self.root / f"{relative}.py",
            self.root / relative / "__init__.py",
        ):
            if path.is_file():
                return path
        raise ExportError(f"no module {module!r} under {self.root}")

    def _import_targets(
        self, node: ast.Import | ast.ImportFrom, module: str
    ) -> list[tuple[str, Key | Imported]]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if self._in_package(alias.name):
                    raise ExportError(
                        f"{module}: `import {alias.name}` cannot be inlined; "
                        f"write `from {alias.name} import NAME` instead"
                    )
            return [
                (bound_name(a), Imported(None, a.name, a.asname))
                for a in node.names
            ]
        source = absolute_source(node, module)
        if not self._in_package(source):
            return [
                (bound_name(a), Imported(source, a.name, a.asname))
                for a in node.names
            ]
        return [
            (bound_name(a), self._project_target(source, a))
            for a in node.names
        ]

    def _project_target(self, source: str, alias: ast.alias) -> Key | Imported:
        if alias.asname and alias.asname != alias.name:
            raise ExportError(
                f"`from {source} import {alias.name} as {alias.asname}` "
                "cannot be inlined under another name; import it as "
                f"{alias.name}"
            )
        target = self._scope(source).names.get(alias.name)
        if target is None:
            raise ExportError(
                f"`from {source} import {alias.name}`: {source} defines no "
                f"{alias.name!r} at its top level"
            )
        return target

    def _project_import(
        self, node: ast.Import | ast.ImportFrom, module: str
    ) -> bool:
        if isinstance(node, ast.Import):
            return any(self._in_package(a.name) for a in node.names)
        return self._in_package(absolute_source(node, module))

    def _in_package(self, module: str) -> bool:
        return module == self.name or module.startswith(self.name + ".")
