"""Lay out rendered pages as PDF files: the jobs a build hands to its worker processes.

a page's HTML and what its PDF needs, as plain data (:class:`JournalPdf`, :class:`HandoutPdf`)
→ the PDF file, finished (page labels, metadata), and a handout's print sheets. A job carries
no content objects and this module imports none of the content stages (Jinja2, Markdown,
citeproc, Babel): a worker forked when a build starts, before the parent imports them, needs
only WeasyPrint, which it imports while the parent checks and renders the content.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import pdfengine, pdfmeta, progress, write
from .errors import ContentError, Problem, display_path
from .pagecount import Counted
from .sheets import SHEETS

BLEED_MM = 3
"""Bleed around the A5 trim for a print shop; the CSS leaves room for it and the crop marks."""


@dataclass(frozen=True)
class _PagePdf:
    """A rendered page and what its PDF needs besides."""

    html: str
    target: Path
    assets: write.Assets
    settings: pdfengine.PdfSettings
    facts: pdfmeta.PdfFacts
    source: str
    """The document's shared file, as shown to the user: where a refused resource is reported."""
    strict: bool
    """Whether the layout report's findings (:mod:`songngu.pagecheck`) stop the build."""

    def _laid_out(self, report: progress.Report, print_css: str = "",
                  count: bool = False) -> pdfengine.RenderedPdf:
        """The laid-out pages, their layout findings reported (or raised, when strict);
        ``count``: their number told first (:class:`Counted`), as soon as it is known."""
        # The next article of an issue waits for the count (songngu.issue): it is told as soon
        # as the text is paginated, before the running headers are laid out.
        tell = (lambda pages: report(Counted(str(self.target), pages))) if count else None
        pdf = _render(self.html, self.assets, self.settings, self.source, print_css, tell)
        findings = pdf.findings(self.facts.first_page)
        problems = [Problem(display_path(self.target), 0, f"layout: {finding}",
                            "error" if self.strict else "warning") for finding in findings]
        if self.strict and problems:
            pdf.close()
            raise ContentError(problems)
        for problem in problems:
            report(problem)
        return pdf


@dataclass(frozen=True)
class JournalPdf(_PagePdf):
    """A language's journal PDF, laid out from the page the build has written as HTML."""

    print_css: str = ""
    """What only WeasyPrint reads (page size, running header, footnotes, outline), added to
    the page's own CSS: the HTML a browser gets holds none of it."""

    def run(self, report: progress.Report) -> list[Path]:
        with progress.step(report, self.target, "laying out") as done:
            pdf = self._laid_out(report, self.print_css, count=True)
            pdf.write(self.target, finisher=partial(pdfmeta.finish, facts=self.facts))
            last = self.facts.first_page + pdf.page_count - 1
            pages = "1 page" if pdf.page_count == 1 else f"{pdf.page_count} pages"
            shown = f"{last}" if last == self.facts.first_page else \
                f"{self.facts.first_page}–{last}"
            done.text = f"{pages}, {shown}"
        return [self.target]


@dataclass(frozen=True)
class HandoutPdf(_PagePdf):
    """An A5 handout (one language, or two side by side) and its print sheets.

    ``target`` is ``<out>/<lang>/<doc>.handout.pdf``, the sheets are written beside it; the
    ``facts`` number its pages from 1: a handout does not carry the journal's page numbers.
    """

    sheets: str
    """An imposition layout of :mod:`songngu.impose`: ``booklet``, ``2up`` or ``4up``."""

    def stale_sheets(self) -> list[Path]:
        """The sheets of the other layouts: an earlier build's, to be removed with this one."""
        stem = self.target.name.removesuffix(".handout.pdf")
        return [self.target.with_name(f"{stem}.{other}.pdf") for other in SHEETS
                if other != self.sheets]
    crop_marks: bool

    def run(self, report: progress.Report) -> list[Path]:
        started = time.perf_counter()
        pdf = self._laid_out(report)
        pdf.write(self.target, finisher=partial(_finish_handout, facts=self.facts,
                                                crop_marks=self.crop_marks))
        marks = ", crop marks and 3 mm bleed" if self.crop_marks else ""
        report(f"wrote {self.target} ({pdf.page_count} A5 pages{marks}, "
               f"{time.perf_counter() - started:.2f} s)")
        started = time.perf_counter()
        from .impose import impose  # pypdf: only a handout needs it

        stem = self.target.name.removesuffix(".handout.pdf")
        sheets = self.target.with_name(f"{stem}.{self.sheets}.pdf")
        sides = impose(self.target, sheets, self.sheets, crop_marks=self.crop_marks)
        report(f"wrote {sheets} ({SHEETS[self.sheets].format(sides=sides)}, "
               f"{time.perf_counter() - started:.2f} s)")
        return [self.target, sheets]


def run(jobs: list[JournalPdf | HandoutPdf], report: progress.Report) -> list[Path]:
    """Lay out ``jobs`` one after the other; return the files written."""
    return [path for job in jobs for path in job.run(report)]


def _render(html: str, assets: write.Assets, settings: pdfengine.PdfSettings,
            source: str, print_css: str = "",
            on_count: Callable[[int], None] | None = None) -> pdfengine.RenderedPdf:
    try:
        return pdfengine.render_pdf(html, assets, settings, print_css, on_count)
    except pdfengine.ForbiddenResource as exc:  # the checks let through what the page refers to
        raise ContentError([Problem(source, 0, str(exc))]) from None


def _finish_handout(document, pdf, facts: pdfmeta.PdfFacts, crop_marks: bool) -> None:
    pdfmeta.finish(document, pdf, facts)
    if crop_marks:
        _set_bleed_boxes(pdf)


def _set_bleed_boxes(pdf) -> None:
    """Make every page's BleedBox its TrimBox plus BLEED_MM on each side.

    WeasyPrint puts the BleedBox up to 10 pt outside the trim, whatever the CSS bleed; a print
    shop expects the bleed it was promised, and the crop marks lie beyond it.
    """
    import pydyf

    bleed = BLEED_MM * 72 / 25.4
    for page in pdf.objects:
        if isinstance(page, pydyf.Dictionary) and page.get("Type") == "/Page" \
                and "TrimBox" in page:
            x0, y0, x1, y1 = page["TrimBox"]
            (left, right), (bottom, top) = sorted((x0, x1)), sorted((y0, y1))
            page["BleedBox"] = pydyf.Array([left - bleed, bottom - bleed, right + bleed,
                                            top + bleed])
