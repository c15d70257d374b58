"""Every text a reader sees is in execnotes.core.strings, in every
language, with the same placeholders: a new language is one new entry."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from execnotes.core import strings

PACKAGE = Path(strings.__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def fields(text: str) -> set[str]:
    """The names of `text`'s format placeholders."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", sorted(strings.STRINGS))
def test_each_language_has_every_text(language: str) -> None:
    expected = strings.STRINGS[strings.FALLBACK].keys()
    found = strings.STRINGS[language].keys()
    assert found == expected, (
        f"execnotes.core.strings: {language!r} lacks "
        f"{sorted(expected - found)} and has extra {sorted(found - expected)}"
    )


@pytest.mark.parametrize("language", sorted(strings.STRINGS))
def test_each_text_has_the_fallbacks_placeholders(language: str) -> None:
    for key, text in strings.STRINGS[language].items():
        expected = fields(strings.STRINGS[strings.FALLBACK][key])
        assert fields(text) == expected, f"{language} {key}: {text!r}"


def test_no_other_module_holds_chinese_text() -> None:
    """A Chinese text outside the table is a string a new language would
    miss (comments and docstrings included: the code is in English)."""
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "strings.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if CJK.search(line)
    ]
    assert found == [], f"move these texts to execnotes.core.strings: {found}"


def test_an_unknown_language_reads_the_fallback() -> None:
    assert strings.words("xx") == strings.STRINGS[strings.FALLBACK]
    assert strings.section("zh", "block")["output"] == "输出"
