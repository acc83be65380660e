"""Keep track of which translations are up to date, like gettext's fuzzy flag.

typed Document + ``<doc>/sync.yaml`` → each translatable unit paired with its counterparts,
its state in each language, and the findings to report; for the ``sync`` command, the updated
``sync.yaml``.

Units are the title, the abstract, the keywords, each author and affiliation name, each
table's caption, headers and note, each figure's caption and text, each section's title and
each block. Named units keep their name as key (``title``, ``tables/trade/caption``,
``introduction/title``). A block is known by its ``id:`` when it has one (``introduction/
growth``), else by its place in the source language (``introduction/3``); which block of a
translation is its counterpart, and which block of the source was which when last marked in
sync, is found by content (:mod:`songngu.align`), so inserting, deleting or moving a block
touches that block alone.

The source language (``source_language:`` in document.yaml, else the first of ``languages``)
is the one translated from: editing a translation never makes the source stale. For each unit
the records keep the source text as it was last marked in sync, in the source language's
entry, and a fingerprint of each translation's text then; so ``check`` can show, word by word,
what changed in the source since (:mod:`songngu.worddiff`). The file sits beside the content,
so it travels with it in git and its changes read in a diff.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from . import align, parity
from .errors import Problems, SetupError, display_path
from .load import Loaded, load_yaml
from .model import Document, Section, Text, Where
from .outline import block_name, iter_sections
from .untranslated import untranslated
from .worddiff import word_diff
from .wording import did_you_mean

SYNC_FILE = "sync.yaml"
FINGERPRINT_LENGTH = 12
FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")
IN_SYNC, STALE, MISSING, CHANGED, UNTRANSLATED = (
    "in sync", "stale", "missing", "changed since the last sync", "untranslated")
STATES = (IN_SYNC, STALE, MISSING, CHANGED, UNTRANSLATED)
HEADER = """\
# Translation sync records, written by `python build.py sync` (see README): for each block,
# the source text as it was when the translations were last marked in sync, and a
# fingerprint of each translation then. A source changed since leaves its translations stale.
"""
SAME_BLOCK = 0.5
"""Share of words an edited source block keeps with its recorded text to still be that block."""
MOVED_BLOCK = 0.6
PAIR_SCORE, MOVE_SCORE = 1.0, 3.0
"""Least score of a block and its translation (see :func:`_pair_score`), in place and moved."""


# --------------------------------------------------------------------------- units

@dataclass
class Unit:
    """One translatable piece of one language."""

    key: str
    what: str
    """How a message names it: "block 2 (paragraph) of section 'introduction'"."""
    text: str
    """Its markup, spacing folded; a list's items one per line."""
    where: Where
    lang: str
    kind: str = "text"
    """A block kind (p, heading, list, …), or "text" for a named unit."""
    explicit: bool = False
    """Known by an ``id:`` the author gave it."""
    legacy: str = ""
    """Its fingerprint as records of the first format kept it (kind and text together)."""
    index: int = -1
    """A block's place among its section's blocks, from 0."""
    footnotes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """The texts of its language's ``[^label]`` footnotes, which its markup may refer to."""

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @cached_property
    def features(self):
        return parity.features(self.text, self.lang, self.footnotes)


def fingerprint(text: str) -> str:
    """A short hash of a text; reflowing lines or spacing does not change it."""
    folded = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def _legacy(content: str) -> str:
    return hashlib.sha256(" ".join(content.split()).encode("utf-8")).hexdigest()[
        :FINGERPRINT_LENGTH]


def _fold(text: str) -> str:
    return " ".join(text.split())


def named_units(text: Text) -> dict[str, Unit]:
    """The units of a language that have a name of their own, by key, in reading order."""
    found: dict[str, Unit] = {}
    fallback = Where(display_path(text.file), 0)

    def add(key: str, what: str, content: str, where: Where | None, lines: bool = False) -> None:
        body = "\n".join(_fold(line) for line in content.split("\n")) if lines \
            else _fold(content)
        found[key] = Unit(key, what, body, where or fallback, text.lang, legacy=_legacy(content),
                          footnotes=text.footnotes)

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
    add("keywords", "the list of keywords", "\n".join(text.keywords), text.where.get("keywords"),
        lines=True)
    for table_id, table in text.tables.items():
        add(f"tables/{table_id}/caption", f"the caption of table {table_id!r}", table.caption,
            table.where)
        add(f"tables/{table_id}/columns", f"the header row of table {table_id!r}",
            "\n".join(table.columns), table.where, lines=True)
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
    return found


