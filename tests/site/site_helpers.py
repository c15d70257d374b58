"""Paths and names shared by the site tests (imported by conftest too).

A module with a unique name rather than `conftest`: other test folders have
their own conftest.py, and `import conftest` could find theirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# GLUON_SITE_ROOT builds another checkout, e.g. a scratch copy with stubs.
ROOT = Path(
    os.environ.get("GLUON_SITE_ROOT") or Path(__file__).resolve().parents[2]
)
DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")  # zh is the default language, served from "/"


def page_names() -> list[str]:
    """Names of the pages in docs/, e.g. "index", "losses"."""
    return sorted({p.name.split(".")[0] for p in DOCS.glob("*.md")})


def page_path(name: str, language: str) -> str:
    """Site path of a page, relative to the site root ("en/losses/")."""
    prefix = "" if language == LANGUAGES[0] else f"{language}/"
    return prefix if name == "index" else f"{prefix}{name}/"


def source(name: str, language: str) -> Path:
    """The Markdown file of a page in a language."""
    suffix = ".md" if language == LANGUAGES[0] else f".{language}.md"
    return DOCS / f"{name}{suffix}"


@dataclass
class PageLog:
    """What the pages of one test did that a reader would not want."""

    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
