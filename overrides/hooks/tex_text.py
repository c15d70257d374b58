"""TeX formulas as readable plain text, for search previews.

The search index holds each page's text, and a preview of raw TeX
(`\\hat{\\mathbf y}`) reads badly. This turns the TeX the notes use into
Unicode text (`ŷ`); a command it does not know keeps its name without the
backslash, so the result never shows TeX syntax. It is not a TeX parser:
the pages themselves are rendered by KaTeX.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota "
    "kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi chi psi "
    "omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
)
_LETTERS = dict(
    zip(_GREEK.split(), "αβγδεεζηθϑικλμνξπρστυφφχψωΓΔΘΛΞΠΣΦΨΩ", strict=True)
)
# Commands that stand for a fixed text (no arguments).
# fmt: off
_SYMBOLS = {
    **_LETTERS,
    "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…",
    "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "pm": "±", "infty": "∞", "sum": "Σ",
    "prod": "Π", "partial": "∂", "nabla": "∇", "in": "∈", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "sim": "~", "ell": "ℓ",
    "top": "⊤", "star": "⋆", "mid": "|", "|": "‖", "lvert": "|",
    "rvert": "|", "lVert": "‖", "rVert": "‖", "langle": "⟨",
    "rangle": "⟩", "{": "{", "}": "}", "%": "%", "_": "_", "#": "#",
    # spacing and sizing
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "\\": " ", "&": " ",
    "quad": " ", "qquad": " ", "left": "", "right": "", "big": "",
    "Big": "", "bigg": "", "Bigg": "", "displaystyle": "",
}
# Commands whose one argument is shown as it is.
_FONTS = {
    "mathbf", "mathrm", "mathit", "mathsf", "mathtt", "mathcal", "mathbb",
    "boldsymbol", "bm", "operatorname", "text", "textrm", "textbf",
    "textit", "mbox", "underbrace", "overbrace",
}
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304",
    "overline": "\u0305", "tilde": "\u0303", "vec": "\u20d7",
    "dot": "\u0307",
}
# fmt: on
_LAYOUTS = {"frac", "tfrac", "dfrac", "sqrt", "begin", "end"}
_SUPERSCRIPTS = dict(
    zip("0123456789+-=()nixT⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣᵀᵀ", strict=True)
)
_SUBSCRIPTS = dict(
    zip("0123456789+-=()aeijkmnotx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₘₙₒₜₓ", strict=True)
)
# A command, a brace or script mark, a run of spaces, or one character.
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|(.)", re.DOTALL)


def tex_to_text(tex: str) -> str:
    """Readable Unicode text for a TeX formula."""
    reader = _Reader(list(_TOKEN.finditer(tex)))
    text = re.sub(r"\s+", " ", reader.group(closing=False)).strip()
    return unicodedata.normalize("NFC", text)  # y + U+0302 is ŷ


@dataclass
class _Reader:
    """Reads a formula's tokens from left to right (one per formula)."""

    tokens: list[re.Match[str]]
    at: int = 0

    def group(self, closing: bool = True) -> str:
        """Text up to the closing brace (or to the end)."""
        out: list[str] = []
        while self.at < len(self.tokens):
            if closing and self.tokens[self.at][2] == "}":
                self.at += 1
                break
            out.append(self.item())
        return "".join(out)

    def argument(self) -> str:
        """Text of the next argument: a {group}, a command or a character."""
        while self.at < len(self.tokens) and self.tokens[self.at][3]:
            self.at += 1
        return self.item() if self.at < len(self.tokens) else ""

    def item(self) -> str:
        """Text of the next token, with its arguments."""
        command, mark, space, char = self.tokens[self.at].groups()
        self.at += 1
        if char is not None:
            # Alignment marks and a stray backslash are syntax, not text.
            return {"&": " ", "\\": ""}.get(char, char)
        if space is not None:
            return " "
        if mark == "{":
            return self.group()
        if mark in ("^", "_"):
            return _script(self.argument(), mark)
        if mark == "}":
            return ""
        return self.command(command)

    def command(self, name: str) -> str:
        """Text of a command (its arguments are the next tokens)."""
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FONTS:
            return self.argument()
        if name in _ACCENTS:
            return self.argument() + _ACCENTS[name]
        if name in _LAYOUTS:
            return self.layout(name)
        return name + " " * self._word_follows()

    def layout(self, name: str) -> str:
        """Text of a fraction, a root, or an environment's start or end."""
        if name == "sqrt":
            return f"√{_grouped(self.argument())}"
        first = self.argument()  # a numerator, or an environment's name
        if name in ("begin", "end"):
            return " "
        return f"{_grouped(first)}/{_grouped(self.argument())}"

    def _word_follows(self) -> bool:
        """Whether a word comes next (\\log x, not logx)."""
        if self.at >= len(self.tokens):
            return False
        command, mark, _, char = self.tokens[self.at].groups()
        return command is not None or mark == "{" or (char or "").isalnum()


def _grouped(text: str) -> str:
    """`text`, in parentheses if it is more than one term."""
    return f"({text})" if re.search(r"[\s+\-−×·/]", text.strip()) else text


def _script(text: str, mark: str) -> str:
    """A superscript or subscript, in Unicode where it has the characters."""
    table = _SUPERSCRIPTS if mark == "^" else _SUBSCRIPTS
    if not text:
        return ""
    if all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"
