"""Check reference records field by field: a record as read → normalised CSL-JSON.

A record read from YAML or BibTeX (:class:`RawRecord`, with the line of each of its fields) →
its CSL-JSON (dates as ``{"date-parts": [[y, m, d]]}``, numbers as text, names as lists of
``{family, given}`` / ``{literal}``), or problems with file and line: unknown fields and types
(with "did you mean"), empty values, malformed dates and names, links and DOIs that are not
allowed, fields a type needs.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import links
from .errors import Problems
from .wording import did_you_mean


@dataclass
class Reference:
    """One source: its CSL-JSON record and where it was written."""

    key: str
    data: dict  # CSL-JSON
    file: str
    line: int


TYPES = [
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview",
    "legal_case", "legislation", "manuscript", "map", "motion_picture", "musical_score",
    "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage"
]
NAME_FIELDS = [
    "author", "collection-editor", "composer", "container-author", "director", "editor",
    "editorial-director", "illustrator", "interviewer", "original-author", "recipient",
    "reviewed-author", "translator"
]
DATE_FIELDS = ["accessed", "event-date", "issued", "original-date", "submitted"]
TEXT_FIELDS = [
    "abstract", "annote", "archive", "archive-place", "archive_location", "authority",
    "call-number", "chapter-number", "collection-number", "collection-title", "container-title",
    "container-title-short", "dimensions", "DOI", "edition", "event", "event-place", "genre",
    "ISBN", "ISSN", "issue", "jurisdiction", "keyword", "language", "medium", "note", "number",
    "number-of-pages", "number-of-volumes", "original-publisher", "original-publisher-place",
    "original-title", "page", "PMCID", "PMID", "publisher", "publisher-place", "references",
    "section", "source", "status", "title", "title-short", "translated-title", "URL", "version",
    "volume"
]
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


@dataclass
class RawRecord:
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
                                           f"found {value_kind(value)}")
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
                       f"found {value_kind(value)}")
            return None
        names = []
        for i, name in enumerate(value):
            line = self.field_line(field, i)
            if not isinstance(name, dict):
                self.error(problems, line,
                           f"expected a name in {field!r} of reference {key!r} as "
                           f"{{family: …, given: …}} or {{literal: …}}, found {value_kind(name)}")
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


def value_kind(value: Any) -> str:
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
