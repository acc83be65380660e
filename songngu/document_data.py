"""Read document.yaml into the Document, then each language's file into its Text.

``document.yaml`` (loaded) + the loaded language files → :class:`Document`: the languages (codes
Babel knows), journal, dates in their order, authors with checked ORCID iDs, the tables'
numbers (:mod:`songngu.table_data`), the figures' files (:mod:`songngu.figurefiles`), the
template, citation style and references file (each only inside the document's folder), then
one :class:`Text` per language (:mod:`songngu.language_text`). Language-neutral facts are
stored once. Every problem is reported with file and line, and the Document is built as far
as the input allows, so that one run finds everything.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from .checker import Checker
from .errors import Problems
from .fields import (
    AUTHOR_FIELDS,
    DATE_NAMES,
    FIGURE_FIELDS,
    JOURNAL_FIELDS,
    SHARED_FIELDS,
)
from .figurefiles import figure_file_problem
from .language_text import build_text
from .load import Loaded
from .model import ARTICLE_TYPES, LANGUAGE_CODE, Author, Document, FigureData, Journal, Where
from .table_data import read_tables
from .wording import closest, describe, unknown

ORCID = re.compile(r"^(?:https://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def language_codes(shared: Loaded, problems: Problems) -> list[str]:
    """The languages ``document.yaml`` lists, each a code Babel knows, in order."""
    check = Checker(shared, problems)
    data = shared.data if isinstance(shared.data, dict) else {}
    value = data.get("languages")
    path = ("languages",)
    if not isinstance(value, list) or not value:
        if isinstance(shared.data, dict) and "languages" not in data:
            if not any(closest(key, ["languages"]) for key in data):  # else: a misspelling
                check.error((), "missing the required key 'languages' (e.g. languages: "
                                "[en, vi])")
        elif isinstance(shared.data, dict):
            check.error(path, f"languages: expected a list of language codes such as [en, vi], "
                              f"found {describe(value)}", key=True)
        return []
    codes: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
            check.error(path + (i,), f"languages: expected a language code such as en or vi, "
                                     f"found {code!r}")
        elif code in codes:
            check.error(path + (i,), f"languages: {code!r} is listed twice")
        elif not _babel_knows(code):
            check.error(path + (i,), f"languages: {code!r} is not a language code Babel knows "
                                     f"(such as en, vi, fr, ja)")
        else:
            codes.append(code)
    return codes


def _source_language(check: Checker, data: dict, languages: list[str]) -> str:
    """``source_language:`` when it names one of the languages, else the first language."""
    chosen = data.get("source_language")
    if chosen is not None and chosen not in languages:
        check.error(("source_language",), f"source_language: expected one of the languages "
                                          f"({', '.join(languages) or 'none'}), found {chosen!r}")
        chosen = None
    return chosen or (languages[0] if languages else "")


def _babel_knows(code: str) -> bool:
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


def build_document(folder: Path, shared: Loaded, texts: dict[str, Loaded],
                   problems: Problems) -> Document:
    """Build the typed document from ``document.yaml`` and the language files."""
    check = Checker(shared, problems)
    data = check.mapping((), shared.data, SHARED_FIELDS, "") or {}
    languages = list(texts)
    journal = Journal(name="")
    if "journal" in data:
        journal_data = check.mapping(("journal",), data["journal"], JOURNAL_FIELDS,
                                     "journal") or {}
        if "date_pattern" in journal_data and not _date_pattern(journal_data["date_pattern"]):
            check.error(("journal", "date_pattern"), f"journal: expected a date pattern such as "
                        f"'d/M/yyyy' or 'dd/MM/yyyy' (d day, M month, y year), found "
                        f"{journal_data.pop('date_pattern')!r}")
        journal = Journal(**{k: str(v) for k, v in journal_data.items()}) \
            if "name" in journal_data else journal
    article_type = data.get("article_type", "")
    if article_type and article_type not in ARTICLE_TYPES:
        message, _ = unknown(article_type, ARTICLE_TYPES, "article type")
        check.error(("article_type",), f"article_type: {message}")
        article_type = ""
    dates = _dates(check, data.get("dates", {}))
    raw = shared.data if isinstance(shared.data, dict) else {}
    unreadable = {name for name in ("authors", "tables", "figures")
                  if name in raw and name not in data}

    def read(name: str, reader, *args):
        before = len(problems.errors)
        result = reader(check, data.get(name), *args)
        if len(problems.errors) > before:
            unreadable.add(name)
        return result

    authors = read("authors", _authors)
    _check_link_fields(check, data)
    tables = read("tables", read_tables, languages)
    figures = read("figures", _figures, folder)
    first_page = data.get("first_page", 1)
    if first_page < 1:
        check.error(("first_page",), f"first_page: expected a page number of 1 or more, "
                                     f"found {first_page!r}")
        first_page = 1
    style = data.get("style", "ieee")
    if "style" in data:
        style = _check_style(check, style, folder)
    template = data.get("template", "journal")
    if not re.fullmatch(r"[\w-]+", template):
        check.error(("template",), f"template: expected the name of a folder of templates/ "
                                   f"such as 'journal', found {template!r}")
        template = "journal"
    refs_name = data.get("references")
    references_file = _references_file(check, refs_name, folder) if refs_name \
        else _default_references(folder)
    doc = Document(
        id=folder.name, folder=folder, languages=languages, journal=journal,
        first_page=first_page, doi=data.get("doi", ""), dates=dates, authors=authors,
        tables=tables, figures=figures, texts={}, template=template,
        style=style, article_type=article_type, references_file=references_file,
        unreadable=unreadable, jats=data.get("jats", False),
        source_language=_source_language(check, data, languages),
    )
    for lang, loaded in texts.items():
        doc.texts[lang] = build_text(lang, loaded, doc, problems)
    return doc


def _date_pattern(pattern: str) -> bool:
    """Whether Babel formats a date with ``pattern`` and the result shows day, month and year."""
    from babel.dates import format_date
    try:
        shown = format_date(dt.date(2033, 11, 22), pattern, locale="en")
    except Exception:  # Babel's pattern parser raises several kinds
        return False
    return all(part in shown for part in ("22", "11", "33")) or \
        ("22" in shown and "33" in shown and "Nov" in shown)


def _check_link_fields(check: Checker, data: dict) -> None:
    """The DOI and the authors' ORCID iDs become links: only well-formed ones may."""
    from .links import doi_problem, orcid_problem
    if isinstance(data.get("doi"), str) and data["doi"] and (problem := doi_problem(data["doi"])):
        check.error(("doi",), f"doi: {problem}")
    for i, author in enumerate(data.get("authors") or []):
        orcid = author.get("orcid") if isinstance(author, dict) else None
        if isinstance(orcid, str) and (problem := orcid_problem(orcid)):
            check.error(("authors", i, "orcid"), f"authors, item {i + 1}: orcid: {problem}")


