"""Put an issue PDF together from its articles' PDFs.

the issue's front matter (a PDF), the articles as the contents list them (first page, PDF
file) → the issue PDF's bytes: the front matter, then each article's pages in print order
(a blank page before one that must start on an odd page), page labels i, ii, … for the front
matter and the printed numbers for the articles, an outline with one entry per article and
its sections under it.

The pages are copied by qpdf (pikepdf) with the named destinations of their document, each
under its article's name (``<article>/sec-results``): the links of each article lead to its
own pages, whatever names two articles share, and a reader can link to a section of any
article in the issue PDF. While the build lays out the articles it must make again, a
thread copies those before the first of them (:class:`Assembler`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .issue import Issue
    from .issue_output import Entry


def assemble(issue: Issue, listed: list[Entry], front: bytes, lang: str,
             early: Assembler | None = None,
             contents: str = "Contents") -> tuple[bytes, int]:
    """The issue PDF's bytes and page count. ``early``: the articles it has copied already
    (see :class:`Assembler`); ``contents``: the outline's entry of the front matter, in the
    issue's language. The file identifier is a digest of the content: the same inputs give
    the same bytes."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation, Pdf, String

    assembly = early.finish(listed) if early is not None else Assembler()
    try:
        for entry in listed[len(assembly.copied):]:
            assembly.copy(entry.pdf, entry.first)
        assembly.add_destinations()
        pdf = assembly.target()
        with Pdf.open(io.BytesIO(front)) as front_pdf:
            # Before the articles: page by page (the front matter's links lead out of it).
            for n, page in enumerate(front_pdf.pages):
                pdf.pages.insert(n, page)
            front_pages = len(front_pdf.pages)
            if (front_pages + listed[0].first) % 2 == 0:
                # Printed, an odd page is a right-hand one: the first article's first page
                # stands on the side its number says, after a blank page if need be.
                box = front_pdf.pages[0].mediabox
                with Pdf.new() as blank:
                    blank.add_blank_page(page_size=(float(box[2]) - float(box[0]),
                                                    float(box[3]) - float(box[1])))
                    pdf.pages.insert(front_pages, blank.pages[0])
                front_pages += 1
        with pdf.open_outline() as outline:
            outline.root.append(OutlineItem(contents, 0))
            for entry, copied in zip(listed, assembly.copied):
                start = front_pages + copied.start
                item = OutlineItem(entry.plain_titles.get(lang, entry.id), start)
                item.children.extend(_outline_item(data, start, OutlineItem, PageLocation)
                                     for data in copied.outline)
                outline.root.append(item)
        pdf.Root.PageLabels = Dictionary(Nums=Array([
            0, Dictionary(S=Name.r),
            front_pages, Dictionary(S=Name.D, St=listed[0].first)]))
        pdf.Root.Lang = String(lang)
        pdf.Root.PageMode = Name.UseOutlines
        title = f"{issue.journal}"
        if issue.volume:
            title += f" {issue.volume}"
        if issue.number:
            title += f"({issue.number})"
        pdf.docinfo[Name.Title] = String(title)
        pdf.docinfo[Name.Creator] = String("songngu")
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue(), len(pdf.pages)
    finally:
        assembly.close()


@dataclass
class _Copied:
    """An article's pages in the issue PDF being put together."""

    path: Path
    first: int
    """The printed number of its first page."""
    start: int
    """The index of its first page in the issue PDF (front matter not counted)."""
    outline: list[tuple]
    """Its outline as plain data (see :func:`_outline_data`)."""
    stamp: tuple
    """Its PDF file's inode, size and modification time when copied."""


