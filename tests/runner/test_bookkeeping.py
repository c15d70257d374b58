"""Honest bookkeeping: nothing pruned that merely failed to resolve, every
problem counted and logged, inline values shown as text."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from tests.runner.conftest import Site, entries, ran


def test_a_passing_syntax_error_prunes_nothing(site: Site) -> None:
    """While a module does not parse, its blocks fail to resolve; their
    results stay in the cache, and the fixed module runs nothing."""
    site.build()
    before = entries(site)
    demo = (site.root / "snippets/demo.py").read_text()
    site.write("snippets/demo.py", demo + "\ndef broken(:\n")
    site.build()
    assert any("syntax error" in w for w in site.warnings)
    assert entries(site) == before
    site.write("snippets/demo.py", demo)
    site.build()
    assert ran(site) == 0


def test_every_error_box_is_counted_and_logged(site: Site) -> None:
    """The summary counts exactly the error boxes the page shows, and one
    warning names each."""
    site.write(
        "docs/index.md",
        "```{show} snippets.demo.nothing\n```\n\n"
        "```{run} snippets.demo.show_plain\nhide: nothing\n```\n\n"
        "```{run} snippets.bad.show_raise\n```\n\n"
        "```{run snippets.demo.show_plain\n```\n\n"
        'x {{ snippets.bad.show_raise["a"] }}\n',
    )
    site.build()
    boxes = BeautifulSoup(site.html(), "html.parser").select(
        ".execnotes-error"
    )
    *warnings, summary = site.warnings
    assert len(boxes) == 5
    assert len(warnings) == 5
    assert "5 problems shown on pages" in summary.splitlines()[0]


def test_several_failing_values_on_one_line_are_all_logged(
    site: Site,
) -> None:
    """Each failing inline value is its own warning, even on one line."""
    site.write(
        "docs/index.md",
        'a {{ snippets.demo.show_double["a"] }} '
        'b {{ snippets.demo.show_double["b"] }} '
        'c {{ snippets.demo.show_double["c"] }}\n\n'
        "```{run} snippets.demo.show_double\n```\n",
    )
    site.build()
    named = [
        key
        for key in "abc"
        if any(f'show_double["{key}"] }}}}: ' in w for w in site.warnings)
    ]
    assert named == ["a", "b", "c"]


def test_inline_values_are_text_never_markup(site: Site) -> None:
    """Returned text that looks like a link, emphasis, math, HTML or code
    is shown exactly as text."""
    tricky = [
        "[x](javascript:alert(1))",
        "*bold* _it_",
        "$x^2$",
        "<b>b</b>",
        "`code`",
        "1. item",
    ]
    site.write(
        "snippets/tricky.py",
        'def show_tricky():\n    """Return markup."""\n    return {'
        + ", ".join(f"{f'k{n}'!r}: {text!r}" for n, text in enumerate(tricky))
        + "}\n",
    )
    lines = [
        f'{{{{ snippets.tricky.show_tricky["k{n}"] }}}}' for n in range(6)
    ]
    site.write(
        "docs/index.md",
        "# Values\n\n"
        + "\n\n".join(f"v{n}: {line}" for n, line in enumerate(lines))
        + "\n\n```{run} snippets.tricky.show_tricky\nhide: output\n```\n",
    )
    site.build()
    soup = BeautifulSoup(site.html(), "html.parser")
    content = soup.select_one("[role=main]") or soup
    assert not content.select(
        "a[href^=javascript], em, b, ol, code:not(pre code)"
    )
    text = content.get_text()
    for n, expected in enumerate(tricky):
        assert re.search(rf"v{n}: {re.escape(expected)}\n", text)
