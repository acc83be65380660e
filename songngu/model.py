"""Turn loaded YAML into the typed document model, checking it on the way.

(data + line map) → :class:`Document`. Language-neutral facts (dates, DOI, authors' emails,
table numbers) come from ``document.yaml`` and exist once; the text of each language comes
from ``<lang>.yaml`` and has the same shape in every language. Every problem is reported with
file and line (missing field, wrong type, unknown key with the closest known one, duplicate id,
empty text); the model is built as far as the input allows so that one run finds everything.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import Problems
from .load import Loaded

BLOCK_KINDS = ("p", "heading", "table", "figure", "quote", "list", "ordered")
BLOCK_NAMES = {"p": "paragraph", "heading": "subheading", "quote": "quotation", "list": "list",
               "ordered": "numbered list", "table": "table", "figure": "figure"}
COLUMN_KINDS = ("year", "number", "percent", "text")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Where:
    """The place in a source file a value came from."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Block:
    """One block of body text: a paragraph, subheading, quotation, list, or a placed table/figure."""

    kind: str
    """One of BLOCK_KINDS."""
    text: str = ""
    """Inline markup for ``p``, ``heading`` and ``quote``; the table or figure id for those kinds."""
    items: list[str] = field(default_factory=list)
    """Item markup for ``list`` and ``ordered``."""
    where: Where | None = None
    key: str = ""
    """Stable position key shared by the counterparts in every language: ``<section>/<index>``."""


@dataclass
class Section:
    """A numbered section: its title, blocks, then its subsections."""

    id: str
    title: str
    blocks: list[Block]
    sections: list["Section"]
    where: Where | None = None
    number: str = ""
    """Filled in by the resolve stage: "3.2.1"."""
    level: int = 1


@dataclass
class Column:
    kind: str
    pattern: str | None = None


@dataclass
class TableData:
    """The numbers of a table, stored once for every language."""

    id: str
    columns: list[Column]
    rows: list[list[Any]]
    where: Where | None = None
    complete: bool = True
    """False when its columns could not be read: the language files' headers are not
    counted against it (the one mistake is reported once, in document.yaml)."""


@dataclass
class TableText:
    """What a language says about a table: caption, column headers, note."""

    caption: str
    columns: list[str]
    note: str = ""
    where: Where | None = None


@dataclass
class FigureData:
    id: str
    file: Path
    where: Where | None = None


@dataclass
class FigureText:
    caption: str
    alt: str = ""
    where: Where | None = None


@dataclass
class Author:
    id: str
    email: str = ""
    corresponding: bool = False
    affiliations: list[str] = field(default_factory=list)
    orcid: str = ""


@dataclass
class Journal:
    name: str
    url: str = ""
    email: str = ""
    issn: str = ""
    eissn: str = ""
    volume: str = ""
    issue: str = ""


@dataclass
class Text:
    """Everything of a document that is written in one language."""

    lang: str
    file: Path
    title: str
    authors: dict[str, str]
    affiliations: dict[str, str]
    abstract: str
    keywords: list[str]
    sections: list[Section]
    tables: dict[str, TableText] = field(default_factory=dict)
    figures: dict[str, FigureText] = field(default_factory=dict)
    journal_name: str = ""
    where: dict[str, Where] = field(default_factory=dict)
    """Where each top-level field was written (title, abstract, keywords, …) and each name
    (``authors/<id>``, ``affiliations/<id>``)."""


@dataclass
class Document:
    """A bilingual (or multilingual) document: shared data plus one Text per language."""

    id: str
    folder: Path
    languages: list[str]
    journal: Journal
    first_page: int
    doi: str
    dates: dict[str, dt.date]
    authors: list[Author]
    tables: dict[str, TableData]
    figures: dict[str, FigureData]
    texts: dict[str, Text]
    template: str = "journal"
    style: str = "ieee"
    references_file: Path | None = None
    source_files: list[Path] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    """Lists of document.yaml (``authors``, ``tables``, ``figures``) that had errors: the
    language files are not checked against them, so one mistake is reported once."""


