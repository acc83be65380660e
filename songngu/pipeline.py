"""Build documents: the recipe that calls each stage in order.

content folder → load (YAML, NFC, line map) → model (typed, validated) → parity (languages
agree) → resolve (numbers, citations, cross-references) → render (Jinja2 → HTML) → write
(WeasyPrint → PDF; HTML beside it). Problems from every stage before rendering are gathered
and reported together; nothing is rendered while there is an error.

A build first compares each output's inputs with those of the last build (incremental): what
is up to date is left alone. A document with work to do is checked and resolved once; each of
its languages is then rendered as a job of its own, side by side on the machine's cores
(parallel), its HTML first, then its PDF, laid out in a single pass.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from . import (citations, glyphs, handout, incremental, model, parallel, parity, pdfmeta,
               progress, render, resolve, sync, write)
from .errors import ContentError, Problem, Problems, SetupError, display_path
from .load import Loaded, load_yaml

SHARED_FILE = "document.yaml"


@dataclass
class Project:
    """The folders a build reads from and writes to."""

    content: Path
    templates: Path
    fonts: Path
    out: Path

    def check(self) -> None:
        for name, folder in (("content", self.content), ("templates", self.templates),
                             ("fonts", self.fonts)):
            if not folder.is_dir():
                raise SetupError(f"{name} folder {folder} does not exist: run from the project "
                                 f"folder or pass --{name} PATH")


@dataclass
class Checked:
    """A document that passed the checks, ready to resolve and render."""

    doc: model.Document
    references: dict[str, citations.Reference]
    problems: Problems
    sources: list[Path] = field(default_factory=list)
    translation: sync.Status | None = None
    """Each block's translation state in each language (in sync, stale, missing, …)."""


@dataclass
class BuildOptions:
    strict: bool = False
    pdf: bool = True
    html: bool = True
    pdf_variant: str = write.DEFAULT_PDF_VARIANT
    handout: handout.HandoutOptions | None = None
    """Also write the A5 handout and its print sheets (see :mod:`songngu.handout`)."""


def find_documents(content: Path) -> list[Path]:
    """The document folders of a content folder (or the folder itself if it is one)."""
    if (content / SHARED_FILE).is_file():
        return [content]
    folders = sorted(p.parent for p in content.glob(f"*/{SHARED_FILE}"))
    if not folders:
        raise SetupError(f"no document in {content}: expected {content}/<name>/{SHARED_FILE}")
    return folders


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
    languages = model.language_codes(shared, problems) if shared is not None else []
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
    if shared is None:
        raise ContentError(problems.items)
    doc = model.build_document(folder, shared, texts, problems)
    references: dict[str, citations.Reference] = {}
    if doc.references_file is not None:
        sources.append(doc.references_file)
        references = citations.load_references(doc.references_file, problems)
    doc.source_files = sources
    if project is not None:
        glyphs.check_fonts(doc, shared, list(texts.values()), references, project.templates,
                           project.fonts, problems)
    translation = None
    if not problems.errors:
        problems.extend(parity.check_parity(doc, strict))
        translation = sync.report_findings(doc, sync.load_records(doc, problems),
                                           problems.error if strict else problems.warning)
    problems.raise_if_errors()
    return Checked(doc, references, problems, sources, translation)


def resolve_document(checked: Checked, strict: bool = False) -> resolve.Resolved:
    """Resolve a checked document; its findings join ``checked.problems``."""
    problems = Problems()
    resolved = resolve.resolve(checked.doc, checked.references, problems, strict)
    checked.problems.extend(problems)
    if problems.errors:
        raise ContentError(checked.problems.items)
    return resolved


def build_language(checked: Checked, resolved: resolve.Resolved, lang: str, project: Project,
                   options: BuildOptions, report: Callable[[object], None]) -> list[Path]:
    """Render and write one language's HTML page, then its PDF; return the files written."""
    html, written = write_page(checked, resolved, lang, project, options, report)
    return written + write_pdf(checked, resolved, lang, html, project, options, report)