def block_units(section: Section, lang: str, footnotes: dict[str, str]) -> list[Unit]:
    """A section's blocks, in order; keys are those of the language they are written in."""
    out = []
    for index, block in enumerate(section.blocks):
        lines = block.kind in ("list", "ordered")
        body = "\n".join(_fold(item) for item in block.items) if lines else _fold(block.text)
        legacy = _legacy("\n".join([block.kind, block.text, *block.items]))
        out.append(Unit(block.key, block_name(block, section), body,
                        block.where or Where("", 0), lang, block.kind, bool(block.id), legacy,
                        index, footnotes))
    return out


# --------------------------------------------------------------------------- the records file

@dataclass
class Record:
    """What ``sync.yaml`` keeps of one unit."""

    key: str
    source: str | None
    """The source text when last marked in sync; None in a record of the first format."""
    source_print: str
    prints: dict[str, str] = field(default_factory=dict)
    """language → fingerprint of its translation when last marked in sync."""
    behind: dict[str, str | None] = field(default_factory=dict)
    """Translations marked in sync with an older source text than ``source`` (three or more
    languages): language → that older text (None when not known)."""

    def reference(self, lang: str) -> tuple[str | None, str]:
        """The source text (if known) and fingerprint that ``lang`` was last in sync with."""
        if lang in self.behind:
            old = self.behind[lang]
            return old, fingerprint(old) if old is not None else ""
        return self.source, self.source_print


@dataclass
class Records:
    """The contents of ``sync.yaml``."""

    file: Path
    exists: bool = False
    damaged: bool = False
    """The file has errors (reported); findings would only repeat them."""
    entries: dict[str, Record] = field(default_factory=dict)
    aligned: Alignment | None = None
    """The document's units paired with these records, once :func:`mark` has updated them."""


def load_aligned(doc: Document, lang: str | None, command: str, advice: str,
                 or_else: str = "") -> tuple[Records, Alignment]:
    """The records of ``doc`` and its alignment, for ``command`` to work on the translation
    ``lang`` (None: every one); the source language is refused with ``advice``: what to name
    instead (and ``or_else``, another way)."""
    problems = Problems()
    records = load_records(doc, problems)
    problems.raise_if_errors()
    found = alignment(doc, records)
    if lang == found.source_lang:
        raise SetupError(f"{command}: {lang} is the source language of "
                         f"{display_path(doc.folder)}: {advice} (--lang "
                         f"{', --lang '.join(found.translations) or 'LANG'}){or_else}")
    return records, found


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
    source_lang = source_language(doc)
    if any(isinstance(entry, dict) and any(
            lang != source_lang and isinstance(value, str) and not FINGERPRINT.match(value)
            for lang, value in entry.items()) for entry in loaded.data.values()):
        # Written when another language was the source: start again rather than misread it.
        problems.warning(loaded.file, 1, f"the sync records keep the text of another source "
                                         f"language than {source_lang}, the one of "
                                         f"document.yaml (was source_language changed?): the "
                                         f"translations are not tracked until: python "
                                         f"build.py sync --all")
        records.exists = False
        return records
    for key, entry in loaded.data.items():
        if not isinstance(key, str) or not isinstance(entry, dict) \
                or not isinstance(entry.get(source_lang), str):
            _damaged(records, loaded, (key,), entry, problems)
            continue
        source = entry[source_lang]
        legacy = bool(FINGERPRINT.match(source))
        record = Record(key, None if legacy else source,
                        source if legacy else fingerprint(source))
        for lang, value in entry.items():
            if lang == source_lang:
                continue
            if lang == "stale" and isinstance(value, list):  # first format: no older text
                record.behind.update({str(v): None for v in value})
            elif lang == "behind" and isinstance(value, dict) \
                    and all(isinstance(v, str) for v in value.values()):
                record.behind.update({str(k): v for k, v in value.items()})
            elif isinstance(lang, str) and isinstance(value, str) and FINGERPRINT.match(value):
                record.prints[lang] = value
            else:
                _damaged(records, loaded, (key, lang), value, problems)
        records.entries[key] = record
    return records


