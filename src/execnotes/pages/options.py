"""The options of a block: `name: value` lines inside its fence."""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass

from execnotes.core.hints import did_you_mean
from execnotes.core.protocol import check_timeout

OPTION_NAMES = (
    *("caption", "hide", "show", "timeout", "inputs", "varies"),
    *("group", "resources"),
)
RUN_ONLY = ("show", "timeout", "inputs", "varies", "group", "resources")
HIDE_VALUES = ("code", "output")
SHOW_VALUES = ("value",)
_OPTION = re.compile(r"^(?P<name>[\w-]+)\s*:\s*(?P<value>.*?)\s*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BOOLEANS = {"true": True, "yes": True, "false": False, "no": False}


class OptionError(Exception):
    """An option line that cannot be understood; `offset` is its line
    within the block (0 for the fence line)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class Options:
    """Per-block options, parsed once from the lines inside the fence."""

    caption: str | None = None
    hide_code: bool = False
    hide_output: bool = False
    show_value: bool = False
    timeout: float | None = None
    inputs: tuple[str, ...] = ()
    varies: bool = False
    group: str = ""
    """Runs of one group go to one shard together (execnotes.build.plan)."""
    resources: tuple[tuple[str, float], ...] = ()
    """What a run needs of a Dask worker, e.g. ``{gpu: 1}``."""


def parse_options(body: list[str], *, run: bool) -> Options:
    """Parse `name: value` lines into Options.

    Raises:
        OptionError: a line is not an option, or its value is wrong.
    """
    values: dict[str, tuple[int, str]] = {}
    for offset, text in enumerate(body, start=1):
        if not text.strip():
            continue
        match = _OPTION.match(text.strip())
        if match is None:
            raise OptionError(
                offset,
                f"expected an option 'name: value', found {text.strip()!r}; "
                f"options are {', '.join(OPTION_NAMES)}",
            )
        name = match["name"]
        if name not in OPTION_NAMES:
            hint = did_you_mean(name, OPTION_NAMES)
            raise OptionError(
                offset,
                f"unknown option {name!r}; options are "
                f"{', '.join(OPTION_NAMES)}.{hint}",
            )
        if name in RUN_ONLY and not run:
            raise OptionError(
                offset, f"option {name!r} applies to {{run}} blocks only"
            )
        values[name] = (offset, match["value"])
    return _options_from(values)


def _options_from(values: dict[str, tuple[int, str]]) -> Options:
    hide = _choices(values, "hide", HIDE_VALUES)
    show = _choices(values, "show", SHOW_VALUES)
    return Options(
        caption=values.get("caption", (0, ""))[1] or None,
        hide_code="code" in hide,
        hide_output="output" in hide,
        show_value="value" in show,
        timeout=_timeout(values),
        inputs=_inputs(values),
        varies=_boolean(values, "varies"),
        group=values.get("group", (0, ""))[1],
        resources=_resources(values),
    )


def _choices(
    values: dict[str, tuple[int, str]], name: str, allowed: tuple[str, ...]
) -> set[str]:
    offset, text = values.get(name, (0, ""))
    chosen = {part.strip() for part in text.split(",")} - {""}
    for unknown in sorted(chosen - set(allowed)):
        written = " or ".join(f"'{name}: {value}'" for value in allowed)
        raise OptionError(
            offset,
            f"{name}: {unknown!r} is not understood; write {written}."
            f"{did_you_mean(unknown, allowed)}",
        )
    return chosen


def _timeout(values: dict[str, tuple[int, str]]) -> float | None:
    if "timeout" not in values:
        return None
    offset, text = values["timeout"]
    try:
        timeout = float(text)
    except ValueError:
        timeout = math.nan
    problem = check_timeout(timeout)
    if problem is not None:
        raise OptionError(
            offset,
            f"timeout: {text!r}: {problem}; write e.g. 'timeout: 120'",
        )
    return timeout


def _inputs(values: dict[str, tuple[int, str]]) -> tuple[str, ...]:
    offset, text = values.get("inputs", (0, ""))
    specs = tuple(part.strip() for part in text.split(",") if part.strip())
    for spec in specs:
        kind, _, name = spec.partition(":")
        if kind == "env" and not _ENV_NAME.match(name):
            raise OptionError(
                offset,
                f"inputs: {spec!r} is not an environment variable; write "
                "e.g. 'inputs: env:FASHION_MNIST_ROOT'",
            )
        if "\0" in spec:
            raise OptionError(offset, f"inputs: {spec!r} contains a NUL byte")
        if kind != "env" and _outside(spec):
            raise OptionError(
                offset,
                f"inputs: {spec!r} lies outside the project; declare files "
                "under the folder of mkdocs.yml, or name the place with a "
                "variable and declare that ('inputs: env:DATA_ROOT')",
            )
    return tuple(sorted(set(specs)))


def _outside(spec: str) -> bool:
    """Whether a declared path leaves the project (absolute, `~`, or
    climbing above it with `..`)."""
    if spec.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:", spec):
        return True
    return posixpath.normpath(spec.replace("\\", "/")).startswith("..")


def _resources(
    values: dict[str, tuple[int, str]],
) -> tuple[tuple[str, float], ...]:
    offset, text = values.get("resources", (0, ""))
    found: dict[str, float] = {}
    for part in text.strip().removeprefix("{").removesuffix("}").split(","):
        if not part.strip():
            continue
        name, _, amount = part.replace("=", ":").partition(":")
        try:
            number = float(amount)
        except ValueError:
            number = math.nan
        if not _ENV_NAME.match(name.strip()) or not number > 0:
            raise OptionError(
                offset,
                f"resources: {part.strip()!r} is not understood; write "
                "e.g. 'resources: {gpu: 1}'",
            )
        found[name.strip()] = number
    return tuple(sorted(found.items()))


def _boolean(values: dict[str, tuple[int, str]], name: str) -> bool:
    offset, text = values.get(name, (0, "false"))
    if text.lower() not in _BOOLEANS:
        raise OptionError(
            offset,
            f"{name}: {text!r} is not understood; write 'true' or 'false'",
        )
    return _BOOLEANS[text.lower()]