def write_page(checked: Checked, resolved: resolve.Resolved, lang: str, project: Project,
               options: BuildOptions, report: Callable[[object], None]) -> tuple[str, list[Path]]:
    """Render one language's page, once; write it as the HTML file (unless ``--no-html``).

    The PDF is laid out from this very page, in one pass: the running header's last page is a
    CSS target-counter, which WeasyPrint fills in once the pages are laid out.
    """
    doc = checked.doc
    html = render.render_html(resolved, lang, project.templates)
    if not options.html:
        return html, []
    out_dir = project.out / lang
    target = out_dir / f"{doc.id}.html"
    with progress.step(report, target, "writing the page"):
        write.write_text(target, html)
        write.copy_assets(out_dir, _assets(project, doc), _asset_names(project.fonts, doc))
    return html, [target]


def write_pdf(checked: Checked, resolved: resolve.Resolved, lang: str, html: str,
              project: Project, options: BuildOptions,
              report: Callable[[object], None]) -> list[Path]:
    """Lay out a language's page as its PDF (unless ``--no-pdf``)."""
    if not options.pdf:
        return []
    doc = checked.doc
    target = project.out / lang / f"{doc.id}.pdf"
    with progress.step(report, target, "laying out") as done:
        settings = write.PdfSettings(options.pdf_variant, pdfmeta.document_date(doc),
                                     _source_files(checked))
        pdf = _render_pdf(html, doc, _assets(project, doc), settings)
        pdf.write(target, finish=partial(
            pdfmeta.finish, facts=pdfmeta.facts_for(resolved, lang, options.pdf_variant)))
        last = doc.first_page + pdf.page_count - 1
        done.text = f"{pdf.page_count} pages, {doc.first_page}–{last}"
    return [target]


def build(folders: list[Path], project: Project, lang_choice: str, options: BuildOptions,
          report: Callable[[object], None], force: bool = False,
          workers: int | None = None) -> list[Path]:
    """Build the documents in ``folders`` in the chosen languages; return the files written.

    What was built from the very same inputs is kept, unless ``force``. Each document with
    work to do is checked and resolved once, here; each of its languages is then a job for the
    worker processes, ``workers`` at a time (one per core by default). The workers start
    first, and import WeasyPrint while the content is checked; a single HTML page, with no PDF
    to wait for, is written here.
    """
    state = incremental.State(project.out)
    plans = [_plan(folder, project, lang_choice, options, state, force, report)
             for folder in folders]
    report(progress.Planned(sum(_numbered_outputs(output, options)
                                for plan in plans for output in plan.todo or [])))
    jobs = sum(len(plan.todo) if plan.todo is not None else 1 for plan in plans)
    written: list[Path] = []
    renders_pdf = options.pdf or options.handout is not None
    pool = None
    if jobs > 1 or (jobs and renders_pdf):
        pool = parallel.Pool(min(jobs, workers or parallel.usable_cores()), report,
                             write.load_renderer if renders_pdf else None)
    with pool or nullcontext():
        for plan in plans:
            if plan.todo == []:
                continue
            checked, resolved = _prepare(plan.folder, project, options, report)
            doc = checked.doc
            todo = plan.todo
            if todo is None:  # document.yaml could not be read when planning; it can now
                todo = job_languages(lang_choice, doc.languages, doc.id)
                plan.keys = incremental.language_keys(
                    plan.folder, doc.languages, todo, project.templates, project.fonts,
                    project.out, options)
            for output in todo:
                record = partial(_record, state, doc.id, output, plan.keys[output], written)
                if pool is None:
                    record([], build_output(checked, resolved, output, project, options, report))
                    continue
                # The page is written here, at once (while the worker may still be warming
                # up); the worker lays it out.
                page, files = (None, []) if "+" in output else \
                    write_page(checked, resolved, output, project, options, report)
                pool.submit(partial(build_output, checked, resolved, output, project, options,
                                    page=page), partial(record, files))
    return written


def build_document(folder: Path, project: Project, lang_choice: str, options: BuildOptions,
                   report: Callable[[object], None], force: bool = False) -> list[Path]:
    """Build one document in the chosen languages (see :func:`build`)."""
    return build([folder], project, lang_choice, options, report, force)


