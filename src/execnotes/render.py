"""Turn a page's blocks and their results into Markdown and HTML fragments.

Code goes back into the Markdown as fenced blocks, so the site's highlighter
and copy buttons treat it like any other code. Outputs, figures and error
boxes are HTML fragments behind placeholder tokens that the adapter swaps in
after Markdown has run, so no output text can be read as Markdown or HTML.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from execnotes.directives import InlineValue, ParsedPage, did_you_mean
from execnotes.notebook import NotebookWriter
from execnotes.protocol import Outcome
from execnotes.session import Build, Resolved, Result

FigureUrl = Callable[[str], str]

_LABELS = {
    "en": ("Snippet", "Pages", "Status", "Source", "Seconds"),
    "zh": ("代码片段", "页面", "状态", "来源", "秒"),
}
_SUMMARY = {
    "en": (
        "{total} snippets: {ran} ran in this build, {cached} came from the "
        "cache, {failed} failed; {seconds:.1f} s of run time in all."
    ),
    "zh": (
        "共 {total} 个代码片段：本次构建运行 {ran} 个，取自缓存 {cached} 个，"
        "失败 {failed} 个；运行时间合计 {seconds:.1f} 秒。"
    ),
}
_SOURCES = {
    "en": {"ran": "ran", "cache": "cache", "missing": "missing"},
    "zh": {"ran": "运行", "cache": "缓存", "missing": "缺失"},
}


@dataclass
class Rendered:
    """A page's new Markdown, its HTML fragments, figures and problems."""

    markdown: str
    fragments: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    notebook: str | None = None

    def swap_in(self, page_html: str) -> str:
        """Replace the placeholder tokens in the page's HTML."""
        for token, fragment in self.fragments.items():
            page_html = page_html.replace(f"<p>{token}</p>", fragment)
            page_html = page_html.replace(token, fragment)
        return page_html


def figure_name(svg: str) -> str:
    """A content-addressed file name for a figure."""
    return hashlib.sha256(svg.encode()).hexdigest()[:20] + ".svg"