def _damaged(records: Records, loaded: Loaded, path: tuple, value, problems: Problems) -> None:
    records.damaged = True
    problems.error(loaded.file, loaded.line(path),
                   f"expected a sync record such as 'introduction/1: {{en: Source text., "
                   f"vi: ba9876543210}}', found {value!r}: undo the hand edit (the file is "
                   f"written by python build.py sync)")


class _Dumper(yaml.SafeDumper):
    """Long texts folded over several lines, so that a change shows as a changed line."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else ">" if len(text) > 60 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def write_records(records: Records, doc: Document, write: Callable[[Path, str], None]) -> None:
    """Write the records in the document's reading order, under the current keys, dropping
    units that no longer exist."""
    found = records.aligned or alignment(doc, records)
    data = {}
    for pair in found.pairs:
        record = found.records.get(pair.key)
        if record is None:
            continue
        entry: dict = {found.source_lang: record.source if record.source is not None
                       else record.source_print}
        entry.update({lang: record.prints[lang] for lang in found.translations
                      if lang in record.prints})
        behind = {lang: text for lang, text in record.behind.items() if text is not None}
        if behind:
            entry["behind"] = behind
        unknown = [lang for lang, text in record.behind.items() if text is None]
        if unknown:
            entry["stale"] = unknown
        data[pair.key] = entry
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=92,
                     default_flow_style=False)
    write(records.file, HEADER + body)


# --------------------------------------------------------------------------- alignment

@dataclass
class Pair:
    """A unit of the source and its counterpart in each translation that has one."""

    key: str
    source: Unit
    translations: dict[str, Unit] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)
    """Languages in which the counterpart stands in another place than the source."""
    section: str = ""
    """The section of a block; empty for a named unit."""


@dataclass
class Extra:
    """A block of a translation that is the counterpart of nothing in the source."""

    unit: Unit
    near: Where
    """Where in the source it would belong."""


@dataclass
class Alignment:
    source_lang: str
    translations: list[str]
    pairs: list[Pair]
    records: dict[str, Record]
    """current key → the record that unit had (matched by content for blocks)."""
    extras: dict[str, list[Extra]]
    missing_at: dict[tuple[str, str], tuple[Where, str]]
    """(key, language) → where the missing translation belongs, and how to say so."""
    absent_sections: dict[str, set[str]]

    def pair(self, key: str) -> Pair:
        return next(p for p in self.pairs if p.key == key)


def source_language(doc: Document) -> str:
    return doc.source_language or (doc.languages[0] if doc.languages else "")


def alignment(doc: Document, records: Records) -> Alignment:
    """Pair every unit of the source with its counterparts, and with its record."""
    source_lang = source_language(doc)
    langs = [lang for lang in doc.languages if lang in doc.texts and lang != source_lang]
    found = Alignment(source_lang, langs, [], {}, {lang: [] for lang in langs}, {},
                      {lang: set() for lang in langs})
    if source_lang not in doc.texts:
        return found
    source = doc.texts[source_lang]
    named = {lang: named_units(doc.texts[lang]) for lang in langs}
    sections = {lang: _sections(doc.texts[lang]) for lang in [source_lang, *langs]}
    groups: dict[str, list[Record]] = {}
    for key, record in records.entries.items():
        section, _, rest = key.partition("/")
        if rest and rest != "title" and "/" not in rest:
            groups.setdefault(section, []).append(record)
    for key, unit in named_units(source).items():
        pair = Pair(key, unit, {lang: named[lang][key] for lang in langs if key in named[lang]})
        found.pairs.append(pair)
        if key in records.entries:
            found.records[key] = records.entries[key]
        section_id = key[:-len("/title")]
        if key.endswith("/title") and section_id in sections[source_lang]:
            _align_section(section_id, found, sections, groups.get(section_id, []),
                           {lang: doc.texts[lang].footnotes for lang in sections})
    return found


def _sections(text: Text) -> dict[str, Section]:
    return {section.id: section for section in iter_sections(text.sections)}


def _align_section(section_id: str, found: Alignment, sections: dict[str, dict[str, Section]],
                   group: list[Record], footnotes: dict[str, dict[str, str]]) -> None:
    section = sections[found.source_lang][section_id]
    units = block_units(section, found.source_lang, footnotes[found.source_lang])
    matched = _match_records(units, group)
    pairs = [Pair(u.key, u, section=section_id) for u in units]
    for i, record in matched.items():
        found.records[units[i].key] = record
    for lang in found.translations:
        other = sections[lang].get(section_id)
        if other is None:
            found.absent_sections[lang].add(section_id)
            continue
        theirs = block_units(other, lang, footnotes[lang])
        recorded = [[matched[i].prints.get(lang, "")] if i in matched and not unit.explicit
                    else [] for i, unit in enumerate(units)]
        fixed = _same_blocks(units, theirs, recorded)
        paired = align.align(units, theirs, _pair_score, PAIR_SCORE, MOVE_SCORE, fixed)
        out_of_order = align.moved(paired)
        for i, j in paired.items():
            pairs[i].translations[lang] = theirs[j]
            if i in out_of_order:
                pairs[i].moved.add(lang)
        by_theirs = {j: i for i, j in paired.items()}
        for i, unit in enumerate(units):
            if i not in paired:
                found.missing_at[(unit.key, lang)] = _place(i, paired, units, theirs, other)
        for j, unit in enumerate(theirs):
            if j not in by_theirs:
                near = _place(j, {b: a for a, b in paired.items()}, theirs, units, section)[0]
                found.extras[lang].append(Extra(unit, near))
    found.pairs.extend(pairs)


def _place(i: int, paired: dict[int, int], mine: list[Unit], theirs: list[Unit],
           section: Section) -> tuple[Where, str]:
    """Where a block of ``mine`` with no counterpart belongs among ``theirs``."""
    for k in range(i + 1, len(mine)):
        if k in paired:
            return theirs[paired[k]].where, "before the block at this line"
    for k in range(i - 1, -1, -1):
        if k in paired:
            return theirs[paired[k]].where, "after the block at this line"
    return section.where or Where("", 0), "in this section"


def _same_blocks(units: list[Unit], theirs: list[Unit],
                 recorded: list[list[str]]) -> dict[int, int]:
    """Pairs known without looking at content: the same id on both sides, or a translation
    whose text is the one recorded for that source block (``recorded[i]``: its fingerprints)."""
    by_key: dict[str, int] = {}
    by_print: dict[str, list[int]] = {}
    for j, unit in enumerate(theirs):
        if unit.explicit:
            by_key.setdefault(unit.key, j)
        else:
            by_print.setdefault(unit.fingerprint, []).append(j)
            by_print.setdefault(unit.legacy, []).append(j)
    return _claim(units, by_key,
                  lambda i, _: [j for p in recorded[i] for j in by_print.get(p, [])])


def _match_records(units: list[Unit], group: list[Record]) -> dict[int, Record]:
    """Which recorded block each current source block is: same id, same text, or (edited)
    most of the same words."""
    by_print: dict[str, list[int]] = {}
    by_key: dict[str, int] = {}
    for r, record in enumerate(group):
        by_print.setdefault(record.source_print, []).append(r)
        by_key[record.key] = r
    fixed = _claim(units, by_key, lambda _, unit: (by_print.get(unit.fingerprint, [])
                                                   + by_print.get(unit.legacy, [])))

    def score(unit: Unit, record: Record) -> float:
        if record.source is None:  # a record of the first format: its key was a position
            return 1.0 if record.key == unit.key else 0.0
        return align.similarity(record.source, unit.text)

    matched = align.align(units, group, score, SAME_BLOCK, MOVED_BLOCK, fixed)
    return {i: group[r] for i, r in matched.items()}


def _claim(units: list[Unit], by_key: dict[str, int],
           by_text: Callable[[int, Unit], list[int]]) -> dict[int, int]:
    """Each unit given the first of its candidates that no earlier unit took: the one with its
    id if it has an explicit one (``by_key``), else those of ``by_text(i, unit)``."""
    fixed: dict[int, int] = {}
    used: set[int] = set()
    for i, unit in enumerate(units):
        if unit.explicit:
            candidates = [by_key[unit.key]] if unit.key in by_key else []
        else:
            candidates = by_text(i, unit)
        chosen = next((c for c in candidates if c not in used), None)
        if chosen is not None:
            fixed[i] = chosen
            used.add(chosen)
    return fixed


def _pair_score(a: Unit, b: Unit) -> float:
    """How alike a block and a candidate translation are: the same kind, the same
    citations and cross-references, the same numbers, a comparable length."""
    if "table" in (a.kind, b.kind) or "figure" in (a.kind, b.kind):
        return 2 * MOVE_SCORE if a.kind == b.kind and a.text == b.text else 0.0
    score = 1.0 if a.kind == b.kind else 0.2
    for mine, theirs in zip(a.features, b.features):
        if not mine and not theirs:
            score += 0.4
        else:
            score += 1.5 * sum((mine & theirs).values()) / sum((mine | theirs).values())
    shorter, longer = sorted((len(a.text), len(b.text)))
    return score + (shorter / longer if longer else 1.0)


# --------------------------------------------------------------------------- states

@dataclass
class Status:
    """Each unit's state in each translation, and the findings to report."""

    languages: list[str]
    source_lang: str
    states: dict[str, dict[str, str]]
    """key → translation language → one of STATES."""
    tracked: bool
    """False when the document has no sync records yet."""
    details: dict[tuple[str, str], Finding] = field(default_factory=dict)
    """(key, language) → what is wrong with that translation (for the status page)."""
    extras: dict[str, list[Extra]] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    """Every unit of the source with its counterparts, in reading order."""
    missing_at: dict[tuple[str, str], tuple[Where, str]] = field(default_factory=dict)
    """(key, language) → where a missing translation belongs."""

    def counts(self, lang: str) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for states in self.states.values():
            counts[states[lang]] += 1
        return counts

    def lines(self) -> list[str]:
        """One line for the source, one per translation: blocks total, in sync, stale, …"""
        out = [f"{self.source_lang}: the source, {len(self.states)} blocks"]
        for lang in self.languages:
            if lang == self.source_lang:
                continue
            counts = self.counts(lang)
            total = f"{lang}: {len(self.states)} blocks"
            if not self.tracked:
                states = [f"{counts[s]} {s}" for s in (MISSING, UNTRANSLATED)]
                out.append(f"{total}, {', '.join(states)}, not tracked yet (start with: "
                           f"python build.py sync --all)")
                continue
            out.append(f"{total}, " + ", ".join(f"{counts[s]} {s}" for s in STATES))
        return out


