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
from .kinds import KINDS
from .load import Loaded

BLOCK_KINDS = tuple(KINDS)
BLOCK_NAMES = {kind.name: kind.noun for kind in KINDS.values()}
COLUMN_KINDS = ("year", "number", "percent", "text")
ALIGNMENTS = ("left", "right", "center")
DEFAULT_ALIGN = {"text": "left", "number": "right", "percent": "right", "year": "center"}
ARTICLE_TYPES = ("research", "review", "short-communication", "case-report", "editorial",
                 "letter")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LABEL = re.compile(r"\s*\{#([a-z]+:)?([a-z0-9][a-z0-9_-]*)\}\s*$")
"""A label written after a heading or an equation: ``{#trade}``, ``{#eq:energy}``."""
ORCID = re.compile(r"^(?:https://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
MINUS = "\u2212"
YEAR_RANGE = re.compile(r"^\s*(\d{3,4})\s*[-–]\s*(\d{2,4})\s*$")
"""A period in a year column: 1991–2000."""
DISPLAY_MATH = re.compile(r"^\s*\$\$.+\$\$\s*(\{#[^}]*\})?\s*$", re.S)


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
    """``<section>/<id>`` for a block given an ``id:``, else its position ``<section>/<index>``
    (counterparts in other languages are found by :mod:`songngu.align`)."""
    id: str = ""
    """The author's own name for the block (``id: trade-growth``), the same in every language."""
    label: str = ""
    """The label of a subheading or an equation (``{#trade}``, ``{#eq:energy}``), or ``""``."""


@dataclass
class Section:
    """A numbered section: its title, blocks, then its subsections."""

    id: str
    title: str
    blocks: list[Block]
    sections: list[Section]
    where: Where | None = None
    number: str = ""
    """Filled in by the resolve stage: "3.2.1"; empty for an unnumbered section."""
    level: int = 1
    numbered: bool = True
    """False for acknowledgements, funding, conflicts of interest: no number, not counted."""
    appendix: bool = False
    """An appendix: numbered A, B, … (its subsections A.1, A.2)."""


@dataclass
class Column:
    kind: str
    pattern: str | None = None
    align: str = ""
    """left, right or center; by default text left, numbers right, years centred."""

    def __post_init__(self) -> None:
        self.align = self.align or DEFAULT_ALIGN[self.kind]


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
    empty: str = "–"
    """What an empty cell (``~``) prints."""

    def text_columns(self) -> list[int]:
        return [c for c, col in enumerate(self.columns) if col.kind == "text"]


@dataclass
class HeaderGroup:
    """A header cell above several columns (``text``), or none (the columns' own headers
    then span both header rows)."""

    span: int
    text: str = ""


@dataclass
class TableText:
    """What a language says about a table: caption, column headers, note, row labels."""

    caption: str
    columns: list[str]
    note: str = ""
    where: Where | None = None
    rows: list[list[str]] = field(default_factory=list)
    """The text cells of each row in this language (the table's text columns, in order);
    empty when document.yaml holds them."""
    groups: list[HeaderGroup] = field(default_factory=list)
    """A first header row of cells spanning columns: a two-level header."""


@dataclass
class FigureData:
    id: str
    file: Path
    where: Where | None = None
    width: float = 0
    """Its width as a share of the text width (0.5: half); 0 for its natural size, at most
    the text width."""
    parts: list[Path] = field(default_factory=list)
    """Subfigures (a), (b), … set side by side; ``file`` is then the first."""

    def files(self) -> list[Path]:
        return self.parts or [self.file]


@dataclass
class FigureText:
    caption: str
    alt: str = ""
    where: Where | None = None
    parts: list[str] = field(default_factory=list)
    """The caption of each subfigure, after its (a), (b) label."""
    source: str = ""
    """Where the figure comes from: "Source: …"."""


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
    id: str = ""
    """The journal's id at its publisher or an indexer (JATS ``journal-id``)."""
    publisher: str = ""
    date_pattern: str = "d/M/yyyy"
    """A Babel date pattern for the article's dates: ``dd/MM/yyyy`` prints 05/01/2022."""


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
    funding: str = ""
    footnotes: dict[str, str] = field(default_factory=dict)
    """Footnote texts by label, for ``[^label]`` in the text."""
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
    article_type: str = ""
    """One of ARTICLE_TYPES, printed above the title in each language; empty: none."""
    references_file: Path | None = None
    source_files: list[Path] = field(default_factory=list)
    jats: bool = False
    """Every full build also writes the JATS XML (``jats: true``)."""
    source_language: str = ""
    """The language the others are translated from (``source_language:``, else the first of
    ``languages``)."""
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
    "tables": (dict, False), "figures": (dict, False), "source_language": (str, False),
    "jats": (bool, False), "article_type": (str, False),
}
_JOURNAL_FIELDS = {"name": (str, True), "url": (str, False), "email": (str, False),
                   "issn": (str, False), "eissn": (str, False), "volume": ((str, int), False),
                   "issue": ((str, int), False), "id": (str, False),
                   "publisher": (str, False), "date_pattern": (str, False)}
