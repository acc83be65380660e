"""Write a document's JATS deposit, and say what a deposit still lacks.

checked and resolved document + its printed pages → ``<out>/jats/<doc>.xml`` (see
:mod:`songngu.jats`), with the figures it names copied beside it (``<out>/jats/<doc>/…``), and
a warning with file and line for each fact a deposit needs that the document does not give
(DOI, ISSN, publisher, publication date, an author's name or affiliation in a language, the
last page). A build writes the JATS when ``--jats`` asks for it, or when document.yaml says
``jats: true`` and every language is built.
"""

from __future__ import annotations

import re
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
    from . import jats, progress
    from . import write as files

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
    """What a deposit needs that the document does not give: warnings naming the output.

    ``pages`` None: the page range is not asked about (``check --jats``)."""
    from .load import load_yaml

    doc = checked.doc
    problems = Problems()
    shared_file = doc.folder / SHARED_FILE
    shared = load_yaml(shared_file, Problems())
    given = shared.data if shared is not None and isinstance(shared.data, dict) else {}
    xml = display_path(target(out, doc.id))

    def line(*path: str) -> int:
        return shared.key_line(path) if shared is not None else 0

    def warn(at: int, message: str) -> None:
        problems.warning(shared_file, at, message)

    if not doc.doi:
        warn(1, f"no 'doi': {xml} needs one for <article-id pub-id-type=\"doi\">, as do the "
                f"article pages (citation_doi) and the PDF's XMP (prism:doi)")
    elif not DOI.match(doc.doi):
        warn(line("doi"), f"doi: expected a DOI such as 10.34238/tnu-jst.4151, found "
                          f"{doc.doi!r}: {xml} would deposit it as it is")
    for name, issn in (("issn", doc.journal.issn), ("eissn", doc.journal.eissn)):
        if issn and not issn_valid(issn):
            warn(line("journal", name), f"journal: {name}: {issn!r} is not a valid ISSN "
                                        f"(NNNN-NNNC, C the check digit): {xml} needs a "
                                        f"valid one")
    for author in doc.authors:
        if author.orcid and not orcid_valid(author.orcid):
            warn(line("authors"), f"authors: the ORCID of {author.id!r}, {author.orcid!r}, is "
                                  f"not valid (0000-0000-0000-000X, X the check digit): {xml} "
                                  f"needs a valid one for <contrib-id>")
    if not (doc.journal.issn or doc.journal.eissn):
        warn(line("journal"), f"journal: no 'issn' or 'eissn': {xml} needs one (JATS requires "
                              f"<issn> in <journal-meta>), as does citation_issn")
    if not doc.journal.publisher:
        warn(line("journal"), f"journal: no 'publisher': {xml} needs one for <publisher-name>")
    if "published" not in doc.dates:
        warn(line("dates") if "dates" in given else 1,
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
    if pages is not None and pages.last is None:
        first = doc.languages[0]
        warn(line("first_page") if "first_page" in given else 1,
             f"{xml}: no <lpage>: the {first} PDF has not been laid out from this content; "
             f"build it in the same run (python build.py --lang {first} --jats, without "
             f"--no-pdf)")
    return problems


DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def issn_valid(issn: str) -> bool:
    """An ISSN with its check digit right (ISO 3297)."""
    match = re.fullmatch(r"(\d{4})-?(\d{3})([\dXx])", issn.strip())
    if not match:
        return False
    digits = match.group(1) + match.group(2)
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return match.group(3).upper() == ("X" if check == 10 else str(check))


def orcid_valid(orcid: str) -> bool:
    """An ORCID iD (bare or as its URL) with its check digit right (ISO 7064 11,2)."""
    bare = re.sub(r"^(?:https?://)?(?:www\.)?orcid\.org/", "", orcid.strip())
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", bare):
        return False
    digits = bare.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _first(text: Any):
    from .model import Where

    return Where(str(text.file), 1)
