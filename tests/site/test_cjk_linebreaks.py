"""The hook that joins wrapped Chinese lines (overrides/hooks)."""

from __future__ import annotations

import importlib.util

import pytest
from site_helpers import ROOT

_spec = importlib.util.spec_from_file_location(
    "cjk_linebreaks", ROOT / "overrides" / "hooks" / "cjk_linebreaks.py"
)
assert _spec is not None
assert _spec.loader is not None
cjk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cjk)


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
    assert cjk.join_cjk_lines(html) == html.replace("\n", "")


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
    assert cjk.join_cjk_lines(html) == html
