"""Keep track of which translations are up to date, like gettext's fuzzy flag.

typed Document + ``<doc>/sync.yaml`` → translation status and stale findings; and, for the
``sync`` command, the updated ``sync.yaml``. Every translatable unit of a language (the title,
the abstract, the keywords, each author and affiliation name, each table's caption, headers and
note, each figure's caption and text, each section's title and each block) has a key shared by
all languages: ``title``, ``authors/<id>``, ``tables/<id>/caption``, ``<section>/title``,
``<section>/<n>`` (the n-th block of the section). When translators mark units in sync, the
file records a fingerprint of each language's text. A unit whose text changed in one language
since then, while its counterpart did not, leaves the counterpart *stale*. The file sits beside
the content, so it travels with it in git.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from .errors import Problems, SetupError, display_path
from .load import Loaded, load_yaml
from .model import Document, Text, Where, block_name, iter_sections

SYNC_FILE = "sync.yaml"
FINGERPRINT_LENGTH = 12
IN_SYNC, STALE, MISSING, CHANGED = "in sync", "stale", "missing", "changed since the last sync"
STATES = (IN_SYNC, STALE, MISSING, CHANGED)
HEADER = """\
# Translation sync records, written by `python build.py sync` (see README): for each block,
# a fingerprint of its text in each language when the languages were last marked in sync.
# A block changed in one language since then is reported stale in the others.
"""


@dataclass
class Unit:
    """One translatable piece of one language."""

    key: str
    what: str
    """How a message names it: "block 2 (paragraph) of section 'introduction'"."""
    fingerprint: str
    where: Where


@dataclass
class Records:
    """The contents of ``sync.yaml``."""

    file: Path
    exists: bool = False
    damaged: bool = False
    """The file has errors (reported); findings would only repeat them."""
    fingerprints: dict[str, dict[str, str]] = field(default_factory=dict)
    behind: dict[str, list[str]] = field(default_factory=dict)
    """Languages still stale in a unit after another language was marked in sync (3 or more
    languages only: with two, marking one language in sync settles the pair)."""


@dataclass
class Status:
    """Each unit's state in each language, and the findings to report."""

    languages: list[str]
    states: dict[str, dict[str, str]]
    """key → language → one of STATES."""
    tracked: bool
    """False when the document has no sync records yet."""

    def counts(self, lang: str) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for states in self.states.values():
            counts[states[lang]] += 1
        return counts

    def lines(self) -> list[str]:
        """One line per language: blocks total, in sync, stale, missing."""
        out = []
        for lang in self.languages:
            counts = self.counts(lang)
            total = f"{lang}: {len(self.states)} blocks"
            if not self.tracked:
                out.append(f"{total}, not tracked yet (start with: python build.py sync "
                           f"--all)")
                continue
            out.append(f"{total}, " + ", ".join(f"{counts[s]} {s}" for s in STATES))
        return out


