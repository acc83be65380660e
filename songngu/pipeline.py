"""Build documents: the recipe that calls each stage in order.

content folder → load (YAML, NFC, line map) → model (typed, validated) → parity (languages
agree) → resolve (numbers, citations, cross-references) → render (Jinja2 → HTML) → write
(the HTML file; the PDF jobs of :mod:`songngu.layout`, which lay out WeasyPrint's PDF from
that very HTML). Problems from every stage before rendering are gathered and reported
together; nothing is rendered while there is an error.

Which outputs need building, and which process lays out each PDF, is decided by
:mod:`songngu.schedule`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import (
    document_data,
    glyphs,
    handout,
    i18n,
    layout,
    model,
    pagecount,
    parity,
    pdfengine,
    pdfmeta,
    progress,
    render,
    resolve,
    scholarly,
    sync,
    write,
)
from . import references as citations
from .errors import ContentError, Problem, Problems, SetupError, display_path
from .load import Loaded, load_yaml
from .project import SHARED_FILE, BuildOptions, Project, job_languages


@dataclass
class Checked:
    """A document that passed the checks, ready to resolve and render."""

    doc: model.Document
    references: dict[str, citations.Reference]
    problems: Problems
    sources: list[Path] = field(default_factory=list)
    translation: sync.Status | None = None
    """Each block's translation state in each language (in sync, stale, missing, …)."""
    fallbacks: glyphs.Fallbacks | None = None
    """The template's fallback fonts, and those the content needs (None: not checked, all
    may load)."""


def check_document(folder: Path, strict: bool = False,
                   project: Project | None = None) -> Checked:
    """Load, model and check one document; raise ContentError if it cannot be built.

    With ``project``, also check that the template exists and its fonts can draw every
    character of the content.
    """
    problems = Problems()
    shared = load_yaml(folder / SHARED_FILE, problems)
    sources = [folder / SHARED_FILE]
    texts: dict[str, Loaded] = {}
    if shared is None:
        raise ContentError(problems.items)
    languages = document_data.language_codes(shared, problems)
    for lang in languages:
        path = folder / f"{lang}.yaml"
        sources.append(path)
        if not path.is_file():
            problems.error(shared.file, shared.key_line(("languages",)),
                           f"language {lang!r} is listed but {path.name} does not exist in "
                           f"{folder}")
            continue
        loaded = load_yaml(path, problems)
        if loaded is not None:
            texts[lang] = loaded
    doc = document_data.build_document(folder, shared, texts, problems)
    references: dict[str, citations.Reference] = {}
    if doc.references_file is not None:
        sources.append(doc.references_file)
        references = citations.load_references(doc.references_file, problems)
    doc.source_files = sources
    fallbacks = None
    if project is not None:
        fallbacks = glyphs.check_fonts(doc, shared, list(texts.values()), references,
                                       project.templates, project.fonts, problems)
        _check_catalogs(doc, shared, project.templates / doc.template, problems)
    translation = None
    if not problems.errors:
        problems.extend(parity.check_parity(doc, strict))
        translation = sync.report_findings(doc, sync.load_records(doc, problems),
                                           problems.error if strict else problems.warning,
                                           sync_option(folder, project))
    else:
        problems.extend(_resolved_anyway(doc, references, problems,
                                         [shared, *texts.values()]))
    problems.raise_if_errors()
    return Checked(doc, references, problems, sources, translation, fallbacks)


_MENTIONED_XREF = re.compile(r"cross-reference to unknown \w+ '([^']+)'")
_LABEL = re.compile(r"\{#(?:\w+:)?([^}\s]+)\}")


def _resolved_anyway(doc: model.Document, references: dict, found: Problems,
                     loads: list[Loaded]) -> list[Problem]:
    """The mistakes of citations, cross-references and formulas in a document that other
    mistakes already stop, so that one run says them all. Only those a mistake elsewhere
    cannot have caused: no unknown citation when the references could not all be read,
    no unknown cross-reference to a target the files name (it was left out for its own
    mistake), no "never cited"."""
    extra = Problems()
    try:
        resolve.resolve(doc, references, extra)
    except Exception:  # a model with mistakes may lack what resolving expects: said already
        return []
    said = {(p.file, p.line, p.message) for p in found.items}
    in_references = f"/{doc.references_file.name}" if doc.references_file else None
    references_wrong = not references or any(
        p.severity == "error" and (p.message.startswith("references:") or bool(
            in_references and p.file.endswith(in_references)))
        for p in found.items)
    named = _named(loads)
    kept = []
    for problem in extra.errors:
        if (problem.file, problem.line, problem.message) in said:
            continue
        if problem.message.startswith("unknown citation") and references_wrong:
            continue
        target = _MENTIONED_XREF.match(problem.message)
        if target and target[1] in named:
            continue
        kept.append(problem)
    return kept


