"""Render a document as a handout for printing: the HTML of an A5 reading copy.

resolved document → the handout's HTML page (the whole article on A5 pages numbered 1…n,
styled by ``handout.css``), which :mod:`songngu.layout` lays out as
``<out>/<lang>/<doc>.handout.pdf`` and imposes on A4 with :mod:`songngu.impose`:
``<doc>.booklet.pdf`` (saddle stitch), or ``<doc>.2up.pdf`` / ``<doc>.4up.pdf``.

With two languages (``--lang en+vi``) the handout is parallel text, written to
``<out>/en+vi/``: the languages side by side, each pair of counterparts (title, abstract,
section heading, paragraph, subheading, quotation, list item, table, figure) on one row of a
two-column table (``parallel.html.j2``), so that both start at the same height. A table row is
what keeps pairs together: WeasyPrint continues every cell of a row that does not fit on the
next page, so a long paragraph beside a short one pushes the next pair down instead of
overlapping it, and both halves of a pair break at the same page break. Each cell carries its
``lang`` (hyphenation, tagged PDF). The reference list, the same in both languages when they
cite alike, is given once, in the left column's language.

For a print shop, crop marks and 3 mm of bleed around the A5 trim (``--crop-marks``): the
imposition still places each page by its TrimBox, so the sheets do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import breaks, render
from .doctree import Block, Section, Table, plain, plain_line
from .kinds import KINDS
from .project import HandoutOptions

if TYPE_CHECKING:
    from .resolve import Resolved

DEFAULT_OPTIONS = HandoutOptions()
"""No crop marks."""


def render_handout(resolved: Resolved, lang: str, templates: Path,
                   options: HandoutOptions = DEFAULT_OPTIONS) -> str:
    """The HTML page of one language's A5 handout."""
    return render.render_html(resolved, lang, templates, render.RenderOptions(
        medium="handout", crop_marks=options.crop_marks))


# ---------------------------------------------------------------------------------------------
# The parallel page

@dataclass
class Pair:
    """One row of the parallel text: the counterparts of each language, side by side."""

    kind: str
    """``section`` (a numbered heading), ``item`` (a list item) or a block kind: ``p``,
    ``heading``, ``quote``, ``table``, ``figure``."""
    cells: list[tuple[render.LanguageView, Any]]
    """(language, its part of the resolved tree: a Section, a Block or a list item's nodes;
    or None where that language lacks it)."""
    level: int = 1
    """The level of the section the row belongs to."""
    anchor: str = ""
    """The row's id, which links point to (``sec-…``, ``tbl-…``, ``fig-…``)."""
    ordered: bool = False
    number: int = 0
    """For list items: whether the list is numbered, and the item's number."""
    wide: bool = False
    """For tables: too wide for a column, so each language's table spans both columns."""
    wraps: bool = False
    """For tables: too wide for a column with every cell on one line, so its text cells
    wrap between words (numbers never do); a table that fits keeps each cell whole."""


def render_parallel(resolved: Resolved, langs: list[str], templates: Path,
                    options: HandoutOptions = DEFAULT_OPTIONS) -> str:
    """The HTML page of the parallel handout of ``langs`` (left column first)."""
    doc = resolved.doc
    folder = render.template_dir(templates, doc.template)
    views = [render.language_view(resolved, lang, templates) for lang in langs]
    env = Environment(loader=FileSystemLoader(folder), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["url_text"] = breaks.url_html
    trees = {lang: resolved.texts[lang] for lang in langs}
    references = [render.reference_list(trees[lang]) for lang in langs]
    cited_alike = all([key for key, _ in r] == [key for key, _ in references[0]]
                      for r in references)
    titles = [plain_line(trees[lang].front.title) for lang in langs]
    # Its pages after the first are headed by the left column's title, as a handout's are.
    running_head = views[0].env.get_template("page.css.j2").render(
        options=render.RenderOptions(medium="handout"), title_plain=titles[0],
        page_anchors=render.page_anchors(resolved))
    sheets = render.stylesheet(folder, "handout", "parallel.css",
                               *(render.PRINT_SHOP if options.crop_marks else ()))
    return env.get_template("parallel.html.j2").render(
        doc=doc, views=views, trees=trees, options=options, kinds=KINDS,
        pairs=list(_pairs(views, [trees[lang].sections for lang in langs])),
        references=[references[0]] if cited_alike else references, titles=titles,
        stylesheet=Markup(f"{sheets}\n{running_head}"),  # CSS, its strings CSS-escaped
    )


COLUMN_WIDTH_PT = 57 * 72 / 25.4
"""The width of one language's column on the A5 parallel page (parallel.css)."""
CELL_CHAR_PT, CELL_PADDING_PT = 4.2, 6.0
"""An average character of the tables' 8 pt type, and a cell's padding left and right."""
WIDE = 1.25
"""A table spans both columns when its narrowest estimate passes a column by this much: below
that it fits by tightening and wrapping (hyphenation breaks the longest English words), and
the layout report would name a table that still overflowed. Likewise a table wraps its text
cells when its estimate with every cell on one line passes a column by this much: below
that its cells fit whole, the headers wrapping."""


def _width(view: render.LanguageView, table: Table, cells_whole: bool = False) -> float:
    """An estimate of a table's width: every column as wide as its longest word (a header's
    or a cell's), which no wrapping can break, the narrowest it can be set; or, with
    ``cells_whole``, as wide as its longest cell on one line (its header still wraps)."""
    width = 0.0
    for index, column in enumerate(table.columns):
        cells = [_cell_text(view, row[index], column) for row in table.rows if index < len(row)]
        unbroken = cells if cells_whole else [word for cell in cells for word in cell.split()]
        longest = max([len(text) for text in unbroken] +
                      [len(word) for word in plain(column.header).split()], default=0)
        width += longest * CELL_CHAR_PT + CELL_PADDING_PT
    return width


def _cell_text(view: render.LanguageView, cell, column) -> str:
    """A cell as printed in ``view``'s language."""
    if column.kind == "text":
        return plain(cell.nodes) if cell.nodes is not None else ""
    return str(view.cell(cell.value, column))


def _pairs(views: list[render.LanguageView], sections: list[list[Section]]):
    """The rows of the body: counterparts matched by position, in reading order.

    Languages that disagree in shape (parity findings are warnings unless --strict) still lose
    nothing: where one language has no counterpart, its cell stays empty.
    """
    for parts in zip_longest(*sections):
        first = next(p for p in parts if p is not None)
        yield Pair("section", list(zip(views, parts)), first.level, first.anchor)
        blocks = [p.blocks if p is not None else [] for p in parts]
        for block_parts in zip_longest(*blocks):
            block: Block = next(b for b in block_parts if b is not None)
            if block.kind in ("list", "ordered") and all(b is None or b.kind == block.kind
                                                         for b in block_parts):
                items = [b.items if b is not None else [] for b in block_parts]
                for number, item_parts in enumerate(zip_longest(*items), 1):
                    yield Pair("item", list(zip(views, item_parts)), first.level,
                               ordered=block.kind == "ordered", number=number)
                continue
            tables = [(view, b) for view, b in zip(views, block_parts) if isinstance(b, Table)]
            yield Pair(block.kind, list(zip(views, block_parts)), first.level,
                       block.anchor if KINDS[block.kind].xref else "",
                       wide=any(_width(*t) > WIDE * COLUMN_WIDTH_PT for t in tables),
                       wraps=any(_width(*t, cells_whole=True) > WIDE * COLUMN_WIDTH_PT
                                 for t in tables))
        yield from _pairs(views, [p.sections if p is not None else [] for p in parts])
