"""Invalidation by function: an edit re-runs only the runs whose executed
code reaches it, and a run that cannot be measured by function depends on
whole modules. Every case builds a tiny site for real, edits a helper,
builds again, and checks both which blocks ran and what the page shows.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.runner.conftest import Site, entries

HELPERS = '''\
import functools

K = 10


def counted(fn):
    """Mark a function as counted."""
    fn.counted = "yes"
    return fn


def f():
    """F's value."""
    return "f1"


def g():
    """G's value."""
    return "g1"


@counted
def uses_k():
    """Read the constant."""
    return K + 1


class Counter:
    """A class whose methods are edited one at a time."""

    start = 0

    def step(self):
        """One step."""
        return "step1"

    def reset(self):
        """Back to the start."""
        return "reset1"


def calls_other():
    """Call into another module."""
    from snippets.other import leaf

    return leaf()


partial_f = functools.partial(f)
'''

OTHER = '''\
def leaf():
    """The callee in another module."""
    return "leaf1"


def unused():
    """Never called."""
    return "unused1"
'''

BLOCKS = '''\
import os
import subprocess
import sys

import snippets.helpers as hm
from snippets import helpers
from snippets.helpers import Counter, f as alias


def show_x():
    """Call f."""
    print(helpers.f())


def show_y():
    """Call g."""
    print(helpers.g())


def show_module_attribute():
    """Call f through a module bound under another name."""
    print(hm.f())


def show_alias():
    """Call f under an alias."""
    print(alias())


def show_partial():
    """Call f through functools.partial."""
    print(helpers.partial_f())


def show_step():
    """Call one method."""
    print(Counter().step())


def show_constant():
    """Read a constant and a decorator's mark, through a function."""
    print(helpers.uses_k(), helpers.uses_k.counted)


def show_other():
    """Reach a function of another module through a helper."""
    print(helpers.calls_other())


def show_getattr():
    """Call a function whose name is computed at run time."""
    print(getattr(helpers, "".join(["g"]))())


def show_fork():
    """Call f in a forked process only: not seen, so whole modules."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, helpers.f().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    print(os.read(read, 100).decode())


def show_process():
    """Call f in another program only: not seen, so whole modules."""
    code = "from snippets.helpers import f; print(f())"
    print(subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout.strip())


def show_spawn():
    """Call f in a spawned process only: not seen, so whole modules."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print(pool.apply(helpers.f))
