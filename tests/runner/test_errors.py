"""Bad input: each gives its message, an error box, and loses nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.runner.conftest import Site, choose_framework, entries


def _page_with(directive: str) -> str:
    return (
        "# Page\n\n"
        "```{run} snippets.demo.show_double\n```\n\n"
        f"{directive}\n\n"
        "```{run} snippets.demo.show_plain\n```\n"
    )


def _assert_rest_intact(site: Site) -> None:
    page = site.html()
    assert "double: 42" in page
    assert "plain: 3.14159" in page
    assert len(entries(site)) == 2


ROOT = Path(__file__).resolve().parents[2]
_CASE = re.compile(
    r"^### (?P<title>.+?)\n\n````markdown\n(?P<block>.*?)\n````\n\n"
    r"```text\n(?P<message>.*?)\n```$",
    re.MULTILINE | re.DOTALL,
)


def guarantee_cases(page: str) -> list[tuple[str, str]]:
    """The (block, message) examples of a "What the runner guarantees" page:
    the page shows what each bad input gives, and these tests check it."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return [(m["block"], m["message"]) for m in _CASE.finditer(text)]


CASES = guarantee_cases("guarantees.en.md")


def test_the_guarantees_pages_show_the_same_cases() -> None:
    """Both languages of the page list the same inputs and messages, and
    enough of them to matter."""
    assert guarantee_cases("guarantees.md") == CASES
    assert len(CASES) >= 14


@pytest.mark.parametrize(("directive", "message"), CASES)
def test_bad_block_warns_boxes_and_keeps_the_rest(
    site: Site, directive: str, message: str
) -> None:
    """The warning text is pinned; the page shows an error box; the other
    runs of the page and the cache are intact. The cases are the notes'
    (the guarantees page): MXNet's profile, whose crash handler turns a
    segmentation fault into exit code 255."""
    choose_framework(site, "mxnet")
    site.write("docs/index.md", _page_with(directive))
    site.build()
    warnings = [w for w in site.warnings if "snippets:" not in w]
    assert warnings == [f"WARNING execnotes: {message}"]
    assert 'class="admonition failure execnotes-error"' in site.html()
    _assert_rest_intact(site)


def test_unclosed_block_is_reported(site: Site) -> None:
    """A block without its closing fence is named with its line."""
    site.write("docs/index.md", "# Page\n\ntext\n\n```{run} snippets.demo.x\n")
    site.build()
    assert site.warnings[0] == (
        "WARNING execnotes: index.md:5: the {run} block is never closed; "
        "end it with a line ```"
    )


def test_failure_summary_at_the_end(site: Site) -> None:
    """The build ends with one summary naming every failure."""
    site.write(
        "docs/index.md",
        "```{run} snippets.bad.show_raise\n```\n\n"
        "```{run} snippets.bad.show_exit\n```\n",
    )
    site.build()
    summary = site.warnings[-1]
    assert summary.startswith(
        "WARNING execnotes: 2 snippets: 2 ran, 0 from the cache, 2 failed; "
        "2 problems shown on pages"
    )
    assert "index.md:1: {run} snippets.bad.show_raise: KeyError" in summary
    assert "index.md:4: {run} snippets.bad.show_exit: WorkerDied" in summary


def test_failure_is_retried_when_its_inputs_change(site: Site) -> None:
    """A failure is never written to the cache. `mkdocs serve` remembers it
    while nothing it imported changes, and runs it again after an edit."""
    site.write(
        "docs/index.md",
        "```{run} snippets.bad.show_raise\n```\n\n"
        "```{run} snippets.bad.show_sleep\ntimeout: 1\n```\n",
    )
    site.build()
    assert not entries(site)
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    assert site.plugin.last_build.executed == 0
    bad = (site.root / "snippets/bad.py").read_text()
    site.write("snippets/bad.py", bad + "\n\nEDITED = True\n")
    site.build()
    assert site.plugin.last_build.executed == 2
    assert "KeyError" in site.html()


def test_inline_value_errors(site: Site) -> None:
    """An inline value for a key the run did not return is named."""
    site.write(
        "docs/index.md",
        'x {{ snippets.demo.show_double["ratoi"]:.2f }}\n\n'
        "```{run} snippets.demo.show_double\n```\n",
    )
    site.build()
    assert site.warnings[0] == (
        'WARNING execnotes: index.md:1: {{ snippets.demo.show_double["ratoi"]'
        ":.2f }}: snippets.demo.show_double() returned no value 'ratoi' (it "
        "returned keys ['ratio', 'value']). Did you mean 'ratio'?"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "workers: -1",
            "option 'workers': must be 0 (one per core) to 64, not -1",
        ),
        (
            "timeout: 0",
            "option 'timeout': 0.0 is not a positive number of seconds, not 0",
        ),
        (
            "timeout: .inf",
            "option 'timeout': inf is not a positive number of seconds, "
            "not inf",
        ),
        (
            "timeout: 1.0e+10",
            "option 'timeout': 1e+10 s is more than the limit of 86400 s, "
            "not 10000000000.0",
        ),
    ],
)
def test_bad_plugin_option_is_refused(
    site: Site, option: str, message: str
) -> None:
    """An impossible option stops the build with a message naming it."""
    from mkdocs.exceptions import Abort

    yml = (site.root / "mkdocs.yml").read_text()
    name = option.split(":", maxsplit=1)[0]
    yml = re.sub(rf"{name}: \S+", option, yml)
    site.write("mkdocs.yml", yml)
    with pytest.raises(Abort):
        site.build()
    assert f"ERROR execnotes: {message} (in mkdocs.yml" in "\n".join(site.logs)
