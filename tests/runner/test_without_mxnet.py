"""execnotes stands without MXNet: a site of NumPy-only snippets builds in
a virtual environment that has execnotes, MkDocs and NumPy and neither
mxnet nor matplotlib (.bare-venv, made by `scripts/setup.sh --test` or
`--bare`; BARE_VENV names another)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.runner.conftest import Site

ROOT = Path(__file__).resolve().parents[2]
BARE_VENV = Path(os.environ.get("BARE_VENV") or ROOT / ".bare-venv")
BARE_PYTHON = BARE_VENV / "bin" / "python"

MKDOCS_YML = """\
site_name: bare
theme: mkdocs
plugins:
  - execnotes:
      workers: 1
markdown_extensions:
  - pymdownx.superfences
"""
ARRAYS = '''\
import sys

import numpy as np


def show_mean():
    """Average a small array and draw a random number."""
    x = np.arange(6).reshape(2, 3)
    heavy = [m for m in ("mxnet", "matplotlib") if m in sys.modules]
    print("mean", x.mean(), "heavy", heavy)
    print("draw", np.random.rand())
    return {"total": int(x.sum())}
'''
PAGE = """\
# Arrays

```{run} snippets.arrays.show_mean
```

The total is {{ snippets.arrays.show_mean["total"] }}.
"""
# mkdocs, then a last word on what the build's own process imported.
BUILD = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: print('mxnet imported:', 'mxnet' in "
    "sys.modules))\n"
    "sys.argv = ['mkdocs', 'build', '--strict']\n"
    "runpy.run_module('mkdocs', run_name='__main__')\n"
)


@pytest.fixture(scope="module")
def bare_python() -> Path:
    """The bare environment's interpreter, checked to lack mxnet."""
    if not BARE_PYTHON.is_file():
        pytest.fail(
            f"no bare environment at {BARE_VENV}: make it with "
            "`scripts/setup.sh --bare` (or --test), or set BARE_VENV",
            pytrace=False,
        )
    missing = subprocess.run(
        [str(BARE_PYTHON), "-c", _FIND, "mxnet", "matplotlib", "execnotes"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert missing == ["mxnet", "matplotlib"], (
        f"{BARE_VENV} must have execnotes and neither mxnet nor matplotlib"
    )
    return BARE_PYTHON


_FIND = (
    "import importlib.util, sys\n"
    "print(*[m for m in sys.argv[1:] if importlib.util.find_spec(m) is None])"
)


def test_a_numpy_site_builds_without_mxnet(
    tmp_path: Path, bare_python: Path
) -> None:
    """The build passes --strict, shows the run's output and value, seeds
    NumPy as usual, and neither the build nor its worker imports mxnet."""
    site = Site(tmp_path)
    site.write("mkdocs.yml", MKDOCS_YML)
    site.write("snippets/__init__.py", "")
    site.write("snippets/arrays.py", ARRAYS)
    site.write("docs/index.md", PAGE)
    build = subprocess.run(
        [str(bare_python), "-c", BUILD],
        check=False,
        cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert "mxnet imported: False" in build.stdout, log
    html = site.html()
    assert "mean 2.5 heavy []" in html
    np.random.seed(0)
    assert f"draw {np.random.rand()}" in html
    assert "The total is 15." in html
