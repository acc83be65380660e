"""Take a finished PDF of A5 pages; give print sheets: a saddle-stitch booklet or n-up A4 sheets.

Layouts (see :func:`impose`):

``booklet``
    Two pages side by side on each side of an A4 landscape sheet, in :func:`booklet_order`:
    print double-sided, flipping on the short edge, fold the stack in half, staple on the fold.
``2up``
    Pages 1|2, 3|4, … side by side on A4 landscape, in reading order (cut in half, or hand out).
``4up``
    Four pages per A4 portrait side in a 2×2 grid (1 2 / 3 4), scaled down to fit.

Each source page is placed at its trim size (its TrimBox if it has one, else its MediaBox),
clipped to that box (so bleed and crop marks do not spill onto the neighbouring page), scaled
down only if it does not fit its half or cell, and centred there. Padding is left truly blank:
nothing is drawn there.

Each source page becomes a Form XObject: its content stream bytes as they are, its resources
copied into the output with pypdf's clone machinery (so a font all pages share is written once),
its /BBox the trim box (which does the clipping). A sheet's content stream only draws its pages:
``q <matrix> cm /Pn Do Q`` each. Nothing is parsed or rewritten, which keeps imposing a handout
to a fraction of a second; the pages stay vectors, their text selectable and extractable.
Annotations (links and any other) are not carried onto the sheets: they belong to the source's
pages and mean nothing on paper.

For a print shop (``crop_marks``), each sheet is the A4 layout inside a margin of
:data:`MARK_MARGIN_MM` (an SRA4-sized sheet): the pages keep their bleed on every edge that faces
that margin (the bleed of an edge shared with a neighbouring page is cut there), crop marks stand
in the margin at every trim corner, and the sheet's TrimBox and BleedBox say where to cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from .sheets import LAYOUTS, MM, Cell
from .write import atomic_path

__all__ = ["LAYOUTS", "booklet_order", "impose"]

MARK_MARGIN_MM = 12
"""Blank margin around the A4 layout on a sheet with crop marks: room for bleed and marks."""
MARK_OFFSET_MM, MARK_LENGTH_MM = 4, 6
"""A crop mark starts this far from the trim corner (beyond the bleed) and is this long."""


def booklet_order(page_count: int) -> list[tuple[int | None, int | None]]:
    """Saddle-stitch order: for n pages padded to a multiple of 4 (None = blank), the list of
    (left, right) source page indexes (0-based) for each sheet side in print order:
    sheet 1 front, sheet 1 back, sheet 2 front, ... so that printing double-sided
    (flip on short edge), folding the stack and stapling gives reading order.

    >>> booklet_order(4)
    [(3, 0), (1, 2)]
    >>> booklet_order(5)
    [(None, 0), (1, None), (None, 2), (3, 4)]
    """
    if page_count < 0:
        raise ValueError(f"page count must not be negative, got {page_count}")
    padded = -(-page_count // 4) * 4

    def page(i: int) -> int | None:
        return i if i < page_count else None

    sides: list[tuple[int | None, int | None]] = []
    for sheet in range(padded // 4):
        outer, inner = 2 * sheet, padded - 1 - 2 * sheet
        sides.append((page(inner), page(outer)))  # front: last … first (outside of the fold)
        sides.append((page(outer + 1), page(inner - 1)))  # back: the pages behind those
    return sides


def _slots(page_count: int, layout: str) -> list[Sequence[int | None]]:
    """Source page index (or None) for each cell of each output page."""
    if layout == "booklet":
        return list(booklet_order(page_count))
    per_side = len(LAYOUTS[layout][2])
    return [
        [i if i < page_count else None for i in range(start, start + per_side)]
        for start in range(0, page_count, per_side)
    ]


def _trim_box(page: PageObject) -> RectangleObject:
    """The page's TrimBox if it has one, else its MediaBox (never the CropBox fallback)."""
    return page.trimbox if "/TrimBox" in page else page.mediabox


def _placement(page: PageObject, cell: Cell) -> Transformation:
    """The matrix that puts ``page``'s trim box centred in ``cell``, scaled down only if needed.

    A page's /Rotate is honoured: it is placed the way a viewer shows it.
    """
    box = _trim_box(page)
    width, height = float(box.width), float(box.height)
    if width <= 0 or height <= 0:
        raise ValueError(f"page has an empty trim box: {list(box)}")
    turn = page.rotation % 360  # clockwise, a multiple of 90
    if turn in (90, 270):
        width, height = height, width
    cx, cy, cw, ch = cell
    scale = min(1.0, cw / width, ch / height)
    return (
        Transformation()
        .translate(-float(box.left + box.right) / 2, -float(box.bottom + box.top) / 2)
        .rotate(-turn)
        .scale(scale, scale)
        .translate(cx + cw / 2, cy + ch / 2)
    )


