"""Every input a run reads is tracked, or declared on its block.

Each case: build; build again (nothing runs); change the input (the run
goes again and shows the change); change it back (a cache hit: the earlier
generation is still there).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.runner.conftest import Site, entries, mkdocs, ran

READERS = '''\
import glob
import os

import matplotlib.pyplot as plt
import mxnet as mx
from mxnet.gluon import nn


def show_optional_module():
    """Use a module if there is one."""
    try:
        from snippets import extra
    except ImportError:
        print("no extra")
    else:
        print("extra", extra.VALUE)


def show_exists():
    """Look for a flag file."""
    print("flag", os.path.exists("flag.txt"))


def show_glob():
    """Count the data files."""
    print("files", len(glob.glob("data/*.txt")))


def show_bytes_path():
    """Read a file named by bytes."""
    with open(b"numbers.txt", "rb") as handle:
        print("bytes", handle.read().split())


def show_nd_load():
    """Load an array saved by MXNet (native code reads it)."""
    print("array", mx.nd.load("array.nd")[0].asnumpy().tolist())


def show_parameters():
    """Load a layer's parameters from a file."""
    net = nn.Dense(1, in_units=2)
    net.load_parameters("dense.params")
    print("weight", net.weight.data().asnumpy().tolist())


def show_imports():
    """Rebuild an exported model (graph and parameters read natively)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = mx.gluon.SymbolBlock.imports(
            "dense-symbol.json", ["data"], "dense-0000.params"
        )
    print("output", net(mx.nd.ones((1, 2))).asnumpy().tolist())


def show_style():
    """Draw with a style file of the project."""
    plt.style.use("plot.mplstyle")
    print("linewidth", plt.rcParams["lines.linewidth"])


def show_environment():
    """Greet whoever the environment names."""
    print("hello", os.environ.get("GREETING_NAME", "nobody"))


def show_undeclared():
    """Read a file through a subprocess, which the runner cannot see."""
    import subprocess

    print(subprocess.run(["cat", "hidden.txt"], capture_output=True,
                         text=True).stdout.strip())
'''


def _save_array(site: Site, values: list[float]) -> None:
    import mxnet as mx

    mx.nd.save(str(site.root / "array.nd"), [mx.nd.array(values)])


def _save_dense(site: Site, weight: list[float]) -> None:
    import mxnet as mx
    from mxnet.gluon import nn

    net = nn.Dense(1, in_units=2)
    net.initialize()
    net.weight.set_data(mx.nd.array([weight]))
    net.save_parameters(str(site.root / "dense.params"))


def _export_dense(site: Site, weight: list[float]) -> None:
    import mxnet as mx
    from mxnet.gluon import nn

    # Fixed prefixes: the files' names do not depend on earlier blocks.
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Dense(1, in_units=2, prefix="dense_"))
    net.initialize(mx.init.Zero())
    net[0].weight.set_data(mx.nd.array([weight]))
    net.hybridize()
    net(mx.nd.ones((1, 2)))
    net.export(str(site.root / "dense"))


Change = Callable[[Site], None]


def _write(relative: str, text: str) -> Change:
    return lambda site: site.write(relative, text)


def _remove(relative: str) -> Change:
    return lambda site: (site.root / relative).unlink()


# name: (snippet, set-up, change, revert, output before, output after)
CASES: dict[str, tuple[str, Change, Change, Change, str, str]] = {
    "module-created-later": (
        "show_optional_module",
        lambda site: None,
        _write("snippets/extra.py", "VALUE = 7\n"),
        _remove("snippets/extra.py"),
        "no extra",
        "extra 7",
    ),
    "path-checked-then-created": (
        "show_exists",
        lambda site: None,
        _write("flag.txt", "on\n"),
        _remove("flag.txt"),
        "flag False",
        "flag True",
    ),
    "folder-listing-grows": (
        "show_glob",
        _write("data/a.txt", "a\n"),
        _write("data/b.txt", "b\n"),
        _remove("data/b.txt"),
        "files 1",
        "files 2",
    ),
    "bytes-path": (
        "show_bytes_path",
        _write("numbers.txt", "1 2\n"),
        _write("numbers.txt", "1 2 3\n"),
        _write("numbers.txt", "1 2\n"),
        "bytes [b'1', b'2']",
        "bytes [b'1', b'2', b'3']",
    ),
    "native-nd-load": (
        "show_nd_load",
        lambda site: _save_array(site, [1.0]),
        lambda site: _save_array(site, [2.0]),
        lambda site: _save_array(site, [1.0]),
        "array [1.0]",
        "array [2.0]",
    ),
    "native-load-parameters": (
        "show_parameters",
        lambda site: _save_dense(site, [1.0, 2.0]),
        lambda site: _save_dense(site, [3.0, 4.0]),
        lambda site: _save_dense(site, [1.0, 2.0]),
        "weight [[1.0, 2.0]]",
        "weight [[3.0, 4.0]]",
    ),
    "native-symbolblock-imports": (
        "show_imports",
        lambda site: _export_dense(site, [1.0, 2.0]),
        lambda site: _export_dense(site, [3.0, 4.0]),
        lambda site: _export_dense(site, [1.0, 2.0]),
        "output [[3.0]]",
        "output [[7.0]]",
    ),
    "matplotlib-style-file": (
        "show_style",
        _write("plot.mplstyle", "lines.linewidth: 2\n"),
        _write("plot.mplstyle", "lines.linewidth: 5\n"),
        _write("plot.mplstyle", "lines.linewidth: 2\n"),
        "linewidth 2.0",
        "linewidth 5.0",
    ),
}


@pytest.fixture
def reader_site(site: Site) -> Site:
    """The tiny site with the reading snippets."""
    site.write("snippets/readers.py", READERS)
    return site


def _build_page(site: Site, snippet: str, options: str = "") -> str:
    site.write(
        "docs/index.md",
        f"```{{run}} snippets.readers.{snippet}\n{options}```\n",
    )
    site.build()
    # The optional import inside a function cannot go into a reader's
    # copy: that refusal is expected here (see test_soundness).
    assert not [w for w in site.warnings if "not at the top level" not in w]
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    [result] = site.plugin.last_build.results.values()
    return result.outcome.output.strip()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_changed_input_reruns_and_a_revert_is_a_hit(
    reader_site: Site, case: str
) -> None:
    """The input is tracked: a change runs the snippet again, a revert
    takes the earlier generation from the cache; the cache then holds
    exactly the two generations."""
    check_case(reader_site, case)


def check_case(site: Site, case: str) -> None:
    """Build, build again, change the input of `case`, revert it."""
    snippet, set_up, change, revert, before, after = CASES[case]
    set_up(site)
    assert _build_page(site, snippet) == before
    assert _build_page(site, snippet) == before
    assert ran(site) == 0
    change(site)
    assert _build_page(site, snippet) == after
    assert ran(site) == 1
    revert(site)
    assert _build_page(site, snippet) == before
    assert ran(site) == 0
    outputs = sorted(
        json.loads(path.read_text())["output"].strip()
        for path in entries(site)
    )
    assert outputs == sorted([before, after])


def _subprocess_build(site: Site, **env: str) -> str:
    build = mkdocs(site, **env)
    log, _ = build.communicate(timeout=300)
    assert build.returncode == 0, log
    return log


def test_environment_variables_are_tracked(reader_site: Site) -> None:
    """A variable read through os.environ is an input (by its hash: the
    value is never stored)."""
    reader_site.write(
        "docs/index.md", "```{run} snippets.readers.show_environment\n```\n"
    )
    assert "1 ran" in _subprocess_build(reader_site, GREETING_NAME="Ada")
    assert "hello Ada" in reader_site.html()
    assert "0 ran" in _subprocess_build(reader_site, GREETING_NAME="Ada")
    assert "1 ran" in _subprocess_build(reader_site, GREETING_NAME="Bo")
    assert "hello Bo" in reader_site.html()
    for entry in entries(reader_site):
        inputs = json.loads(entry.read_text())["inputs"]
        assert "env:GREETING_NAME" in inputs
        assert not {"Ada", "Bo"} & set(inputs.values())


def test_declared_inputs_cover_what_cannot_be_seen(reader_site: Site) -> None:
    """A file read by a subprocess is invisible; declared on the block, its
    change runs the snippet again, and so does a declared variable's."""
    reader_site.write("hidden.txt", "first\n")
    options = "inputs: hidden*.txt, env:HIDDEN_MODE\n"
    assert _build_page(reader_site, "show_undeclared", options) == "first"
    reader_site.write("hidden.txt", "second\n")
    assert _build_page(reader_site, "show_undeclared", options) == "second"
    assert ran(reader_site) == 1
    assert _build_page(reader_site, "show_undeclared") == "second"
    reader_site.write("hidden.txt", "third\n")
    # Undeclared, the change is not seen: that is why the option exists.
    assert _build_page(reader_site, "show_undeclared") == "second"
    assert ran(reader_site) == 0


