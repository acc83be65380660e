"""Read laid-out pages back as a typesetter would: WeasyPrint's page boxes → layout findings.

After WeasyPrint has laid out a PDF and before it is written, every page is walked and
reported, with its page number, when it holds what a typesetter would fix:

- a page other than the last left more than a quarter empty, and what was pushed to the next
  page (a table, a figure, a heading…);
- a lone line: a paragraph that leaves one line at the foot of a page or carries one line over
  to the next (orphan, widow);
- text that falls outside the page's text area, or outside its table cell (a wide table
  printing over its neighbour);
- a web address hyphenated at a line end;
- a heading that ends a page;
- a footnote printed on another page than its call;
- a displayed formula scaled down to fit its column until it is hard to read.

The findings are plain data (:class:`Finding`), so that a layout worker can hand them to the
build, which reports them as warnings (errors with ``--strict``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

MOST_EMPTY = 0.25
"""A page (but the last) may leave at most this share of its text area empty."""

TOLERANCE = 0.5
"""Points by which a glyph may pass its box before it counts as outside (rounding)."""

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(frozen=True)
class Finding:
    """One thing on one page a typesetter would fix."""

    page: int
    """The page's position in the file, from 1 (not its printed number)."""
    label: str
    """The page's printed number (``104``), as a reader would name it."""
    message: str

    def __str__(self) -> str:
        shown = f"page {self.label}" if self.label == str(self.page) else \
            f"page {self.label} (page {self.page} of the file)"
        return f"{shown}: {self.message}"


@dataclass
class _Page:
    number: int
    top: float
    bottom: float
    left: float
    right: float
    used: float = 0.0
    first_block: str = ""
    opens_title_block: bool = False
    """The page starts with a language's title block, which is never split: the gap it
    leaves on the page before is the journal's layout, not a block that did not fit."""


def check(document, first_label: int = 1) -> list[Finding]:
    """Every layout finding of a rendered WeasyPrint ``document``, page by page.

    ``first_label`` is the printed number of the first page: findings name pages as printed.
    """
    from weasyprint.formatting_structure import boxes

    findings: list[Finding] = []
    lines_by_paragraph: dict[int, dict[int, int]] = {}
    paragraph_names: dict[int, str] = {}
    pages: list[_Page] = []
    notes: dict[int, _NotePlaces] = {}
    for index, page in enumerate(document.pages, 1):
        box = page._page_box
        area = _Page(index, box.content_box_y(), box.content_box_y() + box.height,
                     box.content_box_x(), box.content_box_x() + box.width)
        pages.append(area)
        label = str(first_label + index - 1)

        tables: dict[int, list] = {}  # a table → [its finding's index, cells after it, name]

        def note(message: str, table: object = None, _index=index, _label=label,
                 _tables=tables) -> None:
            """A finding; for text outside a table's cell, one per table and page."""
            if table is not None and id(table) in _tables:
                _tables[id(table)][1] += 1
                return
            if table is not None:
                _tables[id(table)] = [len(findings), 0, _caption(table)]
            findings.append(Finding(_index, _label, message))

        last_block: list[object] = []
        for child in box.children:
            if isinstance(child, boxes.MarginBox):
                continue
            _walk(child, area, (area.left, area.right), (), note, boxes, lines_by_paragraph,
                  paragraph_names, last_block, notes)
        for position, more, name in tables.values():
            found = findings[position]
            also = f" and {more} more" if more else ""
            findings[position] = Finding(found.page, found.label, f"{found.message}{also}: the "
                                         f"table{name} is wider than the room it has (fewer or "
                                         f"narrower columns, fewer decimals or shorter headers "
                                         f"let it fit)")
        if last_block and _tag(last_block[0]) in _HEADINGS and index < len(document.pages):
            note(f"the heading {_text(last_block[0])!r} ends the page; its text is on the next")
    for page, used in zip(pages, used_heights(document)):
        page.used = used
    forced = [_forced_break(page._page_box, boxes) for page in document.pages]
    for number, page in enumerate(pages[:-1], 1):
        height = page.bottom - page.top
        empty = (height - page.used) / height if height else 0
        if empty > MOST_EMPTY and not forced[number] and not pages[number].opens_title_block:
            pushed = pages[number].first_block or "the next block"
            findings.append(Finding(number, str(first_label + number - 1),
                                    f"{empty:.0%} of the page is left empty: {pushed} did not "
                                    f"fit and starts the next page"))
    for element_id, counts in lines_by_paragraph.items():
        if len(counts) < 2:
            continue
        ordered = sorted(counts)
        first, last = ordered[0], ordered[-1]
        name = paragraph_names[element_id]
        if counts[first] == 1:
            findings.append(Finding(first, str(first_label + first - 1),
                                    f"a lone line at the foot of the page (orphan): the paragraph "
                                    f"{name!r} goes on on the next page"))
        if counts[last] == 1:
            findings.append(Finding(last, str(first_label + last - 1),
                                    f"a lone line at the top of the page (widow): the end of the "
                                    f"paragraph {name!r}"))
    for places in notes.values():
        if places.calls and places.notes and places.notes[0] != places.calls[0]:
            page = places.notes[0]
            findings.append(Finding(page, str(first_label + page - 1),
                                    f"the footnote {places.text!r} is away from its call, on "
                                    f"page {first_label + places.calls[0] - 1}"))
    # One finding said twice on a page (both columns of a parallel handout) is said once.
    return sorted(dict.fromkeys(findings), key=lambda f: f.page)


