"""citeproc-py amended where it is slow or sorts as no reader would, while songngu formats.

* **Lookups remembered.** citeproc-py evaluates the same few XPath expressions on its style
  again for every citation and entry (a third of the time of a reference list); while a
  document is formatted, each is evaluated once.
* **Alphabetical order.** citeproc-py compares sort keys as Python strings, by code point:
  "Đào" came after "Trần" in a Vietnamese list, "Ánh" after "Vũ". Text keys are compared by
  :func:`songngu.collation.sort_key` in the list's language; numbers, and the order of keys
  and of missing values, as citeproc-py does.

Outside :func:`formatting`, citeproc-py behaves as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from . import collation


@dataclass
class _Formatting:
    lookups: dict[tuple, list]
    lang: str


_UNDER_WAY: list[_Formatting] = []
"""The formatting under way (innermost last)."""
_ORIGINAL: dict[str, Any] = {}


@contextmanager
def formatting(lookups: dict[tuple, list], lang: str) -> Iterator[None]:
    """Format with citeproc-py: its style's lookups remembered in ``lookups`` (kept by the
    caller for as long as its style), text sorted in the alphabetical order of ``lang``."""
    from citeproc import model

    if not _ORIGINAL:
        _ORIGINAL["xpath_search"] = model.CitationStylesElement.xpath_search
        _ORIGINAL["sort"] = model.Sort.sort
        model.CitationStylesElement.xpath_search = _xpath_search
        model.Sort.sort = _sort
    _UNDER_WAY.append(_Formatting(lookups, lang))
    try:
        yield
    finally:
        _UNDER_WAY.pop()


def _xpath_search(element, expression: str) -> list:
    """``CitationStylesElement.xpath_search``, remembered: the style's tree does not change
    while a document is formatted (the one element citeproc-py adds, a ``cs:name`` where a
    ``cs:names`` has none, is a first child that no remembered lookup selects). An lxml element
    keeps its Python object while one is referenced, so the element itself is the key."""
    if not _UNDER_WAY:
        return _ORIGINAL["xpath_search"](element, expression)
    lookups = _UNDER_WAY[-1].lookups
    found = lookups.get((element, expression))
    if found is None:
        found = lookups[element, expression] = element.xpath(expression,
                                                             namespaces=element.nsmap)
    return found


def _sort(sort, items: list, context) -> list:
    """``Sort.sort``: items in the order of the style's keys, missing values last."""
    if not _UNDER_WAY:
        return _ORIGINAL["sort"](sort, items, context)
    lang = _UNDER_WAY[-1].lang
    keys = sort.findall("cs:key", sort.nsmap)
    columns = [key.sort_keys(items, context) for key in keys]
    descending = [key.get("sort", "ascending").lower() == "descending" for key in keys]

    def compare(left: tuple, right: tuple) -> int:
        for a, b, down in zip(left[1:], right[1:], descending):
            if a is None or b is None:
                if a is None and b is None:
                    continue
                return 1 if a is None else -1
            a, b = _comparable(a, b, lang)
            result = (a > b) - (a < b)
            if result:
                return -result if down else result
        return 0

    return [row[0] for row in sorted(zip(items, *columns), key=cmp_to_key(compare))]


def _comparable(a: Any, b: Any, lang: str) -> tuple[Any, Any]:
    """Two sort keys as citeproc-py compares them (both numbers if both read as one, text
    lowercased), text by its alphabetical order."""
    if hasattr(a, "lower") and hasattr(b, "lower"):
        a, b = str(a.lower()), str(b.lower())
    try:
        return int(str(a)), int(str(b))
    except ValueError:
        pass
    if isinstance(a, str) and isinstance(b, str):
        return collation.sort_key(a, lang), collation.sort_key(b, lang)
    return a, b