_AUTHOR_FIELDS = {"id": (str, True), "email": (str, False), "corresponding": (bool, False),
                  "affiliations": (list, False), "orcid": (str, False)}
_DATE_NAMES = ("received", "revised", "accepted", "published")
_TABLE_FIELDS = {"columns": (list, True), "rows": (list, True), "empty": (str, False)}
_COLUMN_FIELDS = {"kind": (str, True), "pattern": (str, False), "align": (str, False)}
_FIGURE_FIELDS = {"file": (str, False), "files": (list, False), "width": ((int, float), False)}
_TEXT_FIELDS = {
    "title": (str, True), "authors": (dict, True), "affiliations": (dict, False),
    "abstract": (str, True), "keywords": (list, True), "sections": (list, True),
    "tables": (dict, False), "figures": (dict, False), "journal": (str, False),
    "funding": (str, False), "footnotes": (dict, False),
}
_TABLE_TEXT_FIELDS = {"caption": (str, True), "columns": (list, True), "note": (str, False),
                      "rows": (list, False), "groups": (list, False)}
_GROUP_FIELDS = {"text": (str, False), "columns": (int, True)}
_FIGURE_TEXT_FIELDS = {"caption": (str, True), "alt": (str, False), "parts": (list, False),
                       "source": (str, False)}
_SECTION_FIELDS = {"id": (str, True), "title": (str, True), "blocks": (list, False),
                   "sections": (list, False), "numbered": (bool, False),
                   "appendix": (bool, False)}
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


def _source_language(check: _Checker, data: dict, languages: list[str]) -> str:
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
    check = _Checker(shared, problems)
    data = check.mapping((), shared.data, _SHARED_FIELDS, "") or {}
    languages = list(texts)
    journal = Journal(name="")
    if "journal" in data:
        journal_data = check.mapping(("journal",), data["journal"], _JOURNAL_FIELDS,
                                     "journal") or {}
        if "date_pattern" in journal_data and not _date_pattern(journal_data["date_pattern"]):
            check.error(("journal", "date_pattern"), f"journal: expected a date pattern such as "
                        f"'d/M/yyyy' or 'dd/MM/yyyy' (d day, M month, y year), found "
                        f"{journal_data.pop('date_pattern')!r}")
        journal = Journal(**{k: str(v) for k, v in journal_data.items()}) \
            if "name" in journal_data else journal
    article_type = data.get("article_type", "")
    if article_type and article_type not in ARTICLE_TYPES:
        check.error(("article_type",), f"article_type: {_unknown(article_type, ARTICLE_TYPES, 'article type')[0]}")
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
    tables = read("tables", _tables, languages)
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
    _check_date_order(check, dates)
    return dates


def _check_date_order(check: _Checker, dates: dict[str, dt.date]) -> None:
    """received ≤ revised ≤ accepted ≤ published: a later step cannot come before an earlier."""
    given = [name for name in _DATE_NAMES if name in dates]
    for i, name in enumerate(given):
        later = next((earlier for earlier in given[:i] if dates[earlier] > dates[name]), None)
        if later is not None:
            check.error(("dates", name), f"dates: {name!r} ({dates[name].isoformat()}) is "
                        f"before {later!r} ({dates[later].isoformat()}, line "
                        f"{check.loaded.line(('dates', later))}): expected received ≤ revised "
                        f"≤ accepted ≤ published")


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


