"""Framework profiles: all the runner knows about the libraries snippets
use (MXNet, NumPy, matplotlib), in one place.

A `Library` says how a worker prepares one library: what to set when it
loads (matplotlib's style), how to seed it before a run, which of its
native calls read or write files (inputs the tracker cannot see through
Python), and which folders of its own are environment, not input. A
`Profile` says which libraries a worker imports once, before its first
run. Any other known library loads in the run that imports it and is
prepared then, the same way: the profile decides what start-up costs,
never what a run sees, so results do not depend on it.

- `mxnet` preloads MXNet, NumPy and matplotlib and draws a warm-up figure
  (the notes, where almost every run uses all three);
- `python` preloads NumPy and matplotlib if the snippets import them,
  never MXNet;
- `auto` (the default) is `mxnet` when a module of the snippets package
  imports mxnet, `python` otherwise.

The versions the fingerprint records (`VERSIONED`) and what a reader of
the notes must install (`READER_NEEDS`) live here too.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

Note = Callable[[object], None]
Style = tuple[tuple[str, Any], ...]

VERSIONED = ("mxnet", "numpy", "matplotlib")
"""Distributions whose versions every fingerprint records ("missing" when
not installed), whichever profile ran: a result is keyed on the versions
of every library a run could have imported."""
FEATURES_PROBE = (
    "import json, mxnet.runtime as r; "
    "print(json.dumps(sorted(n for n, f in r.Features().items() "
    "if f.enabled)))"
)
"""Prints MXNet's enabled build features (part of the fingerprint)."""
FEATURES_DISTRIBUTION = "mxnet"
"""The distribution `FEATURES_PROBE` asks about."""
ALLOWED_VARIABLES = re.compile(r"^(MXNET_\w+|OMP_NUM_THREADS)$")
"""The workers' environment variables that enter the fingerprint."""
READER_NEEDS = ("mxnet", "numpy", "matplotlib")
"""What a copied block or a downloaded notebook needs installed (named in
each language by `strings.listing`)."""

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


@dataclass(frozen=True)
class Preparation:
    """What a run's libraries are prepared with, inside its child."""

    seed: int
    style: Style
    read: Note
    wrote: Note
    ignore: Callable[[str], None]
    """Adds a folder whose files are the environment's, not inputs."""
    installed: Callable[[str | None], AbstractContextManager[None]]
    """Loads a library from a file (an origin) of the installation
    untracked, as the zygote does."""


@dataclass(frozen=True)
class Library:
    """How a worker prepares one library a snippet may import."""

    module: str
    configure: Callable[[ModuleType, Style], None] | None = None
    """Runs when the library loads (in the zygote or in a run)."""
    seed: Callable[[ModuleType, int], None] | None = None
    """Runs before each run that has the library loaded, or when it loads."""
    track: Callable[[ModuleType, Note, Note], None] | None = None
    """Wraps the library's native readers and writers (`read`, `wrote`)."""
    folders: Callable[[ModuleType], list[str]] | None = None
    """Its folders whose reads are not inputs (caches, its own files)."""
    warm: Callable[[ModuleType], None] | None = None
    """What the zygote does once beyond importing it (load fonts...)."""


@dataclass(frozen=True)
class Profile:
    """Which libraries a worker imports before its first run."""

    name: str
    warm: tuple[str, ...]
    """Known libraries (`LIBRARIES`) to import, in order."""
    grows: tuple[str, ...] = ()
    """Known libraries to import too if the snippets import them."""

    def with_imports(self, imported: Iterable[str]) -> Profile:
        """This profile, also preloading what it `grows` by that the
        snippets import."""
        names = set(imported)
        extra = tuple(m for m in self.grows if m in names)
        return Profile(self.name, (*self.warm, *extra))


def _seed_random(module: ModuleType, seed: int) -> None:
    module.seed(seed)


def _seed_numpy(module: ModuleType, seed: int) -> None:
    module.random.seed(seed)


def _seed_mxnet(module: ModuleType, seed: int) -> None:
    module.random.seed(seed)


def _warm_mxnet(module: ModuleType) -> None:
    importlib.import_module("mxnet.gluon")


def _mxnet_folders(module: ModuleType) -> list[str]:
    return [os.path.dirname(module.__file__ or "")]


def _configure_matplotlib(module: ModuleType, style: Style) -> None:
    module.use("Agg")
    module.rcParams.update(dict(style))


def _matplotlib_folders(module: ModuleType) -> list[str]:
    return [module.get_cachedir()]


def _warm_matplotlib(module: ModuleType) -> None:
    """Load the fonts once, in the zygote, rather than in every run."""
    plt = importlib.import_module("matplotlib.pyplot")
    figure = plt.figure()
    figure.text(0.5, 0.5, "warm")
    figure.savefig(os.devnull, format="svg")
    plt.close("all")


def _track_mxnet(module: ModuleType, read: Note, wrote: Note) -> None:
    library = module.base._LIB
    for name, index in _NATIVE_READS:
        _wrap_call(library, name, index, read)
    for name, index in _NATIVE_WRITES:
        _wrap_call(library, name, index, wrote)
    _wrap_data_iterators(library, read)
    for module_name, name in (
        ("mxnet.ndarray._internal", "_cvimread"),
        ("mxnet.ndarray.numpy._internal", "cvimread"),
    ):
        owner = sys.modules.get(module_name)
        if owner is not None and hasattr(owner, name):
            _wrap_call(owner, name, 0, read, keyword="filename")


