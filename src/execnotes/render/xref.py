"""Cross-references: anchors on shown code, links to where names are shown.

Every block that shows code gets a stable anchor (the snippet's dotted
name). A name that shown code imports from the package links to the block
that shows its definition, preferably on the same page, else on the page
that shows most of that module, the way API references link their code.
The adapter says how pages become URLs (`Links`); the core knows no site.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from execnotes.build.build import Build, Resolved
from execnotes.source.package import ExportError, Key, Package

PageUrl = Callable[[str], str | None]


def _nowhere(page: str) -> str | None:
    return None


@dataclass(frozen=True)
class Links:
    """How the adapter turns a page (its source path) into URLs."""

    page_url: PageUrl = field(default=_nowhere)
    """The URL of a page relative to the page being rendered, or None when
    that page is not part of this build (another language)."""
    published_url: PageUrl = field(default=_nowhere)
    """The absolute URL of a page on the published site, or None when the
    site has no `site_url`."""


Place = tuple[str, str]  # (page, anchor)
_NAME_SPAN = re.compile(
    r'(?<!<span class="o">\.</span>)<span class="n">(?P<name>\w+)</span>'
)


def shows_code(item: Resolved) -> bool:
    """Whether a block shows code on the page."""
    return item.snippet is not None and not item.directive.options.hide_code


def block_anchors(items: Iterable[Resolved]) -> dict[int, str]:
    """The anchor of each block that shows code, by the block's line."""
    anchors: dict[int, str] = {}
    seen: Counter[str] = Counter()
    for item in items:
        if shows_code(item):
            name = item.directive.target
            seen[name] += 1
            suffix = f"-{seen[name]}" if seen[name] > 1 else ""
            anchors[item.directive.line] = name + suffix
    return anchors


def shown_places(build: Build, package: Package) -> dict[Key, list[Place]]:
    """Every page and anchor that shows each definition."""
    places: dict[Key, list[Place]] = {}
    for page, items in build.pages.items():
        anchors = block_anchors(items)
        for item in items:
            if not shows_code(item) or item.snippet is None:
                continue
            try:
                provided = package.unit(item.snippet).provides
            except (ExportError, SyntaxError, OSError):
                continue  # reported on the block's own page
            for key in provided:
                places.setdefault(key, []).append(
                    (page, anchors[item.directive.line])
                )
    return places


def shown_counts(places: dict[Key, list[Place]]) -> Counter[tuple[str, str]]:
    """How many definitions of each module each page shows."""
    return Counter(
        (where, key[0]) for key, found in places.items() for where, _ in found
    )


def code_links(
    names: dict[str, Key],
    places: dict[Key, list[Place]],
    page: str,
    links: Links,
    shown_per_page: Counter[tuple[str, str]] | None = None,
) -> dict[str, str]:
    """The link of each name that shown code imports from the package
    (`shown_per_page`: `shown_counts(places)`, worked out once a build)."""
    if shown_per_page is None:
        shown_per_page = shown_counts(places)
    hrefs: dict[str, str] = {}
    for name, key in names.items():
        ranked = sorted(
            places.get(key, []),
            key=lambda place: (
                place[0] != page,
                -shown_per_page[(place[0], key[0])],
                place[0],
            ),
        )
        for where, anchor in ranked:
            url = "" if where == page else links.page_url(where)
            if url is not None:
                hrefs[name] = f"{url}#{anchor}"
                break
    return hrefs


def link_blocks(
    page_html: str, blocks: dict[str, tuple[str, dict[str, str]]]
) -> str:
    """The page with the names linked in each block's code, which lies
    between an opening and a closing token (`blocks`)."""
    # One pass, in page order (the order the blocks were rendered in):
    # cutting and joining the page once per block made a page quadratic.
    pieces: list[str] = []
    position = 0
    for opening, (closing, hrefs) in blocks.items():
        start = page_html.find(opening, position)
        end = page_html.find(closing, start) if start >= 0 else -1
        if end < 0:
            continue
        code = linkify(page_html[start:end], hrefs)
        pieces += [page_html[position:start], code]
        position = end
    pieces.append(page_html[position:])
    return "".join(pieces)


def linkify(code_html: str, hrefs: dict[str, str]) -> str:
    """Highlighted code with each name in `hrefs` made a link (attribute
    names, such as the `softmax` of `nd.softmax`, are left alone)."""
    if not hrefs:
        return code_html

    def link(match: re.Match[str]) -> str:
        href = hrefs.get(match["name"])
        if href is None:
            return match.group(0)
        return f'<a class="execnotes-xref" href="{href}">{match.group(0)}</a>'

    return _NAME_SPAN.sub(link, code_html)


def notebook_link(
    target: str, page: str, pages: Sequence[str], links: Links
) -> str | None:
    """Where a notebook's link to another note goes: the published page,
    else the sibling notebook if that note has code (`pages`), else
    nowhere (None)."""
    path, _, anchor = target.partition("#")
    source = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    fragment = f"#{anchor}" if anchor else ""
    published = links.published_url(source)
    if published is not None:
        return published + fragment
    if source in pages:
        return notebook_name(_in_language_of(source, page)) + fragment
    return None


def notebook_name(page: str) -> str:
    """The file name of a page's notebook, language suffix kept
    (`losses.md` → losses.ipynb, `losses.en.md` → losses.en.ipynb): a
    reader who downloads both languages gets two files."""
    name = PurePosixPath(page).name
    stem, _, rest = name.partition(".")
    language = rest.rsplit(".", 1)[0] if rest.count(".") else ""
    return f"{stem}.{language}.ipynb" if language else f"{stem}.ipynb"


def _in_language_of(source: str, page: str) -> str:
    """`source` (a link written `losses.md`) as the twin in `page`'s
    language (`losses.en.md` from `sgd.en.md`)."""
    suffixes = PurePosixPath(page).suffixes
    if len(suffixes) < 2 or len(PurePosixPath(source).suffixes) > 1:
        return source
    path = PurePosixPath(source)
    return str(path.with_suffix(suffixes[-2] + path.suffix))
