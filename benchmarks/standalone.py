"""How many code blocks and notebooks of a built site run for a reader.

    python benchmarks/standalone.py SITE_DIR [--jobs 2] [--only blocks]

Runs, in the reader's environment (`.reader-venv`: only mxnet 1.9.1,
numpy < 1.24, matplotlib, ipykernel and nbclient; see tests/reader), from
an empty folder with FASHION_MNIST_ROOT set to Debian's copy:

- every runner code block of every page: the "copy runnable" text when the
  site has one (`pre.execnotes-runnable`), else the code the copy button
  copies (the block's shown code), with `python -`;
- every page notebook (`*.ipynb`) with nbclient.

Identical texts run once. Prints the counts per language and the failures'
last lines; nothing is asserted (tests/reader asserts every one runs).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reader.reader_env import Ran, run_code, run_notebook

RUNNER_BLOCK = "article div.language-python.highlight"
# A {run} block calls its demo on a line of its own.
_DEMO_CALL = re.compile(r"^\w+\(\)$", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def language(site: Path, path: Path) -> str:
    """zh for the default build, else the first folder (en)."""
    first = path.relative_to(site).parts[0]
    return "en" if first == "en" else "zh"


def block_texts(site: Path) -> list[tuple[str, str, str]]:
    """(language, page, text) of every runner code block."""
    found = []
    for path in sorted(site.rglob("index.html")):
        doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        runnable = doc.select("pre.execnotes-runnable")
        texts = [pre.get_text() for pre in runnable] or [
            code.get_text() for code in doc.select(f"{RUNNER_BLOCK} code")
        ]
        page = str(path.parent.relative_to(site))
        found += [(language(site, path), page, text) for text in texts]
    return found


def run_all(
    texts: list[str], runner: Callable[[str], Ran], jobs: int
) -> dict[str, Ran]:
    """Each distinct text run once, `jobs` at a time."""
    unique = list(dict.fromkeys(texts))
    with ThreadPoolExecutor(jobs) as pool:
        return dict(zip(unique, pool.map(runner, unique), strict=True))


def report(kind: str, items: list[tuple[str, str, str]], ran: dict) -> None:
    """Counts per language, then one line per failing page."""
    for lang in ("zh", "en"):
        mine = [
            (page, text)
            for item_lang, page, text in items
            if item_lang == lang
        ]
        good = sum(ran[text].ok for _, text in mine)
        demos = [text for _, text in mine if _DEMO_CALL.search(text)]
        demos_good = sum(ran[text].ok for text in demos)
        print(
            f"{kind} ({lang}): {good} of {len(mine)} run standalone"
            + (f"; demos: {demos_good} of {len(demos)}" if demos else "")
        )
    failures = {
        page: _ANSI.sub("", ran[text].output).strip().splitlines()[-1:]
        for _, page, text in items
        if not ran[text].ok
    }
    for page, last in sorted(failures.items()):
        print(f"  failed on {page}: {' '.join(last)[:160]}")


def main() -> None:
    """Measure the site given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", choices=("blocks", "notebooks"))
    args = parser.parse_args()
    site = args.site.resolve()
    if args.only != "notebooks":
        started = time.perf_counter()
        blocks = block_texts(site)
        ran = run_all([text for *_, text in blocks], run_code, args.jobs)
        report("blocks", blocks, ran)
        print(
            f"  ({len(ran)} distinct texts, "
            f"{time.perf_counter() - started:.0f} s)"
        )
    if args.only != "blocks":
        started = time.perf_counter()
        notebooks = [
            (
                language(site, path),
                str(path.relative_to(site)),
                path.read_text(encoding="utf-8"),
            )
            for path in sorted(site.rglob("*.ipynb"))
        ]
        ran = run_all(
            [text for *_, text in notebooks], run_notebook, args.jobs
        )
        report("notebooks", notebooks, ran)
        print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
