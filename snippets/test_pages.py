"""Tests of the notes' prose: sentences that read a number from the run.

They read the Markdown source, which is cheap; the numbers themselves are
pinned by the tests of each snippet module.
"""

import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).parent.parent / "docs"
NOTES = sorted(
    path
    for path in DOCS.glob("*.md")
    if not path.name.startswith(("index", "guarantees", "authoring"))
)


def page(name):
    """The Markdown source of docs/NAME."""
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTES, ids=lambda path: path.name)
def test_no_page_calls_a_difference_rounding_by_hand(path):
    """A quoted *diff value is never followed by a typed-in 'rounding'."""
    typed = re.compile(
        r'\["\w*diff"\][^}]*\}\}[\s,，:：]*(float32 rounding|是 float32|只是)'
    )
    assert not typed.search(path.read_text(encoding="utf-8")), path.name
