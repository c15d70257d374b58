"""Turn a page's blocks and their results into Markdown and HTML fragments.

Code goes back into the Markdown as fenced blocks, so the site's highlighter
and copy buttons treat it like any other code. Outputs, figures and error
boxes are HTML fragments behind placeholder tokens that the adapter swaps in
after Markdown has run, so no output text can be read as Markdown or HTML.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from execnotes.build.build import Build, Resolved
from execnotes.build.results import Result
from execnotes.core.hints import did_you_mean
from execnotes.pages.directives import InlineValue, PageSource, ParsedPage
from execnotes.render import fragments, xref
from execnotes.render.figures import alt_text
from execnotes.render.fragments import failure_message, figure_name, literal
from execnotes.render.page_notebook import notebook_for
from execnotes.render.report import report_table
from execnotes.source.export import Exporter, ExportError
from execnotes.source.package import Key
from execnotes.source.symbols import Snippet

FigureUrl = Callable[[str], str]


@dataclass
class Rendered:
    """A page's new Markdown, its HTML fragments, figures and problems."""

    markdown: str
    fragments: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    notebook: str | None = None
    code_links: dict[str, tuple[str, dict[str, str]]] = field(
        default_factory=dict
    )
    """Opening token of a block's code: its closing token and the links
    of the names in its code."""
    token_prefix: str = "EXECNOTESFRAGMENT"
    """What every placeholder token starts with (then its number)."""

    def swap_in(self, page_html: str) -> str:
        """Replace the placeholder tokens in the page's HTML."""
        page_html = xref.link_blocks(page_html, self.code_links)
        if not self.fragments:
            return page_html
        # One pass over the page, whatever the number of blocks (a replace
        # per token was quadratic), and text a fragment brings in is never
        # taken for a token.
        prefix = re.escape(self.token_prefix)
        pattern = re.compile(f"<p>({prefix}\\d+)</p>|({prefix}\\d+)")

        def fragment(match: re.Match[str]) -> str:
            token = match.group(1) or match.group(2)
            return self.fragments.get(token, match.group(0))

        return pattern.sub(fragment, page_html)


class PageRenderer:
    """Renders one page of one build."""

    def __init__(
        self,
        build: Build,
        page: str,
        figure_url: FigureUrl,
        language: str,
        line_offset: int = 0,
        *,
        links: xref.Links | None = None,
        exporter: Exporter | None = None,
    ) -> None:
        self.build = build
        self.page = page
        self.line_offset = line_offset
        self.figure_url = figure_url
        self.language = language
        self.links = links or xref.Links()
        settings = build.runner.settings
        # One exporter per build saves parsing the package for every page.
        self.exporter = exporter or Exporter(settings.root, settings.package)
        self._anchors: dict[int, str] = {}
        self._fences = 0
        digest = hashlib.sha256(page.encode()).hexdigest()[:8]
        self._token_prefix = f"EXECNOTES{digest}FRAGMENT"
        self.rendered = Rendered("", token_prefix=self._token_prefix)

    @property
    def _places(self) -> dict[Key, list[xref.Place]]:
        # The same for every page of the build: worked out once.
        return self.build.once(
            "places",
            lambda: xref.shown_places(self.build, self.exporter.package),
        )

    def render(self, markdown: str) -> Rendered:
        """Return the page with every block and inline value replaced."""
        self.build.scan([PageSource(self.page, markdown, self.line_offset)])
        parsed = self.build.parsed[self.page]
        lines = markdown.splitlines()
        first = self.line_offset + 1  # file line of lines[0]
        self._replace_inline_values(parsed, lines)
        for error in parsed.errors:
            self._problem(error.line, "", error.message)
        self._anchors = xref.block_anchors(self.build.pages[self.page])
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
        notebook, problem = notebook_for(
            self.build,
            self.page,
            (lines, first),
            exporter=self.exporter,
            links=self.links,
            language=self.language,
        )
        if problem is not None:
            self._problem(first, "notebook", problem)
        return notebook

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
            out += self._code(item, snippet)
        if item.result is not None:
            out += self._result(item, item.result)
        return _prefixed(out, prefix)

    def _code(self, item: Resolved, snippet: Snippet) -> list[str]:
        """The code fence, between tokens that carry its anchor, the
        links of its names and the text "Copy runnable" copies."""
        directive = item.directive
        try:
            runnable: str | None = self.exporter.standalone(
                snippet, seed=self.build.runner.settings.seed
            )
            names = self.exporter.project_names(snippet)
        except ExportError as error:
            label = f"{{{directive.kind}}} {directive.target}"
            self._problem(directive.line, label, f"copy runnable: {error}")
            runnable, names = None, {}
        counts = self.build.once(
            "shown-counts", lambda: xref.shown_counts(self._places)
        )
        hrefs = xref.code_links(
            names, self._places, self.page, self.links, counts
        )
        anchor = self._anchors[directive.line]
        opening = self._stash(fragments.code_opening(anchor))
        closing = self._stash(fragments.code_closing(runnable, self.language))
        title = directive.options.caption or snippet.path
        fence = _code_fence(snippet.shown, title)
        highlighted = self._highlighted(fence)
        if highlighted is None:
            self.rendered.code_links[opening] = (closing, hrefs)
            return [opening, *fence, closing, ""]
        code = self._stash(xref.linkify(highlighted, hrefs))
        return [opening, "", code, "", closing, ""]

    def _highlighted(self, fence: list[str]) -> str | None:
        """The fence as the site's Markdown renders it, worked out once a
        build for each distinct code and title; None without the site's
        Markdown. Left in the page, every fence would cost the page's
        fenced-code extension a pass over the whole page (quadratic)."""
        probe = self.build.probe
        if probe is None:
            return None
        text = "\n".join(fence)
        html = self.build.once("fence:" + text, lambda: probe(text))
        # Line anchors are numbered by block within one document: number
        # them apart from the page's own fences.
        self._fences += 1
        return _LINE_ANCHOR.sub(rf'\1-x{self._fences}-\2"', html)

    def _result(self, item: Resolved, result: Result) -> list[str]:
        outcome = result.outcome
        directive = item.directive
        out: list[str] = []
        if outcome.status != "ok":
            label = f"{{run}} {directive.target}"
            message = failure_message(outcome)
            self._problem(directive.line, label, message)
            out += ["", *self._error_box(label, message)]
        if directive.options.hide_output:
            return out
        fragment = fragments.output_html(
            outcome,
            self.language,
            show_value=directive.options.show_value,
            varies=directive.options.varies,
        )
        for svg in outcome.figures:
            fragment += self._figure_html(svg, item)
        if fragment:
            out += ["", self._stash(fragment), ""]
        return out

    def _figure_html(self, svg: str, item: Resolved) -> str:
        name = figure_name(svg)
        self.rendered.figures[name] = svg
        summary = item.snippet.summary if item.snippet else ""
        alt = alt_text(svg, self.language, fallback=summary or "figure")
        caption = item.directive.options.caption
        return fragments.figure_html(
            self.figure_url(name),
            alt,
            caption,
            raster=fragments.has_raster(svg),
        )

    def _error_box(self, label: str, message: str) -> list[str]:
        return [self._stash(fragments.error_box(label, message)), ""]

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
        return f"{fragments.VARIES_OPEN}{text}</span>" if varies else text

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


# An id, name or link of pymdownx.highlight's line anchors and spans, as
# numbered in a document of one block (`__codelineno-0-3`).
_LINE_ANCHOR = re.compile(r'((?:id|name|href)="#?[A-Za-z_][\w-]*?)-0-(\d+)"')


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
