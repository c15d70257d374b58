"""Record every input a run reads, inside the forked child that runs it.

Seen through Python's audit hooks: files opened (str, bytes or path-like
names, also `os.open`), directories listed, directories made and files
renamed, and imports. Seen by wrapping, which is safe because the child is
thrown away after one run: `os.stat`, `os.lstat` and `os.access` (so
`os.path.exists`, `isfile`, `pathlib.Path.exists` ... count), `os.open`'s
`dir_fd` (so `opener=` functions name the file they really open), reads of
`os.environ` and `os.environb` (a value, or the list of names when it is
iterated), and, as the framework profile says (`execnotes.core.profiles`),
MXNet's native loaders and savers (`nd.load` and so
`load_parameters`, `sym.load`, RecordIO readers, `mx.image.imread` and so
`ImageFolderDataset`, the C++ data iterators' `path_*` arguments).

Every input is measured when it is read, never after the run: a module is
hashed from the very bytes that are compiled (its cached bytecode is not
used, so an edit in the same second cannot hide behind it), a file when it
is opened, a listing when it is listed. Modules of the project and modules
found anywhere else on `sys.path` count alike; only the installation's own
folders (`ignored`) are covered by the environment's versions instead.

What the run did, not a blanket rule, decides what is its own output:
a file it created or truncated, a folder that did not exist before it made
it (and what lies under it), a variable it set. A file it opened to append
or update had a content before the run wrote to it; if the run can read it,
that content is an input.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.machinery
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from execnotes.core.funcstate import Executed
from execnotes.core.inputs import (
    CHANGED,
    ENVIRON_NAMES,
    MISSING,
    env_state,
    file_state,
    import_state,
    listing_state,
    name_of,
    names_state,
    path_of,
)

# Opened with these, a file's earlier content is gone before it can be read.
_REPLACE_FLAGS = os.O_TRUNC | os.O_EXCL
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
# Another process starts: the project code it runs is not seen here.
_PROCESS_EVENTS = frozenset(
    ("subprocess.Popen", "os.posix_spawn", "os.spawn", "os.exec", "os.system")
)
_EVENTS = frozenset(
    ("open", "os.listdir", "os.scandir", "os.mkdir", "os.rename", "import")
).union(_PROCESS_EVENTS)
# The real calls, taken before any wrapping.
_LSTAT = os.lstat
_OPEN = os.open
# What the tracker cannot see, and the declaration that covers each. The
# guarantees page lists exactly these (a test compares the two lists).
UNSEEN = {
    # files and variables that a subprocess or another program reads
    "subprocess": "inputs: PATH, env:NAME",
    # files that native code other than MXNet's loaders opens
    "native-files": "inputs: PATH",
    # variables that native code reads with getenv
    "native-env": "inputs: env:NAME",
    # the whole environment copied with os.environ.copy()
    "environ-copy": "inputs: env:NAME",
    # the network: declare what names the version fetched
    "network": "inputs: PATH, env:NAME",
    # a project function's code read without running it (f.__code__, dis),
    # and line numbers of module-level code read from frames (logging's
    # lineno): a run depends on the functions it ran, placed by line
    "code-introspection": "inputs: PATH",
}


class Recorder:
    """Collects a run's inputs as keys and states (see
    execnotes.core.inputs)."""

    def __init__(self, root: str, ignored: Iterable[str]) -> None:
        self.root = root
        self.ignored = tuple(p.rstrip(os.sep) + os.sep for p in ignored)
        self.active = False
        self.inputs: dict[str, str] = {}
        self.written: set[str] = set()
        # Files the run appended to: their content before its first write.
        self.before: dict[str, str] = {}
        self.imports: set[str] = set()
        self.variables: set[str] = set()
        # The folder a relative name is resolved in (a `dir_fd`), if not
        # the working directory.
        self.base: str | None = None
        # The project's modules, compiled to note which functions ran.
        self.executed = Executed()
        self.forked = False
        self.processes = 0

    def ignore(self, folder: str) -> None:
        """Count what lies under `folder` as the environment's (a library
        that loaded during the run: its own files and caches)."""
        self.ignored += (folder.rstrip(os.sep) + os.sep,)

    @contextlib.contextmanager
    def installed(self, origin: str | None) -> Iterator[None]:
        """Load a library from the installation (its file at `origin`)
        untracked, as a worker that preloads it does: the fingerprint's
        versions cover it. One from anywhere else is tracked as usual."""
        if origin is None or not self._ignored(os.path.abspath(origin)):
            yield
            return
        active, self.active = self.active, False
        try:
            yield
        finally:
            self.active = active

    # -- what the hooks report ----------------------------------------
    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        """Python's audit hook (installed once, in the child)."""
        if not self.active or event not in _EVENTS:
            return
        if event == "open":
            path, mode, flags = (*args, None, 0)[:3]
            self.opened(path, mode, flags)
        elif event in ("os.listdir", "os.scandir") and not _importing():
            self.listed("." if args[0] is None else args[0])
        elif event == "os.mkdir":
            self.made(args[0])
        elif event == "os.rename":
            self.wrote(args[1])
        elif event == "import":
            self.imports.add(args[0])
        elif event in _PROCESS_EVENTS:
            self.forked = True

    def opened(self, path: object, mode: object, flags: object) -> None:
        """A file was opened: read, replaced, or updated in place."""
        how = _how(mode, flags)
        if how == "read":
            self.read(path)
            return
        absolute = self._absolute(path)
        if absolute is None or absolute in self.written:
            return
        if how == "update":  # readable now: what was there is an input
            self.read(path)
        elif how == "append":
            if absolute not in self.before:
                self.before[absolute] = self._measure(file_state, absolute)
            if self.before[absolute] != MISSING:
                return  # read later, it is an input as it was before
        self.wrote(path)

    def read(self, path: object) -> None:
        """A file was opened for reading (or looked at with stat)."""
        self._note("file", path, file_state)

    def listed(self, path: object) -> None:
        """A directory's names were read."""
        if isinstance(path, int):  # os.listdir(fd): the folder it names
            path = _fd_path(path)
        self._note("list", path, listing_state)

    def made(self, path: object) -> None:
        """`os.mkdir` is about to run: the folder is the run's only if it
        does not exist yet (`exist_ok=True` on an existing one is a look)."""
        absolute = self._absolute(path)
        if absolute is None:
            return
        try:
            _LSTAT(absolute)
        except OSError:
            self.wrote(path)
        else:
            self.read(path)

    def wrote(self, path: object) -> None:
        """The run created or replaced `path`: not an input from now on."""
        absolute = self._absolute(path)
        if self.active and absolute is not None:
            self.written.add(absolute)

    def env(self, name: object, value: str | None) -> None:
        """An environment variable was read (not one the run set)."""
        if isinstance(name, bytes):
            name = os.fsdecode(name)
        if (
            self.active
            and isinstance(name, str)
            and name not in self.variables
        ):
            self.inputs.setdefault(f"env:{name}", env_state(value))

    def env_names(self, names: Iterable[str | bytes]) -> None:
        """The environment's names were listed (a variable may appear)."""
        if self.active:
            decoded = [os.fsdecode(name) for name in names]
            self.inputs.setdefault(ENVIRON_NAMES, names_state(decoded))

    def env_set(self, name: object) -> None:
        """The run set or removed a variable: its own from now on."""
        if isinstance(name, bytes):
            name = os.fsdecode(name)
        if self.active and isinstance(name, str):
            self.variables.add(name)

    def module(self, path: str, data: bytes, filename: str) -> Any:
        """A module is imported from `path` (absolute; `filename` as the
        finder named it), compiled from `data`: its code, each function
        noting that it ran, if it is the project's; else None (compiled
        as usual)."""
        if not self.active or self._ignored(path):
            return None
        name = name_of(path, self.root)
        if not os.path.isabs(name):
            # Its memo of compiled modules is no input of the run.
            active, self.active = self.active, False
            try:
                code = self.executed.compile(name, filename, data)
            finally:
                self.active = active
            if code is not None:
                return code
        self.inputs.setdefault(
            f"file:{name}", hashlib.sha256(data).hexdigest()
        )
        return None

    def forking(self) -> None:
        """The run forks: what runs in the child is not seen here."""
        if self.active:
            self.forked = True

    def code_inputs(self, *, failed: bool) -> dict[str, str]:
        """The project modules the run compiled: by the functions it
        executed, or whole files if it started another process (forked,
        spawned, ran a program) or `failed` (a traceback shows where
        module-level code is)."""
        # Asked at install, the count is one more at the end if no
        # process was started in between.
        started = _process_count() != self.processes + 1
        whole = failed or self.forked or started
        return self.executed.inputs(whole=whole, changed=self._module_changed)

    def _module_changed(self, name: str, digest: str) -> str | None:
        """CHANGED if the module's file no longer holds what was compiled,
        other than by the run's own hand."""
        path = path_of(name, self.root)
        if self._own(path, listing=False):
            return None
        return None if self._measure(file_state, path) == digest else CHANGED

    def tracks(self, path: str) -> bool:
        """Whether a module loaded from `path` is an input."""
        return self.active and not self._ignored(os.path.abspath(path))

    def _note(
        self, kind: str, path: object, measure: Callable[[str], str]
    ) -> None:
        if not self.active:
            return
        absolute = self._absolute(path)
        if absolute is None or self._ignored(absolute):
            return
        if kind == "file" and (
            self.root.startswith(absolute + os.sep) or absolute == self.root
        ):
            return  # the folders around the project: where, not what
        key = f"{kind}:{name_of(absolute, self.root)}"
        if key in self.inputs:
            return
        if kind == "file" and absolute in self.before:
            self.inputs[key] = self.before[absolute]  # as before the append
        else:
            self.inputs[key] = self._measure(measure, absolute)

    def _measure(self, measure: Callable[[str], str], path: str) -> str:
        # Measuring stats and opens files: those must not be recorded.
        active, self.active = self.active, False
        try:
            return measure(path)
        finally:
            self.active = active

    def _absolute(self, path: object) -> str | None:
        absolute = _absolute(path)
        if absolute is not None and self.base is not None:
            relative = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
            if not os.path.isabs(relative):
                return os.path.normpath(os.path.join(self.base, relative))
        return absolute

    def _ignored(self, path: str) -> bool:
        if path.startswith(self.ignored):
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
    def unsettled(self) -> list[str]:
        """The file and listing inputs whose state changed since the run
        read them, other than by the run itself (an author saving during
        the build): measured again once the run is over."""
        measures = {"file": file_state, "list": listing_state}
        changed = []
        for key, state in self.inputs.items():
            kind, _, name = key.partition(":")
            measure = measures.get(kind)
            if measure is None:
                continue
            path = path_of(name, self.root)
            own = self._own(path, listing=kind == "list")
            if not own and self._measure(measure, path) != state:
                changed.append(key)
        return changed

    def _own(self, path: str, *, listing: bool) -> bool:
        """Whether the run itself wrote `path` (or, for a listing, into
        the folder)."""
        if self._ignored(path) or path in self.before:
            return True
        return listing and any(
            os.path.dirname(p) == path for p in (*self.written, *self.before)
        )

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
    recorder.executed.install()
    os.register_at_fork(before=recorder.forking)
    recorder.processes = _process_count()
    _wrap_stat(recorder)
    _wrap_open(recorder)
    _wrap_environ(recorder)
    _track_imports(recorder)