def _tables(check: _Checker, value: Any, languages: list[str]) -> dict[str, TableData]:
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
                                  f"{what}, row {r + 1}", languages)) is not None]
        tables[table_id] = TableData(table_id, columns, rows, check.key_where(path),
                                     empty=fields.get("empty", "–"))
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
    align = fields.get("align", "")
    if align and align not in ALIGNMENTS:
        check.error(path + ("align",), f"{what}: align must be one of {', '.join(ALIGNMENTS)}, "
                                       f"found {align!r}")
        align = ""
    return Column(kind, pattern, align)


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
         what: str, languages: list[str]) -> list | None:
    if not isinstance(row, list) or len(row) != len(columns):
        found = f"{_plural(len(row), 'cell')} {row!r}" if isinstance(row, list) \
            else _found(row)
        check.error(path, f"{what}: expected a list of {_plural(len(columns), 'cell')}, "
                          f"found {found}")
        return None
    cells = []
    for c, (cell, col) in enumerate(zip(row, columns)):
        if col.kind == "text":
            value = _text_cell(check, path + (c,), cell, f"{what}, column {c + 1}", languages)
            if value is False:
                return None
            cells.append(value)
            continue
        if col.kind == "year" and isinstance(cell, str) and YEAR_RANGE.match(cell):
            cells.append(YEAR_RANGE.sub(r"\1–\2", cell.strip()))  # 1991-2000 → 1991–2000
            continue
        number = _number_cell(cell)
        if number is not False and number is not None and not -MAX_CELL < number < MAX_CELL:
            check.error(path + (c,), f"{what}, column {c + 1}: expected a number below "
                                     f"{MAX_CELL:,} in size, found {_found(cell)}")
            return None
        if number is False:
            check.error(path + (c,), f"{what}, column {c + 1}: expected a number such as 3.5 "
                                     f"or \u22123.5 (or ~ for an empty cell), found "
                                     f"{_found(cell)}")
            return None
        cells.append(number)
    return cells


def _number_cell(cell: Any) -> Any:
    """A number cell's value (int, Decimal or None), or False if it is no number.

    A negative number may be typed with U+2212 MINUS SIGN, as it prints: YAML then reads
    text, which is taken for the number it shows.
    """
    if cell is None:
        return None
    if isinstance(cell, str) and re.fullmatch(r"\s*[-\u2212]?\d+(\.\d+)?\s*", cell):
        value = Decimal(cell.strip().replace(MINUS, "-"))
        return int(value) if "." not in cell else value
    if isinstance(cell, bool) or not isinstance(cell, (int, float)) or cell != cell \
            or cell in (float("inf"), float("-inf")):
        return False
    return Decimal(str(cell)) if isinstance(cell, float) else cell


def _text_cell(check: _Checker, path: tuple, cell: Any, what: str,
               languages: list[str]) -> Any:
    """A text cell: ``~`` (written in the language files, or empty), the same text in every
    language, or a mapping of each language's text (``{en: Other, vi: Khác}``); False if
    it is none of these."""
    if cell is None:
        return None
    if isinstance(cell, (str, int)) and not isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, dict):
        words: dict[str, str] = {}
        for lang, text in cell.items():
            if lang not in languages:
                check.error(path + (lang,), f"{what}: {lang!r} is not one of the document's "
                                            f"languages ({', '.join(languages)})", key=True)
                return False
            if not isinstance(text, (str, int)) or isinstance(text, bool) or not str(text).strip():
                check.error(path + (lang,), f"{what}: expected the {lang} text of the cell, "
                                            f"found {_found(text)}")
                return False
            words[lang] = str(text).strip()
        missing = [lang for lang in languages if lang not in words]
        if missing:
            check.error(path, f"{what}: expected the cell's text in every language, found none "
                              f"in {', '.join(missing)}")
            return False
        return words
    check.error(path, f"{what}: expected text, a mapping of each language's text such as "
                      f"{{en: Other, vi: Khác}}, or ~, found {_found(cell)}")
    return False


