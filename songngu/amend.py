"""WeasyPrint 70's layout, amended where it sets a page or a line differently from what a
typesetter would: each amendment is one expression of one of its functions, compiled again.

* :func:`keep_notes_with_their_calls`: a page's footnotes stay on it;
* :func:`let_trailing_spaces_hang`: a line that fits but for the space before the next
  element keeps its words;
* :func:`count_pages_once`: a page that prints a page number is laid out twice, not three
  times;
* :func:`tell_when_paginated`: the pages are handed to a hook (:func:`when_paginated`) as
  soon as the text is paginated, before the running headers and footers are laid out.

The WeasyPrint version is pinned in pyproject.toml. A version whose source lacks the
expression stops the build with a message (:class:`songngu.errors.SetupError`) rather than
laying out pages without the amendment.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from .errors import SetupError

_NOTES_SENT_AHEAD = "report = not context.in_column and can_break_now and not could_break_before"

_FITS_ON_ONE_LINE = "if resume_index is None and first_line_width <= max_width:"
# The spaces' layout is named: a Pango line is valid only while its layout lives.
_FITS_BUT_FOR_TRAILING_SPACES = (
    "if resume_index is None and (first_line_width <= max_width or (\n"
    "        space_collapse and text.endswith(' ') and style['direction'] == 'ltr' and\n"
    "        first_line_width - line_size((songngu_spaces := create_layout(\n"
    "            text[len(text.rstrip(' ')):], style, context, None, justification_spacing\n"
    "        )).get_first_line()[0], style)[0] <= max_width)):")


# A page's own counters are compared with those its content was last computed with.
_COUNTERS_CHANGED = ("refresh_missing_counters and page_counter_values != \\\n"
                     "                        counter_lookup.cached_page_counter_values:")
_PAGE_COUNTERS_CHANGED = ("refresh_missing_counters and songngu_counters_changed(\n"
                          "                        page_counter_values,\n"
                          "                        counter_lookup.cached_page_counter_values,\n"
                          "                        missing_counters):")


# The loop that adds each page's running header and footer begins with this line; the text is
# paginated by then, and the number of pages final.
_MARGINS_ADDED = "    # Add margin boxes\n"


def apply() -> None:
    """Amend WeasyPrint's layout (once a process)."""
    keep_notes_with_their_calls()
    let_trailing_spaces_hang()
    count_pages_once()
    tell_when_paginated()


def keep_notes_with_their_calls() -> None:
    """Stop WeasyPrint (70) from sending a page's footnotes to the next page to make room at
    the foot of the page for a paragraph's first lines (its ``orphans``): the notes would
    then print away from their calls. The paragraph moves to the next page instead, as it
    does when the page holds no note.

    WeasyPrint decides this in one expression of ``layout.block._linebox_layout``, which
    never sends notes ahead inside multiple columns; the body used to be set as a single
    column for that alone, which costs a second layout of every page (a third of the time
    of laying out an article). The expression is made false."""
    from weasyprint.layout import block

    _amend(block, "_linebox_layout", _NOTES_SENT_AHEAD, "report = False", "line layout")


def let_trailing_spaces_hang() -> None:
    """Keep on a line the text that fits it but for its trailing space.

    A text followed by another element (``… uplands,” <i>Journal</i>``) ends in a space.
    When the text up to that space fits the line and the space does not, Pango keeps it on
    one line (a space at a line's end hangs), but WeasyPrint 70's ``split_first_line``
    measures the line with the space, finds it too long, and breaks after the text's first
    word: "V." alone on a line of a reference list, the rest of the entry on the next. The
    line is taken as fitting when it is only its trailing spaces that pass the width; the
    element after it then goes to the next line, as it would after any full line."""
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    amended = _amend(line_break, "split_first_line", _FITS_ON_ONE_LINE,
                     _FITS_BUT_FOR_TRAILING_SPACES, "line breaking")
    for module in (inline, preferred):  # they import the function by name
        module.split_first_line = amended


def count_pages_once() -> None:
    """Lay a page that prints a page number in its text ("Section 3 (p. 104)") out twice,
    as WeasyPrint needs to (once to place the number's target, once to print it), not three
    times.

    ``layout.page.make_page`` lays a page out again when its counters differ from those its
    generated text was computed with. It compares every counter, ``pages`` (the page count)
    too, which the first pass over the document cannot know and sets once it ends: each such
    page was laid out a third time, though its text does not print the count. Here ``pages``
    is compared only for a text that prints it."""
    from weasyprint.layout import page

    page.songngu_counters_changed = _counters_changed
    _amend(page, "make_page", _COUNTERS_CHANGED, _PAGE_COUNTERS_CHANGED, "page layout")


def _counters_changed(values: dict, cached: dict, printed: list[str]) -> bool:
    if "pages" in printed:
        return values != cached
    return {name: value for name, value in values.items() if name != "pages"} != \
        {name: value for name, value in cached.items() if name != "pages"}


_paginated: list[Callable[[list], None]] = []
"""The hooks of :func:`when_paginated`, innermost last."""


def tell_when_paginated() -> None:
    """Hand the page boxes of a document to the hook of :func:`when_paginated` as soon as its
    text is paginated: the page count is final then, and what remains of the layout (each
    page's running header and footer, its backgrounds) takes an eighth of its time. The next
    article of an issue, which waits for the count to know its first page, starts that much
    earlier."""
    from weasyprint import document, layout

    layout.songngu_paginated = _tell_paginated
    document.layout_document = _amend(layout, "layout_document", _MARGINS_ADDED,
                                      "    songngu_paginated(pages)\n" + _MARGINS_ADDED,
                                      "page layout")


def _tell_paginated(pages: list) -> None:
    if _paginated:
        _paginated[-1](pages)


@contextmanager
def when_paginated(hook: Callable[[list], None]) -> Iterator[None]:
    """Call ``hook(page_boxes)`` in each layout made inside the block, once its text is
    paginated: the boxes hold the text flow and the notes, not yet the margin boxes."""
    _paginated.append(hook)
    try:
        yield
    finally:
        _paginated.pop()


def _amend(module: ModuleType, name: str, old: str, new: str, what: str) -> Any:
    """``module.name`` compiled again with its one ``old`` expression replaced by ``new``."""
    function = getattr(module, name)
    if getattr(function, "songngu_amended", False):
        return function
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):  # installed without its Python sources
        source = ""
    if source.count(old) != 1:
        raise SetupError(f"this WeasyPrint's {what} is not the one songngu amends "
                         f"({module.__name__}.{name} in WeasyPrint 70): install the version "
                         f"pyproject.toml names (pip install 'weasyprint>=70,<71')")
    namespace: dict[str, Any] = {}
    exec(compile(source.replace(old, new), inspect.getsourcefile(module) or module.__name__,
                 "exec"), module.__dict__, namespace)
    amended = namespace[name]
    amended.songngu_amended = True
    setattr(module, name, amended)
    return amended
