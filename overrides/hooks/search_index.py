"""MkDocs hook: a search index whose previews read well and whose ranking
follows the glossary.

It rewrites the one index mkdocs-static-i18n writes for both languages,
after the last build (see on_post_build's priority):

- Formulas: the index holds each section's text with its TeX, which result
  previews showed raw (`\\hat{\\mathbf y}`). Each formula becomes readable
  plain text (`ŷ`, see tex_text.py); code blocks are left as they are.
- The glossary's preview: one line per term ("term · English: meaning"),
  not its table's cells run together.
- Keywords: the glossary (docs/glossary*.md) lists each term with the note
  that explains it. That note's entry (the section, if the link has an
  anchor) gets the row's Chinese and English terms in a `keywords` field,
  which `plugins.search.fields` in mkdocs.yml boosts above titles: a query
  for a glossary term finds the note that explains it first, not the
  glossary or a page that merely mentions it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jieba
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from tex_text import tex_to_text

log = logging.getLogger("mkdocs.hooks.search_index")

GLOSSARY = "glossary/"  # the glossary's location in each language
INDEX = Path("search") / "search_index.json"

_CODE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.DOTALL)
_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.DOTALL)
_HREF = re.compile(r'<a [^>]*href="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TERM_COLUMNS = 2  # a glossary row: Chinese term, English term, ...


def readable_math(text: str) -> str:
    """Index text with each TeX formula outside code as plain text."""
    parts = _CODE.split(text)
    # re.split with one group: even items are outside code, odd ones code.
    parts[::2] = [
        _MATH.sub(lambda m: tex_to_text(m[1] or m[2]), part)
        for part in parts[::2]
    ]
    return "".join(parts)


def glossary_keywords(html: str, location: str) -> dict[str, list[str]]:
    """Terms of each glossary row, by the location the row links to.

    `location` is the glossary's own location in the index ("glossary/",
    "en/glossary/"); the returned locations are in the same form.
    """
    keywords: dict[str, list[str]] = defaultdict(list)
    base = f"http://site/{location}"
    for row in _ROW.findall(html):
        cells = _CELL.findall(row)
        if len(cells) <= TERM_COLUMNS:
            continue
        terms = [_TAG.sub("", cell).strip() for cell in cells[:TERM_COLUMNS]]
        for href in _HREF.findall(cells[-1]):
            target = urlsplit(urljoin(base, href))
            anchor = f"#{target.fragment}" if target.fragment else ""
            keywords[target.path.lstrip("/") + anchor] += terms
    return keywords


def glossary_text(html: str, text: str) -> str:
    """The glossary's index text as one line per term, "term · English:
    meaning", after its introduction; not the table's cells run together
    (header, terms, meanings and links), which previews showed."""
    intro = text.split("</p>", 1)[0] + "</p>" if "</p>" in text else ""
    lines = []
    for row in _ROW.findall(html):
        cells = [cell.strip() for cell in _CELL.findall(row)]
        if len(cells) <= TERM_COLUMNS:
            continue
        zh, en, meaning = cells[0], cells[1], cells[2]
        colon = "：" if _HAN.search(_TAG.sub("", meaning)) else ": "
        lines.append(f"<p>{zh} · {en}{colon}{meaning}</p>")
    return " ".join([intro, *(segmented(line) for line in lines)]).strip()


def segmented(text: str) -> str:
    """Text with Chinese split into words as Material indexes it (U+200B)."""
    return _HAN.sub(
        lambda m: "\u200b" + "\u200b".join(jieba.cut(m[0])) + "\u200b", text
    ).strip("\u200b")


def add_keywords(docs: list[dict[str, Any]], site_dir: Path) -> None:
    """Give the entries the glossaries link to their terms as keywords."""
    keywords: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        if doc["location"].endswith(GLOSSARY):
            page = site_dir / doc["location"] / "index.html"
            html = page.read_text(encoding="utf-8")
            found = glossary_keywords(html, doc["location"])
            for target, terms in found.items():
                keywords[target] += terms
    by_location = {doc["location"]: doc for doc in docs}
    for target, terms in keywords.items():
        doc = by_location.get(target) or by_location.get(target.split("#")[0])
        if doc is None:
            log.warning(f"The glossary links {target}, which is not indexed")
            continue
        doc["keywords"] = distinct_words(segmented(" ".join(terms)))


# What the search separator (mkdocs.yml) splits keywords into, roughly:
# enough to tell one word from another.
_WORD_GAP = re.compile(r"[\s\u200b()（）,，、]+")


def distinct_words(keywords: str) -> str:
    """Each word of the keywords once, in order, spaces between.

    A word counts once for its page however many glossary rows name it:
    "softmax" from the rows softmax, softmax 回归 and softmax regression
    must not rank training above activations, whose row is softmax.
    """
    seen: dict[str, str] = {}
    for word in _WORD_GAP.split(keywords):
        if word:
            seen.setdefault(word.lower(), word)
    return " ".join(seen.values())


# After mkdocs-static-i18n (-100), which writes the index of both
# languages at the end of the last build.
@event_priority(-150)
def on_post_build(config: MkDocsConfig) -> None:
    """Rewrite the search index: readable formulas, glossary keywords."""
    path = Path(config.site_dir) / INDEX
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        if doc["location"].endswith(GLOSSARY):
            page = Path(config.site_dir) / doc["location"] / "index.html"
            html = page.read_text(encoding="utf-8")
            doc["text"] = glossary_text(html, doc["text"])
        doc["title"] = readable_math(doc["title"])
        doc["text"] = readable_math(doc["text"])
    add_keywords(index["docs"], Path(config.site_dir))
    path.write_text(
        json.dumps(index, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
