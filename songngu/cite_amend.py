"""citeproc-py amended where it is slow or sorts as no reader would, while songngu formats.

* **Lookups remembered.** citeproc-py evaluates the same few XPath expressions on its style
  again for every citation and entry (a third of the time of a reference list); while a
  document is formatted, each is evaluated once.
* **Alphabetical order.** citeproc-py compares sort keys as Python strings, by code point:
  "Đào" came after "Trần" in a Vietnamese list, "Ánh" after "Vũ". Text keys are compared by
  :func:`songngu.collation.sort_key` in the list's language; numbers, and the order of keys
  and of missing values, as citeproc-py does.
* **Groups.** A ``cs:group`` is left out when it calls variables and none of them is
  rendered (CSL 1.0.2, "Group"). citeproc-py counts the variables a ``cs:choose`` could call
  in any branch, so a group whose branch prints only a word and an empty variable printed the
  word: APA's "(Publication)" after a thesis with no number. The variables counted are those
  the group's elements call as they are rendered.
* **Labels.** A ``cs:label`` prints its term only when its variable is not empty (CSL 1.0.2,
  "Label"): ACS printed "p" where a thesis has no pages.

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
        _ORIGINAL["group"] = model.Group.process
        model.CitationStylesElement.xpath_search = _xpath_search
        model.Sort.sort = _sort
        model.Group.process = _group
        _ORIGINAL["label"] = model.Label.process
        model.Label.process = _label
        for kind in (model.Text, model.Number, model.Names, model.Date):
            kind.render = _told(kind.render)  # as before outside formatting(): see _told
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


@dataclass
class _Tally:
    """The variables a group's elements called as they were rendered, and whether any of
    them printed something."""

    called: bool = False
    rendered: bool = False


_GROUPS: list[_Tally] = []
"""The groups being rendered (innermost last)."""


def _told(render: Any) -> Any:
    """An element's ``render`` that tells the group it is in when it calls a variable."""

    def rendered(element, *args: Any, **kwargs: Any) -> Any:
        if not (_UNDER_WAY and _GROUPS and _calls_variable(element)):
            return render(element, *args, **kwargs)
        _GROUPS[-1].called = True
        text = render(element, *args, **kwargs)  # a VariableError is the group's to catch
        if text:
            _GROUPS[-1].rendered = True
        return text

    return rendered


def _calls_variable(element) -> bool:
    """Whether the element prints a variable itself (a macro's elements tell their own)."""
    from citeproc import model

    if isinstance(element, model.Text):
        return "variable" in element.attrib and element.calls_variable()
    return True


def _group(group, item, context=None, **kwargs) -> Any:
    """``Group.process``, left out when it called variables as it was rendered and none
    printed anything. A group inside it that prints counts as a variable that printed; one
    left out tells it the variables it called."""
    from citeproc import model

    if not _UNDER_WAY:
        return _ORIGINAL["group"](group, item, context=context, **kwargs)
    delimiter = group.get("delimiter", "")
    output = []
    tally = _Tally()
    _GROUPS.append(tally)
    try:
        for child in group.iterchildren():
            try:
                if isinstance(child, model.Choose):  # transparent: it takes the delimiter
                    text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                continue
            if text is not None:
                output.append(text)
    finally:
        _GROUPS.pop()
    printed = bool(output) and (not tally.called or tally.rendered)
    if _GROUPS:  # a group that prints counts as a variable rendered in the one around it
        _GROUPS[-1].called = _GROUPS[-1].called or tally.called or printed
        _GROUPS[-1].rendered = _GROUPS[-1].rendered or printed
    if printed:
        return group.join(output)
    raise model.VariableError


def _label(label, item, variable=None, *args: Any, **kwargs: Any) -> Any:
    """``Label.process``, nothing for a label of its own (not one a ``cs:names`` prints for
    its names) whose variable the item lacks."""
    from citeproc.model import VariableError

    own = variable is None and label.get("variable") not in (None, "locator")
    if _UNDER_WAY and own:
        try:
            value = item.reference[label.get("variable").replace("-", "_")]
        except VariableError:
            return None
        if value in (None, ""):
            return None
    return _ORIGINAL["label"](label, item, variable, *args, **kwargs)
