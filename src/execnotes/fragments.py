"""HTML fragments of a block: labelled outputs, figures, runnable code.

Printed output, a returned value and code must not be mistaken for each
other: each result gets a visible label in the page's language and its
own class (styled by the plugin's assets/execnotes.css, in light and dark
mode). The runnable text behind "Copy runnable" is kept in the page,
hidden, out of the search index and of the accessibility tree: the
button (assets/execnotes.js) copies its text.
"""

from __future__ import annotations

import html

from execnotes.profiles import READER_NEEDS
from execnotes.protocol import Outcome

_WORDS = {
    "zh": {
        "output": "输出",
        "value": "返回值",
        "copy": "复制可运行版本",
        "copied": "已复制",
        "copy_title": "复制这段代码，连同它用到的 snippets 函数，"
        f"只装 {READER_NEEDS['zh']} 就能运行",
        "truncated": "输出过长，只显示前 {shown:,} 个字符（共 {total:,} 个；"
        "调大 execnotes 插件的 max_output_chars 选项可以看到更多）。",
    },
    "en": {
        "output": "Output",
        "value": "Value",
        "copy": "Copy runnable",
        "copied": "Copied",
        "copy_title": "Copy this code with the snippets functions it uses, "
        f"so it runs with only {READER_NEEDS['en']} installed",
        "truncated": "Output truncated: showing the first {shown:,} of "
        "{total:,} characters (raise max_output_chars in the execnotes "
        "plugin options to see more).",
    },
}


def words(language: str) -> dict[str, str]:
    """The fragments' words in `language` (English if unknown)."""
    return _WORDS.get(language, _WORDS["en"])


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
    return (
        '<pre class="execnotes-runnable" hidden data-search-exclude '
        f'data-label="{text["copy"]}" data-copied="{text["copied"]}" '
        f'data-title="{html.escape(text["copy_title"], quote=True)}">'
        f"{html.escape(runnable)}</pre></div>"
    )
