"""Lay out HTML pages as PDF with WeasyPrint: the only module that imports it (with
:mod:`songngu.amend`, which it calls).

HTML text + the files it may use (:class:`songngu.write.Assets`) → a laid-out PDF, written
atomically (:func:`songngu.write.atomic_path`). While rendering, WeasyPrint may read only the
project's fonts and the document's own folder: any other URL stops the build with a message
instead of a network request or a read elsewhere.

WeasyPrint's layout is amended where it sets a page or a line as a typesetter would not
(:mod:`songngu.amend`), and a process keeps the fonts it has loaded for the
next page that uses the same ones (:func:`_font_configuration`).

PDFs are tagged PDF/UA-1 unless another of WeasyPrint's variants is asked for (PDF/A for
archives, with the document's sources attached where the variant allows). Every timestamp in
a PDF, including the one inside each embedded font, is the article's own date, so the same
content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from . import amend, stylecache, workers
from .project import DEFAULT_PDF_VARIANT
from .write import Assets, atomic_path

VIRTUAL_ROOT = "/songngu-document/"
"""Base URL path of a page while it renders; maps to the allowed folders below."""

SOURCE_VARIANTS = frozenset({"pdf/a-3a", "pdf/a-3b", "pdf/a-3u", "pdf/a-4f"})
"""The variants that may embed files of any type: they carry the document's YAML sources."""


@dataclass(frozen=True)
class PdfSettings:
    """How a PDF is written, besides its pages."""

    variant: str = DEFAULT_PDF_VARIANT
    date: dt.date | None = None
    """The article's date: every timestamp of the file. None: $SOURCE_DATE_EPOCH, or 1970."""
    sources: tuple[tuple[str, Path], ...] = ()
    """(name, file) pairs attached to the PDF when the variant allows it (SOURCE_VARIANTS)."""


class RenderedPdf:
    """A laid-out PDF: its page count is known before it is written."""

    def __init__(self, document, options: dict, clock: dt.datetime | None = None,
                 fonts=None):
        self._document = document
        self._options = options
        self._clock = clock or _clock(None)
        self._fonts = fonts

    @property
    def page_count(self) -> int:
        return len(self._document.pages)

    def findings(self, first_label: int = 1) -> list:
        """What a typesetter would fix on these pages (:mod:`songngu.pagecheck`)."""
        from . import pagecheck

        return pagecheck.check(self._document, first_label)

    def write(self, target: Path, finisher=None) -> None:
        """Write the PDF atomically; ``finisher(document, pdf)`` may add to the PDF before it is
        written (WeasyPrint's hook: ``pdf`` is its pydyf object)."""
        from . import pdftags

        with atomic_path(target) as tmp, _source_date_epoch(self._clock), \
                    pdftags.recording(self._document.metadata.lang) as origins, \
                    workers.library_threads_ended():
            def finish(document, pdf) -> None:
                pdftags.mend(pdf, origins)
                if finisher is not None:
                    finisher(document, pdf)

            try:
                self._document.write_pdf(tmp, finisher=finish, **self._options)
            finally:
                self.close()

    def close(self) -> None:
        """Let go of the layout. Its fonts stay loaded for the next page this process lays out
        with the same fonts (:func:`release_fonts` removes them)."""
        self._fonts = None


def load_renderer() -> None:
    """Import WeasyPrint now, so that the build processes forked afterwards share it."""
    import weasyprint  # noqa: F401


