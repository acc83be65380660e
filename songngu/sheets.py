"""The print sheets a handout can be imposed on, declared once: name, what it is, page places.

sheet name → what a build reports about it and where its pages go: the sheet's size and the
cells the pages fill, in reading order (points, origin at the lower left). The command line
offers exactly these names (``--sheets``, from :data:`SHEETS`) and :mod:`songngu.impose` places
pages by the same entries (:data:`LAYOUTS`), so the two cannot disagree. Plain numbers only:
the command line reads this without importing pypdf.
"""

from __future__ import annotations

MM = 72 / 25.4
A4_SHORT = 210 * MM  # 595.28 pt
A4_LONG = 297 * MM  # 841.89 pt

Cell = tuple[float, float, float, float]  # x, y (lower-left, in sheet space), width, height
Layout = tuple[float, float, tuple[Cell, ...]]  # sheet width, sheet height, cells

_HALF = A4_LONG / 2
_QW, _QH = A4_SHORT / 2, A4_LONG / 2
_SIDE_BY_SIDE: Layout = (A4_LONG, A4_SHORT,
                         ((0, 0, _HALF, A4_SHORT), (_HALF, 0, _HALF, A4_SHORT)))

_TABLE: dict[str, tuple[str, Layout]] = {
    "booklet": ("{sides} A4 landscape sides: print on both sides, flip on the short edge",
                _SIDE_BY_SIDE),
    "2up": ("{sides} A4 landscape pages", _SIDE_BY_SIDE),
    "4up": ("{sides} A4 portrait pages",
            (A4_SHORT, A4_LONG,
             ((0, _QH, _QW, _QH), (_QW, _QH, _QW, _QH), (0, 0, _QW, _QH), (_QW, 0, _QW, _QH)))),
}

SHEETS = {name: description for name, (description, _) in _TABLE.items()}
"""The print sheets :mod:`songngu.impose` makes of a handout (each also names its file:
``asean-japan.booklet.pdf``), with what they are."""
LAYOUTS = {name: layout for name, (_, layout) in _TABLE.items()}
"""Where each sheet's pages go: (sheet width, sheet height, cells in reading order)."""