# --------------------------------------------------------------------------- schema checks

_CHECKED_ELSEWHERE = None
"""Field type of a key another function checks (``languages``: :func:`language_codes`)."""

_SHARED_FIELDS = {
    "languages": (_CHECKED_ELSEWHERE, False), "template": (str, False), "style": (str, False),
    "references": (str, False), "journal": (dict, True), "first_page": (int, False),
    "doi": (str, False), "dates": (dict, False), "authors": (list, True),
    "tables": (dict, False), "figures": (dict, False),
}
_JOURNAL_FIELDS = {"name": (str, True), "url": (str, False), "email": (str, False),
                   "issn": (str, False), "eissn": (str, False), "volume": ((str, int), False),
                   "issue": ((str, int), False)}
_AUTHOR_FIELDS = {"id": (str, True), "email": (str, False), "corresponding": (bool, False),
                  "affiliations": (list, False), "orcid": (str, False)}
_DATE_NAMES = ("received", "revised", "accepted", "published")
_TABLE_FIELDS = {"columns": (list, True), "rows": (list, True)}
_COLUMN_FIELDS = {"kind": (str, True), "pattern": (str, False)}
_FIGURE_FIELDS = {"file": (str, True)}
_TEXT_FIELDS = {
    "title": (str, True), "authors": (dict, True), "affiliations": (dict, False),
    "abstract": (str, True), "keywords": (list, True), "sections": (list, True),
    "tables": (dict, False), "figures": (dict, False), "journal": (str, False),
}
_TABLE_TEXT_FIELDS = {"caption": (str, True), "columns": (list, True), "note": (str, False)}
_FIGURE_TEXT_FIELDS = {"caption": (str, True), "alt": (str, False)}
_SECTION_FIELDS = {"id": (str, True), "title": (str, True), "blocks": (list, False),
                   "sections": (list, False)}
_KIND_ALIASES = {"para": "p", "paragraph": "p", "text": "p", "h": "heading",
                 "subheading": "heading", "blockquote": "quote", "quotation": "quote",
                 "ul": "list", "bullets": "list", "items": "list", "ol": "ordered",
                 "numbered": "ordered", "image": "figure", "img": "figure", "picture": "figure"}
"""Names people reach for that difflib does not find close to the real kind."""
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
               dict: "a mapping (key: value lines)", float: "a number"}


def _type_name(types: type | tuple[type, ...]) -> str:
    if isinstance(types, tuple):
        return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
    return _TYPE_NAMES.get(types, types.__name__)