def _check_style(check: Checker, style: str, folder: Path) -> str | Path:
    """A style name, or a .csl file inside the document's folder (never elsewhere)."""
    from .csl_locale import style_path, style_xml
    from .errors import SetupError
    chosen: str | Path = style
    if str(style).endswith(".csl") or "/" in str(style) or "\\" in str(style):
        path = folder / style
        try:
            inside = not Path(style).is_absolute() and \
                path.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError, ValueError):
            inside = False
        if not inside:
            check.error(("style",), f"style: expected a style name such as 'ieee' or 'apa', or "
                                    f"a .csl file inside the document's folder, found {style!r}")
            return "ieee"
        chosen = path
    try:
        style_path(chosen)
        style_xml(chosen)
    except SetupError as exc:
        check.error(("style",), f"style: {exc}")
        return "ieee"
    return chosen


def _references_file(check: Checker, name: str, folder: Path) -> Path | None:
    """The file ``references:`` names, if it is a file inside the document's folder."""
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        check.error(("references",), f"references: expected a file inside the document's "
                                     f"folder, found {name!r}")
        return None
    if not path.is_file():
        check.error(("references",), f"references: expected a file of references in {folder}, "
                                     f"found no file {name!r}")
        return None
    return path


def _default_references(folder: Path) -> Path | None:
    for name in ("references.yaml", "references.yml", "references.bib"):
        if (folder / name).is_file():
            return folder / name
    return None


def _dates(check: Checker, value: Any) -> dict[str, dt.date]:
    dates: dict[str, dt.date] = {}
    if not isinstance(value, dict):
        return dates
    for name, item in value.items():
        path = ("dates", name)
        if name not in DATE_NAMES:
            check.error(path, f"dates: {unknown(name, DATE_NAMES)[0]}", key=True)
        elif isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            dates[name] = item
        elif (quoted := _quoted_date(item)) is not None:  # '2021-03-31', quoted: the same date
            dates[name] = quoted
        else:
            check.error(path, f"dates: {name!r} must be a date written YYYY-MM-DD, "
                              f"found {describe(item)}{_date_reason(item)}")
    _check_date_order(check, dates)
    return dates