@dataclass
class _NotePlaces:
    """The pages of a footnote's call and of its text."""

    text: str
    calls: list[int]
    notes: list[int]


def _walk(box, page: _Page, column: tuple[float, float], ancestors: tuple, note, boxes,
          lines_by_paragraph, paragraph_names, last_block, notes) -> None:
    tag = _tag(box)
    in_notes = bool(ancestors) and isinstance(ancestors[-1], boxes.FootnoteAreaBox)
    if in_notes or (box.element_tag or "").endswith("::footnote-call"):
        places = notes.setdefault(id(box.element), _NotePlaces(_text(box)[:40], [], []))
        (places.notes if in_notes else places.calls).append(page.number)
    if isinstance(box, boxes.TableCellBox):
        x = box.border_box_x()
        column = (x, x + box.border_width())
    if isinstance(box, boxes.BlockBox) and _is_unit(tag, box):
        if not page.first_block and _is_content(box, boxes):
            page.first_block = _describe(box)
            page.opens_title_block = tag == "header" and "front" in _classes(box)
        last_block[:] = [box]
    if isinstance(box, boxes.LineBox):
        paragraph = next((a for a in reversed(ancestors)
                          if _tag(a) in ("p", "li", "dd", "blockquote")), None)
        if paragraph is not None and _in_flow(ancestors, boxes):
            key = id(paragraph.element)
            counts = lines_by_paragraph.setdefault(key, {})
            counts[page.number] = counts.get(page.number, 0) + 1
            paragraph_names.setdefault(key, _text(paragraph)[:40])
    if isinstance(box, boxes.ReplacedBox) and "math-print" in _classes(box):
        scale = _scale(box)
        equation = next((a for a in reversed(ancestors) if "equation" in _classes(a)), None)
        if equation is not None and scale is not None and scale < LEGIBLE:
            number = next((_text(a) for a in equation.descendants()
                           if "equation-number" in _classes(a)), "")
            advice = "shorten its longest line, or break it into more lines" \
                if _MULTILINE.search(box.element.get("alt") or "") else \
                "write it on several lines (an aligned environment) or shorten it"
            note(f"the equation {number} is printed at {scale:.0%} of its size to fit its "
                 f"column: {advice}")
    if isinstance(box, boxes.TextBox) and box.text.strip():
        left, right = box.position_x, box.position_x + box.width
        lo, hi = column
        if left < max(lo, page.left) - TOLERANCE or right > min(hi, page.right) + TOLERANCE:
            if column != (page.left, page.right):
                table = next((a for a in reversed(ancestors) if isinstance(a, boxes.TableBox)),
                             ancestors[-1] if ancestors else box)
                note(f"text outside its table cell: {box.text.strip()[:40]!r}", table)
            else:
                note(f"text outside the text area: {box.text.strip()[:40]!r}")
        link = any(_tag(a) == "a" for a in ancestors)
        if link and box.text.endswith(box.style["hyphenate_character"] or "\u2010"):
            note(f"a link is hyphenated at the line end: {box.text.strip()[-30:]!r}")
    for child in getattr(box, "children", ()):
        _walk(child, page, column, ancestors + (box,), note, boxes, lines_by_paragraph,
              paragraph_names, last_block, notes)


LEGIBLE = 0.7
"""A displayed formula scaled down to fit (print.css) below this share of its size is hard
to read: the report says so."""