def _found(value: Any) -> str:
    """How a found value is named in a message: its kind and, when short, the value itself."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value!r}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"text {value!r}"
    shown = repr(value)
    kind = "a list" if isinstance(value, list) else "a mapping"
    return f"{kind} {shown}" if len(shown) <= 60 else f"{kind} of {len(value)} " \
        f"{'item' if len(value) == 1 else 'items'}"


def _say(what: str, message: str) -> str:
    return f"{what}: {message}" if what else message


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _closest(word: Any, choices, aliases: dict[str, str] | None = None) -> str | None:
    word = str(word)
    if aliases and word.lower() in aliases:
        return aliases[word.lower()]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6) or \
        difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _not_listed(word: Any, known, noun: str) -> str:
    """An author, table or figure a language file names that document.yaml does not list."""
    close = _closest(word, sorted(known))
    hint = f"did you mean {close!r}?" if close else \
        f"it lists {', '.join(sorted(known)) or 'none'}"
    article = "an" if noun[0] in "aeiou" else "a"
    return f"{word!r} is not {article} {noun} listed in document.yaml ({hint})"


def _unknown(word: Any, choices, noun: str = "key", aliases=None) -> tuple[str, str | None]:
    """The message for an unknown key or kind, with the closest known one as a suggestion."""
    close = _closest(word, choices, aliases)
    hint = f"did you mean {close!r}?" if close else \
        f"known {noun}s: {', '.join(map(str, choices)) or 'none'}"
    return f"unknown {noun} {word!r} ({hint})", close


class _Checker:
    """Checks one loaded file against field tables, reporting with file:line."""

    def __init__(self, loaded: Loaded, problems: Problems):
        self.loaded = loaded
        self.problems = problems

    def where(self, path: tuple) -> Where:
        return Where(self.loaded.name, self.loaded.line(path))

    def key_where(self, path: tuple) -> Where:
        """Where the key of a mapping entry stands (``tables: trade:``), not its first field."""
        return Where(self.loaded.name, self.loaded.key_line(path))

    def error(self, path: tuple, message: str, *, key: bool = False) -> None:
        line = self.loaded.key_line(path) if key else self.loaded.line(path)
        self.problems.error(self.loaded.file, line, message)

    def mapping(self, path: tuple, value: Any, fields: dict, what: str) -> dict | None:
        """Check a mapping's keys and value types; return it with bad fields dropped."""
        if not isinstance(value, dict):
            self.error(path, _say(what, f"expected a mapping (key: value lines), "
                                        f"found {_found(value)}"))
            return None
        good, suggested = {}, set()
        for key, item in value.items():
            if key not in fields:
                absent = [f for f in fields if f not in value]
                message, close = _unknown(key, absent or list(fields))
                if close is None and absent:
                    message, close = _unknown(key, list(fields))
                suggested.add(close)
                self.error(path + (key,), _say(what, message), key=True)
                continue
            types, _ = fields[key]
            if types is _CHECKED_ELSEWHERE:
                good[key] = item
            elif item is None:
                self.error(path + (key,), _say(what, f"{key!r} is empty: expected "
                                                     f"{_type_name(types)}, found nothing"))
            elif not _is(item, types):
                hint = " (put it in quotation marks)" if str in _as_tuple(types) \
                    and isinstance(item, (int, float, dt.date)) else ""
                self.error(path + (key,), _say(what, f"{key!r} must be {_type_name(types)}, "
                                                     f"found {_found(item)}{hint}"))
            elif isinstance(item, str) and not item.strip():
                self.error(path + (key,), _say(what, f"{key!r} is empty: expected some text, "
                                                     f"found {item!r}"))
            else:
                good[key] = item
        missing = [key for key, (_, required) in fields.items()
                   if required and key not in value and key not in suggested]
        if missing and not value and not path:
            self.error(path, f"the file is empty: expected the keys {', '.join(missing)}")
        else:
            for key in missing:
                self.error(path, _say(what, f"missing the required key {key!r}"))
        return good

    def text(self, path: tuple, value: Any, what: str) -> str | None:
        """A piece of text; numbers are accepted as the text they show (keywords: [2021])."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            found = "nothing" if value is None else repr(value) if isinstance(value, str) \
                else _found(value)
            self.error(path, _say(what, f"expected text, found {found}"))
            return None
        return value.strip()

    def ident(self, path: tuple, value: Any, what: str, seen: dict[str, Where]) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.error(path, _say(what, f"expected an id of lowercase letters, digits, '-' or "
                                        f"'_', found {value!r}"))
            return None
        if value in seen:
            self.error(path, _say(what, f"duplicate id {value!r} (first used at "
                                        f"{seen[value]})"))
            return None
        seen[value] = self.where(path)
        return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _is(value: Any, types: type | tuple[type, ...]) -> bool:
    types = _as_tuple(types)
    if isinstance(value, bool) and bool not in types:
        return False
    if isinstance(value, dt.date) and not any(issubclass(t, dt.date) for t in types):
        return False
    return isinstance(value, types)


# --------------------------------------------------------------------------- shared data

def language_codes(shared: Loaded, problems: Problems) -> list[str]:
    """The languages ``document.yaml`` lists, each a code Babel knows, in order."""
    check = _Checker(shared, problems)
    data = shared.data if isinstance(shared.data, dict) else {}
    value = data.get("languages")
    path = ("languages",)
    if not isinstance(value, list) or not value:
        if isinstance(shared.data, dict) and "languages" not in data:
            if not any(_closest(key, ["languages"]) for key in data):  # else: a misspelling
                check.error((), "missing the required key 'languages' (e.g. languages: "
                                "[en, vi])")
        elif isinstance(shared.data, dict):
            check.error(path, f"languages: expected a list of language codes such as [en, vi], "
                              f"found {_found(value)}", key=True)
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
    check = _Checker(shared, problems)
    data = check.mapping((), shared.data, _SHARED_FIELDS, "") or {}
    languages = list(texts)
    journal = Journal(name="")
    if "journal" in data:
        journal_data = check.mapping(("journal",), data["journal"], _JOURNAL_FIELDS,
                                     "journal") or {}
        journal = Journal(**{k: str(v) for k, v in journal_data.items()}) \
            if "name" in journal_data else journal
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
    tables = read("tables", _tables)
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
    references_file = folder / refs_name if refs_name else _default_references(folder)
    if refs_name and not references_file.resolve().is_relative_to(folder.resolve()):
        check.error(("references",), f"references: expected a file inside the document's "
                                     f"folder, found {refs_name!r}")
        references_file = None
    elif refs_name and not references_file.is_file():
        check.error(("references",), f"references: expected a file of references in {folder}, "
                                     f"found no file {refs_name!r}")
        references_file = None
    doc = Document(
        id=folder.name, folder=folder, languages=languages, journal=journal,
        first_page=first_page, doi=data.get("doi", ""), dates=dates, authors=authors,
        tables=tables, figures=figures, texts={}, template=template,
        style=style, references_file=references_file, unreadable=unreadable,
    )
    for lang, loaded in texts.items():
        doc.texts[lang] = build_text(lang, loaded, doc, problems)
    return doc


def _check_link_fields(check: _Checker, data: dict) -> None:
    """The DOI and the authors' ORCID iDs become links: only well-formed ones may."""
    from .links import doi_problem, orcid_problem
    if isinstance(data.get("doi"), str) and data["doi"] and (problem := doi_problem(data["doi"])):
        check.error(("doi",), f"doi: {problem}")
    for i, author in enumerate(data.get("authors") or []):
        orcid = author.get("orcid") if isinstance(author, dict) else None
        if isinstance(orcid, str) and (problem := orcid_problem(orcid)):
            check.error(("authors", i, "orcid"), f"authors, item {i + 1}: orcid: {problem}")


