"""Typeset LaTeX math: MathML for the browser, vector SVG for the PDF.

LaTeX source → a problem (or None), MathML (latex2mathml) and SVG drawn as paths (ziamath,
with its own STIX Two Math outlines, so the PDF embeds no font for math and nothing is
rasterised). The source stays the accessible text of both: the SVG image's ``alt`` and
the MathML ``alttext``.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

MAX_LENGTH = 2000
"""Characters of LaTeX in one formula: bounds the work a formula can cause."""
_COMMAND = re.compile(r"\\([A-Za-z]+\*?|.)")


@lru_cache(maxsize=1)
def _known_commands() -> frozenset[str]:
    from latex2mathml import commands, symbols_parser

    names = {value for value in vars(commands).values()
             if isinstance(value, str) and value.startswith("\\")}
    names |= {key for key in symbols_parser.SYMBOLS if key.startswith("\\")}
    names |= {"\\" + name for name in ("sin", "cos", "tan", "log", "ln", "exp", "max", "min",
                                       "lim", "det", "sup", "inf", "arg", "deg", "dim", "gcd")}
    return frozenset(names)


def problem(latex: str) -> str | None:
    """Why ``latex`` cannot be typeset, or None."""
    if len(latex) > MAX_LENGTH:
        return f"a formula of at most {MAX_LENGTH} characters, found {len(latex)}"
    depth = 0
    for ch, before in zip(latex, " " + latex):
        if before == "\\":
            continue
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return "a '}' that closes no '{'"
    if depth:
        return f"{depth} '{{' left unclosed"
    unknown = sorted({f"\\{name}" for name in _COMMAND.findall(latex)
                      if len(name) > 1 and f"\\{name}" not in _known_commands()})
    if unknown:
        return f"unknown command{'s' * (len(unknown) > 1)} {', '.join(unknown)}"
    try:
        mathml(latex, True)
        svg(latex, True)
    except IllFormed as exc:
        return f"cannot typeset it: {exc}"
    except Exception as exc:  # both libraries raise many kinds on input they cannot read
        return f"cannot typeset it ({type(exc).__name__}{': ' + str(exc) if str(exc) else ''})"
    return None


class IllFormed(ValueError):
    """The converter wrote MathML that is not well-formed XML."""


_ENVIRONMENTS = [
    # latex2mathml (3.81) knows align*, split, array, cases and the matrices; the other
    # alignments it reads as plain letters, '&' included, and writes ill-formed MathML. Each
    # becomes the one it knows that sets its rows the same way.
    (re.compile(r"\\begin\{(?:aligned|alignedat|eqnarray\*?|flalign\*?)\}(?:\{\d+\})?"),
     r"\\begin{align*}"),
    (re.compile(r"\\end\{(?:aligned|alignedat|eqnarray\*?|flalign\*?)\}"), r"\\end{align*}"),
    (re.compile(r"\\begin\{(?:gathered|gather\*?|multline\*?)\}"), r"\\begin{array}{c}"),
    (re.compile(r"\\end\{(?:gathered|gather\*?|multline\*?)\}"), r"\\end{array}"),
]


@lru_cache(maxsize=512)
def mathml(latex: str, display: bool) -> str:
    """The formula as MathML; :class:`IllFormed` if the converter cannot write it as well-formed XML
    (an ``&`` outside any alignment, for one)."""
    from latex2mathml.converter import convert
    from lxml import etree

    for pattern, known in _ENVIRONMENTS:
        latex = pattern.sub(known, latex)
    written = convert(latex, display="block" if display else "inline")
    try:
        etree.fromstring(written)
    except etree.XMLSyntaxError:
        raise IllFormed("an '&' or other character outside an alignment (aligned, cases, "
                         "array, a matrix)") from None
    return written


DRAWN_AT = 14.67
"""The text size, in CSS px (11 pt), formulas are drawn at; they print scaled to their text's."""


@lru_cache(maxsize=512)
def svg(latex: str, display: bool, size: float = DRAWN_AT) -> tuple[str, float, float, float]:
    """(SVG text, width, height, depth below the baseline), in CSS px at ``size`` px."""
    import ziamath

    drawing = ziamath.Latex(latex, size=size, inline=not display)
    text = drawing.svg()
    view = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', text)
    if view is None:  # pragma: no cover - ziamath always writes a viewBox
        raise ValueError("no viewBox")
    _, top, width, height = map(float, view.groups())
    return text, width, height, top + height


def svg_data_url(latex: str, display: bool) -> tuple[str, float, float, float]:
    """The SVG as a ``data:`` URL (an image of its own: its ids cannot clash with others')."""
    text, width, height, depth = svg(latex, display)
    return ("data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode("ascii"),
            width, height, depth)