def _page_form(writer: PdfWriter, page: PageObject, bleed: bool = False) -> IndirectObject:
    """``page`` as a Form XObject in ``writer``, clipped to its trim box (its bleed box with
    ``bleed``).

    Only the page's content and resources go in: not its annotations, whose links point into
    the source's page tree and would drag copies of source pages into the output.
    """
    form = _content_copy(writer, page)
    resources = page.raw_get("/Resources") if "/Resources" in page else DictionaryObject()
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            # The form is clipped to its /BBox: the trim box, so bleed and printer's marks
            # outside it are cut off instead of drawn on the next cell.
            NameObject("/BBox"): RectangleObject(
                page.bleedbox if bleed and "/BleedBox" in page else _trim_box(page)),
            # Cloning maps each source object to one output object, so fonts and images
            # shared by the pages are written once, whichever page brings them in first.
            NameObject("/Resources"): resources.clone(writer),
        }
    )
    return writer._add_object(form)  # no public way to add a new stream object


def _content_copy(writer: PdfWriter, page: PageObject) -> StreamObject:
    """A new stream in ``writer`` holding ``page``'s content, for the page's form to own."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, StreamObject):
        # The usual case (WeasyPrint writes one stream): its encoded bytes and filters as they
        # are, nothing decoded. A fresh copy (force_duplicate), because the form's dictionary
        # entries are added to it.
        copy = contents.clone(writer, force_duplicate=True)
        # clone() makes an object of the class it is called on; pypdf annotates it as the
        # base class's, DictionaryObject.
        return cast(StreamObject, copy)
    # Several streams (or none): one stream of their decoded bytes, each ending a line so
    # that no operator or operand runs into the next stream's.
    data = b"".join(part.get_object().get_data() + b"\n" for part in contents or ())
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode()


Placed = tuple[str, IndirectObject, Transformation, str]
"""A form's resource name, the form, its matrix, and the clip drawn before it (or "")."""


def _draw(sheet: PageObject, placed: list[Placed], marks: str = "") -> None:
    """Give ``sheet`` a content stream drawing each form with its matrix (and clip), then the
    crop marks, and resources naming the forms."""
    ops = "".join(f"q {clip}{_matrix(ctm)} cm {name} Do Q\n" for name, _, ctm, clip in placed)
    ops += marks
    content = DecodedStreamObject()
    content.set_data(ops.encode("ascii"))
    forms = DictionaryObject({NameObject(name): form for name, form, _, _ in placed})
    sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): forms})
    sheet.replace_contents(content.flate_encode())


def _matrix(ctm: Transformation) -> str:
    """The six numbers of a ``cm`` operator, fixed-point (PDF numbers have no exponent)."""
    numbers = (f"{value:.6f}".rstrip("0").rstrip(".") for value in ctm.ctm)
    return " ".join("0" if number == "-0" else number for number in numbers)


