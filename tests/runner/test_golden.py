"""The rendered page, compared with a golden file.

Set EXECNOTES_UPDATE_GOLDEN=1 to rewrite the golden files after an
intended change, then review the diff like any other change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bs4 import BeautifulSoup

from tests.runner.conftest import Site

GOLDEN = Path(__file__).parent / "golden"


def _normalised(html: str) -> str:
    main = BeautifulSoup(html, "html.parser").select_one("div[role=main]")
    assert main is not None
    text = main.prettify()
    # Figure names hash the SVG bytes, which follow matplotlib's version.
    return re.sub(r"[0-9a-f]{20}\.svg", "FIGURE.svg", text)


def test_rendered_page_matches_golden(site: Site) -> None:
    """Code, output, value, inline value, figure and error box render as
    recorded in golden/index.html."""
    index = (site.root / "docs/index.md").read_text()
    site.write(
        "docs/index.md",
        index + "\n```{run} snippets.bad.show_raise\n```\n",
    )
    site.build()
    rendered = _normalised(site.html())
    golden = GOLDEN / "index.html"
    if os.environ.get("EXECNOTES_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")
