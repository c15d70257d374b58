"""Resolve a dotted name inside the snippets package to the code a page shows.

The shown code is the symbol's source exactly as written, preceded by the
module's import lines that it uses and by `from <module> import ...` lines for
the module-level names it uses, so that the copied block runs on its own.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

from execnotes.core.hints import did_you_mean
from execnotes.source.codeinfo import defined_by, free_names
from execnotes.source.imports import absolute_source, bound_name, wrapped

_MAX_REMEMBERED = 10_000
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
_REGION_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
_REGION_START = re.compile(r"^\s*# region (?P<name>[A-Za-z_][\w-]*)\s*$")
_REGION_END = re.compile(r"^\s*# endregion\b")


class SymbolError(Exception):
    """A name that does not lead to code inside the snippets package."""


@dataclass(frozen=True)
class Snippet:
    """The code behind a name: what is shown and what is run."""

    name: str
    module: str
    path: str
    kind: str
    line: int
    imports: str
    source: str
    call: str | None = None

    @property
    def summary(self) -> str:
        """The first line of the symbol's docstring, or ''."""
        body = ast.parse(self.source).body
        if len(body) != 1 or not isinstance(
            body[0], ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            return ""
        docstring = ast.get_docstring(body[0]) or ""
        return docstring.strip().split("\n")[0]

    @property
    def shown(self) -> str:
        """The block a reader sees and copies."""
        parts = [self.imports, self.source, self.call or ""]
        code = "\n\n".join(part for part in parts if part).rstrip() + "\n"
        return without_pragmas(code)


# Directives to the code formatter: noise to a reader (`# fmt: skip` at
# the end of a line, `# fmt: off` / `# fmt: on` lines).
_FMT_SKIP = re.compile(r"[ \t]*#[ \t]*fmt:[ \t]*skip[ \t]*$", re.MULTILINE)
_FMT_LINE = re.compile(r"^[ \t]*#[ \t]*fmt:[ \t]*(?:off|on)[ \t]*\n", re.M)


def without_pragmas(code: str) -> str:
    """Code without the formatter's directives, for readers."""
    return _FMT_LINE.sub("", _FMT_SKIP.sub("", code))


@dataclass(frozen=True)
class ParsedModule:
    """A parsed module of the package."""

    source: str
    tree: ast.Module
    lines: list[str]
    definitions: dict[str, ast.stmt]
    regions: dict[str, tuple[int, int]]


class Modules:
    """Parsed modules, kept while their source is unchanged (one build
    resolves many names in the same few modules)."""

    def __init__(self) -> None:
        self._parsed: dict[str, ParsedModule] = {}
        # Resolved names, by what they depend on: the module's source.
        self.snippets: dict[tuple[str, bool, str], Snippet] = {}

    def parse(self, rel: str, source: str) -> ParsedModule:
        """The module parsed, from memory if the source is unchanged."""
        known = self._parsed.get(rel)
        if known is None or known.source != source:
            tree = ast.parse(source, filename=rel)
            lines = source.splitlines()
            known = ParsedModule(
                source,
                tree,
                lines,
                _top_level_definitions(tree),
                _regions(lines),
            )
            self._parsed[rel] = known
        return known


def resolve(
    target: str,
    root: Path,
    package: str,
    *,
    run: bool,
    modules: Modules | None = None,
) -> Snippet:
    """Return the snippet behind `target`, e.g. 'snippets.losses.squared_loss'.

    Raises:
        SymbolError: the name is outside the package, unknown, or cannot run.
    """
    parts = target.split(".")
    if parts[0] != package or len(parts) < 2:
        raise SymbolError(
            f"{target!r} is outside the {package!r} package; only modules "
            f"inside {package}/ can be shown or run "
            f"(write e.g. {package}.losses.squared_loss)"
        )
    for part in parts[:-1]:
        if not _IDENTIFIER.match(part):
            raise SymbolError(f"{target!r}: {part!r} is not a module name")
    module, symbol, path = _split_module(parts, root)
    rel = path.relative_to(root).as_posix()
    source = read_source(path, rel)
    known = (
        None
        if modules is None
        else modules.snippets.get((target, run, source))
    )
    if known is not None:
        return known
    snippet = _snippet(target, module, symbol, rel, source, run, modules)
    if modules is not None:
        if len(modules.snippets) > _MAX_REMEMBERED:
            modules.snippets.clear()  # versions of edited modules pile up
        modules.snippets[(target, run, source)] = snippet
    return snippet


def _snippet(
    target: str,
    module: str,
    symbol: str | None,
    rel: str,
    source: str,
    run: bool,
    modules: Modules | None,
) -> Snippet:
    if symbol is None:
        if run:
            raise SymbolError(
                f"{{run}} needs a function or a region, not the whole "
                f"module {module!r}; use {{show}} to show a module"
            )
        return Snippet(target, module, rel, "module", 1, "", source.rstrip())
    parsed = (modules or Modules()).parse(rel, source)
    return _extract(target, module, rel, parsed, symbol, run=run)


def read_source(path: Path, rel: str) -> str:
    """A module's text as Python reads it (BOM and coding cookie honoured).

    Raises:
        SymbolError: Python itself could not read or compile it.
    """
    try:
        with tokenize.open(path) as handle:
            source = handle.read()
    except (SyntaxError, UnicodeDecodeError) as error:
        raise SymbolError(
            f"{rel} cannot be read as Python source ({error}); save it as "
            "UTF-8, or declare its encoding in a coding line"
        ) from error
    if "\0" in source:
        line = source.count("\n", 0, source.index("\0")) + 1
        raise SymbolError(
            f"{rel}:{line}: contains a NUL byte, which Python does not "
            "accept in source code; remove it"
        )
    return source


def _split_module(
    parts: list[str], root: Path
) -> tuple[str, str | None, Path]:
    package_dir = (root / parts[0]).resolve()
    for size in range(len(parts), 1, -1):
        relative = Path(*parts[:size])
        for candidate in (
            root / f"{relative}.py",
            root / relative / "__init__.py",
        ):
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(package_dir):
                    raise SymbolError(
                        f"{'.'.join(parts[:size])!r} leads outside "
                        f"{parts[0]}/ (through a link); only code inside "
                        f"{parts[0]}/ can be shown or run"
                    )
                symbol = parts[size] if size < len(parts) else None
                if size < len(parts) - 1:
                    raise SymbolError(
                        f"{'.'.join(parts)!r}: {parts[size]!r} is not a "
                        f"module; name one symbol after the module"
                    )
                return ".".join(parts[:size]), symbol, candidate
    available = sorted(
        f"{parts[0]}.{path.stem}" for path in package_dir.glob("*.py")
    )
    guess = ".".join(parts[:2])
    raise SymbolError(
        f"no module {guess!r} in {parts[0]}/.{did_you_mean(guess, available)}"
    )


def _extract(
    target: str,
    module: str,
    rel: str,
    parsed: ParsedModule,
    symbol: str,
    *,
    run: bool,
) -> Snippet:
    tree, lines = parsed.tree, parsed.lines
    definitions, regions = parsed.definitions, parsed.regions
    if symbol in definitions:
        node = definitions[symbol]
        first, code = definition_code(parsed, node)
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        if isinstance(node, ast.Assign | ast.AnnAssign):
            kind = "value"
    elif symbol in regions:
        first, last = regions[symbol]
        while first <= last and not lines[first - 1].strip():
            first += 1
        code = textwrap.dedent("\n".join(lines[first - 1 : last])).rstrip()
        kind = "region"
    else:
        choices = sorted({*definitions, *regions})
        raise SymbolError(
            f"{module!r} has no function, class or region {symbol!r}."
            f"{did_you_mean(symbol, choices)}"
        )
    call = _call_line(target, symbol, kind, definitions) if run else None
    imports = _needed_imports(tree, code, module, set(definitions) - {symbol})
    return Snippet(target, module, rel, kind, first, imports, code, call)


def definition_code(parsed: ParsedModule, node: ast.stmt) -> tuple[int, str]:
    """The first line (its decorators included) and the source text of a
    top-level statement."""
    first = min([node.lineno] + [d.lineno for d in _decorators(node)])
    return first, "\n".join(parsed.lines[first - 1 : node.end_lineno])


def _call_line(
    target: str, symbol: str, kind: str, definitions: dict[str, ast.stmt]
) -> str | None:
    if kind == "region":
        return None
    node = definitions[symbol]
    if not isinstance(node, ast.FunctionDef):
        raise SymbolError(
            f"{{run}} needs a function or a region; {target!r} is a {kind}. "
            f"Use {{show}} for it, or run a show_* function that uses it"
        )
    args = node.args
    required = len(args.posonlyargs) + len(args.args) - len(args.defaults)
    required += sum(d is None for d in args.kw_defaults)
    if required:
        raise SymbolError(
            f"{{run}} calls {target!r} without arguments, but it requires "
            f"{required}; run a show_* function that passes the page's data, "
            f"or use {{show}}"
        )
    return f"{symbol}()"


def _top_level_definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    found: dict[str, ast.stmt] = {}
    for node in tree.body:
        for name in sorted(defined_by(node)):
            if isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                found[name] = node  # a later def wins, as in Python
            else:
                found.setdefault(name, node)
    return found


def _decorators(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return list(node.decorator_list)
    return []


def _regions(lines: list[str]) -> dict[str, tuple[int, int]]:
    regions: dict[str, tuple[int, int]] = {}
    open_name, start = None, 0
    for number, text in enumerate(lines, start=1):
        started = _REGION_START.match(text)
        if started and open_name is None:
            open_name, start = started["name"], number + 1
        elif _REGION_END.match(text) and open_name is not None:
            regions[open_name] = (start, number - 1)
            open_name = None
    return regions


def _needed_imports(
    tree: ast.Module, code: str, module: str, module_names: set[str]
) -> str:
    used = free_names(code)
    lines: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            lines.append(ast.unparse(node))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            kept = [a for a in node.names if bound_name(a) in used]
            if kept:
                lines.append(_import_line(node, kept, module))
    local = sorted(name for name in module_names if name in used)
    if local:
        lines.append(f"from {module} import {', '.join(local)}")
    return "\n".join(wrapped(line) for line in lines)


def _import_line(
    node: ast.Import | ast.ImportFrom, kept: list[ast.alias], module: str
) -> str:
    if isinstance(node, ast.Import):
        return ast.unparse(ast.Import(names=kept))
    source = absolute_source(node, module)
    return ast.unparse(ast.ImportFrom(module=source, names=kept, level=0))