def impose(src: Path, dst: Path, layout: str = "booklet", crop_marks: bool = False) -> int:
    """layout: 'booklet' (2 A5 pages side by side on A4 landscape in booklet_order, blank
    padding), '2up' (pages 1,2 | 3,4 … on A4 landscape, reading order), '4up' (4 A5-ish pages
    scaled onto A4 portrait in a 2x2 grid, reading order). Source pages are placed at their
    trim size (use the page's TrimBox if present, else MediaBox), scaled only if they do not
    fit, and centred in their half/cell. With ``crop_marks``, the layout sits in a margin
    holding the pages' outer bleed and crop marks (see the module's docstring). Write
    atomically (temp file in the same folder, then os.replace). Returns the number of output
    sheets sides (pages) written."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of: {', '.join(LAYOUTS)}")
    src, dst = Path(src), Path(dst)
    reader = PdfReader(src)  # reads the whole file, so dst may be src
    page_count = len(reader.pages)
    if page_count == 0:
        raise ValueError(f"{src}: the PDF has no pages")

    area_w, area_h, cells = LAYOUTS[layout]
    margin = MARK_MARGIN_MM * MM if crop_marks else 0.0
    cells = tuple((x + margin, y + margin, w, h) for x, y, w, h in cells)
    writer = PdfWriter()
    forms: dict[int, IndirectObject] = {}  # source page index → its form, made once
    for slots in _slots(page_count, layout):
        sheet = writer.add_blank_page(area_w + 2 * margin, area_h + 2 * margin)
        placed: list[Placed] = []
        marks = []
        for index, cell in zip(slots, cells):
            if index is None:
                continue
            page = reader.pages[index]
            if index not in forms:
                forms[index] = _page_form(writer, page, bleed=crop_marks)
            ctm = _placement(page, cell)
            clip = ""
            if crop_marks:
                trim = _placed_trim(page, cell)
                outer = _outer_edges(trim, margin, area_w, area_h)
                clip = _bleed_clip(page, trim, outer)
                marks.append(_crop_marks(trim, outer))
            placed.append((f"/P{index + 1}", forms[index], ctm, clip))
        if placed:
            _draw(sheet, placed, "".join(marks))
        if crop_marks:
            bleed = _page_bleed(reader.pages[0])
            sheet[NameObject("/TrimBox")] = RectangleObject(
                [margin, margin, margin + area_w, margin + area_h])
            sheet[NameObject("/BleedBox")] = RectangleObject(
                [margin - bleed, margin - bleed, margin + area_w + bleed, margin + area_h + bleed])
    title = reader.metadata.get("/Title") if reader.metadata is not None else None
    if title:
        writer.add_metadata({"/Title": str(title)})

    with atomic_path(dst) as tmp, tmp.open("wb") as stream:
        writer.write(stream)
    return len(writer.pages)


Rect = tuple[float, float, float, float]  # left, bottom, right, top in sheet space


def _placed_trim(page: PageObject, cell: Cell) -> Rect:
    """Where ``page``'s trim box lands on the sheet (see :func:`_placement`)."""
    box = _trim_box(page)
    width, height = float(box.width), float(box.height)
    if page.rotation % 180:
        width, height = height, width
    cx, cy, cw, ch = cell
    scale = min(1.0, cw / width, ch / height)
    w, h = width * scale, height * scale
    left, bottom = cx + (cw - w) / 2, cy + (ch - h) / 2
    return left, bottom, left + w, bottom + h


def _outer_edges(trim: Rect, margin: float, area_w: float, area_h: float) -> set[str]:
    """The edges of a placed page that lie on the layout's outline (not against a neighbour)."""
    left, bottom, right, top = trim
    near = 2 * MM  # a page is centred in its cell: an A5 page leaves 0.25 mm of a half-A4
    edges = set()
    if abs(left - margin) < near:
        edges.add("left")
    if abs(right - (margin + area_w)) < near:
        edges.add("right")
    if abs(bottom - margin) < near:
        edges.add("bottom")
    if abs(top - (margin + area_h)) < near:
        edges.add("top")
    return edges


def _page_bleed(page: PageObject) -> float:
    """How far the page's bleed box reaches past its trim box (0 without a bleed box)."""
    if "/BleedBox" not in page:
        return 0.0
    return max(0.0, float(page.trimbox.left) - float(page.bleedbox.left))


def _bleed_clip(page: PageObject, trim: Rect, outer: set[str]) -> str:
    """A clip to the trim box grown by the bleed on the outer edges only: a page's bleed never
    covers its neighbour."""
    bleed = _page_bleed(page)
    left, bottom, right, top = trim
    left -= bleed if "left" in outer else 0
    right += bleed if "right" in outer else 0
    bottom -= bleed if "bottom" in outer else 0
    top += bleed if "top" in outer else 0
    return f"{left:.3f} {bottom:.3f} {right - left:.3f} {top - bottom:.3f} re W n "


def _crop_marks(trim: Rect, outer: set[str]) -> str:
    """Thin lines in the sheet's margin in line with each trim edge, at every trim corner
    that lies on the outline, pointing away from the page."""
    offset, length = MARK_OFFSET_MM * MM, MARK_LENGTH_MM * MM
    left, bottom, right, top = trim
    lines = []
    for x, side in ((left, "left"), (right, "right")):
        for y, toward in ((bottom, "bottom"), (top, "top")):
            if toward in outer:  # a vertical mark above or below the corner
                sign = -1 if toward == "bottom" else 1
                lines.append((x, y + sign * offset, x, y + sign * (offset + length)))
            if side in outer:  # a horizontal mark beside the corner
                sign = -1 if side == "left" else 1
                lines.append((x + sign * offset, y, x + sign * (offset + length), y))
    ops = "".join(f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S\n" for x0, y0, x1, y1 in lines)
    return f"q 0.25 w 0 G\n{ops}Q\n" if ops else ""