def _figures(check: _Checker, value: Any, folder: Path) -> dict[str, FigureData]:
    figures: dict[str, FigureData] = {}
    for fig_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("figures", fig_id)
        if check.ident(path, fig_id, "figures", {}) is None:
            continue
        what = f"figure {fig_id!r}"
        fields = check.mapping(path, item, _FIGURE_FIELDS, what) or {}
        if isinstance(item, dict) and ("file" in item) == ("files" in item):
            check.error(path, f"{what}: expected 'file' (one image) or 'files' (subfigures "
                              f"side by side), found {'both' if 'file' in item else 'neither'}")
        written = [(("file",), fields["file"])] if "file" in fields else \
            [(("files", i), name) for i, name in enumerate(fields.get("files", []))]
        files = []
        for where, name in written:
            if not isinstance(name, str):
                check.error(path + where, f"{what}: expected a file name, found {_found(name)}")
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
        journal_name=data.get("journal", ""), funding=data.get("funding", "").strip(),
        footnotes=_named(check, "footnotes", data.get("footnotes", {})),
        where={k: check.key_where((k,)) for k in data} | {
            f"{name}/{key}": check.key_where((name, key))
            for name in ("authors", "affiliations", "footnotes") for key in data.get(name, {})},
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
    ids: dict[str, Where] = {}
    blocks = [block for i, item in enumerate(fields.get("blocks", []))
              if (block := _block(check, path + ("blocks", i), item, f"{section_id}/{i + 1}",
                                  f"{what}, block {i + 1}", ids))]
    subsections = [sub for i, item in enumerate(fields.get("sections", []))
                   if (sub := _section(check, path + ("sections", i), item, level + 1, seen,
                                       what))]
    appendix = fields.get("appendix", False)
    if appendix and level > 1:
        check.error(path + ("appendix",), f"{what}: only a top-level section can be an appendix "
                                          f"(its subsections are numbered A.1, A.2)")
        appendix = False
    return Section(section_id, fields.get("title", "").strip(), blocks, subsections,
                   check.where(path), level=level, numbered=fields.get("numbered", True),
                   appendix=appendix)


def _block(check: _Checker, path: tuple, value: Any, key: str, what: str,
           ids: dict[str, Where]) -> Block | None:
    block_id = ""
    if isinstance(value, dict) and "id" in value and len(value) == 2:
        block_id = _block_id(check, path + ("id",), value["id"], what, ids)
        if block_id is None:
            return None
        value = {k: v for k, v in value.items() if k != "id"}
        key = f"{key.rpartition('/')[0]}/{block_id}"
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
    if kind == "p" and isinstance(item, str) and DISPLAY_MATH.match(item):
        kind = "equation"  # a paragraph that is only $$…$$ is a display equation
    where = check.where(path)
    if KINDS[kind].value == "items":
        if not isinstance(item, list) or not item:
            check.error(path + (kind,), f"{what}: expected a list of at least one item, "
                                        f"found {_found(item)}")
            return None
        items = [t for i, x in enumerate(item)
                 if (t := check.text(path + (kind, i), x, f"{what}, item {i + 1}"))]
        return Block(kind, items=items, where=where, key=key, id=block_id) \
            if len(items) == len(item) else None
    text = check.text(path + (kind,), item, f"{what} ({kind})")
    if not text:
        return None
    label = ""
    if KINDS[kind].labelled or kind == "heading":
        text, label = _label(check, path + (kind,), text, what, kind)
        if kind == "equation":
            text = text.strip()
            if text.startswith("$$") and text.endswith("$$") and len(text) >= 4:
                text = text[2:-2].strip()
            if not text:
                check.error(path + (kind,), f"{what}: expected the LaTeX of the equation, "
                                            f"such as '$$E = mc^2$$ {{#eq:energy}}', found none")
                return None
    return Block(kind, text=text, where=where, key=key, id=block_id, label=label)


def _label(check: _Checker, path: tuple, text: str, what: str, kind: str) -> tuple[str, str]:
    """Split ``text {#prefix:label}`` into the text and the label."""
    match = LABEL.search(text)
    if not match:
        return text, ""
    prefix = (match.group(1) or "").rstrip(":")
    wanted = KINDS[kind].xref
    if prefix != wanted:
        example = f"{{#{wanted}:id}}" if wanted else "{#id}"
        check.error(path, f"{what}: expected a label written {example}, found "
                          f"{match.group(0).strip()!r}")
    return text[:match.start()].rstrip(), match.group(2)


