"""No input crashes the build, hangs it, or enters the cache wrong."""

from __future__ import annotations

import json
import re

import pytest

from tests.runner.conftest import Site, entries, mkdocs, ran

ODD_VALUES = '''\
def show_huge():
    """Return numbers no page quotes as they are."""
    return {"huge": 10**5000, "large": 10**400, "fine": 10**20}


def show_surrogate():
    """Print and return text with a lone surrogate."""
    print("odd \\udcff text")
    return {"odd": "\\udcff"}
'''


def test_huge_ints_neither_hang_nor_crash(site: Site) -> None:
    """A returned int of thousands of digits is kept as text; formatting
    it, or a large one, as a float is a located error, not a crash."""
    site.write("snippets/odd.py", ODD_VALUES)
    site.write(
        "docs/index.md",
        'a {{ snippets.odd.show_huge["fine"]:.3e }} '
        'b {{ snippets.odd.show_huge["huge"]:.3f }} '
        'c {{ snippets.odd.show_huge["large"]:.3f }}\n\n'
        "```{run} snippets.odd.show_huge\nshow: value\n```\n",
    )
    site.build()
    page = site.html()
    assert "a 1.000e+20 b" in page
    assert "Exceeds the limit" in page  # the repr of the returned dict
    messages = [w for w in site.warnings if "index.md:1: {{" in w[:40]]
    assert len(messages) == 2
    assert "cannot format '<int of 16610 bits>' with '.3f'" in messages[0]
    assert len(entries(site)) == 1


def test_lone_surrogates_are_written_and_cached(site: Site) -> None:
    """Output and values with a lone surrogate reach the page, the notebook
    and the cache, and a second build reads them back."""
    site.write("snippets/odd.py", ODD_VALUES)
    site.write(
        "docs/index.md",
        'v {{ snippets.odd.show_surrogate["odd"] }}\n\n'
        "```{run} snippets.odd.show_surrogate\n```\n",
    )
    site.build()
    first = site.html()
    assert "odd \\udcff text" in first
    assert json.loads((site.root / "site/index.ipynb").read_text())
    site.build()
    assert ran(site) == 0
    assert site.html().count("udcff") == first.count("udcff")
    assert not site.warnings


def test_a_cache_entry_of_the_wrong_shape_is_a_miss(site: Site) -> None:
    """Valid JSON that is not an outcome is ignored, the snippet runs again
    and its entry is replaced."""
    site.build()
    victim = entries(site)[0]
    victim.write_text(json.dumps({"status": "ok", "output": 42}))
    site.build()
    assert ran(site) == 1
    assert "double: 42" in site.html()
    assert json.loads(victim.read_text())["status"] == "ok"
    assert len(entries(site)) == 3


MODULES = {
    "latin": (
        b"# -*- coding: latin-1 -*-\n\n\ndef show_cafe():\n"
        b'    """Print a word with an accent."""\n    print("caf\xe9")\n',
        "show_cafe",
        "caf\xe9",
    ),
    "bom": (
        b'\xef\xbb\xbfdef show_bom():\n    """Print."""\n'
        b'    print("bom ok")\n',
        "show_bom",
        "bom ok",
    ),
    "tuples": (
        b"WIDTH, HEIGHT = 3, 4\n\n\ndef show_area():\n"
        b'    """Print the area."""\n    print("area", WIDTH * HEIGHT)\n',
        "show_area",
        "area 12",
    ),
    "fallback": (
        b"try:\n    import cv2\nexcept ImportError:\n    cv2 = None\n\n\n"
        b'def show_cv2():\n    """Say if OpenCV is there."""\n'
        b'    print("cv2", cv2 is not None)\n',
        "show_cv2",
        "cv2 False",
    ),
    "located": (
        b"from pathlib import Path\n\n\ndef show_here():\n"
        b'    """Read a file beside this module."""\n'
        b'    print(Path(__file__).with_name("near.txt").read_text())\n',
        "show_here",
        "near by",
    ),
}


@pytest.mark.parametrize("module", list(MODULES), ids=list(MODULES))
def test_module_code_python_accepts_runs(site: Site, module: str) -> None:
    """Encodings declared or marked (BOM), tuple assignments, import
    fallbacks and __file__ all run as in Python."""
    source, function, expected = MODULES[module]
    (site.root / "snippets" / f"{module}.py").write_bytes(source)
    site.write("snippets/near.txt", "near by")
    site.write(
        "docs/index.md", f"```{{run}} snippets.{module}.{function}\n```\n"
    )
    site.build()
    assert expected in site.html()
    problems = [w for w in site.warnings if "problems shown" not in w]
    if module == "located":
        # It runs; but a reader's copy has no file beside a module.
        assert problems
        assert all("uses __file__: code that finds" in w for w in problems)
    else:
        assert not problems


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            b'def show():\n    """Print."""\n    print("caf\xe9")\n',
            "index.md:1: {run} snippets.broken.show: snippets/broken.py "
            "cannot be read as Python source (",
        ),
        (
            b'def show():\n    """Print."""\n    print("a\x00b")\n',
            "index.md:1: {run} snippets.broken.show: snippets/broken.py:3: "
            "contains a NUL byte, which Python does not accept in source "
            "code; remove it",
        ),
    ],
    ids=["not-utf8", "nul-byte"],
)
def test_module_python_refuses_is_a_located_error(
    site: Site, source: bytes, message: str
) -> None:
    """Code Python itself would refuse gets a message saying where and why."""
    (site.root / "snippets/broken.py").write_bytes(source)
    site.write("docs/index.md", "```{run} snippets.broken.show\n```\n")
    site.build()
    assert site.warnings[0].startswith(f"WARNING execnotes: {message}")


def test_an_unwritable_cache_is_a_warning_not_a_crash(site: Site) -> None:
    """A cache that cannot be written: the build finishes with the right
    output and says so through MkDocs (so --strict fails), pruning too."""
    site.write("blocked", "a file where the cache folder should be\n")
    yml = (site.root / "mkdocs.yml").read_text()
    site.write(
        "mkdocs.yml",
        yml.replace("workers:", "cache_dir: blocked/cache\n      workers:"),
    )
    build = mkdocs(site, "--strict")
    log, _ = build.communicate(timeout=300)
    assert build.returncode == 1
    assert "double: 42" not in log
    assert re.search(
        r"WARNING +-  execnotes: could not write to the cache", log
    )
    build = mkdocs(site)
    build.communicate(timeout=300)
    assert build.returncode == 0
    assert "double: 42" in site.html()