'''

NAMES = re.findall(r"^def (show_\w+)", BLOCKS, re.MULTILINE)
# Blocks whose helper ran in another process: they depend on whole files.
WHOLE = {"show_fork", "show_process", "show_spawn"}


def _site(site: Site) -> Site:
    site.write("snippets/helpers.py", HELPERS)
    site.write("snippets/other.py", OTHER)
    site.write("snippets/blocks.py", BLOCKS)
    site.write(
        "docs/index.md",
        "".join(f"```{{run}} snippets.blocks.{n}\n```\n\n" for n in NAMES),
    )
    return site


def _edit(site: Site, path: str, old: str, new: str) -> None:
    file = site.root / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1))


def _rebuild(site: Site) -> tuple[set[str], dict[str, str]]:
    """Build; return the blocks that ran and what each block printed."""
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    results = site.plugin.last_build.results.values()
    ran = {r.name.rsplit(".", 1)[1] for r in results if r.source == "ran"}
    shown = {r.name.rsplit(".", 1)[1]: r.outcome.output for r in results}
    return ran, shown


@pytest.fixture
def built(site: Site) -> Site:
    """The site of this module, built once: every block ran."""
    ran, shown = _rebuild(_site(site))
    assert ran == set(NAMES)
    assert shown["show_x"] == "f1\n"
    assert shown["show_constant"] == "11 yes\n"
    return site


# Each case: an edit of a helper, the blocks it must re-run, and what one
# of them prints afterwards (never a stale value).
CASES = {
    "g only": (
        ("snippets/helpers.py", 'return "g1"', 'return "g2"'),
        {"show_y", "show_getattr", *WHOLE},
        ("show_getattr", "g2\n"),
    ),
    "f through attributes, aliases and partial": (
        ("snippets/helpers.py", 'return "f1"', 'return "f2"'),
        {
            "show_x",
            "show_module_attribute",
            "show_alias",
            "show_partial",
            *WHOLE,
        },
        ("show_partial", "f2\n"),
    ),
    "a method": (
        ("snippets/helpers.py", 'return "step1"', 'return "step2"'),
        {"show_step", *WHOLE},
        ("show_step", "step2\n"),
    ),
    "a method never called": (
        ("snippets/helpers.py", 'return "reset1"', 'return "reset2"'),
        WHOLE,
        ("show_step", "step1\n"),
    ),
    "a callee in another module": (
        ("snippets/other.py", 'return "leaf1"', 'return "leaf2"'),
        {"show_other"},
        ("show_other", "leaf2\n"),
    ),
    "a function of that module never called": (
        ("snippets/other.py", 'return "unused1"', 'return "unused2"'),
        set(),
        ("show_other", "leaf1\n"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_edit_reruns_the_blocks_whose_code_reached_it(
    built: Site, case: str
) -> None:
    """Editing a function's body re-runs the blocks that executed it (by
    any route: attribute, alias, partial, method, another module's
    caller, getattr) and the blocks that started another process (fork,
    spawn, a program: whole modules); the others come from the cache,
    and the page shows the new value."""
    (path, old, new), expected, (name, output) = CASES[case]
    _edit(built, path, old, new)
    ran, shown = _rebuild(built)
    assert ran == expected
    assert shown[name] == output


def test_an_unused_function_of_a_module_is_no_input(built: Site) -> None:
    """A function the run never executed is not among its inputs, while
    the module's skeleton and the functions it ran are."""
    recorded = {}
    for entry in entries(built):
        inputs = json.loads(entry.read_text())["inputs"]
        if "code:snippets/other.py:leaf" in inputs:
            recorded = inputs
    assert "skeleton:snippets/other.py" in recorded
    assert "code:snippets/other.py:unused" not in recorded
    assert "file:snippets/other.py" not in recorded


@pytest.mark.parametrize(
    ("old", "new", "output"),
    [
        ("K = 10", "K = 20", "21 yes\n"),
        ('fn.counted = "yes"', 'fn.counted = "new"', "11 new\n"),
    ],
    ids=["constant", "decorator"],
)
def test_module_level_names_rerun_every_reader(
    built: Site, old: str, new: str, output: str
) -> None:
    """A constant, or a decorator's body, runs when the module is
    imported: editing it re-runs every block that imported the module,
    and none of the blocks that did not."""
    _edit(built, "snippets/helpers.py", old, new)
    ran, shown = _rebuild(built)
    assert ran == set(NAMES)
    assert shown["show_constant"] == output


def test_a_failed_run_depends_on_whole_modules(site: Site) -> None:
    """A block that raises shows a traceback with line numbers, also of
    module-level code, which a module's skeleton does not place: its
    result depends on whole modules (the worker falls back, and the
    traceback reads their lines anyway), so growing an unrelated function
    above the failing line re-runs it and the page shows the new line."""
    site.write(
        "snippets/fails.py",
        'def other():\n    """Unrelated."""\n    return 1\n\n\n'
        'VALUE = int("not a number")\n',
    )
    site.write(
        "snippets/importer.py",
        'def show_fail():\n    """Import a module that fails."""\n'
        "    import snippets.fails  # noqa: F401\n",
    )
    site.write("docs/index.md", "```{run} snippets.importer.show_fail\n```\n")
    site.build()
    assert "line 6" in site.html()
    _edit(site, "snippets/fails.py", "return 1\n", "x = 1\n    return x\n")
    ran, _ = _rebuild(site)
    assert ran == {"show_fail"}
    assert "line 7" in site.html()
    assert "line 6" not in site.html()
