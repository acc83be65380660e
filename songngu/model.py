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
    """Where each top-level field was written (title, abstract, keywords, …)."""


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


# --------------------------------------------------------------------------- schema checks

_SHARED_FIELDS = {
    "languages": (list, True), "template": (str, False), "style": (str, False),
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

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
               dict: "a mapping (key: value lines)", float: "a number"}


def _type_name(types: type | tuple[type, ...]) -> str:
    if isinstance(types, tuple):
        return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
    return _TYPE_NAMES.get(types, types.__name__)


def _found(value: Any) -> str:
    return f"{_type_name(type(value))} {value!r}" if not isinstance(value, (dict, list)) \
        else _type_name(type(value))


class _Checker:
    """Checks one loaded file against field tables, reporting with file:line."""

    def __init__(self, loaded: Loaded, problems: Problems):
        self.loaded = loaded
        self.problems = problems

    def where(self, path: tuple) -> Where:
        return Where(self.loaded.name, self.loaded.line(path))

    def error(self, path: tuple, message: str, *, key: bool = False) -> None:
        line = self.loaded.key_line(path) if key else self.loaded.line(path)
        self.problems.error(self.loaded.file, line, message)

    def mapping(self, path: tuple, value: Any, fields: dict, what: str) -> dict | None:
        """Check a mapping's keys and value types; return it with bad fields dropped."""
        if not isinstance(value, dict):
            self.error(path, f"{what}: expected a mapping (key: value lines), found {_found(value)}")
            return None
        good = {}
        for key, item in value.items():
            if key not in fields:
                close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else \
                    f" (known keys: {', '.join(fields)})"
                self.error(path + (key,), f"{what}: unknown key {key!r}{hint}", key=True)
                continue
            types, _ = fields[key]
            if item is None or not _is(item, types):
                self.error(path + (key,), f"{what}: {key!r} must be {_type_name(types)}, "
                                          f"found {_found(item) if item is not None else 'nothing'}")
                continue
            if isinstance(item, str) and not item.strip():
                self.error(path + (key,), f"{what}: {key!r} is empty; expected some text")
                continue
            good[key] = item
        for key, (_, required) in fields.items():
            if required and key not in value:
                self.error(path, f"{what}: missing required key {key!r}")
        return good

    def text(self, path: tuple, value: Any, what: str) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"{what}: expected text, found "
                             f"{_found(value) if value not in (None, '') else 'nothing'}")
            return None
        return value.strip()

    def ident(self, path: tuple, value: Any, what: str, seen: dict[str, Where]) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.error(path, f"{what}: expected an id of lowercase letters, digits, '-' or '_', "
                             f"found {value!r}")
            return None
        if value in seen:
            self.error(path, f"{what}: duplicate id {value!r} (first used at {seen[value]})")
            return None
        seen[value] = self.where(path)
        return value


def _is(value: Any, types: type | tuple[type, ...]) -> bool:
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


# --------------------------------------------------------------------------- shared data

