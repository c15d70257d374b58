"""Find `{show}`, `{run}` and `{report}` blocks and inline values.

A block is recognised exactly where the site's Markdown renders a fenced
block: at the top level, in lists, admonitions, tabs and blockquotes, but
not inside an HTML comment or as an example in another code block. Line
scanning finds the candidates; a *probe* (the site's own Markdown, given by
the adapter) settles the doubtful ones. Anything that looks like a block
but is malformed, where Markdown would show it, is a located error.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple, Protocol

from execnotes.core.hints import did_you_mean
from execnotes.pages.options import OptionError, Options, parse_options

Kind = Literal["show", "run", "report"]
KINDS: tuple[Kind, ...] = ("show", "run", "report")


class PageSource(NamedTuple):
    """A Markdown page as a build scans it."""

    page: str  # its name: the path under docs/
    markdown: str  # as MkDocs reads it (without front matter)
    offset: int  # the lines before that Markdown in the file


class Probe(Protocol):
    """Renders Markdown to HTML exactly as the site does."""

    fingerprint: str
    """Changes whenever the rendering may change (extensions, options)."""

    def __call__(self, text: str) -> str:
        """The HTML of the Markdown `text`."""


class PlaceMemo(Protocol):
    """Where the places found by a probe are kept between builds."""

    def get(self, key: str) -> list[str] | None:
        """The places stored under `key`, if any."""

    def put(self, key: str, places: list[str]) -> None:
        """Store places under `key`."""


_OPENER = re.compile(
    r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$"
)
_VALID_INFO = re.compile(
    r"^\{(?P<kind>[\w-]+)\}(?:[ \t]+(?P<target>\S+))?[ \t]*$"
)
_LOOKS_LIKE = re.compile(r"^\{\s*(?P<kind>[\w-]+)")
__all__ = [
    "Directive",
    "DirectiveError",
    "InlineValue",
    "Options",
    "ParsedPage",
    "did_you_mean",
    "parse_page",
]
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_VALUE = re.compile(
    r"\{\{\s*(?P<target>[\w.-]+)\[\s*(?P<quote>['\"])(?P<key>[\w-]+)(?P=quote)"
    r"\s*\](?::(?P<spec>[^}\s]*))?\s*\}\}"
)


class DirectiveError(Exception):
    """A block or inline value that cannot be understood, with its place."""

    def __init__(self, page: str, line: int, message: str) -> None:
        super().__init__(f"{page}:{line}: {message}")
        self.page = page
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Directive:
    """One `{show}`, `{run}` or `{report}` block of a page.

    `prefix` is what stands before the fence on each of its lines (the
    indentation of a list or admonition, the `>` of a blockquote).
    """

    kind: Kind
    target: str
    options: Options
    page: str
    line: int
    end_line: int
    prefix: str = ""


@dataclass(frozen=True)
class InlineValue:
    """An inline `{{ target["key"]:spec }}` reference to a returned value."""

    target: str
    key: str
    spec: str
    page: str
    line: int
    text: str


@dataclass
class ParsedPage:
    """The blocks, inline values and errors found in one page."""

    page: str
    directives: list[Directive] = field(default_factory=list)
    inline_values: list[InlineValue] = field(default_factory=list)
    errors: list[DirectiveError] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    index: int  # of the opening line
    closing: int | None
    prefix: str
    fence: str
    info: str

    @property
    def valid(self) -> re.Match[str] | None:
        return (
            _VALID_INFO.match(self.info)
            if self.fence[0] not in self.info
            else None
        )


def parse_page(
    page: str,
    markdown: str,
    line_offset: int = 0,
    probe: Probe | None = None,
    memo: PlaceMemo | None = None,
) -> ParsedPage:
    """Parse a page; errors are collected, not raised, so one bad block
    does not hide the others.

    `line_offset` is the number of file lines before `markdown` (front
    matter MkDocs removed), so that every line reported is a file line.
    `probe` renders Markdown to HTML as the site does; without it, blocks
    are taken where line scanning finds them. `memo` keeps what the probe
    found, so an unchanged page is not rendered twice in later builds.
    """
    lines = markdown.splitlines()
    parsed = ParsedPage(page)
    candidates = _scan(lines, parsed)
    places = _places(lines, candidates, probe, memo)
    for candidate, place in zip(candidates, places, strict=True):
        valid = candidate.valid
        if place == "fence" and valid is not None:
            _add_directive(parsed, lines, candidate, valid)
        elif place in ("fence", "text"):
            parsed.errors.append(_misplaced(page, candidate, place))
    parsed.directives.sort(key=lambda d: d.line)
    parsed.errors.sort(key=lambda e: e.line)
    return _shifted(parsed, line_offset) if line_offset else parsed


def _scan(lines: list[str], parsed: ParsedPage) -> list[_Candidate]:
    """Candidates for blocks; inline values outside every fence."""
    found: list[_Candidate] = []
    index = 0
    while index < len(lines):
        match = _OPENER.match(lines[index])
        if match is None:
            _collect_inline_values(parsed, lines[index], index + 1)
            index += 1
            continue
        prefix, fence, info = (
            match["prefix"],
            match["fence"],
            match["info"].strip(),
        )
        closing = _find_closing(lines, index, prefix, fence)
        if _LOOKS_LIKE.match(info) or _VALID_INFO.match(
            info.replace(fence[0], "")
        ):
            found.append(_Candidate(index, closing, prefix, fence, info))
        if fence[0] in info and fence[0] == "`":
            index += 1  # not a fence at all (backticks in the info)
            continue
        index = (closing if closing is not None else len(lines)) + 1
    return found


def _find_closing(
    lines: list[str], start: int, prefix: str, fence: str
) -> int | None:
    for index in range(start + 1, len(lines)):
        body = _strip_prefix(lines[index], prefix)
        if body is None:
            return None  # the container ended first
        stripped = body.strip()
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            return index
    return None


def _strip_prefix(line: str, prefix: str) -> str | None:
    if line.startswith(prefix):
        return line[len(prefix) :]
    if not line.strip() or line.strip() == prefix.strip():
        return ""
    return None


def _places(
    lines: list[str],
    candidates: list[_Candidate],
    probe: Probe | None,
    memo: PlaceMemo | None,
) -> list[str]:
    """Where Markdown puts each candidate: 'fence', 'text' (shown as
    text: a broken block), or 'ignored' (in a comment or a code example)."""
    if not candidates:
        return []
    plain = all(c.valid and not c.prefix for c in candidates)
    if probe is None or (plain and not any("<!--" in line for line in lines)):
        return ["fence"] * len(candidates)
    text = "\n".join(_probe_lines(lines, candidates))
    key = hashlib.sha256(f"{probe.fingerprint}\n{text}".encode()).hexdigest()
    places = None if memo is None else memo.get(key)
    if places is None or len(places) != len(candidates):
        html = probe(text)
        places = [
            _place(html, n, c.valid is not None)
            for n, c in enumerate(candidates)
        ]
        if memo is not None:
            memo.put(key, places)
    return places


def _marker(number: int) -> str:
    return f"execnotesprobe{number}x"


def _probe_lines(lines: list[str], candidates: list[_Candidate]) -> list[str]:
    """The page with each candidate's body replaced by a marker."""
    probed = list(lines)
    for number, candidate in enumerate(candidates):
        start, marker = candidate.index, _marker(number)
        if candidate.valid and candidate.closing is not None:
            blank = [""] * (candidate.closing - start - 1)
            probed[start + 1 : candidate.closing] = blank
            probed[start] = f"{candidate.prefix}{candidate.fence}text"
            if blank:
                probed[start + 1] = candidate.prefix + marker
            else:
                probed[start] += f"\n{candidate.prefix}{marker}"
        else:
            probed[start] += f" {marker}"
    return probed


