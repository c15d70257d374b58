"""Bad input: each gives its message, an error box, and loses nothing."""

from __future__ import annotations

import re

import pytest

from tests.runner.conftest import Site


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
    assert len(list((site.root / ".execnotes-cache").glob("*.json"))) == 2


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (
            "```{run} snippets.bad.show_raise\n```",
            "index.md:6: {run} snippets.bad.show_raise: KeyError: 'missing'\n"
            "  Traceback (most recent call last):\n"
            '    File "snippets/bad.py", line 7, in show_raise\n'
            '      return {}["missing"]',
        ),
        (
            "```{run} snippets.bad.show_sleep\ntimeout: 1\n```",
            "index.md:6: {run} snippets.bad.show_sleep: TimeoutError: it ran "
            "longer than its timeout of 1 s and was stopped; make it faster, "
            "or raise the limit with 'timeout: N' in the block or the "
            "plugin's 'timeout' option",
        ),
        (
            "```{run} snippets.bad.show_exit\n```",
            "index.md:6: {run} snippets.bad.show_exit: WorkerDied: the worker "
            "process died while running it (exit code 3); look for os._exit, "
            "sys.exit in a thread, or a crash in native code. A fresh worker "
            "took over",
        ),
        (
            "```{run} snippets.bad.show_segfault\n```",
            # mxnet's SIGSEGV handler prints a stack and exits with 255.
            "index.md:6: {run} snippets.bad.show_segfault: WorkerDied: the "
            "worker process died while running it (exit code 255); look for "
            "os._exit, sys.exit in a thread, or a crash in native code. A "
            "fresh worker took over",
        ),
        (
            "```{run} snippets.dmeo.show_double\n```",
            "index.md:6: {run} snippets.dmeo.show_double: no module "
            "'snippets.dmeo' in snippets/. Did you mean 'snippets.demo'?",
        ),
        (
            "```{show} snippets.demo.aera\n```",
            "index.md:6: {show} snippets.demo.aera: 'snippets.demo' has no "
            "function, class or region 'aera'. Did you mean 'area'?",
        ),
        (
            "```{run} os.system\n```",
            "index.md:6: {run} os.system: 'os.system' is outside the "
            "'snippets' package; only modules inside snippets/ can be shown "
            "or run (write e.g. snippets.losses.squared_loss)",
        ),
        (
            "```{run} snippets.demo.area\n```",
            "index.md:6: {run} snippets.demo.area: {run} calls "
            "'snippets.demo.area' without arguments, but it requires 1; run "
            "a show_* function that passes the page's data, or use {show}",
        ),
        (
            "```{run} snippets.demo.show_plain\ncaptoin: x\n```",
            "index.md:7: unknown option 'captoin'; options are caption, "
            "hide, timeout, show. Did you mean 'caption'?",
        ),
        (
            "```{shwo} snippets.demo.area\n```",
            "index.md:6: unknown block {shwo}; use one of {show}, {run}, "
            "{report}. Did you mean 'show'?",
        ),
        (
            "```{run} snippets.demo.show_plain\nhide: everything\n```",
            "index.md:6: hide: 'everything' is not understood; write "
            "'hide: code' or 'hide: output'.",
        ),
    ],
    ids=[
        "raises",
        "timeout",
        "os-exit",
        "segfault",
        "unknown-module",
        "unknown-symbol",
        "outside-snippets",
        "run-needs-arguments",
        "unknown-option",
        "unknown-block",
        "bad-hide",
    ],
)
def test_bad_block_warns_boxes_and_keeps_the_rest(
    site: Site, directive: str, message: str
) -> None:
    """The warning text is pinned; the page shows an error box; the other
    runs of the page and the cache are intact."""
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
        "WARNING execnotes: 2 snippets: 2 ran, 0 from the cache, 2 failed"
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
    assert not list((site.root / ".execnotes-cache").glob("*.json"))
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
        ("workers: -1", "option 'workers' must be 0 or more, not -1"),
        ("timeout: 0", "option 'timeout' must be more than 0, not 0"),
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