def _named(loads: list[Loaded]) -> set[str]:
    """Every name the loaded files give something a cross-reference can point to: an ``id``,
    the key of a table or figure, a label (``{#eq:energy}``)."""
    names: set[str] = set()
    for loaded in loads:
        for path, text in loaded.strings():
            names.update(key for key in path if isinstance(key, str))
            if path and path[-1] == "id":
                names.add(text.strip())
            names.update(_LABEL.findall(text))
    return names


def _check_catalogs(doc: model.Document, shared: Loaded, templates: Path,
                    problems: Problems) -> None:
    """Each language needs the template's labels in a catalog: found at the first build, a
    missing one left ``check`` saying "no errors" for a document no build could make."""
    if not templates.is_dir():  # reported by the glyph check, with the template's line
        return
    for lang in doc.languages:
        path = i18n.catalog_path(templates, lang)
        if lang != i18n.SOURCE_LANGUAGE and not path.is_file():
            problems.error(shared.file, shared.key_line(("languages",)),
                           f"language {lang!r} has no label catalog (Table, REFERENCES, … in "
                           f"{lang}): create {display_path(path)} with pybabel init -i "
                           f"{display_path(templates / 'locales' / 'messages.pot')} -d "
                           f"{display_path(templates / 'locales')} -l {lang}, then translate "
                           f"its messages")


def sync_option(folder: Path, project: Project | None) -> str:
    """``--content FOLDER`` for the commands a message suggests, when the content folder holds
    several documents (the command would otherwise apply to all of them)."""
    if project is None or (project.content / SHARED_FILE).is_file():
        return ""
    from .errors import SetupError
    from .project import find_documents
    try:
        several = len(find_documents(project.content)) > 1
    except SetupError:  # a document checked on its own, outside the content folder
        several = False
    return f" --content {display_path(folder)}" if several else ""


def resolve_document(checked: Checked, strict: bool = False) -> resolve.Resolved:
    """Resolve a checked document; its findings join ``checked.problems``."""
    problems = Problems()
    resolved = resolve.resolve(checked.doc, checked.references, problems, strict)
    checked.problems.extend(problems)
    if problems.errors:
        raise ContentError(checked.problems.items)
    return resolved


def write_page(checked: Checked, resolved: resolve.Resolved, lang: str, project: Project,
               options: BuildOptions, report: Callable[[object], None],
               pages_of: PagesOf | None = None) -> tuple[str, list[Path]]:
    """Render one language's page, once; write it as the HTML file (unless ``--no-html``).

    The PDF is laid out from this very page, in one pass: the running header's last page is a
    CSS target-counter, which WeasyPrint fills in once the pages are laid out. The file
    written also names its last page for indexers when ``pages_of`` knows the page count of
    a PDF laid out from this very page (see :mod:`songngu.pagecount`).
    """
    doc = checked.doc
    with template_errors(project.templates):
        html = layout_page(resolved, lang, project)
    if not options.html:
        return html, []
    target = project.out / lang / f"{doc.id}.html"
    count = pages_of(lang, pagecount.layout_digest(html)) if pages_of else None
    with progress.step(report, target, "writing the page"):
        write.write_text(target, html if count is None else
                         _page_with_pages(resolved, lang, project, count))
        write.copy_assets(target.parent, _assets(project, doc, checked.fallbacks),
                          _asset_names(project.fonts, doc))
    return html, [target]


PagesOf = Callable[[str, str], "int | None"]
"""(language, digest of its laid-out page) → the page count of its PDF, if known."""


def layout_page(resolved: resolve.Resolved, lang: str, project: Project) -> str:
    """The page of ``lang`` as its PDF is laid out from: its metadata names no last page."""
    metadata = scholarly.page_metadata(resolved, lang, pagecount.Pages(resolved.doc.first_page))
    return render.render_html(resolved, lang, project.templates, scholarly=metadata)


def finish_page(resolved: resolve.Resolved, lang: str, project: Project, count: int) -> None:
    """Write the page of ``lang`` again, now that its PDF has ``count`` pages."""
    target = project.out / lang / f"{resolved.doc.id}.html"
    write.write_text(target, _page_with_pages(resolved, lang, project, count))


def _page_with_pages(resolved: resolve.Resolved, lang: str, project: Project, count: int) -> str:
    first = resolved.doc.first_page
    metadata = scholarly.page_metadata(resolved, lang, pagecount.Pages(first, first + count - 1))
    return render.render_html(resolved, lang, project.templates, scholarly=metadata)