def _place(html: str, number: int, valid: bool) -> str:
    marker = _marker(number)
    at = html.find(marker)
    if at < 0:
        return "ignored"  # dropped by the Markdown (e.g. a raw HTML block)
    before = html[:at]
    if before.rfind("<!--") > before.rfind("-->"):
        return "ignored"
    if before.rfind("<pre") <= before.rfind("</pre>"):
        return "text"  # outside every code block
    # Inside a code block: the block itself, or an example of one (then
    # its fence line shows as code too, and a malformed one always does).
    example = not valid or re.search(r"(`{3,}|~{3,})text\s*$", before)
    return "ignored" if example else "fence"


def _add_directive(
    parsed: ParsedPage,
    lines: list[str],
    candidate: _Candidate,
    valid: re.Match[str],
) -> None:
    page, line = parsed.page, candidate.index + 1
    kind, target = valid["kind"], valid["target"] or ""
    if kind not in KINDS:
        parsed.errors.append(
            DirectiveError(
                page,
                line,
                f"unknown block {{{kind}}}; use one of {{show}}, {{run}}, "
                f"{{report}}.{did_you_mean(kind, KINDS)}",
            )
        )
        return
    if candidate.closing is None:
        parsed.errors.append(
            DirectiveError(
                page,
                line,
                f"the {{{kind}}} block is never closed; end it with a line "
                f"{candidate.prefix}{candidate.fence}",
            )
        )
        return
    body = [
        _strip_prefix(text, candidate.prefix) or ""
        for text in lines[candidate.index + 1 : candidate.closing]
    ]
    try:
        options = parse_options(body, run=kind == "run")
    except OptionError as error:
        where = line + error.offset
        parsed.errors.append(DirectiveError(page, where, error.message))
        return
    if kind != "report" and not target:
        parsed.errors.append(
            DirectiveError(
                page,
                line,
                f"{{{kind}}} needs a name, e.g. "
                f"```{{{kind}}} snippets.activations.softmax",
            )
        )
        return
    parsed.directives.append(
        Directive(
            kind=kind,
            target=target,
            options=options,
            page=page,
            line=line,
            end_line=candidate.closing + 1,
            prefix=candidate.prefix,
        )
    )


def _misplaced(page: str, candidate: _Candidate, place: str) -> DirectiveError:
    line, info = candidate.index + 1, candidate.info
    if candidate.valid and place == "text":
        return DirectiveError(
            page,
            line,
            f"{candidate.fence}{info} is not rendered as a fenced block here, "
            "so it would show as text; start it on a line of its own, after "
            "a blank line, indented like the text it belongs to",
        )
    return DirectiveError(
        page,
        line,
        f"malformed block {candidate.fence}{info!s}; write "
        "```{run} snippets.module.name (or {show}, {report}) alone on its "
        "line, then the options, then a closing ``` line",
    )


def _shifted(parsed: ParsedPage, shift: int) -> ParsedPage:
    return ParsedPage(
        parsed.page,
        [
            replace(d, line=d.line + shift, end_line=d.end_line + shift)
            for d in parsed.directives
        ],
        [replace(v, line=v.line + shift) for v in parsed.inline_values],
        [
            DirectiveError(e.page, e.line + shift, e.message)
            for e in parsed.errors
        ],
    )


def _collect_inline_values(parsed: ParsedPage, text: str, line: int) -> None:
    visible = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)
    for match in _INLINE_VALUE.finditer(visible):
        parsed.inline_values.append(
            InlineValue(
                target=match["target"],
                key=match["key"],
                spec=match["spec"] or "",
                page=parsed.page,
                line=line,
                text=match.group(0),
            )
        )
