"""The search index hook (overrides/hooks/search_index.py, tex_text.py).

Unit tests of its parts; tests/site/test_site_build.py checks the index of
the real site and test_site_browser.py the ranking in a browser.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.site.site_helpers import ROOT

HOOKS = ROOT / "overrides" / "hooks"


def _load(name: str) -> ModuleType:
    """Import a hook module as MkDocs does (its folder on sys.path)."""
    spec = importlib.util.spec_from_file_location(name, HOOKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(HOOKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(HOOKS))
    return module


search_index = _load("search_index")
tex_text = _load("tex_text")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\hat{\mathbf y}", "ŷ"),
        (r"\ell(\hat{\mathbf y}, y) = -\log \hat y_y", "ℓ(ŷ, y) = -log ŷ_y"),
        (r"3.4 \times 10^{38}", "3.4 × 10³⁸"),
        (
            r"\operatorname{softmax}(\mathbf{x})_j"
            r" = \frac{\exp(x_j)}{\sum_i \exp(x_i)}",
            "softmax(x)ⱼ = exp(xⱼ)/(Σᵢ exp(xᵢ))",
        ),
        (r"\epsilon \sim \mathcal N(0, 0.01^2)", "ε ~ N(0, 0.01²)"),
        (r"\mathbf x^\top \mathbf w", "xᵀ w"),
        (r"\tfrac12 (\hat y - y)^2", "1/2 (ŷ - y)²"),
        (r"\sqrt{1 + x^2}", "√(1 + x²)"),
        (r"\lVert \mathbf w \rVert^2", "‖ w ‖²"),
        (r"\left| \mathcal B \right|", "| B |"),
        (r"w \leftarrow (1 - \eta\lambda) w", "w ← (1 - ηλ) w"),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "a = b c = d"),
        (r"\unknown{x}", "unknown x"),
        (r"x^", "x"),
    ],
)
def test_tex_to_text(tex: str, text: str) -> None:
    """TeX becomes readable Unicode text with no TeX syntax left."""
    assert tex_text.tex_to_text(tex) == text


def test_readable_math_leaves_code_alone() -> None:
    """Formulas in prose become text; code keeps its backslashes."""
    text = r"损失 \(\hat y\)，<code>re.sub(r'\(x\)', s)</code> \[\sigma\]"
    assert search_index.readable_math(text) == (
        r"损失 ŷ，<code>re.sub(r'\(x\)', s)</code> σ"
    )


GLOSSARY = """
<div class="glossary"><table>
<thead><tr><th>中文</th><th>English</th><th>说明</th><th>见</th></tr></thead>
<tbody>
<tr><td>批量大小</td><td>batch size</td><td>$B$</td>
<td><a href="../minibatches/">小批量</a></td></tr>
<tr><td>小批量</td><td>minibatch</td><td>…</td>
<td><a href="../minibatches/">小批量</a></td></tr>
<tr><td>权重衰减</td><td>weight decay</td><td>…</td>
<td><a href="../sgd/#weight-decay">随机梯度下降</a></td></tr>
</tbody></table></div>
"""


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_glossary_keywords(prefix: str) -> None:
    """Each row's terms go to the page (or section) the row links."""
    keywords = search_index.glossary_keywords(GLOSSARY, f"{prefix}glossary/")
    assert keywords == {
        f"{prefix}minibatches/": [
            "批量大小",
            "batch size",
            "小批量",
            "minibatch",
        ],
        f"{prefix}sgd/#weight-decay": ["权重衰减", "weight decay"],
    }


def test_add_keywords_to_the_linked_entries(tmp_path: object) -> None:
    """The linked entry gets the terms, segmented as the index is."""
    from pathlib import Path

    site = Path(str(tmp_path))
    (site / "glossary").mkdir()
    (site / "glossary" / "index.html").write_text(GLOSSARY, encoding="utf-8")
    docs = [
        {"location": "glossary/", "title": "术语表", "text": ""},
        {"location": "minibatches/", "title": "小批量", "text": ""},
        {"location": "sgd/", "title": "随机梯度下降", "text": ""},
    ]
    search_index.add_keywords(docs, site)
    assert "keywords" not in docs[0]
    assert docs[1]["keywords"] == search_index.distinct_words(
        search_index.segmented("批量大小 batch size 小批量 minibatch")
    )
    # The section is not indexed on its own: its page gets the terms.
    assert "weight decay" in docs[2]["keywords"]


def test_segmented_splits_chinese_as_the_index_does() -> None:
    """Chinese runs are cut into words joined by U+200B, Latin kept."""
    text = search_index.segmented("交叉熵损失 cross-entropy")
    assert text.replace("\u200b", "") == "交叉熵损失 cross-entropy"
    assert "\u200b cross-entropy" in text
    assert len(text.split("\u200b")) >= 3


def test_a_keyword_counts_once_per_page() -> None:
    """Rows softmax, softmax 回归 and softmax regression give their page
    "softmax" once: it must not outweigh the page whose row is softmax."""
    words = search_index.distinct_words(
        "softmax\u200bSoftmax 回归 softmax regression"
    )
    assert words == "softmax 回归 regression"
