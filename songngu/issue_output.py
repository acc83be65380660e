"""Write an issue's own files from its built articles: the issue PDF and the contents page.

the issue, each article's place (first page, page count) and its built PDF →
``<out>/<issue>/<issue>.pdf``: the front matter (cover, editorial note in each language,
contents in every language: titles, authors, first page, DOI as a link), laid out by
WeasyPrint from ``templates/issue/front.html.j2``; then the articles' PDFs in the print
language, with a blank page where an article must start on an odd page; page labels i, ii, …
for the front matter and the printed numbers, continuous, for the articles; an outline with
one entry per article and its sections under it (pypdf). And ``<out>/<issue>/index.html``
(``templates/issue/index.html.j2``), which links every article page in every language.
Both are written atomically, once everything is made.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import i18n, pdfengine, progress, write
from .kinds import N_
from .project import SHARED_FILE, BuildOptions, Project

if TYPE_CHECKING:
    from .issue import Issue, _Placed

LABELS = {"volume": N_("Volume"), "issue": N_("Issue"), "contents": N_("Contents"),
          "editorial": N_("Editorial note"), "pages": N_("p."),
          "issue_pdf": N_("The whole issue (PDF)")}
"""The words of the issue's own pages, translated by the journal template's catalogs."""
DOI = re.compile(r"^10\.\d{4,9}/[A-Za-z0-9._;()/:-]+$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Entry:
    """An article as the contents list it."""

    id: str
    first: int
    last: int
    languages: list[str]
    titles: dict[str, str]
    """HTML of the title in each language (inline markup kept)."""
    plain_titles: dict[str, str]
    authors: dict[str, list[str]]
    doi: str
    pdf: Path


def labels(templates: Path, lang: str) -> dict[str, str]:
    """The issue pages' words in ``lang``, from the catalogs of the journal template."""
    translations = i18n.load_translations(templates / "journal", lang)
    return {key: translations.gettext(message) for key, message in LABELS.items()}


def entries(placed: list[_Placed], out: Path, lang: str) -> list[Entry]:
    """What the contents say of each article, read from its (already checked) files: only
    from the files that changed since the last build (see :func:`incremental.remembered`)."""
    from .incremental import remembered

    result = []
    for article in placed:
        shared = remembered("contents", article.folder / SHARED_FILE,
                            partial(_shared_facts, article.folder / SHARED_FILE))
        languages = shared["languages"]
        texts = {x: remembered("contents", article.folder / f"{x}.yaml",
                               partial(_text_facts, article.folder / f"{x}.yaml"))
                 for x in languages}
        result.append(Entry(
            article.folder.name, article.first, article.first + article.count - 1, languages,
            {x: title_html(t["title"]) for x, t in texts.items()},
            {x: title_plain(t["title"]) for x, t in texts.items()},
            {x: [t["authors"][i] for i in shared["authors"] if t["authors"].get(i)]
             for x, t in texts.items()},
            _doi(shared["doi"]), out / lang / f"{article.folder.name}.pdf"))
    return result


def _shared_facts(path: Path) -> dict[str, Any]:
    """What the contents need of document.yaml (as plain data, to be remembered)."""
    data = _yaml(path)
    authors = data.get("authors")
    return {"languages": [x for x in data.get("languages", []) if isinstance(x, str)],
            "authors": [str(a.get("id")) for a in authors if isinstance(a, dict)]
            if isinstance(authors, list) else [],
            "doi": data.get("doi") if isinstance(data.get("doi"), str) else ""}


def _text_facts(path: Path) -> dict[str, Any]:
    """What the contents need of a language file: the title and the authors' names."""
    data = _yaml(path)
    authors = data.get("authors")
    return {"title": str(data.get("title", "")),
            "authors": {str(k): str(v) for k, v in authors.items() if v}
            if isinstance(authors, dict) else {}}


def write_issue(issue: Issue, placed: list[_Placed], project: Project, out: Path, lang: str,
                options: BuildOptions, report: progress.Report, ident: bytes,
                early: Assembler | None = None) -> list[Path]:
    """Write the issue PDF and its contents page; return them. ``ident``, a digest of every
    input, is the PDF's file identifier: the same inputs give the same bytes. ``early``: the
    articles' pages copied while they were built."""
    listed = entries(placed, out, lang)
    languages = _issue_languages(issue, listed, lang)
    target = out / f"{issue.id}.pdf"
    with progress.step(report, target, "assembling the issue") as done:
        front = _front_pdf(issue, listed, languages, project, options, out)
        data, pages = assemble(issue, listed, front, lang, ident, early,
                               labels(project.templates, lang)["contents"])
        write.write_bytes(target, data)
        done.text = (f"{pages} pages: front matter and {len(listed)} article"
                     f"{'s' * (len(listed) != 1)}, pp. {listed[0].first}–{listed[-1].last}")
    index = out / "index.html"
    with progress.step(report, index, "writing the contents page"):
        write.write_text(index, _render("index.html.j2", project, _context(
            issue, listed, languages, lang, project.templates, built={
                (e.id, x) for e in listed for x in e.languages
                if (out / x / f"{e.id}.html").is_file()},
            pdfs={(e.id, x) for e in listed for x in e.languages
                  if (out / x / f"{e.id}.pdf").is_file()})))
    return [target, index]


