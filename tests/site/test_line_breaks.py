"""The hook that decides where lines may wrap (overrides/hooks)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.site.site_helpers import ROOT

_spec = importlib.util.spec_from_file_location(
    "line_breaks", ROOT / "overrides" / "hooks" / "line_breaks.py"
)
assert _spec is not None
assert _spec.loader is not None
line_breaks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(line_breaks)


@pytest.mark.parametrize(
    "html",
    [
        "<p>这是一份\n笔记。</p>",
        "<p>整理成\n<strong>可执行</strong></p>",
        "<p>与<a href='x'>通道</a>\n讲的</p>",
        "<p>不是手写的。\n中文</p>",
        "<p>而是\n“目标检测”</p>",
    ],
)
def test_joins_lines_between_chinese(html: str) -> None:
    """A break between two CJK characters disappears, tags or not."""
    assert line_breaks.join_cjk_lines(html) == html.replace("\n", "")


@pytest.mark.parametrize(
    "html",
    [
        "<p>Python 包\n<code>snippets/</code></p>",
        "<p>MXNet\n学习</p>",
        "<p>one\ntwo</p>",
        "<pre><code># 中文注释\n# 第二行</code></pre>",
    ],
)
def test_keeps_other_breaks(html: str) -> None:
    """Breaks next to Latin text or code, and inside <pre>, stay."""
    assert line_breaks.join_cjk_lines(html) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<p>即 <span class="arithmatex">\\(h\\)</span>。下面</p>',
            '<p>即 <span class="cjk-nowrap"><span class="arithmatex">'
            "\\(h\\)</span>。</span>下面</p>",
        ),
        (
            '<p>（<span class="arithmatex">\\(x\\)</span>），</p>',
            '<p><span class="cjk-nowrap">（<span class="arithmatex">'
            "\\(x\\)</span>），</span></p>",
        ),
        (
            '<p>a <span class="arithmatex">\\(x\\)</span> b</p>',
            '<p>a <span class="arithmatex">\\(x\\)</span> b</p>',
        ),
        (
            '<pre><span class="arithmatex">\\(x\\)</span>。</pre>',
            '<pre><span class="arithmatex">\\(x\\)</span>。</pre>',
        ),
    ],
)
def test_glues_formulas_to_punctuation(html: str, expected: str) -> None:
    """A formula and the CJK punctuation around it share a no-wrap span."""
    assert line_breaks.glue_punctuation(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<p><code>gluon.loss.L2Loss</code></p>",
            "<p><code>gluon.<wbr>loss.<wbr>L2Loss</code></p>",
        ),
        (
            "<td><code>snippets.batches.show_last_batch</code></td>",
            "<td><code>snippets.<wbr>batches.<wbr>show_<wbr>last_<wbr>"
            "batch</code></td>",
        ),
        ("<p><code>3.4</code> <code>x_1</code></p>", None),
        ("<pre><code>nd.pick(a, y)</code></pre>", None),
    ],
)
def test_code_names_wrap_at_dots(html: str, expected: str | None) -> None:
    """Inline code may wrap after a dot or underscore before a letter."""
    assert line_breaks.breakable_code(html) == (expected or html)
