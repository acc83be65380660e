"""Import BibTeX: a .bib file → reference records with the line of each field.

bibtexparser reads the entries and pylatexenc decodes their LaTeX; entry types and fields are
mapped to CSL-JSON (``@article`` → ``article-journal``, ``journal`` → ``container-title``,
``year``/``month``/``day`` → ``issued``). The records are then checked like YAML ones
(:mod:`songngu.csl_json`). Syntax errors, unknown types and fields, and fields too long or too
deeply nested to decode in reasonable time are reported with their line.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from . import limits
from .csl_json import DATE_FIELDS, NAME_FIELDS, RawRecord
from .errors import Problems, display_path
from .wording import did_you_mean

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


def read_bib(path: Path, problems: Problems) -> list[RawRecord]:
    import bibtexparser
    from bibtexparser import middlewares
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry
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
            if isinstance(block.ignore_error_block, Entry):
                entries.append(block.ignore_error_block)
        else:
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            problems.error(path, (block.start_line or 0) + 1, f"BibTeX syntax error: {reason}")
    entries.sort(key=lambda entry: entry.start_line or 0)
    latex = _Latex()
    return [record for entry in entries
            if (record := _bib_record(entry, path, latex, problems)) is not None]


_VNTEX_LETTERS = {"uhorn": "ư", "Uhorn": "Ư", "ohorn": "ơ", "Ohorn": "Ơ"}
"""The letters of vntex (the ``vietnam`` package) that standard LaTeX has no command for; with
``\\h{a}`` (ả, the hook above), what Vietnamese BibTeX files use besides the standard accents."""


class _Latex:
    """pylatexenc's decoder, with vntex's Vietnamese letters and hook above, and the commands
    it does not know, which it leaves out."""

    def __init__(self) -> None:
        from pylatexenc import latexwalker, macrospec
        from pylatexenc.latex2text import (
            LatexNodes2Text,
            MacroTextSpec,
            get_default_latex_context_db,
        )

        self._parsing = latexwalker.get_default_latex_context_db()
        self._parsing.add_context_category("vntex", prepend=True, macros=[
            macrospec.std_macro("h", False, 1),
            *(macrospec.std_macro(name, False, 0) for name in _VNTEX_LETTERS)])
        self._text = get_default_latex_context_db()
        self._text.add_context_category("vntex", prepend=True, macros=[
            MacroTextSpec("h", simplify_repl=self._hook_above),
            *(MacroTextSpec(name, letter) for name, letter in _VNTEX_LETTERS.items())])
        self._decode = _safe_decoder(partial(
            LatexNodes2Text(latex_context=self._text).latex_to_text,
            latex_context=self._parsing))

    @staticmethod
    def _hook_above(node, l2tobj) -> str:  # pylatexenc passes the decoder by this name
        letters = l2tobj.nodelist_to_text(node.nodeargs[:1]).strip() if node.nodeargs else ""
        return unicodedata.normalize("NFC", "".join(c + "\u0309" for c in letters))

    def decode(self, text: str) -> str:
        return self._decode(text)

    def unknown(self, text: str) -> list[str]:
        """The commands of ``text`` that decoding leaves out, as typed (``\\uo``)."""
        from pylatexenc import latexwalker

        found: list[str] = []

        def walk(nodes) -> None:
            for node in nodes or []:
                if isinstance(node, latexwalker.LatexMacroNode) and \
                        self._text.get_macro_spec(node.macroname) is None:
                    found.append("\\" + node.macroname)
                for child in (getattr(node, "nodelist", None), getattr(node, "nodeargs", None)):
                    walk([c for c in child or [] if c is not None])
        try:
            walk(latexwalker.LatexWalker(text, latex_context=self._parsing,
                                         tolerant_parsing=True).get_latex_nodes()[0])
        except (latexwalker.LatexWalkerError, IndexError, RecursionError):
            return []
        return list(dict.fromkeys(found))


def _bib_record(entry, path: Path, latex: _Latex, problems: Problems) -> RawRecord | None:
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
        if target in DATE_FIELDS or target in ("URL", "DOI"):
            value = str(value).strip()
        else:
            typed = " ".join(" ".join(p.first + p.von + p.last + p.jr) for p in value) \
                if target in NAME_FIELDS else str(value)
            if unknown := latex.unknown(typed):
                problems.warning(path, lines[name], f"field {name!r} of reference {entry.key!r}: "
                                 f"unknown LaTeX command{'s' * (len(unknown) > 1)} "
                                 f"{', '.join(unknown)}, left out: write the characters "
                                 f"themselves (the file is UTF-8)")
            value = [_bib_name(parts, latex.decode) for parts in value] \
                if target in NAME_FIELDS else latex.decode(str(value)).strip()
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
    return RawRecord(path, display_path(path), line, raw,
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
