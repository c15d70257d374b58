"""A project module's code, measured function by function.

A run depends on a module's *skeleton* (its syntax tree with the bodies of
its functions and methods cut out: imports, constants, class bodies,
decorators, signatures, default values and docstrings stay; positions and
comments go) and on the source of each function it actually executed.
Editing a function that the run never executed leaves its result valid.

A *function* here is a ``def`` at module level or in a class body (also
under ``if``, ``try`` or ``with`` there); what is defined inside it
(nested functions, lambdas, classes) belongs to it. Its state covers the
line it starts on, so tracebacks and warnings from it cannot show stale
line numbers. Functions that share a qualified name (a redefinition) are
measured together.

The worker compiles each project module itself (`Executed.compile`): every
function starts with a call that notes its key, so what ran is known
exactly, in every thread, at the cost of one call per function entered.
The keys (see `execnotes.core.inputs`):

- ``skeleton:PATH``: the SHA-256 of the skeleton's `ast.dump`;
- ``code:PATH:QUALNAME``: the SHA-256 of the function's line and source,
  or ``missing`` when no such function is there any more.

Where this cannot be sure, the run depends on the whole file instead
(``file:PATH``): a module that is not UTF-8 or does not parse, a run that
started another process (what ran there is not seen) or that failed (its
traceback shows positions of module-level code).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import hashlib
import marshal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

from execnotes.core.atomic import write_atomically

MISSING = "missing"
UNPARSABLE = "unparsable"
# The builtin that instrumented functions call; a name no author uses.
MARK = "__execnotes_ran__"
_Function = ast.FunctionDef | ast.AsyncFunctionDef
# What a kept compiled module depends on besides its source: bump the
# number when the instrumentation or the states change.
_MEMO_FORMAT = f"1 {sys.implementation.cache_tag}"
_MEMO_KEEP = 2000


@dataclass(frozen=True)
class ModuleCode:
    """The states of one version of a module's code."""

    skeleton: str
    functions: dict[str, str]

    def state(self, qualname: str) -> str:
        """The state of the function `qualname`, or ``missing``."""
        return self.functions.get(qualname, MISSING)


def read(data: bytes) -> tuple[ModuleCode, ast.Module] | None:
    """The states of the module whose source is `data`, and its tree;
    None if it is not UTF-8 or does not parse (then only the whole file
    can be measured)."""
    try:
        text = data.decode("utf-8")
        tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, ValueError):
        return None
    lines = _line_offsets(data)
    parts: dict[str, list[bytes]] = {}
    for qualname, node in functions(tree):
        start = lines[node.lineno - 1] + node.col_offset
        end = lines[_end(node)[0] - 1] + _end(node)[1]
        parts.setdefault(qualname, []).append(
            b"%d\n%s" % (node.lineno, data[start:end])
        )
    code = ModuleCode(
        skeleton=_skeleton(tree),
        functions={q: _digest(b"\0".join(p)) for q, p in parts.items()},
    )
    return code, tree


def _skeleton(tree: ast.Module) -> str:
    """The hash of the module's structure with its functions' bodies left
    out (their docstrings kept), without positions or comments: moving or
    growing a function, or editing a comment, leaves it unchanged."""
    bodies = [(node, node.body) for _, node in functions(tree)]
    try:
        for node, body in bodies:
            node.body = body[: len(body) - len(_body(node))]
        return _digest(ast.dump(tree).encode())
    finally:
        for node, body in bodies:
            node.body = body


def functions(tree: ast.Module) -> Iterator[tuple[str, _Function]]:
    """The module's functions and methods (not those nested in them), by
    qualified name, in source order."""
    yield from _functions(tree.body, "")


def _functions(
    body: list[ast.stmt], prefix: str
) -> Iterator[tuple[str, _Function]]:
    for node in body:
        if isinstance(node, _Function):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node.body, f"{prefix}{node.name}.")
        else:
            for block in _blocks(node):
                yield from _functions(block, prefix)


def _blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists inside a compound statement (if, try, ...)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list):
            yield block
    for inner in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
        yield inner.body


def _body(node: _Function) -> list[ast.stmt]:
    """The statements of a function after its docstring."""
    first = node.body[0]
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    return node.body[1:] if docstring else node.body


def _end(node: ast.stmt) -> tuple[int, int]:
    end_line, end_col = node.end_lineno, node.end_col_offset
    if end_line is None or end_col is None:  # pragma: no cover - parsed
        raise ValueError("a parsed statement without an end")
    return end_line, end_col