_WIDTH = re.compile(r"(?:^|;)\s*width:\s*([\d.]+)(px|em)")


def _scale(box) -> float | None:
    """How much a formula drawn for print (its ``width`` in its style attribute, in ``em`` of
    its text or in px) was scaled down to fit."""
    element = getattr(box, "element", None)
    found = _WIDTH.search(element.get("style") or "") if element is not None else None
    if not found:
        return None
    width = float(found[1]) * (box.style["font_size"] if found[2] == "em" else 1)
    return box.width / width if width > 0 else None


def _caption(table) -> str:
    """`` 'Table 3. …'``: how a report names a table box, by its caption (if it has one)."""
    element = getattr(table, "element", None)
    caption = next((child for child in element if _tag_of(child) == "caption"), None) \
        if element is not None else None
    text = " ".join("".join(caption.itertext()).split()) if caption is not None else ""
    return f" {text[:50]!r}" if text else ""


def _in_flow(ancestors: tuple, boxes) -> bool:
    """Lines of a table cell or a footnote break with their row, not as a paragraph does."""
    return not any(isinstance(a, (boxes.TableCellBox, boxes.FootnoteAreaBox))
                   for a in ancestors) if hasattr(boxes, "FootnoteAreaBox") else \
        not any(isinstance(a, boxes.TableCellBox) for a in ancestors)


_UNITS = _HEADINGS | {"p", "li", "figure", "blockquote", "dl", "header"}


def _is_unit(tag: str, box) -> bool:
    """A block a reader sees as one piece: a paragraph, a heading, a table with its caption."""
    return tag in _UNITS or "table-wrap" in _classes(box)


def _is_content(box, boxes) -> bool:
    return any(isinstance(d, boxes.TextBox) and d.text.strip() for d in box.descendants())


def _tag(box) -> str:
    element = getattr(box, "element", None)
    tag = getattr(element, "tag", "")
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _text(box) -> str:
    element = getattr(box, "element", None)
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _describe(box) -> str:
    """How a report names a block: "table 'trade' (Table 1. …)", "the heading '2. Methods'"."""
    tag, classes = _tag(box), _classes(box)
    text = _text(box)[:50]
    if "table-wrap" in classes or tag in ("table", "caption"):
        return f"the table {text!r}"
    if tag == "figure":
        return f"the figure {text!r}"
    if tag in _HEADINGS:
        return f"the heading {text!r}"
    return f"the {tag or 'block'} {text!r}"


FLOATS = ("figure", "table-wrap")
"""Blocks a typesetter may move down past the text that follows them: figures and tables."""


def floats_to_move(document, root) -> list[tuple[object, object]]:
    """The figures and tables that left a page more than a quarter empty by not fitting on it,
    each with the block after which it should go so that the text that follows fills the gap.

    Returns (element, after) pairs, to be made in order: moving ``element`` after the block
    ``after`` lets the text go on where the float would not fit, and the float start the next
    page, as page floats do in a typeset journal, into the next section where its own section
    ends with it (see :func:`_blocks_after`). Figures and tables in a row move together, each
    after the one before it. ``root`` is the page's element tree.
    """
    from weasyprint.formatting_structure import boxes

    parents = {child: parent for parent in root.iter() for child in parent}
    moves: list[tuple[object, object]] = []
    moving: set = set()
    pages = list(document.pages)
    heights: dict[int, float] = {}  # where a block starts, its height there, on any page
    for page in pages:
        for key, height in _heights_by_element(page._page_box, boxes).items():
            heights.setdefault(key, height)
    for index, (page, used) in enumerate(zip(pages[:-1], used_heights(document))):
        height = page._page_box.height
        gap = height - used
        if gap <= MOST_EMPTY * height:
            continue
        first = _first_float(pages[index + 1]._page_box, boxes)
        if first is None or first.element not in parents:
            continue
        element = _movable(first.element, parents)
        if element in moving:
            continue  # a float of a run that moves already moves with it
        planned = _plan_floats(element, gap, height, parents,
                               lambda element: heights.get(id(element)))
        moves += planned
        moving.update(element for element, _ in planned)
    return moves


