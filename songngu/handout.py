"""Set a document as a handout for printing: A5 reading copy, then print sheets.

resolved document → ``<out>/<lang>/<doc>.handout.pdf`` (the whole article on A5 pages numbered
1…n, styled by ``handout.css``) and the same pages imposed on A4 by :mod:`songngu.impose`:
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

import io
import time
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import pdfmeta, render, write
from .errors import SetupError
from .inline import plain_text
from .model import Section

if TYPE_CHECKING:  # the pipeline imports this module
    from .pipeline import Checked, Project
    from .resolve import Resolved

BLEED_MM = 3
"""Bleed around the A5 trim for a print shop; the CSS leaves room for it and the crop marks."""
SHEETS = {"booklet": "{sides} A4 landscape sides: print on both sides, flip on the short edge",
          "2up": "{sides} A4 landscape pages", "4up": "{sides} A4 portrait pages"}
"""The layouts of :mod:`songngu.impose` (each also names its file: ``asean-japan.booklet.pdf``),
with what they make. Listed here so that the command line needs no PDF library."""


@dataclass(frozen=True)
class HandoutOptions:
    sheets: str = "booklet"
    """An imposition layout of :mod:`songngu.impose`: ``booklet``, ``2up`` or ``4up``."""
    crop_marks: bool = False


def parallel_languages(choice: str, languages: list[str]) -> list[str] | None:
    """``en+vi`` → ``["en", "vi"]`` (checked against the document's languages); else None."""
    if "+" not in choice:
        return None
    langs = choice.split("+")
    if len(langs) != 2 or len(set(langs)) != 2 or not all(langs):
        raise SetupError(f"--lang {choice}: a parallel handout sets two different languages "
                         f"side by side, such as --lang {'+'.join(languages[:2])}")
    unknown = [lang for lang in langs if lang not in languages]
    if unknown:
        raise SetupError(f"--lang {choice}: the document has no {', '.join(unknown)} text "
                         f"(its languages: {', '.join(languages)})")
    return langs


def build_handout(checked: Checked, resolved: Resolved, lang: str, project: Project,
                  options: HandoutOptions, report: Callable[[str], None]) -> list[Path]:
    """The A5 handout of one language and its print sheets; return the files written."""
    html = render.render_html(resolved, lang, project.templates, render.RenderOptions(
        medium="handout", crop_marks=options.crop_marks))
    return _write(html, project.out / lang, checked, project, options, report)


def build_parallel(checked: Checked, resolved: Resolved, langs: list[str], project: Project,
                   options: HandoutOptions, report: Callable[[str], None]) -> list[Path]:
    """The parallel handout of two languages and its print sheets; return the files written."""
    html = render_parallel(resolved, langs, project.templates, options)
    return _write(html, project.out / "+".join(langs), checked, project, options, report)


def _write(html: str, out_dir: Path, checked: Checked, project: Project,
           options: HandoutOptions, report: Callable[[str], None]) -> list[Path]:
    doc = checked.doc
    started = time.perf_counter()
    # Stamped with the article's date, like its journal PDF, so that a rebuild gives the same
    # bytes; not with the journal's page labels: the handout is numbered from 1.
    pdf = write.render_pdf(html, write.Assets(fonts=project.fonts, media=doc.folder),
                           write.PdfSettings(date=pdfmeta.document_date(doc)))
    handout = out_dir / f"{doc.id}.handout.pdf"
    pdf.write(handout, finish=_set_bleed_box if options.crop_marks else None)
    marks = ", crop marks and 3 mm bleed" if options.crop_marks else ""
    report(f"wrote {handout} ({pdf.page_count} A5 pages{marks}, "
           f"{time.perf_counter() - started:.2f} s)")
    started = time.perf_counter()
    from .impose import impose  # pypdf: imported only when there is a PDF to handle

    sheets = out_dir / f"{doc.id}.{options.sheets}.pdf"
    sides = impose(handout, sheets, options.sheets)
    report(f"wrote {sheets} ({SHEETS[options.sheets].format(sides=sides)}, "
           f"{time.perf_counter() - started:.2f} s)")
    return [handout, sheets]


def _set_bleed_box(path: Path) -> None:
    """Make every page's BleedBox its TrimBox plus BLEED_MM on each side.

    WeasyPrint puts the BleedBox up to 10 pt outside the trim, whatever the CSS bleed; a print
    shop expects the bleed it was promised, and the crop marks lie beyond it.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    writer = PdfWriter(clone_from=reader)
    bleed = BLEED_MM * 72 / 25.4
    for page in writer.pages:
        trim = page.trimbox
        page.bleedbox = RectangleObject([float(trim.left) - bleed, float(trim.bottom) - bleed,
                                         float(trim.right) + bleed, float(trim.top) + bleed])
    with path.open("wb") as fh:
        writer.write(fh)


# ---------------------------------------------------------------------------------------------
# The parallel page

@dataclass
class Pair:
    """One row of the parallel text: the counterparts of each language, side by side."""

    kind: str
    """``section`` (a numbered heading), ``item`` (a list item) or a block kind: ``p``,
    ``heading``, ``quote``, ``table``, ``figure``."""
    cells: list[tuple[render.LanguageView, Any]]
    """(language, its Section / Block / item markup, or None where that language lacks it)."""
    level: int = 1
    """The level of the section the row belongs to."""
    anchor: str = ""
    """The row's id, which links point to (``sec-…``, ``tbl-…``, ``fig-…``)."""
    ordered: bool = False
    number: int = 0
    """For list items: whether the list is numbered, and the item's number."""


def render_parallel(resolved: Resolved, langs: list[str], templates: Path,
                    options: HandoutOptions = HandoutOptions()) -> str:
    """The HTML page of the parallel handout of ``langs`` (left column first)."""
    doc = resolved.doc
    folder = render.template_dir(templates, doc.template)
    views = [render.language_view(resolved, lang, templates) for lang in langs]
    env = Environment(loader=FileSystemLoader(folder), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    references = [resolved.texts[lang].references for lang in langs]
    cited_alike = all([key for key, _ in r] == [key for key, _ in references[0]]
                      for r in references)
    return env.get_template("parallel.html.j2").render(
        doc=doc, views=views, texts=doc.texts, options=options,
        numbers={lang: resolved.texts[lang].numbers for lang in langs},
        pairs=list(_pairs(views, [doc.texts[lang].sections for lang in langs])),
        references=[references[0]] if cited_alike else references,
        titles=[plain_text(resolved.texts[lang].spans.get(doc.texts[lang].title, []))
                or doc.texts[lang].title for lang in langs],
        stylesheet=render.stylesheet(folder, "handout", "parallel.css",
                                     *(render.PRINT_SHOP if options.crop_marks else ())),
    )


def _pairs(views: list[render.LanguageView], sections: list[list[Section]]):
    """The rows of the body: counterparts matched by position, in reading order.

    Languages that disagree in shape (parity findings are warnings unless --strict) still lose
    nothing: where one language has no counterpart, its cell stays empty.
    """
    for parts in zip_longest(*sections):
        first = next(p for p in parts if p is not None)
        yield Pair("section", list(zip(views, parts)), first.level, f"sec-{first.id}")
        blocks = [p.blocks if p is not None else [] for p in parts]
        for block_parts in zip_longest(*blocks):
            block = next(b for b in block_parts if b is not None)
            if block.kind in ("list", "ordered") and all(b is None or b.kind == block.kind
                                                         for b in block_parts):
                items = [b.items if b is not None else [] for b in block_parts]
                for number, item_parts in enumerate(zip_longest(*items), 1):
                    yield Pair("item", list(zip(views, item_parts)), first.level,
                               ordered=block.kind == "ordered", number=number)
                continue
            anchor = {"table": "tbl-", "figure": "fig-"}.get(block.kind)
            yield Pair(block.kind, list(zip(views, block_parts)), first.level,
                       f"{anchor}{block.text}" if anchor else "")
        yield from _pairs(views, [p.sections if p is not None else [] for p in parts])