def _line_offsets(data: bytes) -> list[int]:
    """Where each line starts (AST columns count UTF-8 bytes)."""
    offsets = [0]
    for line in data.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def measure(path: str) -> ModuleCode | str:
    """The code states of the module at `path` now, or why there are none
    (``missing``, ``unparsable``: never equal to a recorded state)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return MISSING
    found = read(data)
    return UNPARSABLE if found is None else found[0]


def state(kind: str, name: str, measured: ModuleCode | str) -> str:
    """The state of the ``skeleton`` or ``code`` input `name` (a path, or
    ``PATH:QUALNAME``) given what `measure` found."""
    if isinstance(measured, str):
        return measured
    if kind == "skeleton":
        return measured.skeleton
    return measured.state(name.rpartition(":")[2])


@dataclass(frozen=True)
class _Compiled:
    digest: str  # of the whole file, as compiled
    code: ModuleCode


class Executed:
    """The project modules a run compiled, and which of their functions
    it executed (installed once, in the child that runs it)."""

    def __init__(self) -> None:
        self.modules: dict[str, _Compiled] = {}
        self.ran: set[str] = set()
        self.memo: Memo | None = None

    def install(self) -> None:
        """Let instrumented functions note that they ran."""
        setattr(builtins, MARK, self.ran.add)

    def compile(
        self, name: str, filename: str, data: bytes
    ) -> CodeType | None:
        """The code of module `name` (as keys name it) from `data`, each
        function noting that it ran; None if it cannot be measured by
        function (the caller compiles it as usual)."""
        digest = _digest(data)
        path = self.memo.path(name, filename, digest) if self.memo else None
        compiled = self.memo.load(path) if self.memo and path else None
        if compiled is None:
            compiled = _compile(name, filename, data)
            if compiled is None:
                return None
            if self.memo and path:
                self.memo.store(path, *compiled)
        self.modules.setdefault(name, _Compiled(digest, compiled[1]))
        return compiled[0]

    def inputs(
        self, *, whole: bool, changed: Callable[[str, str], str | None]
    ) -> dict[str, str]:
        """The inputs to record for the compiled modules: by function, or
        whole files when `whole`. `changed(name, digest)` is the state to
        record instead when the file no longer has `digest`, else None."""
        found: dict[str, str] = {}
        for name, module in self.modules.items():
            now = changed(name, module.digest)
            if now is not None or whole:
                found[f"file:{name}"] = now or module.digest
            else:
                found[f"skeleton:{name}"] = module.code.skeleton
        for key in self.ran:
            name, _, qualname = key.partition(":")[2].rpartition(":")
            if f"skeleton:{name}" in found:
                found[key] = self.modules[name].code.state(qualname)
        return found


def _compile(
    name: str, filename: str, data: bytes
) -> tuple[CodeType, ModuleCode] | None:
    found = read(data)
    if found is None:
        return None
    states, tree = found
    for qualname, node in functions(tree):
        _mark(node, f"code:{name}:{qualname}")
    tree = ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec", dont_inherit=True), states


class Memo:
    """Modules compiled by `Executed`, by content, in a folder of the
    user's cache: a run that imports a module unchanged since an earlier
    run loads it (about a millisecond) instead of parsing and compiling
    it (tens of milliseconds). A file that cannot be read is compiled
    again; the folder keeps the newest `_MEMO_KEEP` entries or so."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str, filename: str, digest: str) -> Path:
        """Where module `name`, compiled from `filename` holding bytes of
        SHA-256 `digest`, is kept."""
        parts = "\0".join((_MEMO_FORMAT, MARK, name, filename, digest))
        return self.folder / f"{_digest(parts.encode())}.bin"

    def load(self, path: Path) -> tuple[CodeType, ModuleCode] | None:
        """The code and states kept at `path`, if well formed."""
        try:
            code, skeleton, states = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if not (
            isinstance(code, CodeType)
            and isinstance(skeleton, str)
            and isinstance(states, dict)
        ):
            return None
        return code, ModuleCode(skeleton, states)

    def store(self, path: Path, code: CodeType, states: ModuleCode) -> None:
        """Keep a compiled module (best effort: a memo, not a result)."""
        blob = marshal.dumps((code, states.skeleton, states.functions))
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(path, blob)
            entries = list(self.folder.glob("*.bin"))
            if len(entries) > _MEMO_KEEP:
                entries.sort(key=lambda p: p.stat().st_mtime)
                for old in entries[: len(entries) // 2]:
                    old.unlink(missing_ok=True)


def _mark(node: _Function, key: str) -> None:
    """Make the function note `key` first thing (after its docstring),
    on the line of its first statement, so tracebacks are unchanged."""
    at = len(node.body) - len(_body(node))
    anchor = node.body[min(at, len(node.body) - 1)]
    call = ast.Call(ast.Name(MARK, ast.Load()), [ast.Constant(key)], [])
    node.body.insert(at, ast.copy_location(ast.Expr(call), anchor))