def _plan_floats(first, gap: float, page_height: float, parents, height_of) -> list[tuple]:
    """Where ``first`` and the floats after it go: a walk down the blocks that follow it,
    page by page, with the heights the layout gave them (a block it did not lay out counts
    as a page).

    Text fills the ``gap`` ``first`` left; then the first float waiting starts the next page,
    and the floats waiting after it join it while they fit; the room they leave, text fills
    in turn, and so on until no float waits. A float met on the way waits behind those
    before it: none passes another. A heading stays with what follows it, never with a
    float below it. Returns the (element, after) moves, in the order to make them."""
    waiting, plan = [first], []
    room, after = gap, None
    for block in _blocks_after(first, parents):
        if not waiting:
            break
        if _is_float_element(block):
            waiting.append(block)
            continue
        room -= _height(height_of(block), page_height)
        if _is_heading(block):
            continue
        after = block
        if room > 0:
            continue
        used = min(-room, page_height)  # the block's lines carried over to the next page
        while waiting:
            height = _height(height_of(waiting[0]), page_height)
            if after is not block and used + height > page_height:
                break  # the first float of the page always goes; the next ones if they fit
            element = waiting.pop(0)
            plan.append((element, after))
            after, used = element, used + height
        room = page_height - used
    if after is not None:
        for element in waiting:  # the text ran out: they follow it, in their order
            plan.append((element, after))
            after = element
    return plan


def _height(laid_out: float | None, page_height: float) -> float:
    """A block's height as laid out; one it did not lay out (past the pages read) counts as
    a page."""
    return page_height if laid_out is None else laid_out


_SET_APART = frozenset({"appendix", "references", "footnotes"})
"""Sections a float never moves into: each starts anew (an appendix on a new page) or
follows the article's text."""


def _blocks_after(element, parents):
    """The blocks a reader meets after ``element``, in order: its later siblings, then, where
    it ends its section, the blocks of the sections that follow, heading by heading and
    paragraph by paragraph, up to an appendix, the references or the article's end."""
    node = element
    while node in parents:
        parent = parents[node]
        siblings = list(parent)
        for sibling in siblings[siblings.index(node) + 1:]:
            for block in _section_blocks(sibling):
                if block is None:
                    return
                yield block
        if _tag_of(parent) != "section":
            return
        node = parent


def _section_blocks(element):
    """``element`` as blocks: a section's own, read through; None where a set-apart one starts."""
    if _tag_of(element) != "section":
        yield element
        return
    if _SET_APART & set((element.get("class") or "").split()):
        yield None
        return
    for child in element:
        for block in _section_blocks(child):
            yield block
            if block is None:
                return


def move_floats(root, moves: list[tuple[object, object]]) -> None:
    """Move each float after the block named for it (see :func:`floats_to_move`)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for element, after in moves:
        parent, target = parents.get(element), parents.get(after)
        if parent is None or target is None or element is after:
            continue
        parent.remove(element)
        target.insert(list(target).index(after) + 1, element)
        parents[element] = target  # a float of a run may be the next one's place


def kept_whole_but_broken(document) -> list:
    """The elements the template keeps whole (``break-inside: avoid``: a box, a front matter,
    a reference, a row of the parallel handout) that WeasyPrint broke all the same, over two
    pages or more: each is taller than a page. Kept whole, such a block starts a page of its
    own and leaves the page before it empty (with the heading above it alone at its foot);
    :func:`let_break` lets it break where it stands, as text."""
    from weasyprint.formatting_structure import boxes

    pages: dict[int, tuple[object, set[int]]] = {}
    for index, page in enumerate(document.pages):
        # Not the rows of a table's header or footer: they are repeated on every page the
        # table runs over.
        rows = (row for group in _in_text_flow(page._page_box, boxes)
                if isinstance(group, boxes.TableRowGroupBox)
                and not (group.is_header or group.is_footer)
                for row in group.children)
        for box in itertools.chain(_flow_boxes(page._page_box, boxes), rows):
            element = getattr(box, "element", None)
            if element is not None and isinstance(box, (boxes.BlockBox, boxes.TableRowBox)) \
                    and box.style["break_inside"] in ("avoid", "avoid-page"):
                pages.setdefault(id(element), (element, set()))[1].add(index)
    return [element for element, found in pages.values() if len(found) > 1]


LET_BREAK = "break-inside: auto; orphans: 2; widows: 2"
"""What a block too tall to keep whole is laid out with, and each block inside it: broken
as text is, leaving no lone line."""


def let_break(elements: list) -> None:
    """Let each element, and each element inside it, break across pages (its style
    attribute, which no stylesheet rule overrides)."""
    for element in elements:
        for inner in element.iter():
            if isinstance(getattr(inner, "tag", None), str):
                style = (inner.get("style") or "").rstrip().rstrip(";")
                inner.set("style", f"{style}; {LET_BREAK}" if style else LET_BREAK)


FORCED = frozenset({"page", "left", "right", "recto", "verso"})


def _forced_break(page_box, boxes) -> bool:
    """Whether the page starts with a break the template asks for (an appendix starts a new
    page): the page before it may end where its content ends."""
    box = next((child for child in page_box.children
                if not isinstance(child, boxes.MarginBox)), None)
    while box is not None:
        if box.style["break_before"] in FORCED:
            return True
        children = [child for child in getattr(box, "children", ())
                    if not isinstance(child, (boxes.LineBox, boxes.TextBox))]
        box = children[0] if children else None
    return False


def used_heights(document) -> list[float]:
    """How far down each page's text area its content reaches, in points.

    A block that goes on to the next page counts only by what it holds: WeasyPrint stretches
    such a fragment to the foot of the page. The page's footnotes, set at its foot, count by
    their height: the text above them ends where it ends, and the gap between is unused.
    """
    from weasyprint.formatting_structure import boxes

    pages = [page._page_box for page in document.pages]
    elements = [{id(box.element) for box in _flow_boxes(page, boxes)
                 if getattr(box, "element", None) is not None} for page in pages]
    used = []
    for index, page in enumerate(pages):
        following = elements[index + 1] if index + 1 < len(pages) else set()
        top = page.content_box_y()
        bottoms = [box.border_box_y() + box.border_height() - top
                   for box in _flow_boxes(page, boxes)
                   if not isinstance(box, boxes.BlockBox) or id(box.element) not in following]
        notes = sum(child.margin_height() for child in page.children
                    if isinstance(child, boxes.FootnoteAreaBox) and child.children)
        used.append(min(max(bottoms, default=0.0) + notes, page.height))
    return used


def _in_text_flow(page_box, boxes):
    """Every box of a page's text flow: not its running header and footer, nor its notes."""
    for child in page_box.children:
        if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            yield from child.descendants()