def _process_count() -> int:
    """The next number `multiprocessing` gives a process it starts (also
    by spawning, which raises no audit event), or 0 before it is
    imported (its counter then starts at 1). Asking moves it on by one."""
    process = sys.modules.get("multiprocessing.process")
    counter = getattr(process, "_process_counter", None)
    return 0 if counter is None else int(next(counter))


def _importing() -> bool:
    """True when the import system itself lists a directory (to find
    modules: the modules found are inputs, the listing is not)."""
    frame = sys._getframe(2)  # audit() and this function are 0 and 1
    return frame.f_code.co_filename.startswith("<frozen importlib")


def _how(mode: object, flags: object) -> str:
    """How a file is opened: "read", "replace" (its old content is gone:
    w, x, O_TRUNC, O_EXCL), "update" (r+, a+, O_RDWR: old content readable)
    or "append" (a, O_WRONLY without O_TRUNC)."""
    if isinstance(mode, str):
        if "w" in mode or "x" in mode:
            return "replace"
        if "+" in mode:
            return "update"
        return "append" if "a" in mode else "read"
    if not isinstance(flags, int) or not flags & _WRITE_FLAGS:
        return "read"
    if flags & _REPLACE_FLAGS:
        return "replace"
    return "update" if flags & os.O_RDWR else "append"


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


