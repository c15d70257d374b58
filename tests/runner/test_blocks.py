"""Blocks are run and rendered exactly where Markdown renders a fence."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.runner.conftest import Site, ran


def test_block_in_a_blockquote_runs_and_stays_inside(site: Site) -> None:
    """A block in a blockquote runs; its code and output stay in the quote."""
    site.write(
        "docs/index.md",
        "# Quote\n\n> Before.\n>\n> ```{run} snippets.demo.show_plain\n> ```\n"
        ">\n> After.\n",
    )
    site.build()
    quote = BeautifulSoup(site.html(), "html.parser").select_one("blockquote")
    assert quote is not None
    assert "plain: 3.14159" in quote.get_text()
    assert "def show_plain" in quote.get_text()
    assert "After." in quote.get_text()
    assert not site.warnings


def test_commented_and_quoted_blocks_run_nothing(site: Site) -> None:
    """A block in an HTML comment, or shown as an indented code example,
    runs nothing and is shown as Markdown shows it."""
    site.write(
        "docs/index.md",
        "# Examples\n\n<!--\n```{run} snippets.bad.show_raise\n```\n-->\n\n"
        "An example:\n\n    ```{run} snippets.bad.show_exit\n    ```\n",
    )
    site.build()
    assert ran(site) == 0
    assert not site.warnings
    soup = BeautifulSoup(site.html(), "html.parser")
    examples = [pre.get_text() for pre in soup.select("pre")]
    assert any("```{run} snippets.bad.show_exit" in text for text in examples)
    assert "EXECNOTES" not in site.html()


def test_a_malformed_block_is_a_located_warning(site: Site) -> None:
    """A fence that looks like a block but is not one is reported with its
    line and boxed on the page; the blocks around it still run."""
    site.write(
        "docs/index.md",
        "# Page\n\n```{run} snippets.demo.show_plain\n```\n\n"
        "```{run snippets.demo.show_double\n```\n",
    )
    site.build()
    assert site.warnings[0].startswith(
        "WARNING execnotes: index.md:6: malformed block ```{run "
        "snippets.demo.show_double;"
    )
    assert "plain: 3.14159" in site.html()
    assert "execnotes-error" in site.html()