class Assembler:
    """The articles' pages of an issue PDF, copied in print order, possibly while the rest of
    the issue is being built: :meth:`start` copies, in a thread, the articles whose PDFs the
    build keeps, up to the first one it lays out again, and opens and reads the kept ones
    after it, while that one is laid out; :func:`assemble` adds the others once written.

    In print order, because qpdf groups the objects of the saved file in the order they were
    copied: copied in another order, the same issue would not give the same bytes."""

    def __init__(self, ahead: list[tuple[Path, int]] | None = None,
                 later: list[Path] | None = None) -> None:
        self.ahead = ahead or []
        """(article PDF, first page) of the first articles, those the build keeps."""
        self.later: list[Path] = later or []
        """The PDFs of the articles after those, which the build keeps too: opened and read
        by the thread, copied once the articles before them are."""
        self.copied: list[_Copied] = []
        self._prepared: dict[Path, _Source] = {}
        self._destinations: list[tuple[str, Any, list]] = []
        """(name, page in the issue PDF, the rest of the destination) of every article."""
        self._sources: list[Any] = []
        """The articles' PDFs, open until the issue PDF is written: qpdf reads the streams
        of copied pages from them only then."""
        self._pdf: Any = None
        self._next_page: int | None = None
        self._thread: Any = None
        self._error: BaseException | None = None

    def target(self) -> Any:
        """The issue PDF being put together (pikepdf), made on first use: pikepdf is
        imported by the thread, not by the build before it forks its workers."""
        if self._pdf is None:
            from pikepdf import Pdf

            self._pdf = Pdf.new()
        return self._pdf

    def start(self) -> Assembler:
        """Copy the articles of ``ahead`` and read those of ``later``, in a thread;
        :meth:`finish` waits for it."""
        import threading

        def run() -> None:
            try:
                for pdf, first in self.ahead:
                    self.copy(pdf, first)
                for pdf in self.later:
                    self.prepare(pdf)
            except Exception as exc:  # told by finish(), which starts again without it
                self._error = exc

        if self._thread is None:
            self._thread = threading.Thread(target=run, name="assemble", daemon=True)
            self._thread.start()
        return self

    def wait(self) -> None:
        """Wait for the thread (no thread may run while a build forks its workers)."""
        if self._thread is not None:
            self._thread.join()

    def finish(self, listed: list[Entry]) -> Assembler:
        """This assembler once its thread is done, or a fresh one if the thread failed or
        what it copied is not what ``listed`` begins with (the same first pages, the files
        unchanged since)."""
        self.wait()
        if self._error is None and len(self.copied) <= len(listed) and all(
                entry.pdf == copied.path and entry.first == copied.first
                and _stamp(copied.path) == copied.stamp
                for entry, copied in zip(listed, self.copied)):
            return self
        self.discard()
        return Assembler()

    def prepare(self, path: Path) -> _Source:
        """An article's PDF opened, with what its copy needs read (once: again only if the
        file was replaced since)."""
        from pikepdf import Pdf

        stamp = _stamp(path)
        kept = self._prepared.get(path)
        if kept is not None and kept.stamp == stamp:
            return kept
        # Written by the build, and checked when it was: no repair is tried (which would
        # cost a third of the copy's time on a sound file).
        pdf = Pdf.open(path, attempt_recovery=False)
        self._sources.append(pdf)
        numbers = {page.objgen: n for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as theirs:
            items = list(theirs.root)
            if len(items) == 1:  # the article's title (its h1): the entry itself
                items = list(items[0].children)
            outline = [_outline_data(item, numbers) for item in items]
        source = _Source(pdf, stamp, outline, _destinations(pdf, numbers))
        self._prepared[path] = source
        return source

    def copy(self, path: Path, first: int) -> None:
        """Add an article's pages (after blank ones, up to its first page), and its named
        destinations under the article's own name."""
        pdf = self.target()
        source = self.prepare(path)
        if self._next_page is not None:
            box = source.pdf.pages[0].mediabox
            while self._next_page < first:  # the page left blank before an odd first page
                pdf.add_blank_page(page_size=(float(box[2]) - float(box[0]),
                                              float(box[3]) - float(box[1])))
                self._next_page += 1
        start = len(pdf.pages)
        # The pages alone, their links included (an article has no form fields or layers;
        # its outline goes, as data, under its entry in the issue's).
        for page in source.pdf.pages:
            pdf.pages.append(page)
        prefix = f"{path.stem}/"
        self._destinations += [(prefix + name, pdf.pages[start + n].obj, place)
                               for name, n, place in source.destinations]
        _rename_links([pdf.pages[n].obj for n in range(start, len(pdf.pages))], prefix)
        self.copied.append(_Copied(path, first, start, source.outline, source.stamp))
        self._next_page = first + len(source.pdf.pages)

    def add_destinations(self) -> None:
        """Give the issue PDF the named destinations of the articles copied, in one sorted
        node: built at once, and the same whatever order the articles were read in."""
        from pikepdf import Array, Dictionary

        if not self._destinations:
            return
        pdf = self.target()
        pairs: list[Any] = []
        for name, page, place in sorted(self._destinations, key=lambda d: d[0]):
            pairs += [name, Array([page, *place])]
        pdf.Root.Names = pdf.make_indirect(Dictionary(
            Dests=pdf.make_indirect(Dictionary(Names=Array(pairs)))))

    def discard(self) -> None:
        """Stop using this assembler (once its thread is done)."""
        self.wait()
        self.close()

    def close(self) -> None:
        for source in self._sources:
            source.close()
        self._sources = []
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _stamp(path: Path) -> tuple:
    stamp = path.stat()
    return stamp.st_ino, stamp.st_size, stamp.st_mtime_ns


@dataclass
class _Source:
    """An article's PDF, open, and what its copy needs of it."""

    pdf: Any
    stamp: tuple
    outline: list[tuple]
    destinations: list[tuple[str, int, list]]
    """(name, index of its page, the rest of the destination) of its named destinations."""


def _destinations(pdf: Any, numbers: dict) -> list[tuple[str, int, list]]:
    """The named destinations of an article's PDF (``numbers``: the index of each page by its
    object number)."""
    from pikepdf import Array, Dictionary, Name, NameTree

    names = pdf.Root.get(Name.Names)
    if names is None or Name.Dests not in names:
        return []
    found = []
    for name, value in NameTree(names.Dests).items():
        place = value.get(Name.D) if isinstance(value, Dictionary) else value
        if isinstance(place, Array) and len(place) and hasattr(place[0], "objgen") and \
                place[0].objgen in numbers:
            found.append((name, numbers[place[0].objgen], list(place)[1:]))
    return found


def _rename_links(pages: list[Any], prefix: str) -> None:
    """Name the destinations of the links on an article's pages (copied into the issue PDF)
    as the issue does: ``prefix`` + name. The prefix keeps apart the names two articles
    share (``sec-results``): the links of each lead to its own pages."""
    from pikepdf import Name, String

    for page in pages:
        for annotation in page.get(Name.Annots, []):
            if annotation.get(Name.Subtype) != Name.Link:
                continue
            if isinstance(annotation.get(Name.Dest), String):
                annotation.Dest = String(prefix + str(annotation.Dest))
            action = annotation.get(Name.A)
            if action is not None and action.get(Name.S) == Name.GoTo and \
                    isinstance(action.get(Name.D), String):
                action.D = String(prefix + str(action.D))


def _outline_data(item, numbers: dict) -> tuple:
    """An outline entry of an article as (title, page in the article, top or None, children)."""
    page, top = 0, None
    destination = item.destination
    if destination is not None and len(destination) and hasattr(destination[0], "objgen"):
        page = numbers.get(destination[0].objgen, 0)
        if len(destination) > 3 and destination[1] == "/XYZ":
            top = float(destination[3])
    return (str(item.title), page, top, [_outline_data(c, numbers) for c in item.children])


def _outline_item(data: tuple, offset: int, outline_item, location) -> Any:
    """An outline entry of an article, pointing at the same page of the issue."""
    title, page, top, children = data
    item = outline_item(title, offset + page, location.XYZ, top=top) if top is not None \
        else outline_item(title, offset + page)
    item.children.extend(_outline_item(c, offset, outline_item, location) for c in children)
    return item
