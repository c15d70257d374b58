"""Page Markdown made into Markdown that Jupyter renders well."""

from __future__ import annotations

import textwrap

from execnotes.render.jupyter_markdown import to_jupyter


def convert(markdown: str, links: dict[str, str] | None = None) -> str:
    """The Markdown converted, links resolved from a table."""
    table = links or {}
    return to_jupyter(textwrap.dedent(markdown), table.get)


def test_admonition_becomes_a_blockquote_with_a_bold_title() -> None:
    """An admonition's title is bold in a blockquote holding its body."""
    converted = convert(
        """\
        Before.

        !!! warning "Mind the gap"
            First line,
            second line.

            - a list item

        After.
        """
    )
    assert converted == textwrap.dedent(
        """\
        Before.

        > **Mind the gap**
        >
        > First line,
        > second line.
        >
        > - a list item

        After."""
    )


def test_admonition_titles_default_to_the_type_or_none() -> None:
    """No title: the type, capitalised; an empty title: none at all;
    a collapsible block and an indented one are converted too."""
    converted = convert(
        """\
        ??? success
            Done.

        !!! note ""
            Plain.

        - item

            ???+ tip "Inside"
                Nested.
        """
    )
    assert "> **Success**\n>\n> Done." in converted
    assert "> Plain." in converted
    assert "**Note**" not in converted
    assert "    > **Inside**\n    >\n    > Nested." in converted
    assert "???" not in converted
    assert "!!!" not in converted


def test_links_to_notes_are_resolved_or_dropped() -> None:
    """Links to other notes go where the resolver says (anchors kept), or
    become plain text; other links, images and code stay as they are."""
    converted = convert(
        "See [losses](losses.md#cross-entropy), [the glossary](glossary.md),"
        " [MXNet](https://mxnet.apache.org/), ![a figure](plot.md.png) and"
        " `[code](x.md)`.\n",
        {"losses.md#cross-entropy": "losses.ipynb#cross-entropy"},
    )
    assert converted == (
        "See [losses](losses.ipynb#cross-entropy), the glossary,"
        " [MXNet](https://mxnet.apache.org/), ![a figure](plot.md.png) and"
        " `[code](x.md)`."
    )


def test_wrapped_chinese_lines_are_joined_without_a_space() -> None:
    """A break between two Chinese characters goes, also in lists and
    admonitions; a break next to Latin text or code stays."""
    converted = convert(
        """\
        第一行的结尾，
        第二行的开头。English
        继续。

        - 列表里的
          第二行

        !!! note "注意"
            提示的
            第二行。
        """
    )
    assert "第一行的结尾，第二行的开头。English\n继续。" in converted
    assert "- 列表里的第二行" in converted
    assert "> 提示的第二行。" in converted


def test_code_math_and_headings_are_never_joined() -> None:
    """Lines in code fences, display math and inline math that goes on,
    and a heading followed by text, keep their breaks."""
    markdown = """\
        # 标题
        正文。

        ```text
        代码的
        第二行
        ```

        $$
        \\text{公式的}
        \\text{第二行}
        $$

        行内公式 $\\text{甲
        乙}$ 继续。

        硬换行HARD_BREAK
        下一行。
        """.replace("HARD_BREAK", "  ")
    converted = convert(markdown)
    assert converted == textwrap.dedent(markdown).rstrip("\n")