@dataclass
class Finding:
    """What is wrong with one translation of one unit."""

    state: str
    label: str
    """What a message starts with: "stale translation", "not marked in sync", …"""
    parts: list[str]
    diff: str = ""
    """The source's change since it was last marked in sync, word by word."""
    previous: str | None = None
    """The source text as it was then."""
    command: str = ""


def _state(pair: Pair, lang: str, record: Record | None, tracked: bool
           ) -> tuple[str, str, str | None]:
    """The sync state of one translation, and the source's change (diff, previous text)."""
    unit = pair.translations[lang]
    if not tracked:
        return IN_SYNC, "", None
    if record is None or lang not in record.prints:
        return CHANGED, "", None
    previous, previous_print = record.reference(lang)
    source = pair.source
    source_changed = previous_print not in (source.fingerprint, source.legacy) \
        or (lang in record.behind and previous is None)
    translation_changed = record.prints[lang] not in (unit.fingerprint, unit.legacy)
    diff = word_diff(previous, source.text) if source_changed and previous is not None else ""
    if translation_changed:
        return CHANGED, diff, previous if source_changed else None
    if source_changed:
        return STALE, diff, previous
    return IN_SYNC, "", None


def status(doc: Document, records: Records, found: Alignment | None = None,
           content_option: str = "") -> Status:
    """Every unit's state in every translation, with what is wrong with each."""
    found = found or alignment(doc, records)
    tracked = records.exists and not records.damaged
    result = Status([lang for lang in doc.languages if lang in doc.texts], found.source_lang,
                    {}, tracked, extras=found.extras, pairs=found.pairs,
                    missing_at=found.missing_at)
    for pair in found.pairs:
        row: dict[str, str] = {}
        record = found.records.get(pair.key)
        for lang in found.translations:
            if lang not in pair.translations:
                row[lang] = MISSING
                continue
            state, diff, previous = _state(pair, lang, record, tracked)
            finding = _finding(pair, lang, state, diff, previous, record, content_option,
                               found.source_lang)
            if finding is not None:
                result.details[(pair.key, lang)] = finding
                if finding.state == UNTRANSLATED:
                    state = UNTRANSLATED
            row[lang] = state
        result.states[pair.key] = row
    return result


