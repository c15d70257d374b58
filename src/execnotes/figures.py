"""Alt text for a matplotlib figure, read from the SVG it was saved as.

Matplotlib's SVG keeps every text of the figure as a comment inside a
group named after its role (`axes_1`, `legend_1`, `matplotlib.axis_1`,
`xtick_3`, ...). The titles, axis labels and legend entries found there
describe the figure well enough for a reader who cannot see it, in words
the caption does not already say.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

_SVG = "{http://www.w3.org/2000/svg}"
_TEXT_ID = re.compile(r"^text_\d+$")
_WORDS = {
    "zh": {
        "images": "{n} 幅图像：{items}",
        "one_image": "图像：{title}",
        "panels": "{n} 幅图：",
        "chart": "{what}",
        "against": "{y} 随 {x} 变化的图",
        "legend": "（图例：{items}）",
        "image": "图像",
        "sep": "、",
        "end": "。",
        "join": "；",
    },
    "en": {
        "images": "{n} images: {items}",
        "one_image": "image: {title}",
        "panels": "{n} charts: ",
        "chart": "{what}",
        "against": "chart of {y} against {x}",
        "legend": " (legend: {items})",
        "image": "image",
        "sep": ", ",
        "end": ".",
        "join": "; ",
    },
}


@dataclass
class _Axes:
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    legend: list[str] = field(default_factory=list)
    image: bool = False


# Pure, and parsing an SVG is slow: `mkdocs serve` asks again for every
# figure of every page on every rebuild.
@functools.lru_cache(maxsize=512)
def alt_text(svg: str, language: str, fallback: str = "") -> str:
    """A description of the figure in `language` (zh or en), or
    `fallback` when the SVG names nothing."""
    words = _WORDS.get(language, _WORDS["en"])
    try:
        suptitle, axes = _read(svg)
    except ET.ParseError:
        return fallback
    described = _describe(axes, words)
    parts = [part for part in (suptitle, described) if part]
    if not parts:
        return fallback
    text = ": ".join(parts) + words["end"]
    return text[:1].upper() + text[1:] if language == "en" else text


def _describe(axes: list[_Axes], words: dict[str, str]) -> str:
    sep = words["sep"]
    if axes and all(a.image and not (a.xlabel or a.ylabel) for a in axes):
        titles = [a.title for a in axes if a.title]
        if not titles:  # nothing to say: the fallback says more
            return ""
        if len(axes) == 1:
            return words["one_image"].format(title=titles[0])
        return words["images"].format(n=len(axes), items=sep.join(titles))
    charts = [_chart(a, words) for a in axes]
    charts = [chart for chart in charts if chart]
    if len(charts) > 1:
        return words["panels"].format(n=len(charts)) + words["join"].join(
            charts
        )
    return charts[0] if charts else ""


def _chart(axes: _Axes, words: dict[str, str]) -> str:
    y = axes.ylabel or axes.title
    if y and axes.xlabel:
        what = words["against"].format(y=y, x=axes.xlabel)
    else:
        what = y or axes.xlabel or (words["image"] if axes.image else "")
    if axes.title and axes.title != y:
        what = f"{axes.title}: {what}" if what else axes.title
    if axes.legend:
        what += words["legend"].format(items=words["sep"].join(axes.legend))
    return what


def _read(svg: str) -> tuple[str, list[_Axes]]:
    builder = ET.TreeBuilder(insert_comments=True)
    root = ET.fromstring(svg, parser=ET.XMLParser(target=builder))
    figure = _child_group(root, "figure_1", deep=True)
    if figure is None:
        return "", []
    suptitle = " ".join(_texts(figure))
    axes = [
        _axes(group)
        for group in figure.iter(f"{_SVG}g")
        if group.get("id", "").startswith("axes_")
    ]
    return suptitle, axes


def _axes(group: ET.Element) -> _Axes:
    found = _Axes(title=" ".join(_texts(group)))
    # Ids count up over the whole figure: the second axes has axis_3/4.
    labels = [
        " ".join(_texts(a)) for a in _child_groups(group, "matplotlib.axis_")
    ]
    found.xlabel, found.ylabel = [*labels, "", ""][:2]
    for legend in _child_groups(group, "legend_"):
        found.legend += _texts(legend)
    found.image = any(True for _ in group.iter(f"{_SVG}image"))
    return found


def _child_groups(parent: ET.Element, prefix: str) -> list[ET.Element]:
    return [
        g
        for g in parent.iterfind(f"{_SVG}g")
        if g.get("id", "").startswith(prefix)
    ]


def _child_group(
    parent: ET.Element, name: str, *, deep: bool = False
) -> ET.Element | None:
    groups = parent.iter(f"{_SVG}g") if deep else parent.iterfind(f"{_SVG}g")
    return next((g for g in groups if g.get("id") == name), None)


def _texts(parent: ET.Element) -> list[str]:
    """The texts of the `text_N` groups right inside `parent` (not those
    of its ticks, axes or legends)."""
    texts = []
    for group in parent.iterfind(f"{_SVG}g"):
        if _TEXT_ID.match(group.get("id", "")):
            comment = next(
                (c for c in group if _is_comment(c) and c.text), None
            )
            if comment is not None and comment.text is not None:
                texts.append(comment.text.strip())
    return texts


def _is_comment(element: ET.Element) -> bool:
    tag: object = element.tag  # comments carry the factory as their tag
    return tag is ET.Comment