def _check_style(check: _Checker, style: str, folder: Path) -> str | Path:
    """A style name, or a .csl file inside the document's folder (never elsewhere)."""
    from .csl_locale import style_path, style_xml
    from .errors import SetupError
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
        style = path
    try:
        style_path(style)
        style_xml(style)
    except SetupError as exc:
        check.error(("style",), f"style: {exc}")
        return "ieee"
    return style


def _default_references(folder: Path) -> Path | None:
    for name in ("references.yaml", "references.yml", "references.bib"):
        if (folder / name).is_file():
            return folder / name
    return None


def _dates(check: _Checker, value: Any) -> dict[str, dt.date]:
    dates: dict[str, dt.date] = {}
    if not isinstance(value, dict):
        return dates
    for name, item in value.items():
        path = ("dates", name)
        if name not in _DATE_NAMES:
            check.error(path, f"dates: {_unknown(name, _DATE_NAMES)[0]}", key=True)
        elif isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            dates[name] = item
        else:
            check.error(path, f"dates: {name!r} must be a date written YYYY-MM-DD, "
                              f"found {_found(item)}{_date_reason(item)}")
    return dates


def _date_reason(value: Any) -> str:
    """Why text in the form YYYY-MM-DD is no date (2021-02-30: day is out of range)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        year, month, day = map(int, value.split("-"))
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            return f" ({exc})"
    return ""


def _authors(check: _Checker, value: Any) -> list[Author]:
    authors, seen = [], {}
    for i, item in enumerate(value if isinstance(value, list) else []):
        path = ("authors", i)
        what = f"authors, item {i + 1}"
        fields = check.mapping(path, item, _AUTHOR_FIELDS, what)
        if fields is None or "id" not in fields:
            continue
        if check.ident(path + ("id",), fields["id"], what, seen) is None:
            continue
        affiliations = []
        for j, aff in enumerate(fields.get("affiliations", [])):
            if (name := check.text(path + ("affiliations", j), aff,
                                   f"{what}, affiliation {j + 1}")):
                affiliations.append(name)
        authors.append(Author(
            id=fields["id"], email=fields.get("email", ""),
            corresponding=fields.get("corresponding", False),
            affiliations=affiliations, orcid=fields.get("orcid", "")))
    if value == []:
        check.error(("authors",), "authors: expected at least one author, found none")
    return authors


def _tables(check: _Checker, value: Any) -> dict[str, TableData]:
    """The tables' numbers. A table with errors is still known by its id, so that the language
    files that caption and place it are not blamed for the one mistake."""
    tables: dict[str, TableData] = {}
    for table_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("tables", table_id)
        if check.ident(path, table_id, "tables", {}) is None:
            continue
        what = f"table {table_id!r}"
        fields = check.mapping(path, item, _TABLE_FIELDS, what) or {}
        if "columns" not in fields:
            tables[table_id] = TableData(table_id, [], [], check.key_where(path), False)
            continue
        columns = [_column(check, path + ("columns", c), col, f"{what}, column {c + 1}")
                   for c, col in enumerate(fields.get("columns", []))]
        rows = [cells for r, row in enumerate(fields.get("rows", []))
                if (cells := _row(check, path + ("rows", r), row, columns,
                                  f"{what}, row {r + 1}")) is not None]
        tables[table_id] = TableData(table_id, columns, rows, check.key_where(path))
    return tables


def _column(check: _Checker, path: tuple, value: Any, what: str) -> Column:
    fields = check.mapping(path, value, _COLUMN_FIELDS, what) or {}
    kind = fields.get("kind", "text")
    if kind not in COLUMN_KINDS:
        check.error(path + ("kind",), f"{what}: kind must be one of {', '.join(COLUMN_KINDS)}, "
                                      f"found {kind!r}")
        kind = "text"
    pattern = fields.get("pattern")
    if pattern is not None and not _number_pattern(pattern):
        check.error(path + ("pattern",), f"{what}: expected a number pattern such as '#,##0.0' "
                                         f"(digits as 0 or #), found {pattern!r}")
        pattern = None
    return Column(kind, pattern)


def _number_pattern(pattern: str) -> bool:
    """Whether Babel can format numbers with ``pattern``; it prints nonsense patterns as they
    are, so a pattern must at least have a digit placeholder."""
    from babel.numbers import format_decimal
    try:
        format_decimal(Decimal("1234.5"), pattern, locale="en")
    except Exception:  # Babel's pattern parser raises several kinds
        return False
    return re.search(r"[0#@]", pattern) is not None


MAX_CELL = 10 ** 15
"""Numbers in tables stay below a quadrillion: Babel cannot format 1.0e+308."""


def _row(check: _Checker, path: tuple, row: Any, columns: list[Column],
         what: str) -> list | None:
    if not isinstance(row, list) or len(row) != len(columns):
        found = f"{_plural(len(row), 'cell')} {row!r}" if isinstance(row, list) \
            else _found(row)
        check.error(path, f"{what}: expected a list of {_plural(len(columns), 'cell')}, "
                          f"found {found}")
        return None
    for c, (cell, col) in enumerate(zip(row, columns)):
        if cell is not None and col.kind != "text" and (
                isinstance(cell, bool) or not isinstance(cell, (int, float))
                or cell != cell or not -MAX_CELL < cell < MAX_CELL):
            check.error(path + (c,), f"{what}, column {c + 1}: expected a number (or ~ for an "
                                     f"empty cell), found {_found(cell)}")
            return None
    return [Decimal(str(x)) if isinstance(x, float) else x for x in row]


def _figures(check: _Checker, value: Any, folder: Path) -> dict[str, FigureData]:
    figures: dict[str, FigureData] = {}
    for fig_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("figures", fig_id)
        if check.ident(path, fig_id, "figures", {}) is None:
            continue
        what = f"figure {fig_id!r}"
        fields = check.mapping(path, item, _FIGURE_FIELDS, what) or {}
        file = folder / fields.get("file", "")
        if "file" in fields:
            problem = figure_file_problem(file, fields["file"], folder)
            if problem:
                check.error(path + ("file",), f"{what}: {problem}")
        figures[fig_id] = FigureData(fig_id, file, check.key_where(path))
    return figures


FIGURE_TYPES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff",
                ".svg": None}
"""Image files a figure may use, by suffix, with the bytes such a file starts with."""
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|(?:data|file|javascript|mailto):)", re.I)


def figure_file_problem(file: Path, written: str, folder: Path) -> str | None:
    """Why a figure's file cannot be used, or None for a PNG, JPEG or SVG inside ``folder``.

    Checked before anything renders, so that a figure pointing at the network, at a device
    such as /dev/urandom, at a pipe or outside the folder (by '..' or a symbolic link) is
    reported with its line and never read.
    """
    expected = "expected a PNG, JPEG or SVG file inside the document's folder"
    if len(written) > 1000 or any(len(part.encode()) > 255 for part in Path(written).parts):
        return f"{expected}, found a file name of {len(written):,} characters, longer than " \
               f"file systems allow"
    if _URL.match(written):
        return f"{expected} (a relative path such as images/chart.png), found the URL {written!r}"
    if Path(written).is_absolute():
        return f"{expected} (a relative path such as images/chart.png), found the absolute " \
               f"path {written!r}"
    try:
        inside = file.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symbolic links
        inside = False
    if not inside:
        return f"{expected}, found {written!r}, which leads outside the folder"
    if not file.exists():
        return f"{expected}, found {written!r}, which does not exist in {folder}"
    if not file.is_file():
        return f"{expected}, found {written!r}, which is not a regular file"
    suffix = file.suffix.lower()
    if suffix not in FIGURE_TYPES:
        return f"{expected} (ending in {', '.join(FIGURE_TYPES)}), found {written!r}"
    from . import limits, media
    try:
        with file.open("rb") as handle:
            head = handle.read(16) if FIGURE_TYPES[suffix] else \
                handle.read(limits.FILE_BYTES.value + 1)
    except OSError as exc:
        return f"cannot read {written!r}: {exc.strerror}"
    if FIGURE_TYPES[suffix] is not None:
        kind = "PNG" if suffix == ".png" else "JPEG"
        if not head.startswith(FIGURE_TYPES[suffix]):
            return f"expected a {kind} image in {written!r}, found other data"
        return media.raster_problem(file, written, kind)
    if len(head) > limits.FILE_BYTES.value:
        return f"the SVG image {written!r} is too large: {limits.FILE_BYTES.exceeded('more')}"
    return media.svg_problem(head, written)


# --------------------------------------------------------------------------- language text

def build_text(lang: str, loaded: Loaded, doc: Document, problems: Problems) -> Text:
    """Build one language's Text, checking it against the shared data of ``doc``."""
    check = _Checker(loaded, problems)
    data = check.mapping((), loaded.data, _TEXT_FIELDS, "")
    if data is None or not loaded.data:
        return Text(lang=lang, file=loaded.file, title="", authors={}, affiliations={},
                    abstract="", keywords=[], sections=[])
    authors = _named(check, "authors", data.get("authors", {}))
    affiliations = _named(check, "affiliations", data.get("affiliations", {}))
    if "authors" not in doc.unreadable:
        _check_names(check, data, doc)

    keywords = [k for i, k in enumerate(data.get("keywords", []))
                if check.text(("keywords", i), k, f"keywords, item {i + 1}")]
    seen: dict[str, Where] = {}
    sections = [sec for i, item in enumerate(data.get("sections", []))
                if (sec := _section(check, ("sections", i), item, 1, seen))]
    if "sections" in data and not data["sections"]:
        check.error(("sections",), "sections: expected at least one section, found none")
    text = Text(
        lang=lang, file=loaded.file, title=data.get("title", "").strip(), authors=authors,
        affiliations=affiliations, abstract=data.get("abstract", "").strip(),
        keywords=[str(k).strip() for k in keywords], sections=sections,
        tables=_table_texts(check, data.get("tables", {}), doc),
        figures=_figure_texts(check, data.get("figures", {}), doc),
        journal_name=data.get("journal", ""),
        where={k: check.key_where((k,)) for k in data} | {
            f"{name}/{key}": check.key_where((name, key))
            for name in ("authors", "affiliations") for key in data.get(name, {})},
    )
    _check_placements(check, text, doc, data)
    return text