def render_pdf(html: str, assets: Assets, settings: PdfSettings = PdfSettings(),
               print_css: str = "", on_count: Callable[[int], None] | None = None,
               **pdf_options) -> RenderedPdf:
    """Lay out an HTML page with WeasyPrint, reading only from ``assets``; ``print_css`` is
    added after the page's own styles. ``on_count(pages)`` is told the page count as soon as
    the last layout has paginated the text, before its running headers are laid out."""
    # Imported here, not at the top: a build with nothing to do must not pay WeasyPrint's
    # import time (about a second).
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    amend.apply()
    stylecache.keep_parsed()
    fetcher = _fetcher_class()(assets)
    # Pango's font-matching threads must be gone before this process may fork (see
    # songngu.workers.library_threads_ended).
    with workers.library_threads_ended():
        fonts = _font_configuration(assets, FontConfiguration)
        try:
            base_url = f"file://{VIRTUAL_ROOT}"
            sheets = [weasyprint.CSS(string=print_css, base_url=base_url,
                                     url_fetcher=fetcher, font_config=fonts)] \
                if print_css else []
            page = weasyprint.HTML(string=_break_hints_as_text(html), base_url=base_url,
                                   url_fetcher=fetcher)
            document = _place_floats(page, sheets, fonts, on_count)
        except FatalURLFetchingError as exc:
            raise ForbiddenResource(str(exc)) from None
    clock = _clock(settings.date)
    # The article's date, not the clock: PDF/X would otherwise stamp the time of the build.
    document.metadata.created = document.metadata.modified = clock.date().isoformat()
    options = {"pdf_variant": settings.variant, "pdf_tags": True, **pdf_options}
    if settings.variant == "pdf/ua-2":
        # PDF 2.0 requires a file identifier; WeasyPrint writes one (a digest of the whole
        # file, which costs a second pass over it) for PDF/A and PDF/X but not for PDF/UA-2.
        options.setdefault("pdf_identifier", True)
    if settings.variant in SOURCE_VARIANTS and settings.sources:
        options["attachments"] = [
            weasyprint.Attachment(string=path.read_bytes(), name=name, url_fetcher=fetcher,
                                  description=f"Source file {name} of this document",
                                  created=clock, modified=clock, relationship="Source")
            for name, path in settings.sources]
    return RenderedPdf(document, options, clock, fonts)


def _break_hints_as_text(html: str) -> str:
    """Each ``<wbr>`` (:mod:`songngu.breaks`) as the character WeasyPrint (70) prints for it.

    Its user-agent sheet prints a ``<wbr>`` as ``wbr::before { content: "\\200B" }``: an
    element, a pseudo-element and a text box, each styled and laid out, for one zero-width
    space. The same space written in the text breaks lines at the same places and reads back
    the same; a reference list of web addresses holds hundreds of them (the sample's English
    page: 116, and 6 % of the instructions of its layout, counted with callgrind). Markup
    typed in the content is escaped, so only the hints are ``<wbr>`` here."""
    return html.replace("<wbr>", "\u200b")


FLOAT_ROUNDS = 2
"""Layouts tried after the first to place figures and tables that left a page empty."""


_LOADED_FONTS: dict[tuple, Any] = {}
"""This process's WeasyPrint font configurations, by the fonts they were made from (see
:func:`_font_configuration`), the most recently used last."""
KEPT_FONT_SETS = 2
"""Font configurations a process keeps: each holds copies of its fonts on disk."""


def _font_configuration(assets: Assets, make: Callable[[], Any]) -> Any:
    """The font configuration for a page using ``assets``' fonts: one for every layout of
    the page (floats placed again), and for every page this process lays out with the same
    fonts, as a worker does for the articles of an issue. Loading fonts into a fresh
    configuration (copying them, registering them with Fontconfig, reading their tables
    again) costs some 0.3 s of CPU a page.

    Shared only between pages that may load exactly the same fonts: WeasyPrint does not
    fetch a font face again once loaded, so a configuration made for other fonts (another
    fonts folder, other fallbacks, a font file changed since, as in a watch session) would
    let a page use what its own fetcher would refuse or read anew."""
    _forget_inherited()
    key = (os.getpid(), assets.fonts.resolve(), assets.fallbacks, assets.optional,
           _font_stamps(assets.fonts))
    fonts = _LOADED_FONTS.pop(key, None)
    if fonts is None:
        if not _LOADED_FONTS:
            _release_when_the_process_ends()
        fonts = make()
        while len(_LOADED_FONTS) >= KEPT_FONT_SETS:
            _discard_fonts(_LOADED_FONTS.pop(next(iter(_LOADED_FONTS))))
    _LOADED_FONTS[key] = fonts
    return fonts


