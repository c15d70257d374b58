"""Notebook notes: execnotes + mkdocs-jupyter (execute: false) against
mkdocs-jupyter's own `execute: true`, on the same notebooks, in one run.

    python benchmarks/notebooks.py [--notebooks 6] [--repeat 3]

A generated site of N notebook pages, each training a small Gluon model
(imported from a helper package, as notebook notes import snippets) and
drawing it. For both ways it measures:

- a cold build (empty caches) and a warm build (nothing changed);
- a rebuild after editing one code cell of one notebook;
- a rebuild after editing the helper module half of the notebooks import
  (execnotes re-runs exactly those; mkdocs-jupyter keys its cache on the
  notebook file only, so it re-runs none and its pages go stale);
- the size of one notebook page.

Wall and CPU seconds (the build and every process it started), medians of
`--repeat` runs. Nothing is asserted: the numbers go into the issue notes.
Timings are noisy on a shared machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
PACKAGE = "benchhelpers"  # not "snippets": the project's own is installed
WAYS = {
    "execnotes": """\
  - execnotes:
      package: benchhelpers
  - mkdocs-jupyter:
      execute: false
      include: ["*.ipynb"]
""",
    "mkdocs-jupyter": """\
  - mkdocs-jupyter:
      execute: true
      include: ["*.ipynb"]
""",
}
MODEL = '''\
"""A small model to train in each notebook."""

from mxnet import autograd, gluon, init, nd


def fit(num_epochs, lr=0.05):
    """Fit Dense(1) to y = 2x - 1 plus noise; the loss after each epoch."""
    X = nd.random.normal(shape=(2000, 1))
    y = 2 * X - 1 + 0.1 * nd.random.normal(shape=(2000, 1))
    net = gluon.nn.Dense(1)
    net.initialize(init.Normal(0.01))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    loss, losses = gluon.loss.L2Loss(), []
    for _ in range(num_epochs):
        for i in range(0, 2000, 20):
            with autograd.record():
                batch_loss = loss(net(X[i : i + 20]), y[i : i + 20])
            batch_loss.backward()
            trainer.step(20)
        losses.append(loss(net(X), y).mean().asscalar().item())
    return losses
'''


def notebook(number: int, module: str) -> str:
    """A notebook page that trains the model of `module` and plots it."""
    cells = [
        ("markdown", f"# Notebook {number}\n\nA small experiment."),
        ("code", f"from {PACKAGE}.{module} import fit\nimport numpy as np"),
        ("code", f"losses = fit(num_epochs={3 + number % 3})\nlosses"),
        ("markdown", "## The loss"),
        (
            "code",
            "import matplotlib.pyplot as plt\n"
            "plt.plot(losses, marker='o')\nplt.yscale('log');",
        ),
    ]
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "id": f"c{n}",
                    "metadata": {},
                    "source": source,
                    **(
                        {"execution_count": None, "outputs": []}
                        if kind == "code"
                        else {}
                    ),
                }
                for n, (kind, source) in enumerate(cells)
            ],
            "metadata": {
                "kernelspec": {
                    "name": "python3",
                    "display_name": "Python 3",
                    "language": "python",
                }
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def write_site(folder: Path, way: str, count: int) -> None:
    """N notebook pages; the first half import `model`, the rest `other`."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "docs").mkdir(parents=True)
    package = folder / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text('"""Benchmark helpers."""\n')
    (package / "model.py").write_text(MODEL)
    (package / "other.py").write_text(MODEL)
    (folder / "docs" / "index.md").write_text("# Notebooks\n")
    for n in range(count):
        module = "model" if n < count // 2 else "other"
        (folder / "docs" / f"nb{n}.ipynb").write_text(notebook(n, module))
    (folder / "mkdocs.yml").write_text(
        f"site_name: bench\ntheme:\n  name: material\nplugins:\n{WAYS[way]}"
    )


