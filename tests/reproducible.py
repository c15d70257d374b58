"""What may differ between two clean builds of the same tree, and why.

Only what a block marks with `varies: true` (timings) may differ, and
only inside the marks: its output and inline values in the HTML, its
outputs and marked values in the notebooks. Every other byte of every file
must be the same. Anything else that differs is a reproducibility bug.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_VARYING_HTML = re.compile(
    rb'(<(pre|span) class="[^"]*\bexecnotes-varies\b[^"]*"[^>]*>).*?(</\2>)',
    re.DOTALL,
)
# Files whose bytes depend on the build itself, not on the tree: the
# execution report shows how long each run took.
ALLOWED = {
    "report/index.html": "the execution report shows run times",
    "en/report/index.html": "the execution report shows run times",
}


def masked(name: str, data: bytes) -> bytes:
    """The bytes of a built file with every marked varying part blanked."""
    if name.endswith(".ipynb"):
        return _masked_notebook(data)
    if name.endswith((".html", ".md")):
        return _VARYING_HTML.sub(rb"\1...\3", data)
    return data


def _masked_notebook(data: bytes) -> bytes:
    notebook = json.loads(data)
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("execnotes", {}).get("varies"):
            cell["outputs"] = "..."
        source = "".join(cell["source"])
        cell["source"] = masked("cell.md", source.encode()).decode()
    return json.dumps(notebook, sort_keys=True).encode()


def differences(first: Path, second: Path) -> dict[str, str]:
    """Files that differ between two built sites (after masking), with why
    each may; a file missing on one side differs too."""
    names = {
        path.relative_to(root).as_posix()
        for root in (first, second)
        for path in root.rglob("*")
        if path.is_file()
    }
    found = {}
    for name in sorted(names):
        a, b = first / name, second / name
        if not (a.is_file() and b.is_file()):
            found[name] = "only in one build"
        elif masked(name, a.read_bytes()) != masked(name, b.read_bytes()):
            found[name] = ALLOWED.get(name, "differs")
    return found