class PageRenderer:
    """Renders one page of one build."""

    def __init__(
        self,
        build: Build,
        page: str,
        figure_url: FigureUrl,
        language: str,
        line_offset: int = 0,
    ) -> None:
        self.build = build
        self.page = page
        self.line_offset = line_offset
        self.figure_url = figure_url
        self.language = language if language in _LABELS else "en"
        digest = hashlib.sha256(page.encode()).hexdigest()[:8]
        self._token_prefix = f"EXECNOTES{digest}FRAGMENT"
        self.rendered = Rendered("")

    def render(self, markdown: str) -> Rendered:
        """Return the page with every block and inline value replaced."""
        self.build.scan([(self.page, markdown, self.line_offset)])
        parsed = self.build.parsed[self.page]
        lines = markdown.splitlines()
        first = self.line_offset + 1  # file line of lines[0]
        self._replace_inline_values(parsed, lines)
        for error in parsed.errors:
            self._problem(error.line, "", error.message)
        self.rendered.notebook = self._notebook(lines, first)
        edits = [
            (item.directive.line, item.directive.end_line, self._block(item))
            for item in self.build.pages[self.page]
        ]
        edits += [
            (error.line, error.line - 1, self._error_box("", error.message))
            for error in parsed.errors
        ]
        for start, end, block in sorted(
            edits, key=lambda e: e[0], reverse=True
        ):
            lines[start - first : end - first + 1] = block
        self.rendered.markdown = "\n".join(lines) + "\n"
        return self.rendered

    def _notebook(self, lines: list[str], first: int) -> str | None:
        writer = NotebookWriter()
        cursor = 0
        for item in self.build.pages[self.page]:
            directive = item.directive
            writer.prose("\n".join(lines[cursor : directive.line - first]))
            cursor = directive.end_line - first + 1
            if item.snippet is not None:
                result = item.result
                outcome = None if result is None else result.outcome
                writer.code(item.snippet.shown, outcome)
        writer.prose("\n".join(lines[cursor:]))
        return writer.text() if writer.has_code else None

    def _block(self, item: Resolved) -> list[str]:
        directive = item.directive
        indent = directive.indent
        if item.error is not None:
            label = f"{{{directive.kind}}} {directive.target}"
            self._problem(directive.line, label, item.error)
            return _indented(self._error_box(label, item.error), indent)
        if directive.kind == "report":
            return _indented(self._report(), indent)
        out: list[str] = []
        snippet = item.snippet
        if snippet is not None and not directive.options.hide_code:
            title = directive.options.caption or snippet.path
            out += _code_fence(snippet.shown, title)
        if item.result is not None:
            out += self._result(item, item.result)
        return _indented(out, indent)

    def _result(self, item: Resolved, result: Result) -> list[str]:
        outcome = result.outcome
        directive = item.directive
        out: list[str] = []
        if outcome.status != "ok":
            label = f"{{run}} {directive.target}"
            message = _failure_message(outcome)
            self._problem(directive.line, label, message)
            out += ["", *self._error_box(label, message)]
        if directive.options.hide_output:
            return out
        fragment = _output_html(outcome)
        for svg in outcome.figures:
            fragment += self._figure_html(svg, directive.options.caption)
        if fragment:
            out += ["", self._stash(fragment), ""]
        return out

    def _figure_html(self, svg: str, caption: str | None) -> str:
        name = figure_name(svg)
        self.rendered.figures[name] = svg
        alt = html.escape(caption or "figure", quote=True)
        body = f'<img src="{html.escape(self.figure_url(name))}" alt="{alt}">'
        if caption:
            body += f"<figcaption>{html.escape(caption)}</figcaption>"
        return f'<figure class="execnotes-figure">{body}</figure>'

    def _error_box(self, label: str, message: str) -> list[str]:
        title = f"execnotes: {label}" if label else "execnotes"
        fragment = (
            '<div class="admonition failure execnotes-error">'
            f'<p class="admonition-title">{html.escape(title)}</p>'
            f"<pre><code>{html.escape(message)}</code></pre></div>"
        )
        return [self._stash(fragment), ""]

    def _stash(self, fragment: str) -> str:
        token = f"{self._token_prefix}{len(self.rendered.fragments):04d}"
        self.rendered.fragments[token] = fragment
        return token

    def _problem(self, line: int, label: str, message: str) -> None:
        where = f"{self.page}:{line}: "
        text = f"{where}{label}: {message}" if label else where + message
        self.rendered.problems.append((line, text))

    def _replace_inline_values(
        self, parsed: ParsedPage, lines: list[str]
    ) -> None:
        for value in parsed.inline_values:
            text = self._inline_value(value)
            index = value.line - self.line_offset - 1
            lines[index] = lines[index].replace(value.text, text, 1)

    def _inline_value(self, value: InlineValue) -> str:
        if not self.build.execute:
            return "…"
        runs = [
            item.result
            for item in self.build.pages[self.page]
            if item.directive.kind == "run"
            and item.directive.target == value.target
            and item.result is not None
        ]
        if not runs:
            return self._inline_problem(
                value,
                f"{value.text} refers to {value.target!r}, which this page "
                f"does not run; add a ```{{run}} {value.target} block "
                "(with 'hide: code' if only the number matters)",
            )
        outcome = runs[0].outcome
        if outcome.status != "ok":
            return self._inline_problem(
                value, f"{value.text}: the run of {value.target} failed"
            )
        if value.key not in outcome.values:
            keys = sorted(outcome.values)
            return self._inline_problem(
                value,
                f"{value.text}: {value.target}() returned no value "
                f"{value.key!r} (it returned keys {keys}).",
                did_you_mean(value.key, keys),
            )
        try:
            return html.escape(format(outcome.values[value.key], value.spec))
        except (ValueError, TypeError) as error:
            return self._inline_problem(
                value, f"{value.text}: format spec {value.spec!r}: {error}"
            )

    def _inline_problem(
        self, value: InlineValue, message: str, hint: str = ""
    ) -> str:
        self._problem(value.line, "", message + hint)
        return '<span class="execnotes-error">?</span>'

    def _report(self) -> list[str]:
        self.build.wait_all()
        labels = _LABELS[self.language]
        sources = _SOURCES[self.language]
        rows = [
            "| " + " | ".join(labels) + " |",
            "|" + "---|" * (len(labels) - 1) + "--:|",
        ]
        ordered = sorted(
            self.build.results.values(), key=lambda r: r.snippet.name
        )
        for result in ordered:
            outcome = result.outcome
            pages = sorted(
                {p for p, _ in result.uses if _same_language(p, self.page)}
            )
            links = ", ".join(self._link(page) for page in pages)
            rows.append(
                f"| `{result.snippet.name}` | {links} | {outcome.status} | "
                f"{sources.get(result.source, result.source)} | "
                f"{outcome.duration:.2f} |"
            )
        return ["", self._report_summary(ordered), "", *rows, ""]

    def _link(self, page: str) -> str:
        target = posixpath.relpath(page, posixpath.dirname(self.page) or ".")
        return f"[{page.split('.', maxsplit=1)[0]}]({target})"

    def _report_summary(self, results: list[Result]) -> str:
        ran = sum(r.source == "ran" for r in results)
        cached = sum(r.source == "cache" for r in results)
        failed = sum(r.outcome.status != "ok" for r in results)
        seconds = sum(r.outcome.duration for r in results)
        return _SUMMARY[self.language].format(
            total=len(results),
            ran=ran,
            cached=cached,
            failed=failed,
            seconds=seconds,
        )


def _same_language(page: str, report_page: str) -> bool:
    suffix = _language_suffix(report_page)
    return _language_suffix(page) == suffix


def _language_suffix(page: str) -> str:
    match = re.search(r"\.(\w\w)\.md$", page)
    return match.group(1) if match else ""


def _failure_message(outcome: Outcome) -> str:
    problem = outcome.problem
    if problem is None:
        return "failed without a description"
    if problem.kind == "error" and problem.traceback:
        return (
            f"{problem.message}\n"
            f"Traceback (most recent call last):\n{problem.traceback}"
        ).rstrip()
    return f"{problem.exception}: {problem.message}"


def _output_html(outcome: Outcome) -> str:
    parts = []
    if outcome.output:
        parts.append(
            '<pre class="execnotes-output"><code>'
            f"{html.escape(outcome.output)}</code></pre>"
        )
    if outcome.output_chars > len(outcome.output):
        parts.append(
            '<p class="execnotes-truncated">Output truncated: showing the '
            f"first {len(outcome.output):,} of {outcome.output_chars:,} "
            "characters (raise max_output_chars in the execnotes plugin "
            "options to see more).</p>"
        )
    if outcome.value is not None:
        parts.append(
            '<pre class="execnotes-value"><code>'
            f"{html.escape(outcome.value)}</code></pre>"
        )
    return "".join(parts)


def _code_fence(code: str, title: str) -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    safe_title = title.replace('"', "'")
    return [
        "",
        f'{fence}python title="{safe_title}"',
        *code.splitlines(),
        fence,
        "",
    ]


def _indented(lines: list[str], indent: str) -> list[str]:
    return [indent + line if line else line for line in lines]
