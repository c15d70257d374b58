"""HTML fragments of a block: labelled outputs, figures, runnable code.

Printed output, a returned value and code must not be mistaken for each
other: each result gets a visible label in the page's language and its
own class (styled by the plugin's assets/execnotes.css, in light and dark
mode). The runnable text behind "Copy runnable" is kept in the page,
hidden, out of the search index and of the accessibility tree: the
button (assets/execnotes.js) copies its text.
"""

from __future__ import annotations

import hashlib
import html

from execnotes.core import strings
from execnotes.core.profiles import READER_NEEDS
from execnotes.core.protocol import Outcome


def words(language: str) -> dict[str, str]:
    """The fragments' words in `language` (English if unknown)."""
    return strings.section(language, "block")


# What differs between runs (timings) is marked, and stays out of the
# search index, which is then the same for every build.
VARIES_OPEN = '<span class="execnotes-varies" data-search-exclude>'


def output_html(
    outcome: Outcome, language: str, *, show_value: bool, varies: bool = False
) -> str:
    """What a run printed and, if asked, what it returned, labelled; marked
    if it differs between runs."""
    text = words(language)
    parts = []
    if outcome.output:
        parts.append(
            _result("output", text["output"], outcome.output, varies=varies)
        )
    if outcome.output_chars > len(outcome.output):
        notice = text["truncated"].format(
            shown=len(outcome.output), total=outcome.output_chars
        )
        parts.append(f'<p class="execnotes-truncated">{notice}</p>')
    if show_value and outcome.value is not None:
        parts.append(
            _result("value", text["value"], outcome.value, varies=varies)
        )
    return "".join(parts)


def _result(kind: str, label: str, text: str, *, varies: bool) -> str:
    marks = ' execnotes-varies" data-search-exclude="' if varies else ""
    return (
        f'<div class="execnotes-result execnotes-result--{kind}">'
        f'<div class="execnotes-label" data-search-exclude>{label}</div>'
        f'<pre class="execnotes-{kind}{marks}"><code>{html.escape(text)}'
        "</code></pre></div>"
    )


def figure_html(
    url: str, alt: str, caption: str | None, *, raster: bool = False
) -> str:
    """A figure: the image with its alt text, and the caption if any.

    The image links its SVG file, so a tap on a phone (where a figure is
    scaled down to the column) opens it full size. `raster`: the figure
    holds pixels (a photo, a grid of samples) that a dark colour scheme
    must not invert, unlike lines and text.
    """
    image = (
        f'<img src="{html.escape(url)}" alt="{html.escape(alt, quote=True)}">'
    )
    link = f'<a class="execnotes-figure-link" href="{html.escape(url)}">'
    body = f"{link}{image}</a>"
    if caption:
        body += f"<figcaption>{html.escape(caption)}</figcaption>"
    kind = " execnotes-figure--raster" if raster else ""
    return f'<figure class="execnotes-figure{kind}">{body}</figure>'


def has_raster(svg: str) -> bool:
    """Whether an SVG figure embeds a raster image (matplotlib's imshow)."""
    return "<image" in svg


def error_box(label: str, message: str) -> str:
    """The red box that shows a failure where it happened."""
    title = f"execnotes: {label}" if label else "execnotes"
    return (
        '<div class="admonition failure execnotes-error">'
        f'<p class="admonition-title">{html.escape(title)}</p>'
        f"<pre><code>{html.escape(message)}</code></pre></div>"
    )


def code_opening(anchor: str) -> str:
    """The start of a block's code: its anchor."""
    # The id is not on the block itself: Material names the <pre> after
    # the closest id and copies through an unescaped CSS selector, which
    # an id with dots would break.
    return (
        '<div class="execnotes-code">'
        f'<span class="execnotes-anchor" id="{html.escape(anchor)}"></span>'
    )


def code_closing(runnable: str | None, language: str) -> str:
    """The end of a block's code, with the text "Copy runnable" copies."""
    if runnable is None:
        return "</div>"
    text = words(language)
    title = text["copy_title"].format(
        needs=strings.listing(language, READER_NEEDS)
    )
    return (
        '<pre class="execnotes-runnable" hidden data-search-exclude '
        f'data-label="{text["copy"]}" data-copied="{text["copied"]}" '
        f'data-title="{html.escape(title, quote=True)}">'
        f"{html.escape(runnable)}</pre></div>"
    )


def figure_name(svg: str) -> str:
    """A content-addressed file name for a figure."""
    return hashlib.sha256(svg.encode()).hexdigest()[:20] + ".svg"


def failure_message(outcome: Outcome) -> str:
    """Why a run failed: the message, and the traceback of an error."""
    problem = outcome.problem
    if problem is None:
        return "failed without a description"
    if problem.kind == "error" and problem.traceback:
        return (
            f"{problem.message}\n"
            f"Traceback (most recent call last):\n{problem.traceback}"
        ).rstrip()
    return f"{problem.exception}: {problem.message}"


_MARKUP = frozenset("\\`*_{}[]()<>#!|$~^=&\"'")
_AT_WORD_END = frozenset("-+.")


def literal(text: str) -> str:
    """`text` as Markdown that renders exactly as that text.

    Every character that Markdown or its extensions might read as markup
    (links, emphasis, math, HTML) is written as an HTML character
    reference; list markers only where they could start a list.
    """
    out = []
    for index, char in enumerate(text):
        follows = text[index + 1 : index + 2]
        risky = char in _AT_WORD_END and (not follows or follows.isspace())
        out.append(f"&#{ord(char)};" if char in _MARKUP or risky else char)
    return "".join(out)
