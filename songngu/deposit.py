"""Write a document's JATS deposit, and say what a deposit still lacks.

checked and resolved document + its printed pages → ``<out>/jats/<doc>.xml`` (see
:mod:`songngu.jats`), with the figures it names copied beside it (``<out>/jats/<doc>/…``), and
a warning with file and line for each fact a deposit needs that the document does not give
(DOI, ISSN, publisher, publication date, an author's name or affiliation in a language, the
last page). A build writes the JATS when ``--jats`` asks for it, or when document.yaml says
``jats: true`` and every language is built.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .errors import Problems, display_path
from .project import SHARED_FILE

OUTPUT = "jats"
"""The name of the JATS output among a document's jobs (the others are languages)."""


def wanted(folder: Path, lang_choice: str, asked: bool) -> bool:
    """Whether a build writes the JATS of the document in ``folder``, before its checks run."""
    if asked:
        return True
    return lang_choice == "all" and _says_jats(folder)


def _says_jats(folder: Path) -> bool:
    import yaml

    try:
        data = yaml.safe_load((folder / SHARED_FILE).read_bytes())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("jats") is True


def target(out: Path, doc_id: str) -> Path:
    return out / OUTPUT / f"{doc_id}.xml"


def write(checked: Any, resolved: Any, templates: Path, out: Path, pages: Any,
          report) -> list[Path]:
    """Write the JATS file (and its figures); return the files written."""
    from . import jats, progress, write as files

    doc = checked.doc
    xml = target(out, doc.id)
    with progress.step(report, xml, "writing the JATS XML") as done:
        data = jats.article_xml(resolved, templates, pages)
        written = [xml]
        for figure in doc.figures.values():
            copy = xml.parent / jats.figure_href(doc, figure.file)
            with files.atomic_path(copy) as tmp:
                shutil.copyfile(figure.file, tmp)
            written.append(copy)
        files.write_bytes(xml, data)
        last = f"–{pages.last}" if pages.last is not None else ", last page unknown"
        done.text = f"pages {pages.first}{last}"
    return written


def missing(checked: Any, out: Path, pages: Any) -> Problems:
    """What a deposit needs that the document does not give: warnings naming the output."""
    from .load import load_yaml

    doc = checked.doc
    problems = Problems()
    shared_file = doc.folder / SHARED_FILE
    shared = load_yaml(shared_file, Problems())
    xml = display_path(target(out, doc.id))

    def line(*path: str) -> int:
        return shared.key_line(path) if shared is not None else 0

    def warn(at: int, message: str) -> None:
        problems.warning(shared_file, at, message)

    if not doc.doi:
        warn(1, f"no 'doi': {xml} needs one for <article-id pub-id-type=\"doi\">, as do the "
                f"article pages (citation_doi) and the PDF's XMP (prism:doi)")
    if not (doc.journal.issn or doc.journal.eissn):
        warn(line("journal"), f"journal: no 'issn' or 'eissn': {xml} needs one (JATS requires "
                              f"<issn> in <journal-meta>), as does citation_issn")
    if not doc.journal.publisher:
        warn(line("journal"), f"journal: no 'publisher': {xml} needs one for <publisher-name>")
    if "published" not in doc.dates:
        warn(line("dates") if "dates" in (shared.data or {}) else 1,
             f"dates: no 'published' date: {xml} needs one for <pub-date>, as does "
             f"citation_publication_date")
    for lang, text in doc.texts.items():
        for author in doc.authors:
            if not text.authors.get(author.id):
                problems.warning(text.file, text.where.get("authors", _first(text)).line,
                                 f"authors: no name of {author.id!r} in this language: {xml} "
                                 f"needs one for its <contrib> in {lang}")
            for aff in author.affiliations:
                if not text.affiliations.get(aff):
                    problems.warning(text.file, text.where.get("affiliations",
                                                               _first(text)).line,
                                     f"affiliations: no name of {aff!r} in this language: "
                                     f"{xml} needs one for its <aff> in {lang}")
    if pages.last is None:
        first = doc.languages[0]
        warn(line("first_page") if "first_page" in (shared.data or {}) else 1,
             f"{xml}: no <lpage>: the {first} PDF has not been laid out from this content; "
             f"build it in the same run (python build.py --lang {first} --jats, without "
             f"--no-pdf)")
    return problems


def _first(text: Any):
    from .model import Where

    return Where(str(text.file), 1)
