"""Run code and notebooks the way a reader does, in the reader's venv.

The reader's environment is a second virtual environment with only
mxnet 1.9.1, numpy < 1.24, matplotlib, ipykernel and nbclient from the
package registry (`scripts/setup.sh --test` creates it as `.reader-venv`).
Nothing of this project is installed there, and every run starts in an
empty temporary folder, so a `snippets` import fails as it would for a
reader. Shared by tests/reader and benchmarks/standalone.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
READER_VENV = Path(os.environ.get("READER_VENV") or ROOT / ".reader-venv")
READER_PYTHON = READER_VENV / "bin" / "python"
DEBIAN_DATA = "/usr/share/datasets/fashion-mnist"
RUN_TIMEOUT = 600  # the full-data training demos run here too
RUNNABLE = "pre.execnotes-runnable"  # where a page keeps "copy runnable"

# Executed inside the reader's venv: nbclient runs the notebook (stdin) in
# that venv's own python3 kernel and prints the executed notebook, or the
# error, as JSON.
_NOTEBOOK_RUNNER = """\
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
notebook = nbformat.reads(sys.stdin.read(), as_version=4)
client = NotebookClient(
    notebook, timeout=%d, kernel_name="python3", allow_errors=False
)
try:
    client.execute()
    error = None
except CellExecutionError as failure:
    error = str(failure)
print(json.dumps({"notebook": notebook, "error": error}))
"""


@dataclass(frozen=True)
class Ran:
    """What one standalone run did."""

    ok: bool
    output: str  # stdout and stderr, or the notebook's error
    notebook: dict[str, Any] | None = None


def reader_env() -> dict[str, str]:
    """The environment of a reader's run: no project on the path, the
    data set where Debian puts it, no site-packages of ours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "EXECNOTES"))
    }
    env["PATH"] = f"{READER_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["FASHION_MNIST_ROOT"] = DEBIAN_DATA
    env["MPLBACKEND"] = "Agg"
    return env


def run_code(text: str, timeout: float = RUN_TIMEOUT) -> Ran:
    """Run `text` with the reader's `python -`, from an empty folder."""
    with tempfile.TemporaryDirectory(prefix="reader-") as folder:
        result = subprocess.run(
            [str(READER_PYTHON), "-"],
            input=text,
            cwd=folder,
            env=reader_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return Ran(result.returncode == 0, result.stdout + result.stderr)


def run_notebook(text: str, timeout: float = RUN_TIMEOUT) -> Ran:
    """Execute a notebook's JSON text with nbclient in the reader's kernel,
    from an empty folder; the executed notebook comes back."""
    with tempfile.TemporaryDirectory(prefix="reader-nb-") as folder:
        result = subprocess.run(
            [str(READER_PYTHON), "-c", _NOTEBOOK_RUNNER % timeout],
            input=text,
            cwd=folder,
            env=reader_env(),
            capture_output=True,
            text=True,
            timeout=timeout + 60,
            check=False,
        )
    if result.returncode != 0:
        return Ran(False, result.stderr[-4000:])
    answer = json.loads(result.stdout)
    error = answer["error"]
    return Ran(error is None, error or "", answer["notebook"])


def site_notebooks(site_dir: Path) -> dict[str, Path]:
    """Every page notebook of the site, by its site path."""
    return {
        path.relative_to(site_dir).as_posix(): path
        for path in sorted(site_dir.rglob("*.ipynb"))
    }


def runnable_texts(html: Path) -> list[str]:
    """The "copy runnable" texts of a built page, as the button reads them
    (the text content of the hidden element)."""
    doc = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return [pre.get_text() for pre in doc.select(RUNNABLE)]


def with_prefix_check(text: str) -> str:
    """The notebook with a first cell proving which Python runs it."""
    notebook = json.loads(text)
    prefix = os.path.realpath(READER_VENV)
    check = (
        "import os, sys\n"
        f"assert os.path.realpath(sys.prefix) == {prefix!r}, sys.prefix\n"
        "print(os.path.realpath(sys.prefix))"
    )
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "reader-check",
        "metadata": {},
        "outputs": [],
        "source": check,
    }
    notebook["cells"].insert(0, cell)
    return json.dumps(notebook)


def assert_ran_in_reader_kernel(ran: Ran) -> None:
    """The notebook ran top to bottom, and its first cell printed the
    reader's environment (sys.prefix): its kernel was the reader's."""
    assert ran.ok, ran.output[-3000:]
    assert ran.notebook is not None
    first = ran.notebook["cells"][0]
    printed = "".join("".join(out["text"]) for out in first["outputs"])
    assert printed.strip() == os.path.realpath(READER_VENV)