def build_output(checked: Checked, resolved: resolve.Resolved, output: str, project: Project,
                 options: BuildOptions, report: Callable[[object], None],
                 page: str | None = None) -> list[Path]:
    """One job: a language's page and PDF (and handout), or a parallel handout (``en+vi``).

    ``page``: the language's page, already rendered and written (see :func:`write_page`).
    """
    side_by_side = output.split("+")
    if len(side_by_side) > 1:  # en+vi: the parallel handout is the only output
        return handout.build_parallel(checked, resolved, side_by_side, project,
                                      options.handout or handout.HandoutOptions(), report)
    written = []
    if page is None:
        page, written = write_page(checked, resolved, output, project, options, report)
    written += write_pdf(checked, resolved, output, page, project, options, report)
    if options.handout:
        written += handout.build_handout(checked, resolved, output, project, options.handout,
                                         report)
    return written


def job_languages(choice: str, languages: list[str], doc_id: str) -> list[str]:
    """What ``--lang`` asks of a document: languages built one by one, or one ``en+vi`` job."""
    side_by_side = handout.parallel_languages(choice, languages)
    if side_by_side:
        return ["+".join(side_by_side)]
    if choice == "all":
        return list(languages)
    if choice not in languages:
        raise SetupError(f"--lang {choice}: {doc_id} has the languages "
                         f"{', '.join(languages)} (or use --lang all)")
    return [choice]


def select_languages(choice: str, doc: model.Document) -> list[str]:
    """``all`` or one of the document's languages."""
    return job_languages(choice, doc.languages, doc.id)


@dataclass
class _Plan:
    folder: Path
    todo: list[str] | None
    """The jobs (see :func:`job_languages`) whose outputs are out of date; None: cannot tell
    before the checks (document.yaml does not list its languages readably)."""
    keys: dict[str, str]


def _plan(folder: Path, project: Project, lang_choice: str, options: BuildOptions,
          state: incremental.State, force: bool, report) -> _Plan:
    languages = incremental.listed_languages(folder)
    if languages is None:
        return _Plan(folder, None, {})
    outputs = job_languages(lang_choice, languages, folder.name)
    keys = incremental.language_keys(folder, languages, outputs, project.templates,
                                     project.fonts, project.out, options)
    current = {output: None if force else state.current(folder.name, output, keys[output])
               for output in outputs}
    kept = [str(path) for files in current.values() if files for path in files]
    if kept:
        report(progress.UpToDate(tuple(kept)))
    return _Plan(folder, [output for output, files in current.items() if not files], keys)


def _prepare(folder: Path, project: Project, options: BuildOptions, report):
    """The stages every language of a document shares: check and resolve, once."""
    started = time.perf_counter()
    checked = check_document(folder, options.strict, project)
    resolved = resolve_document(checked, options.strict)
    for problem in checked.problems.items:
        report(problem)
    report(f"checked {display_path(folder)} ({time.perf_counter() - started:.2f} s)")
    return checked, resolved


def _numbered_outputs(output: str, options: BuildOptions) -> int:
    """How many files of a job report their progress (the handouts report on their own)."""
    return 0 if "+" in output else options.html + options.pdf


def _record(state: incremental.State, doc_id: str, output: str, key: str,
            written: list[Path], pages: list[Path], files: list[Path]) -> None:
    state.record(doc_id, output, key, pages + files)
    written.extend(pages + files)


def _assets(project: Project, doc: model.Document) -> write.Assets:
    return write.Assets(fonts=project.fonts, media=doc.folder)


def _render_pdf(html: str, doc: model.Document, assets: write.Assets,
                settings: write.PdfSettings) -> write.RenderedPdf:
    try:
        return write.render_pdf(html, assets, settings)
    except write.ForbiddenResource as exc:  # the checks let through what the page refers to
        raise ContentError([Problem(display_path(doc.folder / SHARED_FILE), 0,
                                    str(exc))]) from None


def _asset_names(fonts: Path, doc: model.Document) -> list[str]:
    names = [f"fonts/{p.name}" for p in sorted(fonts.glob("*.ttf"))]
    names += [f"media/{f.file.relative_to(doc.folder).as_posix()}" for f in doc.figures.values()]
    return names


def _source_files(checked: Checked) -> tuple[tuple[str, Path], ...]:
    """The document's own files, named as in its folder: what an archival PDF carries."""
    folder = checked.doc.folder.resolve()
    files = list(checked.sources) + [f.file for f in checked.doc.figures.values()]
    return tuple((path.resolve().relative_to(folder).as_posix(), path) for path in files
                 if path.resolve().is_relative_to(folder) and path.is_file())