def _block_id(check: _Checker, path: tuple, value: Any, what: str,
              ids: dict[str, Where]) -> str | None:
    """A block's own id: a name, not a number (numbers are positions) nor 'title'."""
    if isinstance(value, str) and (value.isdigit() or value == "title"):
        check.error(path, f"{what}: expected a block id that is a name such as 'trade-growth', "
                          f"found {value!r} (numbers and 'title' name positions and titles)")
        return None
    return check.ident(path, value, what, ids)


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
        data = doc.tables[table_id]
        texts[table_id] = TableText(
            fields["caption"].strip(), headers, fields.get("note", "").strip(),
            check.key_where(path),
            rows=_row_texts(check, path + ("rows",), fields.get("rows"), data, what),
            groups=_groups(check, path + ("groups",), fields.get("groups", []), len(headers),
                           what))
    return texts


def _row_texts(check: _Checker, path: tuple, value: Any, data: TableData,
               what: str) -> list[list[str]]:
    """This language's text cells: one entry per row of document.yaml, a text (one text
    column) or a list of texts (one per text column)."""
    if value is None or not data.complete:
        return []
    text_columns = data.text_columns()
    if not text_columns:
        check.error(path, f"{what}: 'rows' gives the text cells of text columns, but the table "
                          f"has none (give a column kind: text in document.yaml)", key=True)
        return []
    if len(value) != len(data.rows):
        check.error(path, f"{what}: expected the text of {_plural(len(data.rows), 'row')} (as "
                          f"in document.yaml), found {len(value)}", key=True)
        return []
    rows = []
    for r, row in enumerate(value):
        cells = row if isinstance(row, list) else [row]
        if len(cells) != len(text_columns):
            check.error(path + (r,), f"{what}, row {r + 1}: expected "
                                     f"{_plural(len(text_columns), 'text cell')}, found "
                                     f"{_found(row)}")
            return []
        texts = [check.text(path + (r,), cell, f"{what}, row {r + 1}") if cell is not None
                 else "" for cell in cells]
        if None in texts:
            return []
        rows.append(texts)
    return rows


def _groups(check: _Checker, path: tuple, value: list, columns: int,
            what: str) -> list[HeaderGroup]:
    groups = []
    for g, item in enumerate(value):
        fields = check.mapping(path + (g,), item, _GROUP_FIELDS, f"{what}, group {g + 1}")
        if not fields or "columns" not in fields:
            return []
        if fields["columns"] < 1:
            check.error(path + (g, "columns"), f"{what}, group {g + 1}: expected 1 or more "
                                               f"columns, found {fields['columns']}")
            return []
        groups.append(HeaderGroup(fields["columns"], fields.get("text", "").strip()))
    if groups and sum(g.span for g in groups) != columns:
        check.error(path, f"{what}: the groups cover {sum(g.span for g in groups)} columns, "
                          f"expected {columns} (one group, or {{columns: 1}}, above every "
                          f"column)", key=True)
        return []
    return groups


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
        parts = [check.text(path + ("parts", i), part, f"figure {fig_id!r}, part {i + 1}")
                 for i, part in enumerate(fields.get("parts", []))]
        expected = len(doc.figures[fig_id].parts)
        if len(parts) != expected and "figures" not in doc.unreadable:
            check.error(path + ("parts",) if parts else path,
                        f"figure {fig_id!r}: expected a caption for each of its "
                        f"{_plural(expected, 'subfigure')} under 'parts:', found {len(parts)}",
                        key=not parts)
            continue
        texts[fig_id] = FigureText(fields["caption"].strip(), fields.get("alt", ""),
                                   check.key_where(path), [p for p in parts if p],
                                   fields.get("source", "").strip())
    return texts


def _check_placements(check: _Checker, text: Text, doc: Document, data: dict) -> None:
    """Every placed table/figure exists and has this language's text; each is placed once.

    A table whose caption block has its own error is not blamed again for lacking one.
    """
    placed: dict[str, Where] = {}
    labels: dict[str, Where] = {}
    for block in iter_blocks(text.sections):
        if block.label:
            name = f"{block.kind}:{block.label}"
            if name in labels:
                check.problems.error(check.loaded.file, block.where.line,
                                     f"{block.kind}: duplicate label {block.label!r} (first used at "
                                     f"line {labels[name].line})")
            labels[name] = block.where
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