def build(folder: Path) -> tuple[float, float]:
    """`mkdocs build` of the site: wall and CPU seconds (all processes)."""
    # mkdocs-jupyter's kernels run in docs/: they find the helpers here.
    env = dict(ENV, PYTHONPATH=str(folder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {folder}:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return wall, cpu


def clear_caches(folder: Path) -> None:
    """Both ways' caches, so that the next build is cold."""
    for cache in (".execnotes-cache", ".cache"):
        shutil.rmtree(folder / cache, ignore_errors=True)


def edit_cell(folder: Path) -> None:
    """Change one code cell of the first notebook (a different lr)."""
    path = folder / "docs" / "nb0.ipynb"
    text = path.read_text()
    if "lr=0.04" in text:
        path.write_text(
            text.replace("fit(num_epochs=3, lr=0.04)", "fit(num_epochs=3)")
        )
    else:
        path.write_text(
            text.replace("fit(num_epochs=3)", "fit(num_epochs=3, lr=0.04)")
        )


def edit_helper(folder: Path, edition: int) -> None:
    """Change the helper module half of the notebooks import: its data, so
    that every loss it returns changes."""
    path = folder / PACKAGE / "model.py"
    path.write_text(MODEL.replace("2 * X - 1", f"2 * X - 1 + {edition}e-2"))


def shown_losses(folder: Path, count: int) -> list[str]:
    """What the pages of the first half show as the value of `fit`."""
    shown = []
    for n in range(count // 2):
        html = (folder / "site" / f"nb{n}" / "index.html").read_text()
        start = html.index("jp-OutputArea-executeResult")
        shown.append(html[start : start + 400])
    return shown


def measure(way: str, count: int, repeat: int) -> dict[str, float]:
    """Every measurement of one way, as medians."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-nb-{way}-"))
    write_site(folder, way, count)
    colds, warms, cells, helpers = [], [], [], []
    stale = 0
    for edition in range(1, repeat + 1):
        clear_caches(folder)
        colds.append(build(folder))
        warms.append(build(folder))
        edit_cell(folder)
        cells.append(build(folder))
        before = shown_losses(folder, count)
        edit_helper(folder, edition)
        helpers.append(build(folder))
        # The helper's lr changed: a page showing the old loss is stale.
        after = shown_losses(folder, count)
        stale = sum(old == new for old, new in zip(before, after, strict=True))
    size = (folder / "site" / "nb0" / "index.html").stat().st_size
    serve_cell, serve_helper = measure_serve(folder, repeat + 1)
    shutil.rmtree(folder, ignore_errors=True)
    result = {"page KiB": size / 1024, "stale pages": stale}
    result |= {
        "serve: cell edit": serve_cell,
        "serve: helper edit": serve_helper,
    }
    for name, runs in (
        ("cold", colds),
        ("warm", warms),
        ("cell edit", cells),
        ("helper edit", helpers),
    ):
        result[f"{name} wall"] = statistics.median(r[0] for r in runs)
        result[f"{name} CPU"] = statistics.median(r[1] for r in runs)
    return result


def measure_serve(folder: Path, edition: int) -> tuple[float, float]:
    """Rebuild times in one process, as `mkdocs serve` rebuilds (the
    workers stay up): after a cell edit and after a helper edit."""
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    started: list[bool] = []

    def rebuild() -> float:
        config = load_config(config_file=str(folder / "mkdocs.yml"))
        if not started:
            config.plugins.on_startup(command="serve", dirty=False)
            started.append(True)
        begin = time.perf_counter()
        mkdocs_build(config)
        return time.perf_counter() - begin

    here, path = Path.cwd(), os.environ.get("PYTHONPATH")
    os.chdir(folder)  # mkdocs-jupyter's cache is relative to it
    os.environ["PYTHONPATH"] = str(folder)  # for its kernels
    try:
        rebuild()
        time.sleep(10)  # an author's first edit comes once workers are up
        edit_cell(folder)
        cell = rebuild()
        edit_helper(folder, edition)
        helper = rebuild()
        load_config(
            config_file=str(folder / "mkdocs.yml")
        ).plugins.on_shutdown()
    finally:
        os.chdir(here)
        if path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = path
    return cell, helper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {way: measure(way, args.notebooks, args.repeat) for way in WAYS}
    ours, theirs = results["execnotes"], results["mkdocs-jupyter"]
    print(f"\n## {args.notebooks} notebook notes, medians of {args.repeat}")
    print("seconds (wall or CPU of every process), page size, pages stale")
    print("after the helper edit (mkdocs-jupyter's cache sees only the file)")
    print(f"{'':24}{'execnotes':>12}{'mkdocs-jupyter':>16}{'ratio':>8}")
    for key in ours:
        ratio = ours[key] / theirs[key] if theirs[key] else float("nan")
        print(f"{key:24}{ours[key]:12.2f}{theirs[key]:16.2f}{ratio:8.3f}")


if __name__ == "__main__":
    main()
