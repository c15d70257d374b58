"""The execution report: every snippet of a build, as a Markdown table."""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from execnotes.build.build import Build


class _Words(NamedTuple):
    headings: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    summary: str


_WORDS = (
    (
        "en",
        _Words(
            ("Snippet", "Pages", "Status", "Source", "Seconds"),
            (
                *(("ran", "ran"), ("cache", "cache")),
                *(("remote", "remote cache"), ("missing", "missing")),
            ),
            "{total} snippets: {ran} ran in this build, {cached} came from "
            "the cache, {failed} failed; {seconds:.1f} s of run time in all.",
        ),
    ),
    (
        "zh",
        _Words(
            ("代码片段", "页面", "状态", "来源", "秒"),
            (
                *(("ran", "运行"), ("cache", "缓存")),
                *(("remote", "远程缓存"), ("missing", "缺失")),
            ),
            "共 {total} 个代码片段：本次构建运行 {ran} 个，取自缓存 {cached} "
            "个，失败 {failed} 个；运行时间合计 {seconds:.1f} 秒。",
        ),
    ),
)


def report_table(build: Build, page: str, language: str) -> list[str]:
    """A summary line and a table of every run of `build`, listing the
    pages of `page`'s language, in `language` (English if unknown)."""
    words = dict(_WORDS).get(language) or _WORDS[0][1]
    sources = dict(words.sources)
    rows = [
        "| " + " | ".join(words.headings) + " |",
        "|" + "---|" * (len(words.headings) - 1) + "--:|",
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
            f"{sources.get(result.source, result.source)} | "
            f"{outcome.duration:.2f} |"
        )
    summary = words.summary.format(**build.counts()._asdict())
    return ["", summary, "", *rows, ""]


def _link(target: str, page: str) -> str:
    relative = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return f"[{target.split('.', maxsplit=1)[0]}]({relative})"


def _suffix(page: str) -> str:
    """The language suffix of a page name ('en' of 'losses.en.md')."""
    match = re.search(r"\.(\w\w)\.(?:md|ipynb)$", page)
    return match.group(1) if match else ""