def _fd_path(fd: int) -> str | None:
    """The path of the folder or file that descriptor `fd` is open on."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def _wrap_stat(recorder: Recorder) -> None:
    for name in ("stat", "lstat", "access"):
        original = getattr(os, name)
        setattr(os, name, _stat_wrapper(original, recorder))


def _stat_wrapper(
    original: Callable[..., Any], recorder: Recorder
) -> Callable[..., Any]:
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        with _in_folder(recorder, kwargs.get("dir_fd")):
            recorder.read(path)
        return original(path, *args, **kwargs)

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapper


def _wrap_open(recorder: Recorder) -> None:
    """`os.open(name, flags, dir_fd=fd)` (what an `opener=` usually calls)
    raises its audit event with a name relative to `fd`'s folder: resolve
    it there, not in the working directory."""

    def wrapper(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        with _in_folder(recorder, kwargs.get("dir_fd")):
            return _OPEN(path, flags, *args, **kwargs)

    wrapper.__wrapped__ = _OPEN  # type: ignore[attr-defined]
    os.open = wrapper


@contextlib.contextmanager
def _in_folder(recorder: Recorder, fd: object) -> Iterator[None]:
    """Resolve names in the folder of descriptor `fd` while inside."""
    saved = recorder.base
    recorder.base = _fd_path(fd) if isinstance(fd, int) else None
    try:
        yield
    finally:
        recorder.base = saved


def _wrap_environ(recorder: Recorder) -> None:
    for mapping in (os.environ, getattr(os, "environb", None)):
        if mapping is not None:
            mapping.__class__ = _tracked_environ(type(mapping), recorder)


def _tracked_environ(base: type, recorder: Recorder) -> type:
    class TrackedEnviron(base):  # type: ignore[misc]
        def __getitem__(self, key: Any) -> Any:
            try:
                value = super().__getitem__(key)
            except KeyError:
                recorder.env(key, None)
                raise
            recorder.env(
                key, value if isinstance(value, str) else os.fsdecode(value)
            )
            return value

        def __iter__(self) -> Iterator[Any]:
            names = list(super().__iter__())
            recorder.env_names(names)
            return iter(names)

        def __setitem__(self, key: Any, value: Any) -> None:
            recorder.env_set(key)
            super().__setitem__(key, value)

        def __delitem__(self, key: Any) -> None:
            recorder.env_set(key)
            super().__delitem__(key)

        def copy(self) -> dict[Any, Any]:
            # Copying the whole environment (e.g. for a subprocess) is not
            # taken as depending on every variable: declare what matters.
            active, recorder.active = recorder.active, False
            try:
                return dict(self)
            finally:
                recorder.active = active

    return TrackedEnviron


def _track_imports(recorder: Recorder) -> None:
    """Load modules from files through loaders that report what they
    compile; finders made before (in the zygote) are dropped."""
    hook = importlib.machinery.FileFinder.path_hook(
        (_extension_loader(recorder), importlib.machinery.EXTENSION_SUFFIXES),
        (_source_loader(recorder), importlib.machinery.SOURCE_SUFFIXES),
        (_bytecode_loader(recorder), importlib.machinery.BYTECODE_SUFFIXES),
    )
    sys.path_hooks[:] = [
        hook if "FileFinder" in getattr(h, "__qualname__", "") else h
        for h in sys.path_hooks
    ]
    sys.path_importer_cache.clear()


def _source_loader(recorder: Recorder) -> type:
    class TrackedSourceLoader(importlib.machinery.SourceFileLoader):
        def get_code(self, fullname: str) -> Any:
            path = self.get_filename(fullname)
            if not recorder.tracks(path):
                return super().get_code(fullname)
            active, recorder.active = recorder.active, False
            try:
                data = self.get_data(path)
            finally:
                recorder.active = active
            # From these bytes, never from __pycache__: what runs is what
            # was hashed.
            code = recorder.module(os.path.abspath(path), data, path)
            return code or self.source_to_code(data, path)

    return TrackedSourceLoader


def _bytecode_loader(recorder: Recorder) -> type:
    class TrackedBytecodeLoader(importlib.machinery.SourcelessFileLoader):
        def get_code(self, fullname: str) -> Any:
            recorder.read(self.get_filename(fullname))
            return super().get_code(fullname)

    return TrackedBytecodeLoader


def _extension_loader(recorder: Recorder) -> type:
    class TrackedExtensionLoader(importlib.machinery.ExtensionFileLoader):
        def create_module(self, spec: Any) -> ModuleType:
            recorder.read(self.path)
            return super().create_module(spec)

    return TrackedExtensionLoader
