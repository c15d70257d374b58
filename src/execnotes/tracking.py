"""Record every input a run reads, inside the forked child that runs it.

Seen through Python's audit hooks: files opened (str, bytes or path-like
names, also `os.open`), directories listed, directories made and files
renamed, and imports. Seen by wrapping, which is safe because the child is
thrown away after one run: `os.stat`, `os.lstat` and `os.access` (so
`os.path.exists`, `isfile`, `pathlib.Path.exists` ... count), reads of
`os.environ`, and MXNet's native loaders and savers (`nd.load` and so
`load_parameters`, `sym.load`, RecordIO readers, `mx.image.imread` and so
`ImageFolderDataset`, the C++ data iterators' `path_*` arguments).

A path the run itself created or wrote (or anything under a directory it
made) is its own output, not an input, from then on.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from execnotes.inputs import (
    env_state,
    file_state,
    import_state,
    listing_state,
    name_of,
)

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_EVENTS = frozenset(
    ("open", "os.listdir", "os.scandir", "os.mkdir", "os.rename", "import")
)
# MXNet C API calls that name a file, and which argument holds it.
_NATIVE_READS = (
    ("MXNDArrayLoad", 0),
    ("MXSymbolCreateFromFile", 0),
    ("MXRecordIOReaderCreate", 0),
)
_NATIVE_WRITES = (
    ("MXNDArraySave", 0),
    ("MXSymbolSaveToFile", 1),
    ("MXRecordIOWriterCreate", 0),
)


class Recorder:
    """Collects a run's inputs as keys and states (see execnotes.inputs)."""

    def __init__(self, root: str, ignored: Iterable[str]) -> None:
        self.root = root
        self.ignored = tuple(p.rstrip(os.sep) + os.sep for p in ignored)
        self.active = False
        self.inputs: dict[str, str] = {}
        self.written: set[str] = set()
        self.imports: set[str] = set()

    # -- what the hooks report ----------------------------------------
    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        """Python's audit hook (installed once, in the child)."""
        if not self.active or event not in _EVENTS:
            return
        if event == "open":
            path, mode, flags = (*args, None, 0)[:3]
            if _writes(mode, flags):
                self.wrote(path)
            else:
                self.read(path)
        elif event in ("os.listdir", "os.scandir") and not _importing():
            self.listed("." if args[0] is None else args[0])
        elif event == "os.mkdir":
            self.wrote(args[0])
        elif event == "os.rename":
            self.wrote(args[1])
        elif event == "import":
            self.imports.add(args[0])

    def read(self, path: object) -> None:
        """A file was opened for reading (or looked at with stat)."""
        self._note("file", path, file_state)

    def listed(self, path: object) -> None:
        """A directory's names were read."""
        self._note("list", path, listing_state)

    def wrote(self, path: object) -> None:
        """The run created or wrote `path`: not an input from now on."""
        absolute = _absolute(path)
        if self.active and absolute is not None:
            self.written.add(absolute)

    def env(self, name: object, value: str | None) -> None:
        """An environment variable was read."""
        if self.active and isinstance(name, str):
            self.inputs.setdefault(f"env:{name}", env_state(value))

    def _note(
        self, kind: str, path: object, measure: Callable[[str], str]
    ) -> None:
        if not self.active:
            return
        absolute = _absolute(path)
        if absolute is None or self._ignored(absolute):
            return
        if kind == "file" and (
            self.root.startswith(absolute + os.sep) or absolute == self.root
        ):
            return  # the folders around the project: where, not what
        key = f"{kind}:{name_of(absolute, self.root)}"
        if key not in self.inputs:
            # Measuring stats and opens files: those must not be recorded.
            self.active = False
            try:
                self.inputs[key] = measure(absolute)
            finally:
                self.active = True

    def _ignored(self, path: str) -> bool:
        if path.endswith((".py", ".pyc")) or path.startswith(self.ignored):
            return True
        folder = path
        while True:
            if folder in self.written:
                return True
            parent = os.path.dirname(folder)
            if parent == folder:
                return False
            folder = parent

    # -- at the end ------------------------------------------------------
    def missing_imports(self, search_path: list[str]) -> None:
        """Record the imports that failed, so that creating the module (or
        installing it) later makes the result stale."""
        for name in sorted(self.imports):
            if name not in sys.modules:
                state = import_state(name, search_path, self.root)
                self.inputs.setdefault(f"import:{name}", state)