def _check_date_order(check: Checker, dates: dict[str, dt.date]) -> None:
    """received ≤ revised ≤ accepted ≤ published: a later step cannot come before an earlier."""
    given = [name for name in DATE_NAMES if name in dates]
    for i, name in enumerate(given):
        later = next((earlier for earlier in given[:i] if dates[earlier] > dates[name]), None)
        if later is not None:
            check.error(("dates", name), f"dates: {name!r} ({dates[name].isoformat()}) is "
                        f"before {later!r} ({dates[later].isoformat()}, line "
                        f"{check.loaded.line(('dates', later))}): expected received ≤ revised "
                        f"≤ accepted ≤ published")


def _quoted_date(value: Any) -> dt.date | None:
    """The date a quoted ``'YYYY-MM-DD'`` names (YAML reads it as text), or None."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _date_reason(value: Any) -> str:
    """Why text in the form YYYY-MM-DD is no date (2021-02-30: day is out of range)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        year, month, day = map(int, value.split("-"))
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            return f" ({exc})"
    return ""


def _authors(check: Checker, value: Any) -> list[Author]:
    authors: list[Author] = []
    seen: dict[str, Where] = {}
    for i, item in enumerate(value if isinstance(value, list) else []):
        path = ("authors", i)
        what = f"authors, item {i + 1}"
        fields = check.mapping(path, item, AUTHOR_FIELDS, what)
        if fields is None or "id" not in fields:
            continue
        if check.ident(path + ("id",), fields["id"], what, seen) is None:
            continue
        affiliations = []
        for j, aff in enumerate(fields.get("affiliations", [])):
            if (name := check.text(path + ("affiliations", j), aff,
                                   f"{what}, affiliation {j + 1}")):
                affiliations.append(name)
        orcid = fields.get("orcid", "").strip()
        if orcid and not _orcid_ok(orcid):
            check.error(path + ("orcid",), f"{what}: expected an ORCID iD such as "
                                           f"0000-0002-1825-0097 (16 digits, the last a check "
                                           f"digit or X), found {orcid!r}")
            orcid = ""
        authors.append(Author(
            id=fields["id"], email=fields.get("email", ""),
            corresponding=fields.get("corresponding", False),
            affiliations=affiliations, orcid=ORCID.sub(r"\1", orcid)))
    if value == []:
        check.error(("authors",), "authors: expected at least one author, found none")
    return authors


def _orcid_ok(orcid: str) -> bool:
    """The form 0000-0000-0000-000X and the ISO 7064 11,2 check digit ORCID uses."""
    match = ORCID.match(orcid)
    if not match:
        return False
    digits = match.group(1).replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _figures(check: Checker, value: Any, folder: Path) -> dict[str, FigureData]:
    figures: dict[str, FigureData] = {}
    for fig_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("figures", fig_id)
        if check.ident(path, fig_id, "figures", {}) is None:
            continue
        what = f"figure {fig_id!r}"
        fields = check.mapping(path, item, FIGURE_FIELDS, what) or {}
        if isinstance(item, dict) and ("file" in item) == ("files" in item):
            check.error(path, f"{what}: expected 'file' (one image) or 'files' (subfigures "
                              f"side by side), found {'both' if 'file' in item else 'neither'}")
        written = [(("file",), fields["file"])] if "file" in fields else \
            [(("files", i), name) for i, name in enumerate(fields.get("files", []))]
        files = []
        for where, name in written:
            if not isinstance(name, str):
                check.error(path + where, f"{what}: expected a file name, found {describe(name)}")
                continue
            problem = figure_file_problem(folder / name, name, folder)
            if problem:
                check.error(path + where, f"{what}: {problem}")
            files.append(folder / name)
        if "files" in fields and not fields["files"]:
            check.error(path + ("files",), f"{what}: expected a list of image files, found an "
                                           f"empty list")
        width = fields.get("width", 0)
        if "width" in fields and not 0 < width <= 1:
            check.error(path + ("width",), f"{what}: width is a share of the text width, more "
                                           f"than 0 and at most 1 (0.5 for half), found {width!r}")
            width = 0
        figures[fig_id] = FigureData(fig_id, files[0] if files else folder, check.key_where(path),
                                     float(width), files if "files" in fields else [])
    return figures