def _font_stamps(folder: Path) -> tuple:
    try:
        return tuple(sorted((entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                            for entry in os.scandir(folder) if entry.is_file()))
    except OSError:
        return ()


def release_fonts() -> None:
    """Remove the copies of the fonts WeasyPrint made for this process's layouts (some 50 MB
    with the CJK fallback). WeasyPrint removes them only when its font configuration is
    garbage collected, which a build process ending with ``os._exit`` never does: a worker
    calls this as it ends (:func:`songngu.workers.at_end`), any other process at exit."""
    _forget_inherited()
    while _LOADED_FONTS:
        _discard_fonts(_LOADED_FONTS.pop(next(iter(_LOADED_FONTS))))


def _forget_inherited() -> None:
    """Drop a forked process's copies of its parent's configurations without removing their
    folders, which are the parent's (WeasyPrint would remove them when they are collected)."""
    for key in [key for key in _LOADED_FONTS if key[0] != os.getpid()]:
        _LOADED_FONTS.pop(key)._folder = None


def _release_when_the_process_ends() -> None:
    import atexit

    atexit.register(release_fonts)
    workers.at_end(release_fonts)


def _discard_fonts(fonts) -> None:
    # The folder is WeasyPrint's (FontConfiguration._folder, removed by its __del__); the
    # version is pinned in pyproject.toml.
    folder = getattr(fonts, "_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


def _place_floats(page, sheets, fonts, on_count: Callable[[int], None] | None):
    """Lay the page out; then again with each figure or table that did not fit where it stands
    moved below the text that follows it, so that the text fills the page (a page float),
    and each block kept whole that is taller than a page let break where it stands.
    Each round costs a layout; a page that needs none is laid out once.

    Whether a layout needs another round is found as soon as it has paginated the text (the
    running headers and footers, laid out afterwards, take no part): the last layout tells
    its page count then."""
    from . import pagecheck

    for round_ in range(FLOAT_ROUNDS + 1):
        found: dict[str, list] = {}

        def paginated(page_boxes: list, last: bool = round_ == FLOAT_ROUNDS,
                      found: dict[str, list] = found) -> None:
            if not last:
                # Read by pagecheck as a document's pages are (page._page_box).
                pages = SimpleNamespace(pages=[SimpleNamespace(_page_box=box)
                                               for box in page_boxes])
                found["too_tall"] = pagecheck.kept_whole_but_broken(pages)
                found["moves"] = pagecheck.floats_to_move(pages, page.etree_element)
            if on_count is not None and not any(found.values()):
                on_count(len(page_boxes))

        with amend.when_paginated(paginated):
            document = page.render(stylesheets=sheets, font_config=fonts)
        if not any(found.values()):
            break
        if found["too_tall"]:
            # Kept whole, a block taller than a page pushed what follows it a page further,
            # floats included: they are placed again once it breaks where it stands.
            pagecheck.let_break(found["too_tall"])
        else:
            pagecheck.move_floats(page.etree_element, found["moves"])
    return document


def _clock(date: dt.date | None) -> dt.datetime:
    """The one time a PDF is stamped with: the article's date at 00:00 UTC."""
    if date is not None:
        return dt.datetime.combine(date, dt.time(), dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC)
    except (KeyError, ValueError):
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@contextmanager
def _source_date_epoch(clock: dt.datetime):
    """Set $SOURCE_DATE_EPOCH while fonts are subset.

    Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which stamps each
    font's ``head.modified`` with the current time unless this variable is set.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(clock.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


class ForbiddenResource(Exception):
    """A page referred to a file outside the project's fonts and the document's folder."""


def _fetcher_class():
    from weasyprint.urls import (
        FatalURLFetchingError,
        URLFetcher,
        URLFetcherResponse,
        URLFetchingError,
    )

    class Refused(FatalURLFetchingError):
        pass

    class NotInstalled(URLFetchingError):
        pass

    class ProjectFetcher(URLFetcher):
        """Serves ``fonts/…`` and ``media/…`` from the project and decodes ``data:`` URLs
        (which read nothing); refuses everything else."""

        def __init__(self, assets: Assets):
            super().__init__(allowed_protocols={"data"})
            self.assets = assets

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = unquote(parts.path)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and path.startswith(VIRTUAL_ROOT):
                relative = path[len(VIRTUAL_ROOT):]
                source = self.assets.resolve(relative)
                if source is not None:
                    return URLFetcherResponse(url, source.read_bytes())
                if relative.startswith("fonts/") and self.assets.is_fallback(relative[6:]):
                    # A fallback font not installed, or not needed: the glyph check has
                    # made sure that no character of the document needs it. WeasyPrint
                    # skips the face quietly.
                    raise NotInstalled(f"{relative[6:]} is not installed or not needed")
            raise Refused(f"refused to load {url!r}: pages may only use the project's fonts "
                          f"and files inside the document's folder")

    return ProjectFetcher