def fingerprint(text: str) -> str:
    """A short hash of a text; reflowing lines or spacing does not change it."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[
        :FINGERPRINT_LENGTH]


def units(text: Text) -> dict[str, Unit]:
    """The translatable units of a language, by key, in reading order."""
    found: dict[str, Unit] = {}
    fallback = Where(display_path(text.file), 0)

    def add(key: str, what: str, content: str, where: Where | None) -> None:
        found[key] = Unit(key, what, fingerprint(content), where or fallback)

    add("title", "the title", text.title, text.where.get("title"))
    for author, name in text.authors.items():
        add(f"authors/{author}", f"the name of author {author!r}", name,
            text.where.get(f"authors/{author}"))
    for affiliation, name in text.affiliations.items():
        add(f"affiliations/{affiliation}", f"the name of affiliation {affiliation!r}", name,
            text.where.get(f"affiliations/{affiliation}"))
    if text.journal_name:
        add("journal", "the journal's name", text.journal_name, text.where.get("journal"))
    add("abstract", "the abstract", text.abstract, text.where.get("abstract"))
    add("keywords", "the list of keywords", "\n".join(text.keywords), text.where.get("keywords"))
    for table_id, table in text.tables.items():
        add(f"tables/{table_id}/caption", f"the caption of table {table_id!r}", table.caption,
            table.where)
        add(f"tables/{table_id}/columns", f"the header row of table {table_id!r}",
            "\n".join(table.columns), table.where)
        if table.note:
            add(f"tables/{table_id}/note", f"the note of table {table_id!r}", table.note,
                table.where)
        if table.groups:
            add(f"tables/{table_id}/groups", f"the header groups of table {table_id!r}",
                "\n".join(group.text for group in table.groups), table.where)
        if table.rows:
            add(f"tables/{table_id}/rows", f"the row labels of table {table_id!r}",
                "\n".join("\t".join(row) for row in table.rows), table.where)
    for figure_id, figure in text.figures.items():
        add(f"figures/{figure_id}/caption", f"the caption of figure {figure_id!r}",
            figure.caption, figure.where)
        if figure.alt:
            add(f"figures/{figure_id}/alt", f"the text alternative of figure {figure_id!r}",
                figure.alt, figure.where)
        if figure.parts or figure.source:
            add(f"figures/{figure_id}/parts", f"the subfigure captions and source of figure "
                f"{figure_id!r}", "\n".join([*figure.parts, figure.source]), figure.where)
    if text.funding:
        add("funding", "the funding statement", text.funding, text.where.get("funding"))
    for label, note in text.footnotes.items():
        add(f"footnotes/{label}", f"footnote {label!r}", note,
            text.where.get(f"footnotes/{label}"))
    for section in iter_sections(text.sections):
        add(f"{section.id}/title", f"the title of section {section.id!r}", section.title,
            section.where)
        for block in section.blocks:
            content = "\n".join([block.kind, block.text, *block.items])
            add(block.key, block_name(block, section), content, block.where)
    return found


# --------------------------------------------------------------------------- the records file

def records_file(doc: Document) -> Path:
    return doc.folder / SYNC_FILE


def load_records(doc: Document, problems: Problems) -> Records:
    """Read ``sync.yaml`` if the document has one; report a damaged one with file:line."""
    records = Records(records_file(doc))
    if not records.file.is_file():
        return records
    loaded = load_yaml(records.file, problems)
    records.exists = True
    if loaded is None:
        records.damaged = True
        return records
    if not isinstance(loaded.data, dict):
        _damaged(records, loaded, (), loaded.data, problems)
        return records
    for key, entry in loaded.data.items():
        if not isinstance(key, str) or not isinstance(entry, dict):
            _damaged(records, loaded, (key,), entry, problems)
            continue
        prints, behind = {}, []
        for lang, value in entry.items():
            if lang == "stale" and isinstance(value, list) \
                    and all(isinstance(v, str) for v in value):
                behind = value
            elif isinstance(lang, str) and isinstance(value, str) \
                    and len(value) == FINGERPRINT_LENGTH:
                prints[lang] = value
            else:
                _damaged(records, loaded, (key, lang), value, problems)
        records.fingerprints[key] = prints
        if behind:
            records.behind[key] = behind
    return records


def _damaged(records: Records, loaded: Loaded, path: tuple, value, problems: Problems) -> None:
    records.damaged = True
    problems.error(loaded.file, loaded.line(path),
                   f"expected a sync record such as 'introduction/1: {{en: 0123456789ab, "
                   f"vi: ba9876543210}}', found {value!r}: undo the hand edit (the file is "
                   f"written by python build.py sync)")


def write_records(records: Records, doc: Document, write: Callable[[Path, str], None]) -> None:
    """Write the records in the document's reading order, dropping units that no longer exist."""
    order = list(dict.fromkeys(key for lang in doc.languages if lang in doc.texts
                               for key in units(doc.texts[lang])))
    data = {}
    for key in order:
        if key in records.fingerprints:
            entry = dict(records.fingerprints[key])
            if records.behind.get(key):
                entry["stale"] = list(records.behind[key])
            data[key] = entry
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=100)
    write(records.file, HEADER + body)


# --------------------------------------------------------------------------- status and marking

def all_units(doc: Document) -> dict[str, dict[str, Unit]]:
    """key → language → unit, keys in the reading order of the languages in turn."""
    table: dict[str, dict[str, Unit]] = {}
    for lang in doc.languages:
        if lang in doc.texts:
            for key, unit in units(doc.texts[lang]).items():
                table.setdefault(key, {})[lang] = unit
    return table


def _changed(key: str, present: dict[str, Unit], records: Records) -> set[str]:
    recorded = records.fingerprints.get(key, {})
    return {lang for lang, unit in present.items() if recorded.get(lang) != unit.fingerprint}