def build_document(folder: Path, shared: Loaded, texts: dict[str, Loaded],
                   problems: Problems) -> Document:
    """Build the typed document from ``document.yaml`` and the language files."""
    check = _Checker(shared, problems)
    data = check.mapping((), shared.data, _SHARED_FIELDS, "document") or {}
    languages = [str(x) for x in data.get("languages", []) if isinstance(x, str)]
    journal_data = check.mapping(("journal",), data.get("journal", {}), _JOURNAL_FIELDS,
                                 "journal") or {}
    journal = Journal(**{k: str(v) for k, v in journal_data.items()}) \
        if "name" in journal_data else Journal(name="")
    dates = _dates(check, data.get("dates", {}))
    authors = _authors(check, data.get("authors", []))
    tables = _tables(check, data.get("tables", {}))
    figures = _figures(check, data.get("figures", {}), folder)
    first_page = data.get("first_page", 1)
    if first_page < 1:
        check.error(("first_page",), f"first_page: expected a page number of 1 or more, "
                                     f"found {first_page!r}")
        first_page = 1
    refs_name = data.get("references")
    references_file = folder / refs_name if refs_name else _default_references(folder)
    if refs_name and not references_file.is_file():
        check.error(("references",), f"references: file {refs_name!r} not found in {folder}")
    doc = Document(
        id=folder.name, folder=folder, languages=languages, journal=journal,
        first_page=first_page, doi=data.get("doi", ""), dates=dates, authors=authors,
        tables=tables, figures=figures, texts={}, template=data.get("template", "journal"),
        style=data.get("style", "ieee"), references_file=references_file,
    )
    for lang, loaded in texts.items():
        doc.texts[lang] = build_text(lang, loaded, doc, problems)
    return doc


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
            close = difflib.get_close_matches(str(name), _DATE_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else \
                f" (known keys: {', '.join(_DATE_NAMES)})"
            check.error(path, f"dates: unknown key {name!r}{hint}", key=True)
        elif isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            dates[name] = item
        elif item is not None:  # None: the loader already reported an impossible date
            check.error(path, f"dates: {name!r} must be a date written YYYY-MM-DD, found {item!r}")
    return dates


def _authors(check: _Checker, value: Any) -> list[Author]:
    authors, seen = [], {}
    for i, item in enumerate(value if isinstance(value, list) else []):
        path = ("authors", i)
        fields = check.mapping(path, item, _AUTHOR_FIELDS, f"authors[{i + 1}]")
        if fields is None or "id" not in fields:
            continue
        if check.ident(path + ("id",), fields["id"], f"authors[{i + 1}]", seen) is None:
            continue
        authors.append(Author(
            id=fields["id"], email=fields.get("email", ""),
            corresponding=fields.get("corresponding", False),
            affiliations=[str(a) for a in fields.get("affiliations", [])],
            orcid=fields.get("orcid", "")))
    if not authors and isinstance(value, list):
        check.error(("authors",), "authors: expected at least one author, found none")
    return authors


def _tables(check: _Checker, value: Any) -> dict[str, TableData]:
    tables: dict[str, TableData] = {}
    for table_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("tables", table_id)
        what = f"table {table_id!r}"
        fields = check.mapping(path, item, _TABLE_FIELDS, what)
        if fields is None or "columns" not in fields or "rows" not in fields:
            continue
        columns = []
        for c, col in enumerate(fields["columns"]):
            col_fields = check.mapping(path + ("columns", c), col, _COLUMN_FIELDS,
                                       f"{what}, column {c + 1}")
            if col_fields is None or "kind" not in col_fields:
                continue
            if col_fields["kind"] not in COLUMN_KINDS:
                check.error(path + ("columns", c, "kind"),
                            f"{what}, column {c + 1}: kind must be one of "
                            f"{', '.join(COLUMN_KINDS)}, found {col_fields['kind']!r}")
                continue
            columns.append(Column(col_fields["kind"], col_fields.get("pattern")))
        rows = []
        for r, row in enumerate(fields["rows"]):
            if not isinstance(row, list) or len(row) != len(fields["columns"]):
                found = f"{len(row)} cells" if isinstance(row, list) else _found(row)
                check.error(path + ("rows", r), f"{what}, row {r + 1}: expected a list of "
                                                f"{len(fields['columns'])} cells, found {found}")
                continue
            for c, (cell, col) in enumerate(zip(row, columns)):
                if cell is not None and col.kind != "text" and (
                        isinstance(cell, bool) or not isinstance(cell, (int, float))):
                    check.error(path + ("rows", r, c),
                                f"{what}, row {r + 1}, column {c + 1}: expected a number "
                                f"(or ~ for an empty cell), found {cell!r}")
            rows.append([Decimal(str(x)) if isinstance(x, float) else x for x in row])
        if len(columns) == len(fields["columns"]):
            tables[table_id] = TableData(table_id, columns, rows, check.where(path))
    return tables


def _figures(check: _Checker, value: Any, folder: Path) -> dict[str, FigureData]:
    figures: dict[str, FigureData] = {}
    for fig_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("figures", fig_id)
        fields = check.mapping(path, item, _FIGURE_FIELDS, f"figure {fig_id!r}")
        if fields and "file" in fields:
            figures[fig_id] = FigureData(fig_id, folder / fields["file"], check.where(path))
    return figures


# --------------------------------------------------------------------------- language text

def build_text(lang: str, loaded: Loaded, doc: Document, problems: Problems) -> Text:
    """Build one language's Text, checking it against the shared data of ``doc``."""
    check = _Checker(loaded, problems)
    data = check.mapping((), loaded.data, _TEXT_FIELDS, lang) or {}
    authors = _named(check, "authors", data.get("authors", {}))
    for author in doc.authors:
        if author.id not in authors and "authors" in data:
            check.error(("authors",), f"authors: missing the name of author {author.id!r}")
    for author_id in authors:
        if author_id not in {a.id for a in doc.authors}:
            check.error(("authors", author_id), f"authors: {author_id!r} is not an author "
                        f"listed in document.yaml", key=True)
    affiliations = _named(check, "affiliations", data.get("affiliations", {}))
    needed = {aff for author in doc.authors for aff in author.affiliations}
    for aff in sorted(needed - set(affiliations)):
        check.error(("affiliations",), f"affiliations: missing the name of affiliation {aff!r}")
    keywords = [k for i, k in enumerate(data.get("keywords", []))
                if check.text(("keywords", i), k, f"keywords[{i + 1}]")]
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
        where={k: check.where((k,)) for k in data},
    )
    _check_placements(check, text, doc)
    return text


def _named(check: _Checker, name: str, value: dict) -> dict[str, str]:
    names = {}
    for key, item in value.items():
        text = check.text((name, key), item, f"{name}: {key!r}")
        if text:
            names[str(key)] = text
    return names


