"""A tiny bilingual site with notebook pages, built for real.

The tiny site of tests/runner (its snippets, its index page), plus
mkdocs-jupyter and mkdocs-static-i18n, and notebooks written as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runner.conftest import Site, write_site

NOTEBOOK_YML = """\
site_name: tiny
theme: mkdocs
plugins:
  - search
  - execnotes:
      workers: 1
      timeout: 60
  - mkdocs-jupyter:
      execute: false
      include: ["*.ipynb"]
  - i18n:
      docs_structure: suffix
      fallback_to_default: true
      languages:
        - locale: zh
          default: true
          name: 中文
        - locale: en
          name: English
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.highlight
  - pymdownx.superfences
  - admonition
"""

# The code cells of the twins below (the same in both languages).
CODE = [
    "from snippets.helpers import double\n"
    "import numpy as np\n"
    "x = double(np.random.rand())\n"
    'print("x is", round(x, 4))\n'
    "x",
    "import matplotlib.pyplot as plt\n"
    "plt.plot([1, 2, 4])\n"
    'plt.title("growth");',
]


def notebook(*cells: tuple[str, str]) -> str:
    """A notebook's JSON from (kind, source) pairs, kind "md" or "code"."""
    written = []
    for number, (kind, source) in enumerate(cells):
        cell: dict[str, object] = {
            "cell_type": "markdown" if kind == "md" else "code",
            "id": f"c{number}",
            "metadata": {},
            "source": source,
        }
        if kind == "code":
            cell |= {"execution_count": None, "outputs": []}
        written.append(cell)
    return json.dumps(
        {
            "cells": written,
            "metadata": {
                "kernelspec": {
                    "name": "python3",
                    "display_name": "Python 3",
                    "language": "python",
                }
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        ensure_ascii=False,
    )


def twin(title: str, words: str, section: str = "第二节") -> str:
    """A notebook page with the twins' code and prose in one language."""
    return notebook(
        ("md", f"# {title}\n\n{words} $x^2$\n\n## {section}"),
        ("code", CODE[0]),
        ("md", "The value is {{ x:.3f }}; see [home](index.md)."),
        ("code", CODE[1]),
    )


def write_notebook_site(root: Path) -> Site:
    """The tiny site, bilingual, with the notebook twins `nb` (zh, en)."""
    site = write_site(root)
    site.write("mkdocs.yml", NOTEBOOK_YML)
    site.write("docs/index.en.md", "# Home\n\nEnglish home.\n")
    site.write("docs/nb.ipynb", twin("笔记本", "一些中文文字"))
    site.write(
        "docs/nb.en.ipynb", twin("Notebook", "Some English words", "Part two")
    )
    return site


@pytest.fixture
def nb_site(tmp_path: Path) -> Iterator[Site]:
    """The bilingual tiny site with notebook pages; workers stop after."""
    site = write_notebook_site(tmp_path)
    yield site
    site.close()
