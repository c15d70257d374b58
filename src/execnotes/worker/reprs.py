"""What a run leaves to show, as JSON-ready data: reprs, values, figures.

Used inside the forked child, after a snippet returned or a notebook cell
ran: the returned value's repr and the numbers and texts the prose may
quote, and every open matplotlib figure as SVG.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from typing import Any

from execnotes.core.protocol import Value, clean_text

# Ints beyond this are not numbers a page quotes; they are kept as text
# (and Python refuses to print ints of over 4300 digits).
_MAX_INT_BITS = 1000
_MAX_VALUES = 1000


def collect_figures() -> tuple[list[str], str | None]:
    """Every open figure as SVG text, and why one could not be drawn."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:  # not loaded (see execnotes.core.profiles): no figure
        return [], None
    figures = []
    try:
        for number in plt.get_fignums():
            buffer = io.StringIO()
            plt.figure(number).savefig(
                buffer,
                format="svg",
                bbox_inches="tight",
                metadata={"Date": None},
            )
            figures.append(clean_text(buffer.getvalue()))
    except Exception as error:  # a figure that cannot be drawn is reported
        return figures, f"{type(error).__name__}: {error}"
    return figures, None


def value_repr(value: Any, limit: int) -> str:
    """The repr of `value`, cut at `limit` characters; never raises."""
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ is shown, not raised
        text = f"<repr failed: {type(error).__name__}: {error}>"
    text = clean_text(text)
    return text if len(text) <= limit else text[:limit] + " ..."


def plain_values(value: Any, limit: int) -> dict[str, Value]:
    """The numbers and texts of a returned dict, by key."""
    if not isinstance(value, Mapping):
        return {}
    plain: dict[str, Value] = {}
    for key, item in list(value.items())[:_MAX_VALUES]:
        converted = plain_value(item, limit)
        if isinstance(key, str) and converted is not None:
            plain[clean_text(key)] = converted
    return plain


def plain_value(item: Any, limit: int) -> Value | None:
    """`item` as a number or a text, or None if it is neither."""
    try:
        item = _python_scalar(item)
    except Exception:  # an exotic object is simply not a value
        return None
    if isinstance(item, bool | float):
        return item
    if isinstance(item, int):
        if item.bit_length() > _MAX_INT_BITS:
            return f"<int of {item.bit_length()} bits>"
        return int(item)
    if isinstance(item, str):
        return clean_text(item[:limit])
    return None


def _python_scalar(item: Any) -> Any:
    """NDArray and numpy scalars (one element) as Python numbers."""
    if hasattr(item, "asscalar") and getattr(item, "size", None) == 1:
        item = item.asscalar()
    if hasattr(item, "item") and getattr(item, "size", None) == 1:
        item = item.item()
    return item
