"""Every page has a twin in the other language, embedding the same code.

These tests read docs/ only (no build): a page added in one language, or a
{show}/{run} block added, removed or reordered in one language only, fails
here with the names of the files to fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.site.site_helpers import ROOT, page_names, source

DIRECTIVE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{(?:show|run)\}.*?)\s*$")
INLINE_VALUE = re.compile(r"\{\{\s*(snippets\.[\w.\-]+(?:\[[^\]]*\])?)")


def directives(path: Path) -> list[str]:
    """The info strings of the {show}/{run} fences of a page, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [m.group(2) for m in map(DIRECTIVE.match, lines) if m]


# Words that depend on a value come back in both languages, as KEY_en and
# KEY_zh (snippets/phrases.py); each page quotes its own.
PHRASE_KEY = re.compile(r'_(?:en|zh)"\]$')


def inline_values(path: Path) -> set[str]:
    """The snippet values a page quotes in its prose ({{ snippets... }})."""
    found = INLINE_VALUE.findall(path.read_text(encoding="utf-8"))
    return {PHRASE_KEY.sub('_{language}"]', value) for value in found}


def twins_of(name: str) -> tuple[Path, Path]:
    """The zh and en files of a page; fails the test if one is missing."""
    zh, en = source(name, "zh"), source(name, "en")
    missing = [str(p.relative_to(ROOT)) for p in (zh, en) if not p.exists()]
    assert not missing, f"missing translation: {', '.join(missing)}"
    return zh, en


@pytest.mark.parametrize("name", page_names())
def test_page_has_a_twin(name: str) -> None:
    """docs/NAME.md and docs/NAME.en.md exist together."""
    files = [source(name, language) for language in ("zh", "en")]
    missing = [str(p.relative_to(ROOT)) for p in files if not p.exists()]
    assert not missing, f"missing translation: {', '.join(missing)}"


@pytest.mark.parametrize("name", page_names())
def test_twins_embed_the_same_code(name: str) -> None:
    """Both languages have the same {show}/{run} lines in the same order."""
    zh, en = twins_of(name)
    assert directives(en) == directives(zh), (
        f"{en.relative_to(ROOT)} and {zh.relative_to(ROOT)} must embed "
        "the same {show}/{run} blocks in the same order"
    )


@pytest.mark.parametrize("name", page_names())
def test_twins_quote_the_same_values(name: str) -> None:
    """Both languages quote the same measured values in their prose."""
    zh, en = twins_of(name)
    assert inline_values(en) == inline_values(zh), (
        f"{en.relative_to(ROOT)} and {zh.relative_to(ROOT)} must quote the "
        "same {{ snippets... }} values"
    )


def test_directive_pattern_reads_the_runner_syntax() -> None:
    """The drift check recognises the fences the runner replaces."""
    page = "```{show} snippets.a.f\n```\n~~~~{run} snippets.a.show_f\n~~~~\n"
    found = [m.group(2) for m in map(DIRECTIVE.match, page.splitlines()) if m]
    assert found == ["{show} snippets.a.f", "{run} snippets.a.show_f"]
