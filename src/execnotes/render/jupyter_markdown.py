"""A page's Markdown made into Markdown that Jupyter renders well.

Jupyter knows CommonMark and math, not the site's extensions:
- admonitions (`!!! note "Title"`, `??? tip`, with indented bodies) become
  blockquotes with a bold title;
- links to other notes (`losses.md#anchor`, `sweep.ipynb`) point to the
  published page, the sibling notebook, or become plain text (`link`
  decides);
- lines of Chinese wrapped inside a paragraph are joined without the space
  a line break would show, never inside code or math.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Resolves a link target such as "losses.md#x" to a URL; None drops the
# link and keeps its text.
LinkResolver = Callable[[str], str | None]

# Han, kana, CJK and full-width punctuation, and the quotes, dashes and
# ellipsis Chinese shares with English (as overrides/hooks/cjk_linebreaks).
CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026]"
_ENDS_CJK = re.compile(rf"{CJK}(\*\*?|_)?$")
_STARTS_CJK = re.compile(rf"^[ \t]*(\*\*?|_)?{CJK}")
# A heading, a table row or an admonition's first line: never continued.
_NOT_A_PARAGRAPH = re.compile(r"^[ \t]*(#|\||!!!|\?\?\?)")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]*(?P<kind>[\w-]+)"
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]*)\]"
    r"\((?P<target>[^)\s:]+\.(?:md|ipynb)(?:#[^)\s]*)?)\)"
)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Text about the site itself ("the button at the top right"), which a
# downloaded notebook leaves out.
_SITE_ONLY = re.compile(r'<span class="site-only">.*?</span>', re.DOTALL)


def without_site_only(markdown: str) -> str:
    """The Markdown without `<span class="site-only">...</span>`: text
    about the site itself (its download button), which a downloaded
    notebook leaves out."""
    return _SITE_ONLY.sub("", markdown)


def to_jupyter(markdown: str, link: LinkResolver) -> str:
    """The Markdown of a page as a notebook's Markdown cell."""
    lines = _joined_cjk_lines(markdown.splitlines())
    lines = _blockquoted_admonitions(lines)
    return "\n".join(_relinked(line, link) for line in lines)


def _outside_code_and_math(lines: list[str]) -> list[bool]:
    """For each line, whether it is prose (not in a fence or $$ block)."""
    prose: list[bool] = []
    fence: str | None = None
    math = False
    for line in lines:
        stripped = line.strip()
        opening = _FENCE.match(line)
        if fence is not None:
            prose.append(False)
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
        elif opening is not None:
            fence = opening.group(1)
            prose.append(False)
        elif stripped.startswith("$$") or math:
            prose.append(False)
            # "$$ x $$" on one line opens and closes the block.
            if stripped.count("$$") % 2 == 1:
                math = not math
        else:
            prose.append(True)
    return prose


def _joined_cjk_lines(lines: list[str]) -> list[str]:
    prose = _outside_code_and_math(lines)
    out: list[str] = []
    joinable = False
    for line, is_prose in zip(lines, prose, strict=True):
        if joinable and is_prose and _STARTS_CJK.match(line):
            out[-1] += line.lstrip(" \t")
        else:
            out.append(line)
        text = out[-1]
        joinable = (
            is_prose
            and bool(_ENDS_CJK.search(text.rstrip()))
            and not text.endswith("  ")  # a hard line break
            and not _NOT_A_PARAGRAPH.match(text)
            and _unescaped_dollars(text) % 2 == 0  # math goes on
        )
        if joinable:
            out[-1] = text.rstrip()
    return out


def _unescaped_dollars(text: str) -> int:
    visible = _INLINE_CODE.sub("", text)
    return len(re.findall(r"(?<!\\)\$", visible))


def _blockquoted_admonitions(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _ADMONITION.match(lines[index])
        if match is None:
            out.append(lines[index])
            index += 1
            continue
        indent = match["indent"]
        title = match["title"]
        if title is None:  # Material's default title: the type, titled
            title = match["kind"].replace("-", " ").title()
        body, index = _admonition_body(lines, index + 1, indent)
        inner = _blockquoted_admonitions(body)
        quoted = [f"**{title}**", "", *inner] if title else inner
        out += [
            f"{indent}> {text}".rstrip() if text else f"{indent}>"
            for text in quoted
        ]
    return out


def _admonition_body(
    lines: list[str], start: int, indent: str
) -> tuple[list[str], int]:
    """The indented lines after an admonition's first line, dedented."""
    width = len(indent) + 4
    body: list[str] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if line.strip() and not line.startswith(" " * width):
            if not line.startswith(indent + "\t"):
                break
            line = indent + " " * 4 + line[len(indent) + 1 :]
        body.append(line[width:])
        index += 1
    while body and not body[-1].strip():
        body.pop()
        index -= 1
    return body, index


def _relinked(line: str, link: LinkResolver) -> str:
    code_spans = [m.span() for m in _INLINE_CODE.finditer(line)]

    def replace(match: re.Match[str]) -> str:
        if any(a <= match.start() < b for a, b in code_spans):
            return match.group(0)
        url = link(match["target"])
        return f"[{match['text']}]({url})" if url else match["text"]

    return _LINK.sub(replace, line)


def enclosing_boxes(lines: list[str], index: int) -> list[bool]:
    """For the block at `lines[index]`, the blocks that enclose it by
    indentation, outermost first: True for an admonition, False for a list
    item (or anything else)."""
    indent = _indent(lines[index])
    found: list[bool] = []
    for line in reversed(lines[:index]):
        if indent == 0:
            break
        if line.strip() and _indent(line) < indent:
            found.append(_ADMONITION.match(line) is not None)
            indent = _indent(line)
    return found[::-1]


def to_jupyter_after(
    markdown: str, link: LinkResolver, boxes: list[bool]
) -> str:
    """The Markdown that follows a code cell which stood inside `boxes`
    (see `enclosing_boxes`). Its indented lines end those blocks: dedented,
    and quoted once per admonition they are in, as the box's start before
    the cell was. Left indented, Jupyter would show them as code."""
    lines = markdown.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        depth = _depth(lines, index, len(boxes))
        if depth == 0:
            break
        end = index + 1
        while end < len(lines) and _depth(lines, end, len(boxes)) == depth:
            end += 1
        body = "\n".join(line[4 * depth :] for line in lines[index:end])
        quote = "> " * sum(boxes[:depth])
        out += [
            (quote + text).rstrip() if text else quote.rstrip()
            for text in to_jupyter(body, link).split("\n")
        ]
        index = end
    rest = (
        to_jupyter("\n".join(lines[index:]), link)
        if index < len(lines)
        else ""
    )
    return "\n".join([*out, rest] if rest else out)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def _depth(lines: list[str], index: int, most: int) -> int:
    """How many of `most` enclosing blocks the line is in (a blank line:
    as many as the next line that is not blank)."""
    following = (line for line in lines[index:] if line.strip())
    line = next(following, "")
    return min(_indent(line) // 4, most)