def _finding(pair: Pair, lang: str, state: str, diff: str, previous: str | None,
             record: Record | None, content_option: str, source_lang: str) -> Finding | None:
    source, unit = pair.source, pair.translations[lang]
    command = f"python build.py sync{content_option} --lang {lang} --block {pair.key}"
    src = f"{source_lang} ({source.where})"
    parts: list[str] = []
    label = ""
    if state == STALE:
        label = "stale translation"
        parts.append(f"was changed in {src} since it was last marked in sync"
                     + (f": {diff}" if diff else ""))
    elif state == CHANGED and (record is None or lang not in record.prints):
        label = "not marked in sync"
        parts.append(f"is new (source: {src})")
    elif (state == CHANGED and previous is not None) or (state == CHANGED and diff):
        label = "not marked in sync"
        parts.append(f"was updated in {lang} after its source changed in {src}"
                     + (f": {diff}" if diff else ""))
    elif state == CHANGED:
        label = "not marked in sync"
        parts.append(f"was edited in {lang} since it was last marked in sync, its source "
                     f"({source.where}) was not")
    # Placed tables and figures are ids, an equation's LaTeX is no language's; people's names
    # are the same in every language.
    why = untranslated(source.text, unit.text, source_lang, lang) \
        if source.kind not in ("table", "figure", "equation") \
        and not pair.key.startswith("authors/") else None
    if why:
        label = label or "untranslated"
        parts.append(f"looks untranslated: {why}")
    if lang in pair.moved:
        label = label or "moved"
        parts.append(f"stands in another place in {lang} than in {src}: move it so that the "
                     f"blocks follow the same order")
    differences = [] if why else parity.unit_differences(
        source_lang, lang, source.kind, unit.kind, source.text, unit.text, source.features,
        unit.features)
    if differences:
        label = label or "parity"
        parts.extend(differences)
    if not parts:
        return None
    finding_state = UNTRANSLATED if why else state
    return Finding(finding_state, label, parts, diff, previous,
                   command if state in (STALE, CHANGED) else "")