def _check_names(check: _Checker, data: dict, doc: Document) -> None:
    """Every author and affiliation of document.yaml is named, and only those."""
    written = {str(key) for key in data.get("authors", {})}
    known_authors = {a.id for a in doc.authors}
    for author in doc.authors:
        if author.id not in written and "authors" in data:
            check.error(("authors",), f"authors: expected the name of author {author.id!r} "
                                      f"(listed in document.yaml), found none", key=True)
    for key in data.get("authors", {}):
        if str(key) not in known_authors:
            check.error(("authors", key),
                        f"authors: {_not_listed(key, known_authors, 'author')}", key=True)
    named = {str(key) for key in data.get("affiliations", {})}
    needed = {aff for author in doc.authors for aff in author.affiliations}
    for aff in sorted(needed - named):
        check.error(("affiliations",), f"affiliations: expected the name of affiliation "
                                       f"{aff!r} (used in document.yaml), found none", key=True)


def _named(check: _Checker, name: str, value: dict) -> dict[str, str]:
    names = {}
    for key, item in value.items():
        text = check.text((name, key), item, f"{name}: {key!r}")
        if text:
            names[str(key)] = text
    return names


def _section(check: _Checker, path: tuple, value: Any, level: int,
             seen: dict[str, Where], parent: str = "") -> Section | None:
    position = f"subsection {path[-1] + 1} of {parent}" if parent else \
        f"section {path[-1] + 1}"
    fields = check.mapping(path, value, _SECTION_FIELDS, position)
    if fields is None or "id" not in fields:
        return None
    section_id = check.ident(path + ("id",), fields["id"], position, seen)
    if section_id is None:
        return None
    what = f"section {section_id!r}"
    blocks = [block for i, item in enumerate(fields.get("blocks", []))
              if (block := _block(check, path + ("blocks", i), item, f"{section_id}/{i + 1}",
                                  f"{what}, block {i + 1}"))]
    subsections = [sub for i, item in enumerate(fields.get("sections", []))
                   if (sub := _section(check, path + ("sections", i), item, level + 1, seen,
                                       what))]
    return Section(section_id, fields.get("title", "").strip(), blocks, subsections,
                   check.where(path), level=level)


