"""Find `{show}`, `{run}` and `{report}` blocks and inline values."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Literal

Kind = Literal["show", "run", "report"]
KINDS: tuple[Kind, ...] = ("show", "run", "report")
OPTION_NAMES = ("caption", "hide", "timeout", "show")
HIDE_VALUES = ("code", "output")
SHOW_VALUES = ("value",)

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<kind>[\w-]+)\}\s*(?P<target>.*?)\s*$")
_OPTION = re.compile(r"^(?P<name>[\w-]+)\s*:\s*(?P<value>.*?)\s*$")
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
class Options:
    """Per-block options, parsed once from the lines inside the fence."""

    caption: str | None = None
    hide_code: bool = False
    hide_output: bool = False
    timeout: float | None = None
    show_value: bool = False


@dataclass(frozen=True)
class Directive:
    """One `{show}`, `{run}` or `{report}` block of a page."""

    kind: Kind
    target: str
    options: Options
    page: str
    line: int
    end_line: int
    indent: str = ""


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


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return ' Did you mean X?' for the closest choice, or ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def parse_page(page: str, markdown: str, line_offset: int = 0) -> ParsedPage:
    """Parse a page; errors are collected, not raised, so one bad block
    does not hide the others.

    `line_offset` is the number of file lines before `markdown` (front
    matter MkDocs removed), so that every line reported is a file line.
    """
    parsed = _parse(page, markdown)
    if not line_offset:
        return parsed
    shift = line_offset
    return ParsedPage(
        page,
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


def _parse(page: str, markdown: str) -> ParsedPage:
    parsed = ParsedPage(page)
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            _collect_inline_values(parsed, lines[index], index + 1)
            index += 1
            continue
        closing = _find_closing_fence(lines, index, match["fence"])
        info = _DIRECTIVE_INFO.match(match["info"].strip())
        if info is not None:
            _parse_directive(parsed, lines, (index, closing), match, info)
        index = (closing if closing is not None else len(lines)) + 1
    return parsed


def _find_closing_fence(
    lines: list[str], start: int, fence: str
) -> int | None:
    char, size = fence[0], len(fence)
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(char * size) and not stripped.strip(char):
            return index
    return None


def _parse_directive(
    parsed: ParsedPage,
    lines: list[str],
    span: tuple[int, int | None],
    fence: re.Match[str],
    info: re.Match[str],
) -> None:
    start, closing = span
    page, line = parsed.page, start + 1
    kind, target = info["kind"], info["target"]
    if kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        parsed.errors.append(
            DirectiveError(
                page,
                line,
                f"unknown block {{{kind}}}; use one of {{show}}, {{run}}, "
                f"{{report}}.{hint}",
            )
        )
        return
    if closing is None:
        parsed.errors.append(
            DirectiveError(
                page,
                line,
                f"the {{{kind}}} block is never closed; end it with a line "
                f"{fence['fence']}",
            )
        )
        return
    try:
        options = parse_options(page, line, lines[start + 1 : closing])
    except DirectiveError as error:
        parsed.errors.append(error)
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
            end_line=closing + 1,
            indent=fence["indent"],
        )
    )


def parse_options(page: str, line: int, body: list[str]) -> Options:
    """Parse `name: value` lines into Options; raise on anything else."""
    values: dict[str, str] = {}
    for offset, text in enumerate(body, start=1):
        if not text.strip():
            continue
        match = _OPTION.match(text.strip())
        if match is None:
            raise DirectiveError(
                page,
                line + offset,
                f"expected an option 'name: value', found {text.strip()!r}; "
                f"options are {', '.join(OPTION_NAMES)}",
            )
        name = match["name"]
        if name not in OPTION_NAMES:
            raise DirectiveError(
                page,
                line + offset,
                f"unknown option {name!r}; options are "
                f"{', '.join(OPTION_NAMES)}."
                f"{did_you_mean(name, OPTION_NAMES)}",
            )
        values[name] = match["value"]
    return _options_from(page, line, values)


def _options_from(page: str, line: int, values: dict[str, str]) -> Options:
    hide = {part.strip() for part in values.get("hide", "").split(",")}
    hide.discard("")
    unknown = sorted(hide - set(HIDE_VALUES))
    if unknown:
        raise DirectiveError(
            page,
            line,
            f"hide: {unknown[0]!r} is not understood; write 'hide: code' "
            f"or 'hide: output'.{did_you_mean(unknown[0], HIDE_VALUES)}",
        )
    timeout = None
    if "timeout" in values:
        try:
            timeout = float(values["timeout"])
        except ValueError:
            timeout = -1.0
        if timeout <= 0:
            raise DirectiveError(
                page,
                line,
                f"timeout: {values['timeout']!r} is not a positive number "
                "of seconds, e.g. 'timeout: 120'",
            )
    show = values.get("show", "").strip()
    if show and show not in SHOW_VALUES:
        raise DirectiveError(
            page,
            line,
            f"show: {show!r} is not understood; write 'show: value' to "
            "print the returned value under the output",
        )
    return Options(
        caption=values.get("caption") or None,
        hide_code="code" in hide,
        hide_output="output" in hide,
        timeout=timeout,
        show_value=show == "value",
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
