"""MkDocs hook: the home page's reading path and contents, from the nav.

The home page lists every page of the navigation, in its order and its
sections, so that a page added to or moved in `nav:` is linked from the
home page in both languages without editing it. A page's Markdown asks for
them with a line of its own:

- `<!-- nav: path -->`: one numbered item per section, its pages linked
  in reading order;
- `<!-- nav: contents -->`: a table of every page with what it covers,
  taken from the `contents:` mapping of the page's front matter (page
  file to text), else from that page's own `description`. A page with
  neither is a warning, so `mkdocs build --strict` names what is missing.

Titles come from each page's first heading (a notebook's first Markdown
cell), in the language being built.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

log = logging.getLogger("mkdocs.hooks.contents")

_MARKER = re.compile(
    r"^<!--\s*nav:\s*(?P<what>path|contents)\s*-->[ \t]*$", re.MULTILINE
)
_HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
# Column titles of the contents table, by language (zh is the default).
_COLUMNS = {
    "zh": ("部分", "笔记", "内容"),
    "en": ("Part", "Note", "What it covers"),
}


Sections = list[tuple[str, list[Page]]]  # (title, pages) in nav order


class _Contents:
    """The navigation of the language being built (MkDocs loads a hook
    once per run; mkdocs-static-i18n builds each language in turn)."""

    def __init__(self) -> None:
        self.sections: Sections = []

    def remember(self, nav: Navigation) -> None:
        self.sections = []
        loose: list[Page] = []
        for item in nav.items:
            if isinstance(item, Section):
                self.sections.append((str(item.title), _pages(item)))
            elif isinstance(item, Page):
                loose.append(item)
        # Pages outside any section come first.
        if loose:
            self.sections.insert(0, ("", loose))

    def expand(self, markdown: str, page: Page, language: str) -> str:
        described: dict[str, str] = page.meta.get("contents") or {}
        # The page that lists the others (the home page) leaves itself out.
        sections = [
            (title, [p for p in pages if p.file.src_uri != page.file.src_uri])
            for title, pages in self.sections
        ]
        sections = [(title, pages) for title, pages in sections if pages]

        def replace(match: re.Match[str]) -> str:
            if match["what"] == "path":
                return _path(sections, "：" if language == "zh" else ": ")
            return _table(sections, described, page, language)

        return _MARKER.sub(replace, markdown)


def _path(sections: Sections, colon: str) -> str:
    lines = []
    for number, (title, pages) in enumerate(sections, start=1):
        links = " → ".join(_link(page) for page in pages)
        head = f"**{title}**{colon}" if title else ""
        lines.append(f"{number}. {head}{links}")
    return "\n".join(lines)


def _table(
    sections: Sections, described: dict[str, str], home: Page, language: str
) -> str:
    part, note, covers = _COLUMNS.get(language, _COLUMNS["en"])
    rows = [f"| {part} | {note} | {covers} |", "| --- | --- | --- |"]
    for title, pages in sections:
        for index, page in enumerate(pages):
            text = _description(page, described, home)
            section = f"**{title}**" if index == 0 and title else ""
            rows.append(f"| {section} | {_link(page)} | {text} |")
    return "\n".join(rows)


def _pages(section: Section) -> list[Page]:
    found: list[Page] = []
    for child in section.children:
        if isinstance(child, Section):
            found += _pages(child)
        elif isinstance(child, Page):
            found.append(child)
    return found


def _link(page: Page) -> str:
    return f"[{_title(page)}]({_source_name(page)})"


def _source_name(page: Page) -> str:
    """The file name a link in any language's page uses ("mlp.md"):
    mkdocs-static-i18n points it at the twin of the language built."""
    name = Path(page.file.src_uri).name
    return re.sub(r"\.[a-z]{2}(?=\.(?:md|ipynb)$)", "", name)


def _title(page: Page) -> str:
    path = Path(page.file.abs_src_path or "")
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(
            "".join(cell["source"])
            for cell in cells
            if cell["cell_type"] == "markdown"
        )
    else:
        text, found = meta.get_data(path.read_text(encoding="utf-8"))
        if found.get("title"):
            return str(found["title"])
    heading = _HEADING.search(text)
    return heading["title"] if heading else str(page.title or path.stem)


def _description(page: Page, described: dict[str, str], home: Page) -> str:
    name = _source_name(page)
    if name in described:
        return described[name]
    path = Path(page.file.abs_src_path or "")
    own: dict[str, Any] = {}
    if path.suffix == ".md":
        _, own = meta.get_data(path.read_text(encoding="utf-8"))
    if own.get("description"):
        return str(own["description"])
    log.warning(
        f"{home.file.src_uri}: the contents table has no text for "
        f"{name!r}; add `{name}: ...` under `contents:` in its front "
        "matter (or a `description:` to that page's)"
    )
    return ""


_CONTENTS = _Contents()


# After mkdocs-static-i18n's on_nav (-100), which translates the section
# titles (nav_translations) and gives each language its own pages.
@event_priority(-150)
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    """Remember the navigation of the language being built."""
    _CONTENTS.remember(nav)
    return nav


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files
) -> str:
    """Replace the page's `<!-- nav: ... -->` lines."""
    if "<!--" not in markdown:
        return markdown
    # mkdocs-static-i18n marks each file with its language.
    locale = getattr(page.file, "locale", None) or config.theme.locale
    language = str(getattr(locale, "language", locale) or "en")
    return _CONTENTS.expand(markdown, page, language)