def test_user_style_library_is_part_of_the_environment(
    reader_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A style in the user's matplotlib style library, which workers load
    when they start, is part of every key: changing it runs again."""
    config = tmp_path / "mplconfig"
    (config / "stylelib").mkdir(parents=True)
    (config / "stylelib" / "notes.mplstyle").write_text("lines.linewidth: 3\n")
    monkeypatch.setenv("MPLCONFIGDIR", str(config))
    reader_site.write(
        "snippets/styled.py",
        textwrap.dedent(
            '''\
            import matplotlib.pyplot as plt


            def show_styled():
                """Use a style from the user's library."""
                plt.style.use("notes")
                print("linewidth", plt.rcParams["lines.linewidth"])
            '''
        ),
    )
    reader_site.write(
        "docs/index.md", "```{run} snippets.styled.show_styled\n```\n"
    )
    assert "linewidth 3.0" in _subprocess_build_html(reader_site, config)
    (config / "stylelib" / "notes.mplstyle").write_text("lines.linewidth: 4\n")
    assert "linewidth 4.0" in _subprocess_build_html(reader_site, config)


def _subprocess_build_html(site: Site, config: Path) -> str:
    _subprocess_build(site, MPLCONFIGDIR=str(config))
    return site.html()


WRITER = '''\
import mxnet as mx

from snippets.value import VALUE


def show_write():
    """Save an array into the project (native code writes it)."""
    mx.nd.save("model.nd", [mx.nd.array([VALUE])])
    print("wrote", VALUE)
'''

READER = '''\
import mxnet as mx


def show_read():
    """Load the array that show_write saved (native code reads it)."""
    print("read", mx.nd.load("model.nd")[0].asnumpy().tolist())
'''


def _outputs(site: Site) -> list[str]:
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    results = site.plugin.last_build.results.values()
    return sorted(result.outcome.output.strip() for result in results)


def test_a_file_one_block_writes_and_another_loads(site: Site) -> None:
    """Runs are not ordered: when a run rewrites a file whose reader was
    served from the cache, the build warns, and the next build runs the
    reader again on the new content (then nothing runs). Pages list
    the writer first: with one worker, it runs first on a cold cache."""
    site.write("snippets/value.py", "VALUE = 1.0\n")
    site.write("snippets/writer.py", WRITER)
    site.write("snippets/reader.py", READER)
    site.write(
        "docs/index.md",
        "```{run} snippets.writer.show_write\n```\n\n"
        "```{run} snippets.reader.show_read\n```\n",
    )
    assert _outputs(site) == ["read [1.0]", "wrote 1.0"]
    assert _outputs(site) == ["read [1.0]", "wrote 1.0"]
    assert ran(site) == 0
    assert not site.warnings
    site.write("snippets/value.py", "VALUE = 2.0\n")
    assert _outputs(site) == ["read [1.0]", "wrote 2.0"]
    [warning] = site.warnings
    assert "snippets.reader.show_read came from the cache, but model.nd" in (
        warning
    )
    assert "the next build runs it again" in warning
    assert _outputs(site) == ["read [2.0]", "wrote 2.0"]
    assert ran(site) == 1
    assert _outputs(site) == ["read [2.0]", "wrote 2.0"]
    assert ran(site) == 0
    assert len(site.warnings) == 1
