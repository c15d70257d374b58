"""A module's code measured by function: which edits change which state,
and functions compiled to note that they ran without changing what they
do. (The tiny sites of test_invalidation check the same end to end.)"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import pytest

from execnotes.core import funcstate
from execnotes.core.inputs import Inputs

MODULE = '''\
"""A module."""
import functools

K = 3


def deco(fn):
    """Wrap nothing."""
    return fn


@deco
def f(x, y=K):
    """F."""
    inner = lambda: x  # noqa: E731
    return inner() + y


class C:
    """A class."""

    size = 2

    def method(self):
        return "m"


if K:

    def g():
        raise ValueError("g")
'''


def _code(source: str) -> funcstate.ModuleCode:
    found = funcstate.read(source.encode())
    assert found is not None
    return found[0]


def _changed(old: str, new: str) -> set[str]:
    """Which states an edit of MODULE changes: "skeleton" or qualnames."""
    before, after = _code(MODULE), _code(MODULE.replace(old, new, 1))
    assert MODULE.replace(old, new, 1) != MODULE, old
    names = set(before.functions) | set(after.functions)
    changed = {n for n in names if before.state(n) != after.state(n)}
    if before.skeleton != after.skeleton:
        changed.add("skeleton")
    return changed


def test_functions_are_named_as_python_names_them() -> None:
    """Methods by class, functions under `if` by their name; a lambda or
    nested function is no function of its own."""
    assert list(_code(MODULE).functions) == ["deco", "f", "C.method", "g"]


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("return inner() + y", "return inner() - y", {"f"}),
        ("lambda: x", "lambda: -x", {"f"}),
        ('return "m"', 'return "n"', {"C.method"}),
        ('return "m"', 'return "m"  # why', set()),
        ("K = 3\n", "K = 4\n", {"skeleton"}),
        ("y=K", "y=1", {"skeleton", "f"}),
        ("@deco\n", "@functools.cache\n", {"skeleton"}),
        ('"""F."""', '"""F, again."""', {"skeleton", "f"}),
        ("size = 2", "size = 3", {"skeleton"}),
        ("import functools\n", "import functools  # for later\n", set()),
        ("\n\nclass C:", "\n\n\nclass C:", {"C.method", "g"}),
        (
            "return fn\n",
            "fn.n = 1\n    return fn\n",
            {"deco", "f", "C.method", "g"},
        ),
    ],
    ids=[
        "body",
        "lambda inside",
        "method",
        "comment after a body",
        "constant",
        "default",
        "decorator",
        "docstring",
        "class body",
        "comment outside",
        "moved down",
        "grown above",
    ],
)
def test_an_edit_changes_exactly_the_states_it_can_change(
    old: str, new: str, changed: set[str]
) -> None:
    """A body edit changes its function only; module-level code (also
    decorators, defaults, docstrings, class bodies) changes the skeleton;
    a function that moves changes state (its line numbers can show);
    comments outside function bodies change nothing."""
    assert _changed(old, new) == changed


def test_a_module_that_does_not_parse_has_no_states() -> None:
    """Unparsable or non-UTF-8 source: measured only as a whole file."""
    assert funcstate.read(b"def f(:\n") is None
    assert funcstate.read("x = 'é'\n".encode("latin-1")) is None


def test_compiled_functions_note_what_ran_and_behave_the_same() -> None:
    """Only the functions called are noted; docstrings, results and the
    line numbers of tracebacks are those of the plain module."""
    executed = funcstate.Executed()
    executed.install()
    try:
        code = executed.compile("m.py", "m.py", MODULE.encode())
        assert code is not None
        marked: dict[str, object] = {}
        exec(code, marked)
        plain: dict[str, object] = {}
        exec(compile(MODULE, "m.py", "exec"), plain)
        assert executed.ran == {"code:m.py:deco"}  # run at import
        for namespace in (marked, plain):
            assert namespace["f"](1) == 4  # type: ignore[operator]
            assert namespace["f"].__doc__ == "F."  # type: ignore[attr-defined]
        assert executed.ran == {"code:m.py:deco", "code:m.py:f"}
        assert _raised(marked["g"]) == _raised(plain["g"])
    finally:
        delattr(__import__("builtins"), funcstate.MARK)


def _raised(function: object) -> list[tuple[str, int | None]]:
    try:
        function()  # type: ignore[operator]
    except ValueError as error:
        frames = traceback.extract_tb(error.__traceback__)
        return [(frame.name, frame.lineno) for frame in frames[1:]]
    raise AssertionError("no error")


def test_the_check_measures_what_the_run_recorded(tmp_path: Path) -> None:
    """`Inputs` measures the keys `Executed` records to the same states,
    and sees an edit of a function the run executed, not of another."""
    (tmp_path / "m.py").write_text(MODULE)
    executed = funcstate.Executed()
    executed.ran |= {"code:m.py:f", "code:m.py:C.method"}
    executed.compile("m.py", "m.py", MODULE.encode())
    recorded = executed.inputs(whole=False, changed=lambda *_: None)
    assert set(recorded) == {
        "skeleton:m.py",
        "code:m.py:f",
        "code:m.py:C.method",
    }
    inputs = Inputs(str(tmp_path), os.environ, sys.path)
    assert inputs.fresh(recorded)
    (tmp_path / "m.py").write_text(MODULE.replace("raise", "raise  "))
    inputs.forget()
    assert inputs.fresh(recorded)
    (tmp_path / "m.py").write_text(MODULE.replace('"m"', '"n"'))
    inputs.forget()
    assert not inputs.fresh(recorded)
    whole = executed.inputs(whole=True, changed=lambda *_: None)
    assert list(whole) == ["file:m.py"]


def test_a_module_compiled_once_is_loaded_from_the_memo(
    tmp_path: Path,
) -> None:
    """The second compile of the same bytes loads the kept code and states
    (the same ones); other bytes, or a damaged file, are compiled again."""
    first = funcstate.Executed()
    first.memo = funcstate.Memo(tmp_path)
    code = first.compile("m.py", "m.py", MODULE.encode())
    [kept] = tmp_path.glob("*.bin")
    again = funcstate.Executed()
    again.memo = funcstate.Memo(tmp_path)
    assert again.compile("m.py", "m.py", MODULE.encode()) == code
    assert again.modules == first.modules
    kept.write_bytes(b"damaged")
    assert again.compile("m.py", "m.py", MODULE.encode()) == code
    edited = MODULE.replace("K = 3", "K = 4")
    again.compile("n.py", "n.py", edited.encode())
    assert len(list(tmp_path.glob("*.bin"))) == 2
    assert again.modules["n.py"].code != again.modules["m.py"].code