def _flow_boxes(page_box, boxes):
    """The lines, images and blocks of a page's text flow."""
    for box in _in_text_flow(page_box, boxes):
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)) or (
                isinstance(box, boxes.BlockBox) and _tag(box) not in ("html", "body")):
            yield box


_MULTILINE = re.compile(r"\\\\|\\begin\{(?:aligned|align|alignedat|gathered|gather|split|"
                        r"multline|array|cases|eqnarray)")
"""A formula written on several lines already (its LaTeX, the image's text alternative)."""


_FLOAT_ROWS = frozenset({"row-figure", "row-table"})
"""Rows of a parallel handout that hold a figure or a table in each language, kept whole:
they float as the figure or table would (a wide table, set across both columns, breaks)."""
_HEADING_ROWS = frozenset({"row-section", "row-heading"})


def _is_float_element(element) -> bool:
    classes = set((element.get("class") or "").split())
    if _tag_of(element) == "tr":
        return bool(classes & _FLOAT_ROWS) and "row-table-wide" not in classes
    return _tag_of(element) == "figure" or "table-wrap" in classes


def _is_heading(element) -> bool:
    """A heading, or a parallel handout's row of headings."""
    if _tag_of(element) == "tr":
        return bool(set((element.get("class") or "").split()) & _HEADING_ROWS)
    return _tag_of(element) in _HEADINGS


def _movable(element, parents):
    """What moves for a float: the figure or table itself, or in a parallel handout the row
    that holds it in every language."""
    node = element
    while node in parents and _tag_of(node) not in ("section", "body"):
        node = parents[node]
        if _tag_of(node) == "tr":
            return node if _is_float_element(node) else element
    return element


def _first_float(page_box, boxes):
    """The page's first block, when it is a figure or a table."""
    for box in _flow_boxes(page_box, boxes):
        element = getattr(box, "element", None)
        if element is None or not isinstance(box, boxes.BlockBox):
            continue
        if _is_float_element(element):
            return box
        if _is_unit(_tag(box), box):
            return None
    return None


def _heights_by_element(page_box, boxes) -> dict[int, float]:
    """The height of each block the page holds (and of each row of a parallel handout)."""
    heights: dict[int, float] = {}
    for box in _in_text_flow(page_box, boxes):
        element = getattr(box, "element", None)
        if element is not None and isinstance(box, (boxes.BlockBox, boxes.TableRowBox)):
            heights.setdefault(id(element), box.margin_height())
    return heights


def _tag_of(element) -> str:
    tag = getattr(element, "tag", "")
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
