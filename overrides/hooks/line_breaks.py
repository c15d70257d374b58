"""MkDocs hook: lines wrap where the text may wrap.

- No stray space where Chinese prose was wrapped. Markdown turns a line
  break inside a paragraph into a space. Between two Chinese characters
  that space shows ("笔记。 中文"): browsers do not apply CSS Text's rule
  that drops such breaks between CJK characters. This hook removes the
  line breaks that stand between two CJK characters (HTML tags in between
  are allowed) in each page's HTML, outside <pre> blocks, so authors can
  wrap Chinese sentences at 79 columns. A break next to Latin text or code
  is kept: there a space is wanted.
- Code names wrap at their dots. A long name (`gluon.loss.L2Loss`,
  `snippets.training.show_softmax_regression` in a table) had no place to
  wrap: in a table on a phone the first column alone filled the screen;
  in prose Material's last-resort rule broke it anywhere, often right
  before the punctuation after it. A <wbr> after each dot and underscore
  of inline code lets it wrap there; copied text is the same.
- No line that starts with a full stop "。" after a formula. KaTeX lays an
  inline formula out as inline blocks, which always allow a line break
  after them, so the punctuation that follows a formula could start a
  line (and an opening bracket before one end a line). Each such formula
  is put in one no-wrap span with that punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Han, kana, CJK and full-width punctuation, and the quotes, dashes and
# ellipsis Chinese shares with English.
_CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026]"
_TAGS = r"((?:<[^<>]+>)*)"
_BREAK = re.compile(rf"(?<={_CJK}){_TAGS}[ \t]*\n[ \t]*{_TAGS}(?={_CJK})")
_PRE = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL)
# Punctuation that must not start a line, and that must not end one.
_CLOSING = "。，、；：！？）」』】》〉”’…"
_OPENING = "（「『【《〈“‘"
_GLUED = re.compile(
    rf"(?P<open>[{_OPENING}]*)"
    r'(?P<math><span class="arithmatex">[^<]*</span>)'
    rf"(?P<close>[{_CLOSING}]*)"
)
_CODE = re.compile(r"(<code>)([^<]*)(</code>)")
_NAME_BREAK = re.compile(r"(?<=[._])(?=[A-Za-z])")


def join_cjk_lines(html: str) -> str:
    """The HTML without line breaks between two CJK characters."""
    return _outside_pre(html, lambda part: _BREAK.sub(r"\1\2", part))


def breakable_code(html: str) -> str:
    """The HTML with a <wbr> after each dot or underscore of inline code."""
    return _outside_pre(html, lambda part: _CODE.sub(_breakable, part))


def glue_punctuation(html: str) -> str:
    """The HTML with inline formulas glued to the punctuation around them."""
    return _outside_pre(html, lambda part: _GLUED.sub(_glued, part))


def _breakable(code: re.Match[str]) -> str:
    return code[1] + _NAME_BREAK.sub("<wbr>", code[2]) + code[3]


def _glued(match: re.Match[str]) -> str:
    if not (match["open"] or match["close"]):
        return match[0]
    return f'<span class="cjk-nowrap">{match[0]}</span>'


def _outside_pre(html: str, change: Callable[[str], str]) -> str:
    parts = _PRE.split(html)
    # re.split with one group: even items are outside <pre>, odd ones inside.
    parts[::2] = [change(part) for part in parts[::2]]
    return "".join(parts)


def on_page_content(html: str, **kwargs: Any) -> str:
    """Let the page's lines wrap only where they may (before search)."""
    return glue_punctuation(breakable_code(join_cjk_lines(html)))
