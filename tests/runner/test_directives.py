"""Parsing blocks and inline values out of Markdown."""

from __future__ import annotations

from execnotes.directives import Options, parse_page


def test_blocks_with_options_and_lines() -> None:
    """Kinds, names, options and line ranges are read."""
    parsed = parse_page(
        "p.md",
        "# T\n\n```{show} snippets.a.f\n```\n\n"
        "```{run} snippets.a.g\ncaption: A: b\nhide: code\ntimeout: 5\n```\n",
    )
    assert not parsed.errors
    show, run = parsed.directives
    assert (show.kind, show.target, show.line, show.end_line) == (
        "show",
        "snippets.a.f",
        3,
        4,
    )
    assert run.options == Options(caption="A: b", hide_code=True, timeout=5.0)
    assert (run.line, run.end_line) == (6, 10)


def test_blocks_inside_other_fences_are_text() -> None:
    """A block quoted in a longer fence (as in the authoring guide) is not
    a directive, and neither is an ordinary code block."""
    parsed = parse_page(
        "p.md",
        "````markdown\n```{run} snippets.a.g\n```\n````\n\n"
        "```python\nx = 1\n```\n",
    )
    assert parsed.directives == []
    assert parsed.errors == []


def test_indented_block_keeps_its_indent() -> None:
    """A block inside an admonition keeps the admonition's indent."""
    parsed = parse_page(
        "p.md", "!!! note\n\n    ```{show} snippets.a.f\n    ```\n"
    )
    [block] = parsed.directives
    assert block.indent == "    "


def test_inline_values_outside_code_spans() -> None:
    """Inline values are found in prose but not in inline code."""
    parsed = parse_page(
        "p.md",
        'acc {{ snippets.t.show["test_acc"]:.3f }} and '
        '`{{ snippets.t.show["x"] }}`\n',
    )
    [value] = parsed.inline_values
    assert (value.target, value.key, value.spec, value.line) == (
        "snippets.t.show",
        "test_acc",
        ".3f",
        1,
    )


def test_bad_timeout_is_an_error() -> None:
    """A timeout that is not a positive number is refused with an example."""
    parsed = parse_page("p.md", "```{run} snippets.a.g\ntimeout: soon\n```\n")
    [error] = parsed.errors
    assert str(error) == (
        "p.md:1: timeout: 'soon' is not a positive number of seconds, "
        "e.g. 'timeout: 120'"
    )


def test_missing_name_is_an_error() -> None:
    """A show or run block needs a name."""
    parsed = parse_page("p.md", "```{show}\n```\n")
    [error] = parsed.errors
    assert "{show} needs a name" in error.message
