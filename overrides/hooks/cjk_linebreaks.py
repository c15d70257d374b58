"""MkDocs hook: no stray space where Chinese prose was wrapped.

Markdown turns a line break inside a paragraph into a space. Between two
Chinese characters that space shows ("笔记。 中文"): browsers do not apply
CSS Text's rule that drops such breaks between CJK characters. This hook
removes the line breaks that stand between two CJK characters (HTML tags
in between are allowed) in each page's HTML, outside <pre> blocks, so
authors can wrap Chinese sentences at 79 columns. A break next to Latin
text or code is kept: there a space is wanted.
"""

from __future__ import annotations

import re
from typing import Any

# Han, kana, CJK and full-width punctuation, and the quotes, dashes and
# ellipsis Chinese shares with English.
_CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026]"
_TAGS = r"((?:<[^<>]+>)*)"
_BREAK = re.compile(rf"(?<={_CJK}){_TAGS}[ \t]*\n[ \t]*{_TAGS}(?={_CJK})")
_PRE = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL)


def join_cjk_lines(html: str) -> str:
    """The HTML without line breaks between two CJK characters."""
    parts = _PRE.split(html)
    # re.split with one group: even items are outside <pre>, odd ones inside.
    parts[::2] = [_BREAK.sub(r"\1\2", part) for part in parts[::2]]
    return "".join(parts)


def on_page_content(html: str, **kwargs: Any) -> str:
    """Join wrapped CJK lines of every page (before search indexes it)."""
    return join_cjk_lines(html)
