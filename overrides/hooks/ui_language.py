"""MkDocs hook: the UI text that Markdown writes, in the page's language.

Python-Markdown's toc extension titles every heading's permalink
"Permanent link", and markdown_extensions cannot differ per language.
This hook retitles them with `extra.ui.permalink`, which
mkdocs-static-i18n sets per language (see mkdocs.yml).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

_PERMALINK = re.compile(r'(<a class="headerlink" href="[^"]*" title=")[^"]*"')


def retitle_permalinks(content: str, title: str) -> str:
    """The HTML with every heading permalink titled `title`."""
    escaped = escape(title, quote=True)
    return _PERMALINK.sub(lambda m: f'{m[1]}{escaped}"', content)


def on_page_content(html: str, config: MkDocsConfig, **kwargs: Any) -> str:
    """Title the page's permalinks in its language."""
    return retitle_permalinks(html, config.extra["ui"]["permalink"])
