"""Paths and names shared by the site tests (imported by conftest too).

A module with a unique name rather than `conftest`: other test folders have
their own conftest.py, and `import conftest` could find theirs.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.utils.yaml import yaml_load

# GLUON_SITE_ROOT builds another checkout, e.g. a scratch copy with stubs.
ROOT = Path(
    os.environ.get("GLUON_SITE_ROOT") or Path(__file__).resolve().parents[2]
)
DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")  # zh is the default language, served from "/"


def page_names() -> list[str]:
    """Names of the pages in docs/, e.g. "index", "losses"."""
    return sorted({p.name.split(".")[0] for p in DOCS.glob("*.md")})


def notebook_page_names() -> list[str]:
    """Names of the notebook pages in docs/ ("sweep" for sweep.ipynb)."""
    return sorted({p.name.split(".")[0] for p in DOCS.glob("*.ipynb")})


def notebook_source(name: str, language: str) -> Path:
    """The .ipynb file of a notebook page in a language."""
    suffix = ".ipynb" if language == LANGUAGES[0] else f".{language}.ipynb"
    return DOCS / f"{name}{suffix}"


def page_path(name: str, language: str) -> str:
    """Site path of a page, relative to the site root ("en/losses/")."""
    prefix = "" if language == LANGUAGES[0] else f"{language}/"
    return prefix if name == "index" else f"{prefix}{name}/"


# The 404 page of each language, as a page name for site_path().
NOT_FOUND = "404"
# Pages for authors, kept out of search (front matter `search: exclude`).
AUTHOR_PAGES = ("authoring", "guarantees", "report")


@functools.cache
def html(site_dir: Path, path: str) -> BeautifulSoup:
    """The parsed HTML of a site path such as "en/losses/", parsed once
    per session: the tests share it, and only read it."""
    text = (site_dir / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(text, "html.parser")


def site_path(name: str, language: str) -> str:
    """Site path of a page, or (for NOT_FOUND) of a language's 404 page."""
    if name == NOT_FOUND:
        return page_path("index", language) + "404.html"
    return page_path(name, language)


def source(name: str, language: str) -> Path:
    """The Markdown file of a page in a language."""
    suffix = ".md" if language == LANGUAGES[0] else f".{language}.md"
    return DOCS / f"{name}{suffix}"


# A fence line, and the info string of a runner block (as src/execnotes
# reads them: only fences outside other fences count, so an example of
# the syntax inside a ````markdown fence is not a block).
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_BLOCK = re.compile(r"^\{(?P<kind>show|run)\}\s*(?P<target>\S.*?)\s*$")
# `hide: code` or a list naming it (`hide: code, output`), as options.py
_HIDE_CODE = re.compile(r"^\s*hide\s*:(?:[^#]*,)?\s*code\s*(?:,.*)?$")


@dataclass(frozen=True)
class CodeBlock:
    """A {show} or {run} block of a page's Markdown source."""

    kind: str  # "show" or "run"
    target: str  # e.g. "snippets.losses.squared_loss"
    hides_code: bool  # `hide: code`: the page shows the output only


def code_blocks(name: str, language: str) -> list[CodeBlock]:
    """The {show}/{run} blocks of a page's source, in order ([] if none)."""
    path = source(name, language)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[CodeBlock] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        fence = match["fence"]
        closing = next(
            (
                i
                for i in range(index + 1, len(lines))
                if lines[i].strip().startswith(fence)
                and not lines[i].strip().strip(fence[0])
            ),
            len(lines),
        )
        block = _BLOCK.match(match["info"].strip())
        if block is not None:
            body = lines[index + 1 : closing]
            blocks.append(
                CodeBlock(
                    kind=block["kind"],
                    target=block["target"],
                    hides_code=any(map(_HIDE_CODE.match, body)),
                )
            )
        index = closing + 1
    return blocks


def code_page_names() -> list[str]:
    """Pages whose source (in any language) has a {show} or {run} block.

    These are the pages the runner turns into a notebook.
    """
    return [
        name
        for name in page_names()
        if any(code_blocks(name, language) for language in LANGUAGES)
    ]


def prose_page_names() -> list[str]:
    """Pages with no {show} or {run} block in any language."""
    code = set(code_page_names())
    return [name for name in page_names() if name not in code]


def show_page_names() -> list[str]:
    """Pages whose source shows a definition: a {show} block, code shown."""
    return [
        name
        for name in page_names()
        if any(
            block.kind == "show" and not block.hides_code
            for language in LANGUAGES
            for block in code_blocks(name, language)
        )
    ]


@dataclass
class PageLog:
    """What the pages of one test did that a reader would not want."""

    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


BUILD_TIMEOUT = 1800  # a first build runs every snippet (training demos too)


def build_site(out: Path, **extra: str) -> Path:
    """Build the real site into `out` with `mkdocs build --strict` (and
    `extra` in the environment); fail the test with the build's problems."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "SOURCE_DATE_EPOCH": "0",  # the sitemap's dates
        **extra,
    }
    env.pop("SITE_URL", None)  # links must work from the local server root
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        log = (result.stdout + result.stderr).strip().splitlines()
        problems = [line for line in log if not line.startswith("INFO")]
        pytest.fail(
            f"`mkdocs build --strict` failed in {ROOT}:\n"
            + "\n".join(problems[-40:]),
            pytrace=False,
        )
    return out


# Left out of a copy of the project when it is not a git checkout: the
# virtual environments, builds and caches (top-level names).
_LEFT_OUT = {".git", ".venv", ".reader-venv", "site", "build", "node_modules"}


def copy_project(target: Path) -> None:
    """Copy the project as a clone has it (the files git tracks), with its
    snippet cache, into `target`."""
    listed = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout: copy all but caches
        _copy_tree(target)
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    cache = ROOT / ".execnotes-cache"
    if cache.is_dir():  # results: no snippet re-runs
        shutil.copytree(cache, target / ".execnotes-cache")


def _copy_tree(target: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder).resolve() == ROOT.resolve()
        caches = {n for n in names if n.endswith((".egg-info", "_cache"))}
        caches.discard(".execnotes-cache")  # results: no snippet re-runs
        return (
            (_LEFT_OUT & set(names) if top else set())
            | caches
            | {"__pycache__"}
        )

    shutil.copytree(ROOT, target, ignore=ignore)


def nav_files() -> list[str]:
    """Every page file of mkdocs.yml's nav (the home page, notes and
    notebooks), in nav order."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        nav = yaml_load(f)["nav"]
    found: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            value = (
                next(iter(item.values())) if isinstance(item, dict) else item
            )
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str):
                found.append(value)

    walk(nav)
    return found
