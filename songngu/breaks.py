"""Say where a line may break and where it must not: text → HTML with break hints.

A typesetter never hyphenates a web address and breaks it only after one of its separators; it
keeps a number with its unit or percent sign, both sides of an equation such as ``R² = 0.89``,
and a hyphenated code such as ``ĐH2021-TN04-07`` on one line, and breaks a run of letters too
long for any line (a gene sequence) wherever it must. The text itself is never changed: the
hints are ``<wbr>`` (a break opportunity that adds no hyphen), ``<span class="nobreak">``
(styled ``white-space: nowrap``) and ``<span class="long-run">`` (``overflow-wrap: anywhere``),
so that copying or extracting the text gives it back as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

URL_BREAK_AFTER = "/.-_?&=#"
"""A web address may break after these characters, and nowhere else."""

_URL_TEXT = re.compile(r"^(?:https?://|mailto:|www\.|doi:)\S+$|^[^\s@]+@[^\s@]+\.[^\s@]+$", re.I)

_KEEP_TOGETHER = re.compile(
    r"""
    (?<![\w.,])[^\W_][\w²³⁰¹⁴-⁹]*\s?=\s?[-−+]?\d[\d.,]*      # an equation: R² = 0.89, p = 0.05
    | [-−+]?\d[\d.,]*\s(?:%|‰|°C|°F|°|c?m[²³]?|ha|min|h|dB|rpm|ppm|
                        [kMGTmµnp]?(?:m|g|s|A|Ah|K|V|VA|W|Wh|Hz|Pa|N|J|Ω|C|F|T|H|L|l|mol|eV|B
                                   |bar)[²³]?|
                        USD|VND|đ|JPY|EUR|triệu|tỷ|nghìn|million|billion)
                        (?:[/·⋅][A-Za-zµ°]{1,3}[²³]?)*(?![\w/])
                                                  # a number and its unit: 12 km, 0.65 W/m·K
    | (?<![\w/.])[A-Za-zµ°]{1,3}[²³]?(?:[/·⋅][A-Za-zµ°]{1,3}[²³]?)+(?![\w/])
                                                           # a unit alone: W/m·K, g/L, kg/m
    | (?<![\w-])(?=[\w-]*\d)\w+(?:-\w+)+                   # a code with digits: ĐH2021-TN04-07
    """,
    re.X,
)


def url_html(text: str) -> Markup:
    """A web address, DOI or email as HTML that breaks only after its separators."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    head = escape(scheme + sep)
    pieces = re.split(f"([{re.escape(URL_BREAK_AFTER)}]+)", rest)
    out = [str(escape(piece)) + ("<wbr>" if i % 2 else "") for i, piece in enumerate(pieces)]
    return Markup(str(head) + "".join(out))


def looks_like_url(text: str) -> bool:
    return bool(_URL_TEXT.match(text.strip()))


_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?)\]’”\"']")
"""A web address typed in running text, without the punctuation that ends its sentence."""


def text_html(text: str) -> Markup:
    """Running text as HTML, its inseparable runs held together and its web addresses
    breakable only after their separators (never hyphenated: class ``url``)."""
    return Markup(_spans(text, _BARE_URL, "url", url_html, _kept_together))


def _kept_together(text: str) -> str:
    return _spans(text, _KEEP_TOGETHER, "nobreak", escape, _long_runs)


LONG_RUN = 30
"""Letters and digits in a row, with no space or hyphen, from which a run may break anywhere."""

_LONG_RUN = re.compile(rf"[^\W_]{{{LONG_RUN},}}")


def _long_runs(text: str) -> str:
    """``text`` escaped, each run of :data:`LONG_RUN` letters and digits or more (a gene
    sequence, a checksum) in ``<span class="long-run">``, which may break anywhere
    (``overflow-wrap: anywhere``): with no break opportunity, it pushed its table column
    off the page, or its line past the margin."""
    return _spans(text, _LONG_RUN, "long-run", escape, escape)


def _spans(text: str, pattern: re.Pattern, css_class: str, inner: Callable[[str], str],
           between: Callable[[str], str]) -> str:
    """``text`` as HTML: each match of ``pattern`` written by ``inner`` in a span of
    ``css_class``, the text between the matches by ``between``."""
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(str(between(text[last:match.start()])))
        out.append(f'<span class="{css_class}">{inner(match.group(0))}</span>')
        last = match.end()
    out.append(str(between(text[last:])))
    return "".join(out)


_LINK = re.compile(r"(<a\b[^>]*>)([^<]*)(</a>)")


def breakable_links(html: str) -> Markup:
    """Give the web addresses written as link text in ``html`` (e.g. a formatted reference)
    their break opportunities; other link text is left as it is."""
    def hint(match: re.Match) -> str:
        opening, inner, closing = match.groups()
        raw = Markup(inner).unescape()
        if not looks_like_url(raw):
            return match.group(0)
        return f"{opening}{url_html(raw)}{closing}"

    return Markup(_LINK.sub(hint, html))
