"""mkdocs-jupyter's HTML of a notebook made into a page of the site.

mkdocs-jupyter (0.26) puts into every notebook page: about 580 KB of
JupyterLab's CSS, a copy-button script, MathJax and Mermaid loaded from a
CDN, code highlighted under its own classes, and heading ids that drop
Chinese text (a Chinese heading gets an empty id). Here:
- every <style> and <script> goes: the plugin's notebook.css styles the
  cells with the theme's colours, in light and dark mode, and its script
  renders math with the site's KaTeX;
- code cells become the theme's code blocks (its highlighting and copy
  button), without mkdocs-jupyter's own copy buttons;
- Markdown cells are unwrapped, so that their text is the page's own;
- math in Markdown cells (Jupyter's `$...$` and `$$...$$`) is marked up
  as pymdownx.arithmatex marks it (`<span class="arithmatex">\\(...\\)</span>`,
  `<div class="arithmatex">\\[...\\]</div>`), so that the site treats it
  as the math of its other pages: rendered by its KaTeX, and indexed for
  search as text rather than as TeX source;
- headings get the ids the site's Markdown would give them (its slugify),
  which also make the page's table of contents;
- prompts (`In [1]:`) stay out of the search index.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from markdown.extensions.toc import nest_toc_tokens, unique

Slugify = Callable[[str, str], str]
_DROPPED = (
    re.compile(r"<style\b[^>]*>.*?</style>\s*", re.DOTALL | re.IGNORECASE),
    re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE),
    re.compile(
        r"<!-- (?:Load mathjax|MathJax configuration|End of m\w+ "
        r"configuration) -->\s*"
    ),
    re.compile(
        r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
        r"\s*",
        re.DOTALL,
    ),
    re.compile(
        r'<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>\s*',
        re.DOTALL,
    ),
)
_CODE = re.compile(
    r'<div class="highlight-ipynb hl-(?P<language>[\w+-]+)[^"]*">'
    r"<pre>(?P<code>.*?)</pre></div>",
    re.DOTALL,
)
# A Markdown cell, unwrapped: its headings and text are then the page's
# own, so that search files what follows a heading under that heading
# (Material's search closes a section where the heading's parent ends).
_MARKDOWN_CELL = re.compile(
    r'<div class="jp-Cell jp-MarkdownCell[^"]*"[^>]*>\s*'
    r'<div class="jp-Cell-inputWrapper"[^>]*>\s*'
    r'<div class="jp-Collapser[^"]*">\s*</div>\s*'
    r'<div class="jp-InputArea jp-Cell-inputArea">\s*'
    r'<div class="jp-InputPrompt[^"]*"[^>]*>\s*</div>\s*'
    r'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>'
    r"(?P<content>.*?)"
    r"</div>\s*</div>\s*</div>\s*</div>"
    r'(?=\s*(?:<div class="jp-Cell |</div> <!-- jp-Notebook -->))',
    re.DOTALL,
)
# Code in a Markdown cell: its dollars are text.
_LITERAL = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)
_DISPLAY_PARAGRAPH = re.compile(r"<p>\s*\$\$([^$]+?)\$\$\s*</p>")
_DISPLAY = re.compile(r"\$\$([^$]+?)\$\$")
# Within one element (no tag inside), not an escaped dollar.
_INLINE = re.compile(r"(?<!\\)\$([^$<]+?)(?<!\\)\$")
_HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="[^"]*">(?P<inner>.*?)'
    r'<a class="anchor-link" href="#[^"]*">¶</a></h(?P=level)>',
    re.DOTALL,
)
_PROMPT = re.compile(r'<div class="(jp-(?:In|Out)putPrompt [^"]*)">')
_TAG = re.compile(r"<[^>]+>")


def tidy(
    page_html: str, slugify: Slugify, permalink_title: str = "Permanent link"
) -> tuple[str, list[dict[str, Any]]]:
    """The notebook's HTML made a page of the site, and its table of
    contents (as Python-Markdown's toc tokens, nested)."""
    for pattern in _DROPPED:
        page_html = pattern.sub("", page_html)
    page_html = _MARKDOWN_CELL.sub(
        lambda cell: _marked_math(cell["content"]), page_html
    )
    page_html = _CODE.sub(_code_block, page_html)
    page_html = _PROMPT.sub(r'<div class="\1" data-search-exclude>', page_html)
    tokens: list[dict[str, Any]] = []
    ids: set[str] = set()

    def heading(match: re.Match[str]) -> str:
        inner, level = match["inner"], int(match["level"])
        name = html.unescape(_TAG.sub("", inner)).strip()
        anchor = unique(slugify(name, "-"), ids)
        tokens.append({"level": level, "id": anchor, "name": name})
        return (
            f'<h{level} id="{anchor}">{inner}<a class="headerlink" '
            f'href="#{anchor}" title="{permalink_title}">¶</a></h{level}>'
        )

    page_html = _HEADING.sub(heading, page_html)
    return page_html, nest_toc_tokens(tokens)


# The code of a code cell (after `tidy`), in the cell's editor area.
_CELL_CODE = re.compile(
    r'(<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"'
    r'[^>]*>\s*<div class="CodeMirror[^"]*">\s*)'
    r'(<div class="language-[\w+-]+ highlight"><pre>.*?</pre></div>)',
    re.DOTALL,
)


def with_runnables(page_html: str, closings: list[str]) -> str:
    """Each code cell's code made a block with its "Copy runnable" text
    (`closings`, one per code cell, in order); unchanged if the page's
    code cells are not as many."""
    if len(_CELL_CODE.findall(page_html)) != len(closings):
        return page_html
    found = iter(closings)
    return _CELL_CODE.sub(
        lambda m: f'{m[1]}<div class="execnotes-code">{m[2]}{next(found)}',
        page_html,
    )


def _marked_math(content: str) -> str:
    """A Markdown cell's HTML with its math marked up as arithmatex does."""
    parts = _LITERAL.split(content)
    # re.split with one group: even items are outside code, odd ones code.
    for at in range(0, len(parts), 2):
        part = _DISPLAY_PARAGRAPH.sub(
            r'<div class="arithmatex">\\[\1\\]</div>', parts[at]
        )
        part = _DISPLAY.sub(r'<span class="arithmatex">\\[\1\\]</span>', part)
        parts[at] = _INLINE.sub(
            r'<span class="arithmatex">\\(\1\\)</span>', part
        )
    return "".join(parts)


def _code_block(match: re.Match[str]) -> str:
    """A code cell as the theme shows code (pymdownx.highlight's markup)."""
    code = match["code"].removeprefix("<span></span>")
    return (
        f'<div class="language-{match["language"]} highlight">'
        f"<pre><span></span><code>{code}</code></pre></div>"
    )
