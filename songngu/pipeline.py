"""Build documents: the recipe that calls each stage in order.

content folder → load (YAML, NFC, line map) → model (typed, validated) → parity (languages
agree) → resolve (numbers, citations, cross-references) → render (Jinja2 → HTML) → write
(WeasyPrint → PDF; HTML beside it). Problems from every stage before rendering are gathered
and reported together; nothing is rendered while there is an error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import citations, model, parity, render, resolve, write
from .errors import ContentError, Problem, Problems, SetupError
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


@dataclass
class BuildOptions:
    strict: bool = False
    pdf: bool = True
    html: bool = True


def find_documents(content: Path) -> list[Path]:
    """The document folders of a content folder (or the folder itself if it is one)."""
    if (content / SHARED_FILE).is_file():
        return [content]
    folders = sorted(p.parent for p in content.glob(f"*/{SHARED_FILE}"))
    if not folders:
        raise SetupError(f"no document in {content}: expected {content}/<name>/{SHARED_FILE}")
    return folders


def check_document(folder: Path, strict: bool = False) -> Checked:
    """Load, model and check one document; raise ContentError if it cannot be built."""
    problems = Problems()
    shared = load_yaml(folder / SHARED_FILE, problems)
    sources = [folder / SHARED_FILE]
    texts: dict[str, Loaded] = {}
    languages = shared.data.get("languages") if shared and isinstance(shared.data, dict) else []
    if shared is not None and (not isinstance(languages, list) or not languages):
        problems.error(shared.file, shared.key_line(("languages",)),
                       "languages: expected a list of language codes such as [en, vi], "
                       f"found {languages!r}")
        languages = []
    for lang in languages if isinstance(languages, list) else []:
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
    if not problems.errors:
        problems.extend(parity.check_parity(doc, strict))
    problems.raise_if_errors()
    return Checked(doc, references, problems, sources)


def resolve_document(checked: Checked, strict: bool = False) -> resolve.Resolved:
    """Resolve a checked document; its findings join ``checked.problems``."""
    problems = Problems()
    resolved = resolve.resolve(checked.doc, checked.references, problems, strict)
    checked.problems.extend(problems)
    if problems.errors:
        raise ContentError(checked.problems.items)
    return resolved


def build_language(checked: Checked, resolved: resolve.Resolved, lang: str, project: Project,
                   options: BuildOptions, report: Callable[[str], None]) -> list[Path]:
    """Render and write one language's HTML page and PDF; return the files written."""
    doc = checked.doc
    out_dir = project.out / lang
    assets = write.Assets(fonts=project.fonts, media=doc.folder)
    written = []
    html = render.render_html(resolved, lang, project.templates)
    if options.html:
        target = out_dir / f"{doc.id}.html"
        started = time.perf_counter()
        write.write_text(target, html)
        write.copy_assets(out_dir, assets, _asset_names(project.fonts, doc))
        report(f"wrote {target} ({time.perf_counter() - started:.2f} s)")
        written.append(target)
    if options.pdf:
        target = out_dir / f"{doc.id}.pdf"
        started = time.perf_counter()
        pdf = _render_paginated(resolved, lang, project, assets, _page_hint(project, doc, lang))
        pdf.write(target)
        _remember_pages(project, doc, lang, pdf.page_count)
        report(f"wrote {target} ({pdf.page_count} pages, pages {doc.first_page}–"
               f"{doc.first_page + pdf.page_count - 1}, {time.perf_counter() - started:.2f} s)")
        written.append(target)
    return written


def build_document(folder: Path, project: Project, lang_choice: str, options: BuildOptions,
                   report: Callable[[str | Problem], None]) -> list[Path]:
    """Check, resolve, render and write one document in the chosen languages."""
    checked = check_document(folder, options.strict)
    langs = select_languages(lang_choice, checked.doc)
    resolved = resolve_document(checked, options.strict)
    for problem in checked.problems.items:
        report(problem)
    written = []
    for lang in langs:
        written += build_language(checked, resolved, lang, project, options, report)
    return written


def select_languages(choice: str, doc: model.Document) -> list[str]:
    """``all`` or one of the document's languages."""
    if choice == "all":
        return list(doc.languages)
    if choice not in doc.languages:
        raise SetupError(f"--lang {choice}: {doc.id} has the languages "
                         f"{', '.join(doc.languages)} (or use --lang all)")
    return [choice]


def _render_paginated(resolved, lang, project, assets, hint: int | None):
    """Lay out the PDF; lay it out again if the running header's last page was wrong.

    The header shows the last page number, known only after layout: the page count of the
    previous build is the first guess, so a second pass is needed only when it changed.
    """
    first = resolved.doc.first_page
    guess = hint or 1
    for _ in range(3):
        html = render.render_html(resolved, lang, project.templates,
                                  render.RenderOptions(last_page=first + guess - 1))
        pdf = write.render_pdf(html, assets)
        if pdf.page_count == guess:
            return pdf
        guess = pdf.page_count
    return pdf


def _asset_names(fonts: Path, doc: model.Document) -> list[str]:
    names = [f"fonts/{p.name}" for p in sorted(fonts.glob("*.ttf"))]
    names += [f"media/{f.file.name}" for f in doc.figures.values()]
    return names


def _state_file(project: Project) -> Path:
    return project.out / ".songngu-pages.json"


def _page_hint(project: Project, doc: model.Document, lang: str) -> int | None:
    try:
        return json.loads(_state_file(project).read_text())[f"{doc.id}/{lang}"]
    except (OSError, ValueError, KeyError):
        return None


def _remember_pages(project: Project, doc: model.Document, lang: str, pages: int) -> None:
    state_file = _state_file(project)
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        state = {}
    state[f"{doc.id}/{lang}"] = pages
    write.write_text(state_file, json.dumps(state, indent=1, sort_keys=True))