def report_findings(doc: Document, records: Records, report,
                    content_option: str = "") -> Status:
    """Report each translation that is stale, unmarked, untranslated, moved, missing or says
    something else than its source: once, at its line, naming the source's line."""
    found = alignment(doc, records)
    result = status(doc, records, found, content_option)
    if records.damaged:
        return result
    for pair in found.pairs:
        for lang in found.translations:
            unit = pair.translations.get(lang)
            finding = result.details.get((pair.key, lang))
            if unit is not None and finding is not None:
                message = f"{finding.label}: {pair.source.what} {'; '.join(finding.parts)}"
                if finding.command:
                    verb = "update it, then" if finding.state == STALE else \
                        "once the translation is right,"
                    message += f"; {verb} run: {finding.command}"
                if finding.label == "parity":
                    message += f" (counterpart: {pair.source.where})"
                report(unit.where.file, unit.where.line, message)
            elif unit is None and pair.section not in found.absent_sections[lang] and (
                    (pair.key, lang) in found.missing_at or (
                        "/" not in pair.key and pair.key not in parity.PRESENCE_COMPARED)):
                # A field of the front matter (the journal's name) has no place to point at:
                # the file's first line. (A table's or figure's part missing, or the funding
                # statement, is a parity finding of its own.)
                where, how = found.missing_at.get((pair.key, lang)) or (
                    Where(display_path(doc.texts[lang].file), 1),
                    f"in {doc.texts[lang].file.name}")
                report(where.file, where.line,
                       f"missing translation: {pair.source.what} ({found.source_lang}: "
                       f"{pair.source.where}) has no counterpart in {lang}; translate it "
                       f"{how}")
    for lang, extras in found.extras.items():
        for extra in extras:
            report(extra.unit.where.file, extra.unit.where.line,
                   f"not in the source: {extra.unit.what} of {lang} has no counterpart in "
                   f"{found.source_lang} ({extra.near}): remove it, or restore its source "
                   f"there")
    return result


