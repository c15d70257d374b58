"""Run code and notebooks the way a reader does, in the reader's venv.

The reader's environment is a second virtual environment with only
mxnet 1.9.1, numpy < 1.24, matplotlib, ipykernel and nbclient from the
package registry (`scripts/setup.sh --test` creates it as `.reader-venv`).
Nothing of this project is installed there, and every run starts in an
empty temporary folder, so a `snippets` import fails as it would for a
reader. Shared by tests/reader and benchmarks/standalone.py.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
READER_VENV = Path(os.environ.get("READER_VENV") or ROOT / ".reader-venv")
READER_PYTHON = READER_VENV / "bin" / "python"
DEBIAN_DATA = "/usr/share/datasets/fashion-mnist"
RUN_TIMEOUT = 600  # the full-data training demos run here too
# A reader test waits for its run, which may be queued behind trainings
# started before it; each run has its own RUN_TIMEOUT, and this mark keeps
# pytest-timeout's guard against a hang above the wait.
WAITS_FOR_RUNS = pytest.mark.timeout(3 * RUN_TIMEOUT)
RUNNABLE = "pre.execnotes-runnable"  # where a page keeps "copy runnable"
# Run by the reader's interpreter: imports mxnet once, forks one fresh
# child per text (see the file).
FORK_SERVER = Path(__file__).with_name("forkrun.py")

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
        try:
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
        except subprocess.TimeoutExpired as late:
            return Ran(False, f"nbclient still running after {late.timeout}s")
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


@functools.cache
def runnable_texts(html: Path) -> tuple[str, ...]:
    """The "copy runnable" texts of a built page, as the button reads them
    (the text content of the hidden element); each page parsed once."""
    doc = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return tuple(pre.get_text() for pre in doc.select(RUNNABLE))


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


class Failures:
    """A shared run that failed is reported in full once, by the first
    test that needs it; the others say where to look."""

    def __init__(self) -> None:
        self.reported: str | None = None

    def fail(self, what: str, cause: str) -> None:
        """Fail the calling test with `cause` (the first time) or a
        pointer to the first failure."""
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
        if self.reported is None:
            self.reported = test
            pytest.fail(f"{what}:\n{cause}", pytrace=False)
        pytest.fail(f"{what}: see the first failure ({self.reported})")


class ForkRuns:
    """Texts run with the reader's `python -` semantics by one fork server
    (tests/reader/forkrun.py) in the background, JOBS at a time, in the
    order given; `result` waits for one text's run."""

    def __init__(
        self, texts: Iterable[str], jobs: int, timeout: float = RUN_TIMEOUT
    ) -> None:
        self.texts = list(dict.fromkeys(texts))
        self.ids = {text: index for index, text in enumerate(self.texts)}
        self.timeout = timeout
        self.results: dict[int, Ran] = {}
        self.ready = False
        self.ended = False
        self.progress = time.monotonic()
        self.condition = threading.Condition()
        self.failures = Failures()
        self.folder = tempfile.mkdtemp(prefix="reader-server-")
        # Closed by close(), at the end of the session.
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(READER_PYTHON), "-c", FORK_SERVER.read_text("utf-8")],
            cwd=self.folder,
            env=reader_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )
        header = {"jobs": jobs, "timeout": timeout}
        lines = [json.dumps(header)] + [
            json.dumps({"id": index, "text": text})
            for index, text in enumerate(self.texts)
        ]
        threading.Thread(target=self._send, args=(lines,), daemon=True).start()
        self.receiver = threading.Thread(target=self._receive, daemon=True)
        self.receiver.start()

    def _send(self, lines: list[str]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("\n".join(lines) + "\n")
            self.process.stdin.close()
        except BrokenPipeError:  # it died: _receive sees its end
            pass

    def _receive(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            answer = json.loads(line)
            with self.condition:
                self.progress = time.monotonic()
                if "ready" in answer:
                    self.ready = answer["ready"] == os.path.realpath(
                        READER_VENV
                    )
                else:
                    self.results[answer["id"]] = Ran(
                        answer["ok"], answer["output"]
                    )
                self.condition.notify_all()
        self.process.wait()
        with self.condition:
            self.ended = True
            self.condition.notify_all()

    def result(self, text: str) -> Ran:
        """The run of `text` (submitted at the start), once it is done; a
        server that dies or falls silent fails the test, saying why."""
        assert text in self.ids, "a text the session did not collect"
        ident = self.ids[text]
        with self.condition:
            while not (ident in self.results or self.ended):
                silent = time.monotonic() - self.progress
                if silent > self.timeout + 60:
                    break
                self.condition.wait(timeout=5)
            if ident in self.results:
                return self.results[ident]
        self.failures.fail(self._what(), self._cause())
        raise AssertionError  # pytest.fail raised already

    def _what(self) -> str:
        stage = "running the texts" if self.ready else "importing mxnet"
        state = (
            f"ended with status {self.process.returncode}"
            if self.ended
            else f"sent nothing for {self.timeout + 60:.0f}s"
        )
        return (
            f"the reader's fork server ({FORK_SERVER.name} in {READER_PYTHON})"
            f" {state} while {stage}"
        )

    def _cause(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        """Stop the server and remove its folder."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.receiver.join(timeout=60)
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Background:
    """Items run by `runner` in background threads, JOBS at a time, in the
    order given; `result` waits for one."""

    def __init__(
        self, runner: Callable[[str], Ran], items: Iterable[str], jobs: int
    ) -> None:
        self.pool = ThreadPoolExecutor(jobs)
        self.futures: dict[str, Future[Ran]] = {}
        for item in items:
            if item not in self.futures:
                self.futures[item] = self.pool.submit(runner, item)

    def result(self, item: str) -> Ran:
        """The run of `item`, once it is done."""
        return self.futures[item].result()

    def close(self) -> None:
        """Drop what has not started; wait for what has."""
        self.pool.shutdown(wait=True, cancel_futures=True)


# A block whose snippet ran this long in the site build is a training:
# the page notebook runs it already (see `covered_by_notebook`).
TRAINING_SECONDS = 10.0


def build_seconds(cache: Path) -> dict[str, float]:
    """How long each snippet ran in the site build (the runner's
    durations.json in its cache folder), by snippet name; {} if unknown."""
    try:
        data = json.loads((cache / "durations.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()}


def snippet_of(text: str) -> str:
    """The snippet a "copy runnable" text is the code of (its first line
    names it: "# snippets.training.show_fit, with the code ...")."""
    first = text.split("\n", 1)[0]
    return first.removeprefix("# ").split(",", 1)[0].strip()


def uncovered(text: str, code: str) -> list[str]:
    """The top-level statements of `text` that `code` does not run too: an
    import counts as run when `code` binds each name it binds from the
    same module (perhaps in another import statement), and `plt.show()`
    (the copy's way to show its figures, which a notebook shows inline)
    needs no counterpart; any other statement must be in `code` as is."""
    bound = _imports(ast.parse(code))
    missing = []
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if _imports(node) <= bound:
                continue
        elif ast.unparse(node) == "plt.show()":
            continue
        segment = ast.get_source_segment(text, node) or ast.unparse(node)
        if segment not in code:
            missing.append(segment)
    return missing


def _imports(tree: ast.AST) -> set[tuple[str, str, str]]:
    """(module, name, bound as) of every import in `tree`."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {("", a.name, a.asname or a.name) for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found |= {(module, a.name, a.asname or a.name) for a in node.names}
    return found


def notebook_code(notebook: dict[str, Any]) -> str:
    """The code cells of a notebook, joined."""
    return "\n".join(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )


def undefined_names(text: str) -> str:
    """Ruff's report of names `text` uses but never defines or imports
    (F821), "" if none: a text that runs alone defines all it uses."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "F821,F822,F823",
            "--output-format",
            "concise",
            "--stdin-filename",
            "copied.py",
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.strip() if result.returncode else ""