def _sources(key: str, changed: set[str], records: Records) -> set[str]:
    """The languages whose change makes the others stale: a language still behind that is
    being updated is not a source."""
    return changed - set(records.behind.get(key, ()))


def status(doc: Document, records: Records) -> Status:
    langs = [lang for lang in doc.languages if lang in doc.texts]
    states: dict[str, dict[str, str]] = {}
    for key, present in all_units(doc).items():
        changed = _changed(key, present, records)
        sources = _sources(key, changed, records)
        behind = set(records.behind.get(key, ()))
        row = {}
        for lang in langs:
            if lang not in present:
                row[lang] = MISSING
            elif lang in changed:
                row[lang] = CHANGED
            elif lang in behind or sources - {lang}:
                row[lang] = STALE
            else:
                row[lang] = IN_SYNC
        states[key] = row
    return Status(langs, states, records.exists)


def report_findings(doc: Document, records: Records, report) -> Status:
    """Report stale units (and units changed since the last sync) with both locations."""
    result = status(doc, records)
    if not records.exists or records.damaged:
        return result
    table = all_units(doc)
    for key, row in result.states.items():
        present = table[key]
        changed = _changed(key, present, records)
        sources = _sources(key, changed, records)
        stale = [lang for lang, state in row.items() if state == STALE]
        for lang in stale:
            unit = present[lang]
            if sources - {lang}:
                why = f"was changed in {_places(present, sorted(sources - {lang}))} since " \
                      f"the languages were last marked in sync"
            else:
                why = "has not followed a change made in another language before the last " \
                      "sync"
            report(unit.where.file, unit.where.line,
                   f"stale translation: {unit.what} {why}; update it, then run: python build.py "
                   f"sync --lang {lang} --block {key}")
        if not stale and len(present) > 1 and changed == set(present):
            first, *others = present.values()
            how = "changed in every language since the last sync" \
                if key in records.fingerprints else "is new"
            report(first.where.file, first.where.line,
                   f"not marked in sync: {first.what} {how} (counterpart"
                   f"{'s' * (len(others) != 1)}: {', '.join(str(o.where) for o in others)}); "
                   f"once the languages agree, run: python build.py sync --block {key}")
    return result


def _places(present: dict[str, Unit], langs: list[str]) -> str:
    return ", ".join(f"{lang} ({present[lang].where})" for lang in langs)


def mark(doc: Document, records: Records, lang: str | None, keys: list[str]) -> None:
    """Record the current text of ``keys`` as in sync.

    With a language, that language's text is declared up to date with the languages whose
    change it followed; a third language that did not follow stays stale. Without one, every
    language is declared in sync.
    """
    table = all_units(doc)
    for key in keys:
        present = table[key]
        changed = _changed(key, present, records)
        sources = _sources(key, changed, records) - {lang}
        behind = set(records.behind.get(key, ())) - {lang}
        if lang is None:
            behind = set()
        elif sources:
            behind |= {other for other in present if other != lang and other not in changed}
        records.fingerprints[key] = {other: unit.fingerprint for other, unit in present.items()}
        records.behind[key] = [other for other in present if other in behind]


def block_keys(doc: Document, lang: str | None) -> list[str]:
    """Every unit key of a language (or of any language), in reading order."""
    return [key for key, present in all_units(doc).items() if lang is None or lang in present]


def mark_and_write(doc: Document, lang: str | None, blocks: list[str] | None,
                   write: Callable[[Path, str], None]) -> tuple[int, Path]:
    """The ``sync`` command: mark ``blocks`` (all of ``lang``'s when None) in sync and write
    ``sync.yaml``; return how many were marked and the file."""
    known = block_keys(doc, lang)
    for key in blocks or ():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else \
                "blocks are named SECTION/N, SECTION/title, title, abstract, keywords, …"
            raise SetupError(f"sync: {display_path(doc.folder)} has no block {key!r}"
                             f"{f' in {lang}' if lang else ''} ({hint})")
    keys = list(dict.fromkeys(blocks)) if blocks else known
    problems = Problems()
    records = load_records(doc, problems)
    problems.raise_if_errors()
    mark(doc, records, lang, keys)
    write_records(records, doc, write)
    return len(keys), records.file
