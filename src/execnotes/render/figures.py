"""Alt text for a matplotlib figure, read from the SVG it was saved as.

Matplotlib's SVG keeps every text of the figure as a comment inside a
group named after its role (`axes_1`, `legend_1`, `matplotlib.axis_1`,
`xtick_3`, ...). The titles, axis labels and legend entries found there
describe the figure well enough for a reader who cannot see it, in words
the caption does not already say.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from execnotes.core import strings

_SVG = "{http://www.w3.org/2000/svg}"
_TEXT_ID = re.compile(r"^text_\d+$")


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
    words = strings.section(language, "figure")
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
                # Matplotlib escapes <, > and & in the comment, which XML
                # does not undo: the alt text is escaped once, when shown.
                texts.append(html.unescape(comment.text.strip()))
    return texts


def _is_comment(element: ET.Element) -> bool:
    tag: object = element.tag  # comments carry the factory as their tag
    return tag is ET.Comment


_SVG_NS = _SVG[1:-1]
_NAMESPACES = {
    "": _SVG_NS,
    "xlink": "http://www.w3.org/1999/xlink",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "cc": "http://creativecommons.org/ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# What matplotlib writes, and the shapes and paints an SVG may draw with;
# anything else (script, foreignObject, a, animate and set, which can
# change a link) is dropped.
_ELEMENTS = frozenset(
    f"{_SVG}{name}"
    for name in [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "image",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "linearGradient",
        "radialGradient",
        "stop",
        "style",
        "title",
        "desc",
        "metadata",
    ]
) | frozenset(
    "{%s}%s" % (_NAMESPACES[prefix], name)  # noqa: UP031 - braces
    for prefix, names in (
        ("rdf", "RDF"),
        ("cc", "Work Agent"),
        ("dc", "type date format creator title description"),
    )
    for name in names.split()
)
_HREFS = frozenset(("href", f"{{{_NAMESPACES['xlink']}}}href"))
_SAFE_HREF = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)")
_UNSAFE_TEXT = re.compile(
    r"javascript:|vbscript:|@import|expression\(|url\((?!\s*['\"]?#)",
    re.IGNORECASE,
)
EMPTY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'


def sanitize_svg(svg: str) -> str:
    """The SVG without what could run in a browser that opens the file:
    scripts, event handlers, links other than to itself or to embedded
    images, and style that loads or runs anything. A clean SVG (every one
    matplotlib writes) comes back unchanged, byte for byte; one that is not
    XML, or declares entities, becomes an empty image."""
    if "<!ENTITY" in svg:
        return EMPTY_SVG
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return EMPTY_SVG
    if root.tag != f"{_SVG}svg":
        return EMPTY_SVG
    if not _clean(root):
        return svg
    for prefix, uri in _NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    return ET.tostring(root, encoding="unicode") + "\n"


def _clean(element: ET.Element) -> bool:
    """Remove what is unsafe under `element`; True if anything was."""
    changed = False
    for child in list(element):
        if child.tag not in _ELEMENTS or (
            child.tag == f"{_SVG}style"
            and _UNSAFE_TEXT.search(child.text or "")
        ):
            element.remove(child)
            changed = True
        else:
            changed |= _clean(child)
    for name, value in list(element.attrib.items()):
        local = name.rpartition("}")[2].lower()
        text = re.sub(r"[\s\x00-\x1f]", "", value)
        if (
            local.startswith("on")
            or (name in _HREFS and not _SAFE_HREF.match(text))
            or _UNSAFE_TEXT.search(text)
        ):
            del element.attrib[name]
            changed = True
    return changed
