"""Read the pinpoint a citation gives: a locator as typed → a CSL label and value.

``[@vu2007, pp. 28-36]`` → ``CiteItem("vu2007", "page", "28-36")``. Labels are accepted in
English and Vietnamese abbreviations (``p.``, ``tr.``, ``ch.``, ``chương``, ``§``); a locator
that cannot be read gets a message saying what was expected and what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CiteItem:
    """One source cited in a cluster, with an optional pinpoint."""

    key: str
    label: str | None = None     # CSL locator label: "page", "chapter", "section", … or None
    locator: str | None = None   # "111", "28-36"


_LABELS = {
    "page": ["p", "pp", "page", "pages", "tr", "trang"],
    "chapter": ["ch", "chap", "chapter", "chapters", "chương"],
    "section": ["sec", "secs", "section", "sections", "§", "§§", "mục"],
    "figure": ["fig", "figs", "figure", "figures", "hình"],
    "table": ["tab", "tbl", "table", "tables", "bảng"],
    "volume": ["vol", "vols", "volume", "volumes", "tập"],
    "paragraph": ["para", "paras", "paragraph", "paragraphs", "¶", "¶¶", "đoạn"],
    "line": ["l", "ll", "line", "lines", "dòng"],
    "note": ["n", "nn", "note", "notes"],
    "part": ["pt", "pts", "part", "parts", "phần"],
    "appendix": ["app", "appx", "appendix", "phụ lục"],
    "column": ["col", "cols", "column", "columns", "cột"],
    "equation": ["eq", "eqs", "equation", "equations"],
}
_LABEL_OF = {word: label for label, words in _LABELS.items() for word in words}
# A page number, also one with its journal's letter before it (R3, S12, e1002), or roman.
_NUMBER = r"(?:[A-Za-z]{0,2}\d+[a-z]?(?:\.\d+)*|[ivxlcdm]+|[IVXLCDM]+)"
_RANGE = rf"{_NUMBER}(?:\s*[-–—]\s*{_NUMBER})?"
_LOCATOR_RE = re.compile(
    rf"^\s*(?:(?P<label>§§?|¶¶?|phụ lục|[^\W\d_]+)(?:\.\s*|\s+|(?=\d)))?"
    rf"(?P<value>{_RANGE}(?:\s*,\s*{_RANGE})*)\s*$")
_EXPECTED_LOCATOR = "a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page number"


def parse_locator(text: str) -> tuple[str, str]:
    """'p. 111' -> ('page','111'); 'pp. 28-36' -> ('page','28-36'); 'ch. 3' -> ('chapter','3');
    'sec. 2.1', 'fig. 4', bare '111' -> page. Raise ValueError with a user-facing message
    (what was expected, what was found, {text!r}) for a malformed locator."""
    match = _LOCATOR_RE.match(text)
    if not match:
        head = re.match(r"\s*([^\W\d_]+)\.?(?=\s*\d)", text)
        if head and head.group(1).lower() not in _LABEL_OF:
            raise ValueError(f"unknown locator label {head.group(1)!r} in {text!r}: expected "
                             f"{_EXPECTED_LOCATOR}")
        raise ValueError(f"expected {_EXPECTED_LOCATOR}, found {text!r}")
    word = (match.group("label") or "").lower()
    if word and word not in _LABEL_OF:
        raise ValueError(f"unknown locator label {match.group('label')!r} in {text!r}: expected "
                         f"{_EXPECTED_LOCATOR}")
    value = re.sub(r"\s*[-–—]\s*", "-", match.group("value"))
    value = re.sub(r"\s*,\s*", ", ", value)
    return _LABEL_OF.get(word, "page"), value
