"""Turn a page's blocks and their results into Markdown and HTML fragments.

Code goes back into the Markdown as fenced blocks, so the site's highlighter
and copy buttons treat it like any other code. Outputs, figures and error
boxes are HTML fragments behind placeholder tokens that the adapter swaps in
after Markdown has run, so no output text can be read as Markdown or HTML.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from execnotes.directives import InlineValue, ParsedPage
from execnotes.hints import did_you_mean
from execnotes.jobs import Build, Resolved, Result
from execnotes.notebook import NotebookWriter
from execnotes.protocol import Outcome
from execnotes.report import report_table

FigureUrl = Callable[[str], str]


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
        self.language = language
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
                varies = directive.options.varies
                writer.code(item.snippet.shown, outcome, varies=varies)
        writer.prose("\n".join(lines[cursor:]))
        return writer.text() if writer.has_code else None

    def _block(self, item: Resolved) -> list[str]:
        directive = item.directive
        prefix = directive.prefix
        if item.error is not None:
            label = f"{{{directive.kind}}} {directive.target}"
            self._problem(directive.line, label, item.error)
            return _prefixed(self._error_box(label, item.error), prefix)
        if directive.kind == "report":
            self.build.wait_all()
            table = report_table(self.build, self.page, self.language)
            return _prefixed(table, prefix)
        out: list[str] = []
        snippet = item.snippet
        if snippet is not None and not directive.options.hide_code:
            title = directive.options.caption or snippet.path
            out += _code_fence(snippet.shown, title)
        if item.result is not None:
            out += self._result(item, item.result)
        return _prefixed(out, prefix)

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
        fragment = _output_html(outcome, varies=directive.options.varies)
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
        text = self._inline_text(value)
        varies = any(
            item.directive.options.varies
            for item in self.build.pages[self.page]
            if item.directive.target == value.target
        )
        return f"{VARIES_OPEN}{text}</span>" if varies else text

    def _inline_text(self, value: InlineValue) -> str:
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
            return literal(format(outcome.values[value.key], value.spec))
        except Exception as error:  # any value under any spec: never a crash
            found = repr(outcome.values[value.key])[:60]
            return self._inline_problem(
                value,
                f"{value.text}: cannot format {found} with {value.spec!r} "
                f"({type(error).__name__}: {error})",
            )

    def _inline_problem(
        self, value: InlineValue, message: str, hint: str = ""
    ) -> str:
        self._problem(value.line, "", message + hint)
        return '<span class="execnotes-error">?</span>'


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


_MARKUP = frozenset("\\`*_{}[]()<>#!|$~^=&\"'")
_AT_WORD_END = frozenset("-+.")


def literal(text: str) -> str:
    """`text` as Markdown that renders exactly as that text.

    Every character that Markdown or its extensions might read as markup
    (links, emphasis, math, HTML) is written as an HTML character
    reference; list markers only where they could start a list.
    """
    out = []
    for index, char in enumerate(text):
        follows = text[index + 1 : index + 2]
        risky = char in _AT_WORD_END and (not follows or follows.isspace())
        out.append(f"&#{ord(char)};" if char in _MARKUP or risky else char)
    return "".join(out)


# What differs between runs (timings) is marked, and stays out of the
# search index, which is then the same for every build.
VARIES_OPEN = '<span class="execnotes-varies" data-search-exclude>'


def _pre(kind: str, text: str, *, varies: bool) -> str:
    marks = ' execnotes-varies" data-search-exclude="' if varies else ""
    return (
        f'<pre class="execnotes-{kind}{marks}"><code>'
        f"{html.escape(text)}</code></pre>"
    )


def _output_html(outcome: Outcome, *, varies: bool = False) -> str:
    parts = []
    if outcome.output:
        parts.append(_pre("output", outcome.output, varies=varies))
    if outcome.output_chars > len(outcome.output):
        parts.append(
            '<p class="execnotes-truncated">Output truncated: showing the '
            f"first {len(outcome.output):,} of {outcome.output_chars:,} "
            "characters (raise max_output_chars in the execnotes plugin "
            "options to see more).</p>"
        )
    if outcome.value is not None:
        parts.append(_pre("value", outcome.value, varies=varies))
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


def _prefixed(lines: list[str], prefix: str) -> list[str]:
    """Lines put inside the block's container (indentation or `>`)."""
    blank = prefix.rstrip()
    return [prefix + line if line else blank for line in lines]