def _section(check: _Checker, path: tuple, value: Any, level: int,
             seen: dict[str, Where]) -> Section | None:
    fields = check.mapping(path, value, _SECTION_FIELDS, "section")
    if fields is None or "id" not in fields or "title" not in fields:
        return None
    section_id = check.ident(path + ("id",), fields["id"], "section", seen)
    if section_id is None:
        return None
    blocks = [block for i, item in enumerate(fields.get("blocks", []))
              if (block := _block(check, path + ("blocks", i), item, f"{section_id}/{i + 1}"))]
    subsections = [sub for i, item in enumerate(fields.get("sections", []))
                   if (sub := _section(check, path + ("sections", i), item, level + 1, seen))]
    return Section(section_id, fields["title"].strip(), blocks, subsections,
                   check.where(path), level=level)


def _block(check: _Checker, path: tuple, value: Any, key: str) -> Block | None:
    if not isinstance(value, dict) or len(value) != 1:
        found = f"keys {', '.join(map(repr, value))}" if isinstance(value, dict) \
            else _found(value)
        check.error(path, f"block: expected one of {', '.join(BLOCK_KINDS)} "
                          f"(e.g. '- p: text'), found {found}")
        return None
    kind, item = next(iter(value.items()))
    if kind not in BLOCK_KINDS:
        close = difflib.get_close_matches(str(kind), BLOCK_KINDS, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else \
            f" (known kinds: {', '.join(BLOCK_KINDS)})"
        check.error(path, f"block: unknown kind {kind!r}{hint}")
        return None
    where = check.where(path)
    if kind in ("list", "ordered"):
        if not isinstance(item, list) or not item:
            check.error(path + (kind,), f"{kind}: expected a list of items, found "
                                        f"{_found(item) if item is not None else 'nothing'}")
            return None
        items = [t for i, x in enumerate(item)
                 if (t := check.text(path + (kind, i), x, f"{kind} item {i + 1}"))]
        return Block(kind, items=items, where=where, key=key)
    text = check.text(path + (kind,), item, kind)
    return Block(kind, text=text, where=where, key=key) if text else None


def _table_texts(check: _Checker, value: dict, doc: Document) -> dict[str, TableText]:
    texts = {}
    for table_id, item in value.items():
        path = ("tables", table_id)
        fields = check.mapping(path, item, _TABLE_TEXT_FIELDS, f"table {table_id!r}")
        if not fields or "caption" not in fields or "columns" not in fields:
            continue
        if table_id not in doc.tables:
            check.error(path, f"table {table_id!r}: no such table in document.yaml "
                              f"(known: {', '.join(doc.tables) or 'none'})", key=True)
            continue
        expected = len(doc.tables[table_id].columns)
        if len(fields["columns"]) != expected:
            check.error(path + ("columns",), f"table {table_id!r}: expected {expected} column "
                        f"headers (as in document.yaml), found {len(fields['columns'])}")
            continue
        texts[table_id] = TableText(fields["caption"].strip(),
                                    [str(c) for c in fields["columns"]],
                                    fields.get("note", "").strip(), check.where(path))
    return texts


def _figure_texts(check: _Checker, value: dict, doc: Document) -> dict[str, FigureText]:
    texts = {}
    for fig_id, item in value.items():
        path = ("figures", fig_id)
        fields = check.mapping(path, item, _FIGURE_TEXT_FIELDS, f"figure {fig_id!r}")
        if not fields or "caption" not in fields:
            continue
        if fig_id not in doc.figures:
            check.error(path, f"figure {fig_id!r}: no such figure in document.yaml "
                              f"(known: {', '.join(doc.figures) or 'none'})", key=True)
            continue
        texts[fig_id] = FigureText(fields["caption"].strip(), fields.get("alt", ""),
                                   check.where(path))
    return texts


def _check_placements(check: _Checker, text: Text, doc: Document) -> None:
    """Every placed table/figure exists and has this language's text; each is placed once."""
    placed: dict[str, Where] = {}
    for block in iter_blocks(text.sections):
        if block.kind not in ("table", "figure"):
            continue
        known = doc.tables if block.kind == "table" else doc.figures
        texts = text.tables if block.kind == "table" else text.figures
        if block.text not in known:
            check.problems.error(check.loaded.file, block.where.line,
                                 f"{block.kind}: unknown {block.kind} {block.text!r} "
                                 f"(known: {', '.join(known) or 'none'})")
        elif block.text not in texts:
            check.problems.error(check.loaded.file, block.where.line,
                                 f"{block.kind}: {block.kind} {block.text!r} has no caption in "
                                 f"this language (add it under '{block.kind}s:')")
        elif block.text in placed:
            check.problems.error(check.loaded.file, block.where.line,
                                 f"{block.kind}: {block.text!r} is placed twice "
                                 f"(first at line {placed[block.text].line})")
        else:
            placed[block.text] = block.where


def iter_sections(sections: list[Section]):
    """Every section, depth first, in reading order."""
    for section in sections:
        yield section
        yield from iter_sections(section.sections)


def iter_blocks(sections: list[Section]):
    """Every block, in reading order."""
    for section in iter_sections(sections):
        yield from section.blocks
