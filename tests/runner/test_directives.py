"""Parsing blocks and inline values out of Markdown.

The probe tests render with the same Markdown extensions as the tiny sites
(and the real site): a block counts exactly where a fenced block renders.
"""

from __future__ import annotations

import hashlib

import markdown
import pytest

from execnotes.pages.directives import Options, ParsedPage, parse_page

_EXTENSIONS = [
    "admonition",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tabbed",
    "md_in_html",
]


class _Probe:
    """The site's Markdown, counting how often it is asked."""

    fingerprint = hashlib.sha256(repr(_EXTENSIONS).encode()).hexdigest()

    def __init__(self) -> None:
        self.calls = 0
        self.markdown = markdown.Markdown(extensions=_EXTENSIONS)

    def __call__(self, text: str) -> str:
        self.calls += 1
        return self.markdown.reset().convert(text)


def _parse(text: str) -> ParsedPage:
    return parse_page("p.md", text, probe=_Probe())


def test_blocks_with_options_and_lines() -> None:
    """Kinds, names, options and line ranges are read."""
    parsed = _parse(
        "# T\n\n```{show} snippets.a.f\n```\n\n"
        "```{run} snippets.a.g\ncaption: A: b\nhide: code\ntimeout: 5\n"
        "inputs: data/*.csv, env:HOME\nvaries: true\n```\n",
    )
    assert not parsed.errors
    show, run = parsed.directives
    assert (show.kind, show.target, show.line, show.end_line) == (
        "show",
        "snippets.a.f",
        3,
        4,
    )
    assert run.options == Options(
        caption="A: b",
        hide_code=True,
        timeout=5.0,
        inputs=("data/*.csv", "env:HOME"),
        varies=True,
    )
    assert (run.line, run.end_line) == (6, 12)


def test_blocks_inside_other_fences_are_text() -> None:
    """A block quoted in a longer fence (as in the authoring guide) is not
    a directive, and neither is an ordinary code block."""
    parsed = _parse(
        "````markdown\n```{run} snippets.a.g\n```\n````\n\n"
        "```python\nx = 1\n```\n",
    )
    assert parsed.directives == []
    assert parsed.errors == []


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("!!! note\n\n    ```{show} snippets.a.f\n    ```\n", "    "),
        ('??? success "A"\n    ```{show} snippets.a.f\n    ```\n', "    "),
        ("- item\n\n    ```{show} snippets.a.f\n    ```\n", "    "),
        ('=== "Tab"\n\n    ```{show} snippets.a.f\n    ```\n', "    "),
        ("> ```{show} snippets.a.f\n> ```\n", "> "),
        ("> !!! note\n>     ```{show} snippets.a.f\n>     ```\n", ">     "),
    ],
    ids=["admonition", "details", "list", "tab", "blockquote", "nested"],
)
def test_nested_blocks_keep_their_container(text: str, prefix: str) -> None:
    """A block inside a container renders there, and keeps its prefix."""
    parsed = _parse(text)
    assert parsed.errors == []
    [block] = parsed.directives
    assert block.prefix == prefix


@pytest.mark.parametrize(
    "text",
    [
        "Text.\n\n<!--\n```{run} snippets.a.g\n```\n-->\n",
        "Text.\n\n<!-- ```{run} snippets.a.g -->\n",
        "Text.\n\n    ```{run} snippets.a.g\n    ```\n",
        "Text.\n\n    ```{run snippets.a.g\n    ```\n",
    ],
    ids=["comment", "comment-inline", "indented-code", "indented-malformed"],
)
def test_blocks_markdown_does_not_render_are_ignored(text: str) -> None:
    """A block in an HTML comment or shown as an indented code example is
    neither run nor reported: Markdown does not render it as a block."""
    parsed = _parse(text)
    assert parsed.directives == []
    assert parsed.errors == []


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        (
            "Text.\n\n```{run} snippets.a.f``` ```{run} snippets.a.g```\n",
            3,
            "malformed block ```{run} snippets.a.f``` ```{run} "
            "snippets.a.g```",
        ),
        (
            "Text.\n\n```{run snippets.a.g\n```\n",
            3,
            "malformed block ```{run snippets.a.g;",
        ),
        (
            "Text.\n\n```{run} snippets.a.g extra\n```\n",
            3,
            "malformed block ```{run} snippets.a.g extra;",
        ),
    ],
    ids=["two-on-a-line", "missing-brace", "two-names"],
)
def test_broken_blocks_are_located_errors(
    text: str, line: int, start: str
) -> None:
    """Something that looks like a block where Markdown shows text is an
    error with its line, never silently dropped."""
    parsed = _parse(text)
    assert parsed.directives == []
    [error] = parsed.errors
    assert error.line == line
    assert error.message.startswith(start)


def test_probe_is_asked_only_when_in_doubt() -> None:
    """Top-level blocks on a page without comments need no probe."""
    probe = _Probe()
    parse_page("p.md", "```{show} snippets.a.f\n```\n", probe=probe)
    assert probe.calls == 0
    parse_page(
        "p.md", "!!! note\n    ```{show} snippets.a.f\n    ```\n", probe=probe
    )
    assert probe.calls == 1


def test_probe_result_is_remembered() -> None:
    """An unchanged page is not rendered again when a memo is given."""

    class Memo(dict[str, list[str]]):
        def put(self, key: str, places: list[str]) -> None:
            self[key] = places

    probe, memo = _Probe(), Memo()
    text = "!!! note\n    ```{show} snippets.a.f\n    ```\n"
    first = parse_page("p.md", text, probe=probe, memo=memo)
    second = parse_page("p.md", text, probe=probe, memo=memo)
    assert probe.calls == 1
    assert first.directives == second.directives


def test_inline_values_outside_code_spans() -> None:
    """Inline values are found in prose but not in inline code."""
    parsed = _parse(
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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "timeout: 'soon': nan is not a positive number of seconds"),
        ("inf", "timeout: 'inf': inf is not a positive number of seconds"),
        ("nan", "timeout: 'nan': nan is not a positive number of seconds"),
        ("-3", "timeout: '-3': -3.0 is not a positive number of seconds"),
        ("1e10", "timeout: '1e10': 1e+10 s is more than the limit of 86400 s"),
    ],
)
def test_bad_timeout_is_an_error(value: str, message: str) -> None:
    """A timeout must be a finite, positive number of seconds up to a day;
    the error is on the option's line, with an example."""
    parsed = _parse(f"```{{run}} snippets.a.g\ntimeout: {value}\n```\n")
    [error] = parsed.errors
    assert str(error) == f"p.md:2: {message}; write e.g. 'timeout: 120'"


def test_run_options_on_a_show_block_are_errors() -> None:
    """Options that only make sense for a run are refused on {show}."""
    parsed = _parse("```{show} snippets.a.f\ntimeout: 5\n```\n")
    [error] = parsed.errors
    assert (
        str(error) == "p.md:2: option 'timeout' applies to {run} blocks only"
    )


def test_bad_inputs_are_errors() -> None:
    """A declared environment variable must be a variable name."""
    parsed = _parse("```{run} snippets.a.g\ninputs: env:NOT-A-NAME\n```\n")
    [error] = parsed.errors
    assert "'env:NOT-A-NAME' is not an environment variable" in error.message


def test_missing_name_is_an_error() -> None:
    """A show or run block needs a name."""
    parsed = _parse("```{show}\n```\n")
    [error] = parsed.errors
    assert "{show} needs a name" in error.message