def _block(check: _Checker, path: tuple, value: Any, key: str, what: str) -> Block | None:
    if not isinstance(value, dict) or len(value) != 1:
        found = f"the keys {', '.join(map(repr, value))}" if isinstance(value, dict) and value \
            else _found(value)
        check.error(path, f"{what}: expected one of {', '.join(BLOCK_KINDS)} "
                          f"(e.g. '- p: text'), found {found}")
        return None
    kind, item = next(iter(value.items()))
    if kind not in BLOCK_KINDS:
        message, _ = _unknown(kind, BLOCK_KINDS, "kind", _KIND_ALIASES)
        check.error(path, f"{what}: {message}")
        return None
    where = check.where(path)
    if kind in ("list", "ordered"):
        if not isinstance(item, list) or not item:
            check.error(path + (kind,), f"{what}: expected a list of at least one item, "
                                        f"found {_found(item)}")
            return None
        items = [t for i, x in enumerate(item)
                 if (t := check.text(path + (kind, i), x, f"{what}, item {i + 1}"))]
        return Block(kind, items=items, where=where, key=key) \
            if len(items) == len(item) else None
    text = check.text(path + (kind,), item, f"{what} ({kind})")
    return Block(kind, text=text, where=where, key=key) if text else None


def _table_texts(check: _Checker, value: dict, doc: Document) -> dict[str, TableText]:
    texts = {}
    for table_id, item in value.items():
        path = ("tables", table_id)
        what = f"table {table_id!r}"
        if table_id not in doc.tables:
            if "tables" not in doc.unreadable:
                check.error(path, f"tables: {_not_listed(table_id, doc.tables, 'table')}",
                            key=True)
            continue
        fields = check.mapping(path, item, _TABLE_TEXT_FIELDS, what)
        if not fields or "caption" not in fields or "columns" not in fields:
            continue
        expected = len(doc.tables[table_id].columns)
        if len(fields["columns"]) != expected and doc.tables[table_id].complete:
            check.error(path + ("columns",), f"{what}: expected "
                        f"{_plural(expected, 'column header')} (as in document.yaml), "
                        f"found {len(fields['columns'])}")
            continue
        headers = [check.text(path + ("columns", c), header, f"{what}, column {c + 1}")
                   for c, header in enumerate(fields["columns"])]
        if None in headers:
            continue
        texts[table_id] = TableText(fields["caption"].strip(), headers,
                                    fields.get("note", "").strip(), check.key_where(path))
    return texts


