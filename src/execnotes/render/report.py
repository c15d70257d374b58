"""The execution report: every snippet of a build, as a Markdown table."""

from __future__ import annotations

import posixpath
import re

from execnotes.build.build import Build
from execnotes.core import strings

_HEADINGS = ("snippet", "pages", "status", "source", "seconds")


def report_table(build: Build, page: str, language: str) -> list[str]:
    """A summary line and a table of every run of `build`, listing the
    pages of `page`'s language, in `language` (English if unknown)."""
    words = strings.section(language, "report")
    headings = [words[f"heading.{key}"] for key in _HEADINGS]
    rows = [
        "| " + " | ".join(headings) + " |",
        "|" + "---|" * (len(headings) - 1) + "--:|",
    ]
    ordered = sorted(build.results.values(), key=lambda r: r.name)
    for result in ordered:
        outcome = result.outcome
        pages = sorted(
            {p for p, _ in result.uses if _suffix(p) == _suffix(page)}
        )
        links = ", ".join(_link(target, page) for target in pages)
        rows.append(
            f"| `{result.name}` | {links} | {outcome.status} | "
            f"{words.get('source.' + result.source, result.source)} | "
            f"{outcome.duration:.2f} |"
        )
    summary = words["summary"].format(**build.counts()._asdict())
    return ["", summary, "", *rows, ""]


def _link(target: str, page: str) -> str:
    relative = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return f"[{target.split('.', maxsplit=1)[0]}]({relative})"


def _suffix(page: str) -> str:
    """The language suffix of a page name ('en' of 'losses.en.md')."""
    match = re.search(r"\.(\w\w)\.(?:md|ipynb)$", page)
    return match.group(1) if match else ""
