"""How a build's cost grows with the number of blocks on a page.

    python benchmarks/page_scale.py [--blocks 1000 5000 10000]
        [--pages 1 100] [--per-run 20] [--profile N]

For each count of BLOCKS, writes a site whose blocks all sit on one page,
then the same blocks spread over 100 pages. Every snippet is used by
PER-RUN blocks (so 2,000 blocks make 100 runs), each printing one line.
Measures a cold build (empty cache) and a warm one (everything from the
cache) with `mkdocs build`, and prints the per-block cost of the warm build:
linear processing keeps it flat as the page grows.

With `--profile N`, builds N blocks on one page in this process under
cProfile (cold, then warm) and prints the 25 costliest functions of the
warm build instead.

Nothing here is asserted: the numbers go into the issue notes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
MKDOCS_YML = """\
site_name: scale
theme: mkdocs
plugins:
  - execnotes:
      workers: 2
markdown_extensions:
  - pymdownx.highlight
  - pymdownx.superfences
"""


def write_site(folder: Path, blocks: int, pages: int, per_run: int) -> int:
    """Write BLOCKS blocks over PAGES pages; return how many runs."""
    runs = max(1, blocks // per_run)
    (folder / "docs").mkdir(parents=True)
    (folder / "snippets").mkdir()
    (folder / "mkdocs.yml").write_text(MKDOCS_YML)
    (folder / "snippets" / "__init__.py").write_text('"""Generated."""\n')
    (folder / "snippets" / "many.py").write_text(
        "".join(
            f"def show_{n}():\n"
            f'    """Print one line."""\n'
            f'    print("snippet {n}")\n\n\n'
            for n in range(runs)
        )
    )
    per_page = blocks // pages
    for page in range(pages):
        text = "".join(
            f"Block {n}.\n\n```{{run}} snippets.many.show_{n % runs}\n```\n\n"
            for n in range(page * per_page, (page + 1) * per_page)
        )
        (folder / "docs" / f"page{page}.md").write_text(f"# P{page}\n\n{text}")
    (folder / "docs" / "index.md").write_text("# Scale\n")
    return runs


def timed_build(folder: Path) -> float:
    """Seconds of one `mkdocs build` of the site in `folder`."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=folder,
        env=ENV,
        check=True,
    )
    return time.perf_counter() - start


def measure(blocks: int, pages: int, per_run: int) -> None:
    """Print cold and warm build times of one site, and the warm cost per
    block."""
    with tempfile.TemporaryDirectory(prefix="execnotes-scale-") as name:
        folder = Path(name)
        runs = write_site(folder, blocks, pages, per_run)
        cold = timed_build(folder)
        warm = timed_build(folder)
        print(
            f"{blocks:>6} blocks on {pages:>3} page(s), {runs:>4} runs: "
            f"cold {cold:7.2f} s, warm {warm:7.2f} s, "
            f"warm per block {1000 * warm / blocks:6.3f} ms",
            flush=True,
        )


def profile(blocks: int, per_run: int) -> None:
    """Profile a warm in-process build of BLOCKS blocks on one page."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with tempfile.TemporaryDirectory(prefix="execnotes-scale-") as name:
        folder = Path(name)
        write_site(folder, blocks, 1, per_run)
        os.chdir(folder)
        for label in ("cold", "warm"):
            config = load_config(config_file=str(folder / "mkdocs.yml"))
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.enable()
            build(config)
            profiler.disable()
            print(f"{label}: {time.perf_counter() - start:.2f} s")
            config.plugins.on_shutdown()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    """Parse the arguments and run the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--blocks", type=int, nargs="+", default=[1000, 5000, 10000]
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--per-run", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0)
    arguments = parser.parse_args()
    if arguments.profile:
        profile(arguments.profile, arguments.per_run)
        return
    for pages in arguments.pages:
        for blocks in arguments.blocks:
            measure(blocks, pages, arguments.per_run)


if __name__ == "__main__":
    main()