def prepare_output(checked: Checked, resolved: resolve.Resolved, output: str, project: Project,
                   options: BuildOptions, report: Callable[[object], None],
                   pages_of: PagesOf | None = None
                   ) -> tuple[list[Path], list[layout.JournalPdf | layout.HandoutPdf]]:
    """Do an output's share of the work that needs the content: render its pages and write
    the HTML; return the files written and the PDFs still to lay out (see :mod:`songngu.layout`).

    ``output`` is a language, or two joined by ``+`` (a parallel handout, its only output).
    """
    langs = output.split("+")
    if len(langs) > 1:
        return [], [_handout_job(checked, resolved, langs, project, options)]
    html, written = write_page(checked, resolved, output, project, options, report, pages_of)
    jobs: list[layout.JournalPdf | layout.HandoutPdf] = []
    if options.pdf:
        jobs.append(layout.JournalPdf(
            html, project.out / output / f"{checked.doc.id}.pdf",
            _assets(project, checked.doc, checked.fallbacks),
            _pdf_settings(checked, options), pdfmeta.facts_for(resolved, output,
                                                               options.pdf_variant),
            _source(checked), options.strict,
            render.print_stylesheet(resolved, output, project.templates)))
    if options.handout:
        jobs.append(_handout_job(checked, resolved, langs, project, options))
    return written, jobs


def check_and_resolve(folder: Path, project: Project, options: BuildOptions,
                      report: Callable[[object], None]):
    """The stages every language of a document shares: check and resolve, once."""
    started = time.perf_counter()
    checked = check_document(folder, options.strict, project)
    from .issue import IssueBuildOptions, place

    if isinstance(options, IssueBuildOptions):  # an article of an issue: its pages follow
        place(checked.doc, options)
    resolved = resolve_document(checked, options.strict)
    for problem in checked.problems.items:
        report(problem)
    report(f"checked {display_path(folder)} ({time.perf_counter() - started:.2f} s)")
    return checked, resolved


def select_languages(choice: str, doc: model.Document) -> list[str]:
    """``all`` or one of the document's languages."""
    return job_languages(choice, doc.languages, doc.id)


def _handout_job(checked: Checked, resolved: resolve.Resolved, langs: list[str],
                 project: Project, options: BuildOptions) -> layout.HandoutPdf:
    """The A5 handout of one language, or of two side by side, rendered and ready to lay out."""
    settings = options.handout or handout.HandoutOptions()
    with template_errors(project.templates):
        if len(langs) > 1:
            html = handout.render_parallel(resolved, langs, project.templates, settings)
        else:
            html = handout.render_handout(resolved, langs[0], project.templates, settings)
    facts = pdfmeta.facts_for(resolved, langs[0], options.pdf_variant)
    return layout.HandoutPdf(
        html, project.out / "+".join(langs) / f"{checked.doc.id}.handout.pdf",
        _assets(project, checked.doc, checked.fallbacks), _pdf_settings(checked, options),
        replace(facts, first_page=1, journal_pages=False), _source(checked), options.strict,
        settings.sheets,
        settings.crop_marks)


@contextmanager
def template_errors(templates: Path):
    """A template or catalog that cannot be used is a setup error that names it."""
    import jinja2

    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise SetupError(f"{where}: the template cannot be read: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise SetupError(f"a template of {templates} failed: {type(exc).__name__}: "
                         f"{exc}") from None


def _pdf_settings(checked: Checked, options: BuildOptions) -> pdfengine.PdfSettings:
    return pdfengine.PdfSettings(options.pdf_variant, pdfmeta.document_date(checked.doc),
                             _source_files(checked))


def _source(checked: Checked) -> str:
    return display_path(checked.doc.folder / SHARED_FILE)


def _assets(project: Project, doc: model.Document,
            fallbacks: glyphs.Fallbacks | None = None) -> write.Assets:
    if fallbacks is None:
        return write.Assets(fonts=project.fonts, media=doc.folder)
    return write.Assets(fonts=project.fonts, media=doc.folder, fallbacks=fallbacks.needed,
                        optional=fallbacks.declared)


def _asset_names(fonts: Path, doc: model.Document) -> list[str]:
    names = [f"fonts/{p.name}" for p in sorted(fonts.glob("*.ttf"))]
    names += [f"media/{p.relative_to(doc.folder).as_posix()}" for f in doc.figures.values()
              for p in f.files()]
    return names


def _source_files(checked: Checked) -> tuple[tuple[str, Path], ...]:
    """The document's own files, named as in its folder: what an archival PDF carries."""
    folder = checked.doc.folder.resolve()
    files = list(checked.sources) + [p for f in checked.doc.figures.values() for p in f.files()]
    return tuple((path.resolve().relative_to(folder).as_posix(), path) for path in files
                 if path.resolve().is_relative_to(folder) and path.is_file())