def _issue_languages(issue: Issue, listed: list[Entry], lang: str) -> list[str]:
    """The print language first, then every other language of the articles, in order."""
    languages = [lang]
    for entry in listed:
        languages += [x for x in entry.languages if x not in languages]
    return languages


def _context(issue: Issue, listed: list[Entry], languages: list[str], lang: str,
             templates: Path, **extra: Any) -> dict[str, Any]:
    from babel.dates import format_date

    return {"issue": issue, "entries": listed, "languages": languages, "lang": lang,
            "labels": {x: labels(templates, x) for x in languages},
            "dates": {x: format_date(issue.date, "long", locale=x) if issue.date else ""
                      for x in languages},
            "editorial": {x: [p.strip() for p in issue.editorial[x].split("\n\n") if p.strip()]
                          for x in languages if x in issue.editorial},
            **extra}


def _render(name: str, project: Project, context: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(project.templates / "issue"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(name).render(context)


def _front_pdf(issue: Issue, listed: list[Entry], languages: list[str], project: Project,
               options: BuildOptions, out: Path) -> bytes:
    """Lay out the cover, the editorial note and the contents (WeasyPrint)."""
    html = _render("front.html.j2", project, _context(
        issue, listed, languages, languages[0], project.templates,
        cover=f"media/{issue.cover.name}" if issue.cover else ""))
    # The front matter changes only with the issue file, the articles' titles and pages: kept
    # beside the issue, it spares an edit of an article's body WeasyPrint's import here.
    from .incremental import tool_digest

    digest = hashlib.blake2b(digest_size=12)
    for part in [html.encode(), options.pdf_variant.encode(), tool_digest().encode()] + \
            [path.read_bytes() for path in sorted(project.fonts.glob("*.ttf"))] + \
            ([issue.cover.read_bytes()] if issue.cover else []):
        digest.update(len(part).to_bytes(8, "big") + part)
    kept = out / f".{issue.id}.front-{digest.hexdigest()}.pdf"
    if kept.is_file():
        return kept.read_bytes()
    # The cover and the fonts are the only files the page may read.
    assets = write.Assets(fonts=project.fonts, media=issue.folder)
    pdf = pdfengine.render_pdf(html, assets, pdfengine.PdfSettings(options.pdf_variant, issue.date))
    pdf.write(kept)
    for old in out.glob(f".{issue.id}.front-*.pdf"):
        if old != kept:
            old.unlink(missing_ok=True)
    return kept.read_bytes()


def assemble(issue: Issue, listed: list[Entry], front: bytes, lang: str,
             ident: bytes, early: Assembler | None = None,
             contents: str = "Contents") -> tuple[bytes, int]:
    """The issue PDF: front matter, then each article (a blank page before one that must
    start on an odd page), page labels and outline; return its bytes and page count.
    ``early``: the articles it has copied already (see :class:`Assembler`); ``contents``: the
    outline's entry of the front matter, in the issue's language.

    The pages are copied by qpdf (pikepdf), which does not parse an article's tagged PDF
    object by object in Python as pypdf did (seconds an article). The file identifier is a
    digest of the content (the same inputs, the same bytes)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation, Pdf, String

    assembly = early.finish(listed) if early is not None else Assembler()
    try:
        for entry in listed[len(assembly.parts):]:
            assembly.copy(entry.pdf, entry.first)
        pdf = assembly.pdf
        with Pdf.open(io.BytesIO(front)) as front_pdf:
            # Before the articles: page by page (the front matter's links lead out of it).
            for n, page in enumerate(front_pdf.pages):
                pdf.pages.insert(n, page)
            front_pages = len(front_pdf.pages)
        with pdf.open_outline() as outline:
            outline.root.append(OutlineItem(contents, 0))
            for entry, (_, start, items) in zip(listed, assembly.parts):
                item = OutlineItem(entry.plain_titles.get(lang, entry.id), front_pages + start)
                item.children.extend(_outline_item(i, front_pages + start, OutlineItem,
                                                   PageLocation) for i in items)
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


class Assembler:
    """The articles' pages of an issue PDF, copied in print order, possibly while the rest of
    the issue is being built: :meth:`start` copies, in a thread, the articles whose PDFs the
    build will not touch, up to the first one it lays out again (and opens the others'), while
    that one is laid out; :func:`assemble` adds the rest and the front matter."""

    def __init__(self, ahead: list[tuple[Path, int]] | None = None,
                 later: list[Path] | None = None) -> None:
        from pikepdf import Pdf

        self.ahead, self.later = ahead or [], later or []
        self.pdf = Pdf.new()
        self.parts: list[tuple[Path, int, list]] = []
        """(article PDF, index of its first page, its outline as plain data), in order."""
        self.opened: dict[Path, tuple[Any, Any]] = {}
        self.next_page: int | None = None
        self._thread: Any = None
        self._error: BaseException | None = None

    def start(self) -> Assembler:
        """Copy the articles of ``ahead`` ((PDF, first page), in order) and open those of
        ``later``, in a thread; :meth:`finish` waits for it."""
        import threading

        def run() -> None:
            try:
                for pdf, first in self.ahead:
                    self.copy(pdf, first)
                for pdf in self.later:
                    self._open(pdf)
            except Exception as exc:  # told by finish(), which starts again without it
                self._error = exc

        self._thread = threading.Thread(target=run, name="assemble", daemon=True)
        self._thread.start()
        return self

    def wait(self) -> None:
        """Wait for the thread (no thread may run while a build forks its workers)."""
        if self._thread is not None:
            self._thread.join()

    def finish(self, listed: list[Entry] | None = None) -> Assembler:
        """This assembler once its thread is done, or a fresh one if the thread failed or
        what it copied is not what ``listed`` begins with (the same files, unchanged)."""
        self.wait()
        if self._error is None and all(
                entry.pdf == path and self._unchanged(path)
                for entry, (path, _, _) in zip(listed or [], self.parts)) \
                and len(self.parts) <= len(listed or self.parts):
            return self
        self.close()
        return Assembler()

    def _unchanged(self, path: Path) -> bool:
        stamp = path.stat()
        return self.opened[path][0] == (stamp.st_ino, stamp.st_size, stamp.st_mtime_ns)

    def copy(self, path: Path, first: int) -> None:
        """Add an article's pages (after blank ones, up to its first page)."""
        source = self._open(path)
        if self.next_page is not None:
            box = source.pages[0].mediabox
            while self.next_page < first:  # the page left blank before an odd first page
                self.pdf.add_blank_page(page_size=(float(box[2]) - float(box[0]),
                                                   float(box[3]) - float(box[1])))
                self.next_page += 1
        start = len(self.pdf.pages)
        # With what the pages need of their document: the named destinations of their links
        # (renamed where two articles use the same name). An article has no form fields or
        # layers; its outline is kept as data, to go under its entry.
        self.pdf.add_pages_from(source, outlines="ignore", forms="strip", layers="ignore")
        with source.open_outline() as theirs:
            numbers = {page.objgen: n for n, page in enumerate(source.pages)}
            items = list(theirs.root)
            if len(items) == 1:  # the article's title (its h1): the entry itself
                items = list(items[0].children)
            outline = [_outline_data(item, numbers) for item in items]
        self.parts.append((path, start, outline))
        self.next_page = first + len(source.pages)

    def _open(self, path: Path):
        """The article's PDF, opened once; again if the file was replaced since."""
        from pikepdf import Pdf

        stamp = path.stat()
        stamp_key = (stamp.st_ino, stamp.st_size, stamp.st_mtime_ns)
        kept = self.opened.get(path)
        if kept is not None and kept[0] == stamp_key:
            return kept[1]
        if kept is not None:
            kept[1].close()
        source = Pdf.open(path)
        self.opened[path] = (stamp_key, source)
        return source

    def close(self) -> None:
        for _, source in self.opened.values():
            source.close()
        self.opened = {}
        self.pdf.close()


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


def _doi(value: object) -> str:
    """The DOI if it is one (it becomes a link: nothing else may)."""
    return value if isinstance(value, str) and DOI.match(value) else ""


def _yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_bytes(), Loader=_LOADER)
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def title_html(markup: str) -> str:
    """A title's inline markup (italic, bold, super- and subscripts) as HTML."""
    from markupsafe import Markup

    from .inline import InlineSyntaxError, parse_inline

    try:
        spans = parse_inline(markup)
    except InlineSyntaxError:
        return Markup(escape(markup))
    return Markup("".join(_span(s) for s in spans))


def _span(span) -> str:
    inner = "".join(_span(s) for s in span.children)
    if span.kind in ("text", "code"):
        return escape(span.text)
    if span.kind in ("em", "strong", "sup", "sub"):
        return f"<{span.kind}>{inner}</{span.kind}>"
    return inner  # a link or a citation in a title: its text only


def title_plain(markup: str) -> str:
    from .inline import InlineSyntaxError, parse_inline, plain_text

    try:
        return " ".join(plain_text(parse_inline(markup)).split())
    except InlineSyntaxError:
        return markup