def _wrap_call(
    owner: Any, name: str, index: int, note: Note, keyword: str | None = None
) -> None:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        path = args[index] if len(args) > index else kwargs.get(keyword or "")
        note(path)
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def _wrap_data_iterators(library: Any, read: Note) -> None:
    original = library.MXDataIterCreateIter

    def wrapper(*args: Any) -> Any:
        count = getattr(args[1], "value", args[1])
        keys, values = args[2], args[3]
        for index in range(int(count)):
            key = keys[index].decode(errors="replace")
            if key.startswith("path_") or key in ("image", "label"):
                read(values[index])
        return original(*args)

    library.MXDataIterCreateIter = wrapper


# In the order they are seeded (MXNet imports NumPy: its hook runs first).
LIBRARIES = {
    library.module: library
    for library in (
        Library("random", seed=_seed_random),
        Library("numpy", seed=_seed_numpy),
        Library(
            "matplotlib",
            configure=_configure_matplotlib,
            folders=_matplotlib_folders,
            warm=_warm_matplotlib,
        ),
        Library(
            "mxnet",
            seed=_seed_mxnet,
            track=_track_mxnet,
            folders=_mxnet_folders,
            warm=_warm_mxnet,
        ),
    )
}
"""Every library a worker knows how to prepare, by module name."""

PROFILES = {
    profile.name: profile
    for profile in (
        Profile("mxnet", ("numpy", "matplotlib", "mxnet")),
        # MXNet costs 1.5 s and 140 MB a worker: never preloaded here.
        Profile("python", (), grows=("numpy", "matplotlib")),
    )
}
"""The profiles a site may choose with the plugin's `framework` option."""
CHOICES = ("auto", *PROFILES)


def choose(name: str, package: Path) -> Profile:
    """The profile `name` (one of `CHOICES`) for the snippets in `package`,
    also preloading the known libraries they import."""
    imported = package_imports(package)
    if name == "auto":
        name = "mxnet" if "mxnet" in imported else "python"
    return PROFILES[name].with_imports(imported)


def package_imports(package: Path) -> frozenset[str]:
    """The top-level modules that the package's modules import anywhere
    (in functions too), read from their source without running it."""
    found: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes(), str(path))
        except (OSError, SyntaxError, ValueError):
            continue  # the build reports it where a page embeds it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                found.add((node.module or "").split(".")[0])
    return frozenset(found)


# -- in the worker ------------------------------------------------------
def warm_up(profile: Profile, style: Style) -> list[str]:
    """Import and prepare the profile's libraries (in the zygote); the
    folders whose reads are the environment's."""
    folders = []
    for name in profile.warm:
        library, module = LIBRARIES[name], importlib.import_module(name)
        if library.configure is not None:
            library.configure(module, style)
        if library.warm is not None:
            library.warm(module)
        if library.folders is not None:
            folders += library.folders(module)
    return folders


def prepare_run(preparation: Preparation) -> None:
    """Before a run (in its child): seed and track the known libraries
    already loaded, and prepare the others if the run loads them."""
    waiting = {}
    for name, library in LIBRARIES.items():
        module = sys.modules.get(name)
        if module is None:
            waiting[name] = library
        else:
            _prepare(library, module, preparation, loaded=False)
    if waiting:
        sys.meta_path.insert(0, _OnLoad(waiting, preparation))


def _prepare(
    library: Library,
    module: ModuleType,
    preparation: Preparation,
    *,
    loaded: bool,
) -> None:
    if loaded and library.configure is not None:
        library.configure(module, preparation.style)
    if loaded and library.folders is not None:
        for folder in library.folders(module):
            preparation.ignore(folder)
    if library.seed is not None:
        library.seed(module, preparation.seed)
    if library.track is not None:
        library.track(module, preparation.read, preparation.wrote)


class _OnLoad(importlib.abc.MetaPathFinder):
    """Prepares a known library right after a run first imports it."""

    def __init__(
        self, waiting: dict[str, Library], preparation: Preparation
    ) -> None:
        self.waiting = waiting
        self.preparation = preparation

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        # Taken off the list only once loaded: a mere look-up (find_spec)
        # must not leave a later import unprepared.
        library = self.waiting.get(fullname)
        if library is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Prepared(spec.loader, library, self)
                return spec
        return None

    def loaded(self, library: Library, module: ModuleType) -> None:
        if self.waiting.pop(library.module, None) is not None:
            _prepare(library, module, self.preparation, loaded=True)


class _Prepared(importlib.abc.Loader):
    """A loader that prepares its library once it has run."""

    def __init__(
        self, loader: importlib.abc.Loader, library: Library, hook: _OnLoad
    ) -> None:
        self.loader = loader
        self.library = library
        self.hook = hook

    def create_module(
        self, spec: importlib.machinery.ModuleSpec
    ) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        spec = module.__spec__
        origin = None if spec is None else spec.origin
        with self.hook.preparation.installed(origin):
            self.loader.exec_module(module)
            self.hook.loaded(self.library, module)

    def __getattr__(self, name: str) -> Any:
        # get_filename, get_data, is_package, ... of the real loader.
        return getattr(self.loader, name)