def install(recorder: Recorder) -> None:
    """Hook the recorder into this (child) process, for good."""
    sys.addaudithook(recorder.audit)
    _wrap_stat(recorder)
    _wrap_environ(recorder)
    _wrap_mxnet(recorder)


def _importing() -> bool:
    """True when the import system itself lists a directory (to find
    modules: the modules found are inputs, the listing is not)."""
    frame = sys._getframe(2)  # audit() and this function are 0 and 1
    return frame.f_code.co_filename.startswith("<frozen importlib")


def _writes(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return any(flag in mode for flag in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _absolute(path: object) -> str | None:
    if isinstance(path, ctypes.c_char_p):
        path = path.value
    if isinstance(path, int) or path is None:
        return None  # a file descriptor: opened earlier, by name
    try:
        text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return os.path.abspath(text)


def _wrap_stat(recorder: Recorder) -> None:
    for name in ("stat", "lstat", "access"):
        original = getattr(os, name)
        setattr(os, name, _stat_wrapper(original, recorder))


def _stat_wrapper(
    original: Callable[..., Any], recorder: Recorder
) -> Callable[..., Any]:
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("dir_fd"):
            recorder.read(path)
        return original(path, *args, **kwargs)

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapper


def _wrap_environ(recorder: Recorder) -> None:
    base = type(os.environ)

    class TrackedEnviron(base):  # type: ignore[valid-type, misc]
        def __getitem__(self, key: Any) -> Any:
            try:
                value = super().__getitem__(key)
            except KeyError:
                recorder.env(key, None)
                raise
            recorder.env(key, value)
            return value

        def copy(self) -> dict[str, str]:
            # Copying the whole environment (e.g. for a subprocess) is not
            # taken as depending on every variable: declare what matters.
            active, recorder.active = recorder.active, False
            try:
                return dict(self)
            finally:
                recorder.active = active

    os.environ.__class__ = TrackedEnviron


def _wrap_mxnet(recorder: Recorder) -> None:
    mxnet = sys.modules.get("mxnet")
    if mxnet is None:
        return
    library = mxnet.base._LIB
    for name, index in _NATIVE_READS:
        _wrap_call(library, name, index, recorder.read)
    for name, index in _NATIVE_WRITES:
        _wrap_call(library, name, index, recorder.wrote)
    _wrap_data_iterators(library, recorder)
    for module_name, name in (
        ("mxnet.ndarray._internal", "_cvimread"),
        ("mxnet.ndarray.numpy._internal", "cvimread"),
    ):
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, name):
            _wrap_call(module, name, 0, recorder.read, keyword="filename")


def _wrap_call(
    owner: Any,
    name: str,
    index: int,
    note: Callable[[object], None],
    keyword: str | None = None,
) -> None:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        path = args[index] if len(args) > index else kwargs.get(keyword or "")
        note(path)
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def _wrap_data_iterators(library: Any, recorder: Recorder) -> None:
    original = library.MXDataIterCreateIter

    def wrapper(*args: Any) -> Any:
        count = getattr(args[1], "value", args[1])
        keys, values = args[2], args[3]
        for index in range(int(count)):
            key = keys[index].decode(errors="replace")
            if key.startswith("path_") or key in ("image", "label"):
                recorder.read(values[index])
        return original(*args)

    library.MXDataIterCreateIter = wrapper
