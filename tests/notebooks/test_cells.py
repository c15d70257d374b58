"""A notebook's cells run by the real pool, as Jupyter would run them."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from execnotes.build.runner import Runner, Settings
from execnotes.core.protocol import CALL_FILENAME, CodeCell, Job, Outcome
from tests.runner.conftest import write_site


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """A runner on the tiny site, one worker, for the whole module."""
    site = write_site(tmp_path_factory.mktemp("cells"))
    (site.root / "data.txt").write_text("read by a cell\n", encoding="utf-8")
    runner = Runner(Settings(root=site.root, workers=1, timeout=20))
    yield runner
    runner.close()


def run(runner: Runner, *sources: str, timeout: float = 20) -> Outcome:
    """Run code cells as one notebook job; its outcome."""
    job = Job(
        key="-".join(sources),
        parts=(),
        call=None,
        call_filename=CALL_FILENAME,
        seed=0,
        max_output=10_000,
        timeout=timeout,
        cells=tuple(CodeCell(source) for source in sources),
    )
    return runner.pool.submit(job).result()


def test_cells_share_a_namespace_and_show_their_last_value(
    runner: Runner,
) -> None:
    """State carries from cell to cell; each shows its last expression
    unless it ends with `;`, and prints into its own output."""
    outcome = run(runner, "x = 20\nprint('one')", "x + 1", "print(x)\nx;")
    assert outcome.status == "ok"
    shown = [(c.output, c.value) for c in outcome.cells]
    assert shown == [("one\n", None), ("", "21"), ("20\n", None)]


def test_native_output_stays_with_its_cell(runner: Runner) -> None:
    """What native code writes to fd 1 or 2 belongs to the cell it ran in."""
    outcome = run(runner, "import os\nos.write(2, b'first\\n')", "print(2)")
    assert [c.output for c in outcome.cells] == ["first\n", "2\n"]


def test_figures_are_collected_per_cell_and_closed(runner: Runner) -> None:
    """plt.show() and figures left open both count, in that order; the
    next cell starts with no figure."""
    outcome = run(
        runner,
        "import matplotlib.pyplot as plt\nplt.plot([1])\nplt.show()\n"
        "plt.figure()\nplt.plot([2]);",
        "len(plt.get_fignums())",
    )
    first, second = outcome.cells
    assert len(first.figures) == 2
    assert all(f.lstrip().startswith("<?xml") for f in first.figures)
    assert (second.figures, second.value) == ([], "0")


def test_seeded_once_before_the_first_cell(runner: Runner) -> None:
    """The seed is set once: the second draw continues the first's stream,
    the same in every run."""
    draws = ["import numpy as np\nnp.random.rand()", "np.random.rand()"]
    stream = np.random.RandomState(0)
    expected = [repr(stream.rand()), repr(stream.rand())]
    assert [c.value for c in run(runner, *draws).cells] == expected
    assert [c.value for c in run(runner, *draws).cells] == expected


def test_a_failing_cell_stops_the_notebook(runner: Runner) -> None:
    """The failing cell is an error with a traceback through its prompt;
    the cells after it are not run."""
    outcome = run(runner, "print('a')", "1 / 0", "print('never')")
    assert outcome.status == "error"
    assert [c.status for c in outcome.cells] == ["ok", "error", "not run"]
    assert outcome.problem is not None
    assert 'File "<In [2]>", line 1, in <module>' in outcome.problem.traceback
    assert outcome.failed_cell == 1


def test_a_timeout_names_the_cell_it_was_in(runner: Runner) -> None:
    """The whole notebook has the timeout; the cell running is the one
    that failed, and what it printed is kept."""
    outcome = run(
        runner,
        "print('quick')",
        "import time\nprint('slow', flush=True)\ntime.sleep(30)",
        "print('never')",
        timeout=2,
    )
    assert outcome.status == "timeout"
    assert [(c.status, c.output) for c in outcome.cells] == [
        ("ok", "quick\n"),
        ("error", "slow\n"),
        ("not run", ""),
    ]


def test_a_cell_that_ends_the_process_is_named(runner: Runner) -> None:
    """os._exit in a cell: the run crashed in that cell."""
    outcome = run(runner, "x = 1", "import os\nos._exit(3)")
    assert outcome.status == "crashed"
    assert outcome.failed_cell == 1


def test_inputs_of_every_cell_are_recorded(runner: Runner) -> None:
    """A file a later cell reads, and the project modules a cell imports,
    are inputs of the notebook's result."""
    outcome = run(
        runner,
        "from snippets.helpers import double",
        "open('data.txt').read()",
    )
    assert "file:data.txt" in outcome.inputs
    assert "skeleton:snippets/helpers.py" in outcome.inputs


def test_values_are_taken_after_their_cell(runner: Runner) -> None:
    """An inline value is evaluated right after the code cell above it."""
    job = Job(
        key="values",
        parts=(),
        call=None,
        call_filename=CALL_FILENAME,
        seed=0,
        max_output=1000,
        cells=(
            CodeCell("x = 1", ("x", "y")),
            CodeCell("x = 2", ("x",)),
        ),
    )
    first, second = runner.pool.submit(job).result().cells
    assert (first.values, second.values) == ({"x": 1}, {"x": 2})
    assert first.missing == {"y": "NameError: name 'y' is not defined"}


def test_the_zygote_is_untouched_by_a_notebook(runner: Runner) -> None:
    """What a notebook changed is gone for the next run."""
    run(runner, "import os\nos.environ['CHANGED'] = '1'\nos.chdir('/')")
    outcome = run(runner, "import os\nos.environ.get('CHANGED'), os.getcwd()")
    assert outcome.cells[0].value == f"(None, {str(runner.settings.root)!r})"