def _figure_texts(check: _Checker, value: dict, doc: Document) -> dict[str, FigureText]:
    texts = {}
    for fig_id, item in value.items():
        path = ("figures", fig_id)
        if fig_id not in doc.figures:
            if "figures" not in doc.unreadable:
                check.error(path, f"figures: {_not_listed(fig_id, doc.figures, 'figure')}",
                            key=True)
            continue
        fields = check.mapping(path, item, _FIGURE_TEXT_FIELDS, f"figure {fig_id!r}")
        if not fields or "caption" not in fields:
            continue
        texts[fig_id] = FigureText(fields["caption"].strip(), fields.get("alt", ""),
                                   check.key_where(path))
    return texts


def _check_placements(check: _Checker, text: Text, doc: Document, data: dict) -> None:
    """Every placed table/figure exists and has this language's text; each is placed once.

    A table whose caption block has its own error is not blamed again for lacking one.
    """
    placed: dict[str, Where] = {}
    for block in iter_blocks(text.sections):
        if block.kind not in ("table", "figure"):
            continue
        known = doc.tables if block.kind == "table" else doc.figures
        texts = text.tables if block.kind == "table" else text.figures
        written = data.get(f"{block.kind}s", {})
        line = block.where.line
        if block.text not in known:
            if f"{block.kind}s" not in doc.unreadable:
                message, _ = _unknown(block.text, list(known), block.kind)
                check.problems.error(check.loaded.file, line, f"{block.kind}: {message}")
        elif block.text not in texts and block.text not in written:
            check.problems.error(check.loaded.file, line,
                                 f"{block.kind}: {block.kind} {block.text!r} has no caption in "
                                 f"this language (add it under '{block.kind}s:')")
        elif block.text in placed:
            check.problems.error(check.loaded.file, line,
                                 f"{block.kind}: {block.text!r} is placed twice "
                                 f"(first at line {placed[block.text].line})")
        else:
            placed[block.text] = block.where


def block_name(block: Block, section: Section) -> str:
    """How messages name a block: "block 2 (paragraph) of section 'introduction'"."""
    return f"block {block.key.rpartition('/')[2]} ({BLOCK_NAMES[block.kind]}) of section " \
           f"{section.id!r}"


def iter_sections(sections: list[Section]):
    """Every section, depth first, in reading order."""
    for section in sections:
        yield section
        yield from iter_sections(section.sections)


def iter_blocks(sections: list[Section]):
    """Every block, in reading order."""
    for section in iter_sections(sections):
        yield from section.blocks