# --------------------------------------------------------------------------- marking

def mark(doc: Document, records: Records, lang: str | None, keys: list[str],
         found: Alignment | None = None) -> None:
    """Record the current source text of ``keys`` and their translations' fingerprints.

    With a language, that translation is declared up to date with the source; another
    translation that had not followed a change of the source stays stale. Without one,
    every translation is declared in sync.
    """
    found = found or alignment(doc, records)
    by_key = {pair.key: pair for pair in found.pairs}
    for key in keys:
        pair = by_key[key]
        old = found.records.get(key)
        record = Record(key, pair.source.text, pair.source.fingerprint)
        langs = [lang] if lang else list(pair.translations)
        if old is not None:
            record.prints = dict(old.prints)
            for other in old.prints:
                if other in langs:
                    continue
                previous, previous_print = old.reference(other)
                if previous_print not in (pair.source.fingerprint, pair.source.legacy):
                    record.behind[other] = previous
        for other in langs:
            if other in pair.translations:
                record.prints[other] = pair.translations[other].fingerprint
        found.records[key] = record
    records.aligned = found


def block_keys(doc: Document, lang: str | None) -> list[str]:
    """Every unit key that has a translation in ``lang`` (in any language when None)."""
    found = alignment(doc, load_records(doc, Problems()))
    return [pair.key for pair in found.pairs
            if (pair.translations if lang is None else lang in pair.translations)]


def resolve_keys(found: Alignment, lang: str | None, blocks: list[str], where: str) -> list[str]:
    """The keys ``--block`` names: a key (``introduction/2``) or a block's own id."""
    known = [pair.key for pair in found.pairs
             if (pair.translations if lang is None else lang in pair.translations)]
    by_id: dict[str, list[str]] = {}
    for pair in found.pairs:
        if pair.source.explicit:
            by_id.setdefault(pair.key.rpartition("/")[2], []).append(pair.key)
    keys = []
    for key in blocks:
        if key in known:
            keys.append(key)
        elif len(by_id.get(key, [])) == 1 and by_id[key][0] in known:
            keys.append(by_id[key][0])
        else:
            hint = did_you_mean(key, known, "blocks are named SECTION/N, SECTION/ID, "
                                "SECTION/title, title, abstract, …", count=3)
            raise SetupError(f"sync: {where} has no block {key!r}"
                             f"{f' in {lang}' if lang else ''} ({hint})")
    return list(dict.fromkeys(keys))


def updated_keys(doc: Document, records: Records, lang: str) -> list[str]:
    """The blocks whose ``lang`` translation was edited since last marked in sync (after its
    source changed, or as a correction), and new ones: what ``sync --lang`` marks."""
    result = status(doc, records)
    return [key for key, row in result.states.items() if row.get(lang) == CHANGED]


def mark_and_write(doc: Document, lang: str | None, blocks: list[str] | None,
                   write: Callable[[Path, str], None], every: bool = False) -> tuple[int, Path]:
    """The ``sync`` command: mark ``blocks`` (all of ``lang``'s when ``every``; the updated
    ones of ``lang`` when neither) in sync and write ``sync.yaml``; return how many were
    marked and the file."""
    records, found = load_aligned(doc, lang, "sync", "name the translation to mark",
                                  or_else=", or --all")
    if blocks:
        keys = resolve_keys(found, lang, blocks, display_path(doc.folder))
    elif every or lang is None:
        keys = [pair.key for pair in found.pairs
                if (pair.translations if lang is None else lang in pair.translations)]
    else:
        keys = updated_keys(doc, records, lang)
    mark(doc, records, lang, keys, found)
    if not records.exists or keys:
        write_records(records, doc, write)
    return len(keys), records.file
