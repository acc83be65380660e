"""Speak to translators' tools: a document's translation as a gettext PO file, and back.

export: typed Document + sync records → ``<doc>.<lang>.po``: one entry per unit (the title,
the abstract, each caption, each block …) with the unit's key as context (``msgctxt``), the
source text as ``msgid``, the translation as ``msgstr``, where both stand as the reference
(``#: en.yaml:52 vi.yaml:53``), and, for a translation whose source changed since it was last
marked in sync, the ``fuzzy`` flag and the source as it was then (``#| msgid``), which Poedit,
Weblate and OmegaT show as a diff. Written with Babel's :mod:`babel.messages.pofile`.

import: PO file → the language file, each changed translation written in place with
ruamel.yaml's round-trip mode, so comments, order, quoting and layout stay as they were (a
file nothing changed in is not rewritten at all); the entries that are translated and not
fuzzy are then marked in sync.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, escape, normalize, read_po, write_po

from . import sync
from .errors import SetupError, display_path
from .model import Document

PLACED = ("table", "figure")
"""Blocks that place a table or figure by id: nothing in them to translate."""
WRAP = 78
"""Folded texts written back are wrapped to this many characters, indentation included."""


def _entries(doc: Document, lang: str) -> tuple[sync.Records, sync.Alignment, sync.Status]:
    records, found = sync.load_aligned(doc, lang, "translate", "name a translation")
    if lang not in found.translations:
        raise SetupError(f"translate: {display_path(doc.folder)} has no language {lang!r} "
                         f"(it has {', '.join(doc.languages)})")
    return records, found, sync.status(doc, records, found)


def export_catalog(doc: Document, lang: str) -> Catalog:
    """The PO catalog of ``lang``'s translation of ``doc``."""
    _records, found, status = _entries(doc, lang)
    contact = f" <{doc.journal.email}>" if doc.journal.email else ""
    catalog = Catalog(locale=lang.replace("-", "_"), project=doc.id, version=doc.doi or "1",
                      charset="utf-8", fuzzy=False, creation_date=_stamp(doc),
                      revision_date=_stamp(doc), msgid_bugs_address=doc.journal.email or None,
                      last_translator=f"Translators{contact}",
                      language_team=f"{doc.journal.name or doc.id} ({lang}){contact}",
                      header_comment=f"# {doc.id}: the {lang} translation of the "
                                     f"{found.source_lang} text.\n# Written by `python "
                                     f"build.py translate export`; read back by `translate "
                                     f"import`.\n#")
    for pair in found.pairs:
        if pair.source.kind in PLACED:
            continue
        unit = pair.translations.get(lang)
        state = status.states[pair.key][lang]
        finding = status.details.get((pair.key, lang))
        locations = [(pair.source.where.file, pair.source.where.line)]
        if unit is not None:
            locations.append((unit.where.file, unit.where.line))
        stale = state == sync.STALE or (finding is not None and finding.previous is not None)
        message = Message(pair.source.text, unit.text if unit else "", locations=locations,
                          flags=("fuzzy",) if stale else (),
                          auto_comments=[pair.source.what],
                          previous_id=finding.previous if stale and finding and
                          finding.previous else (),
                          context=pair.key)
        message.flags.discard("python-format")  # "14.2% or" is prose, not a format string
        catalog[pair.source.text] = message
    return catalog


def _stamp(doc: Document) -> dt.datetime:
    """The time of the newest content file: exporting twice gives the same file."""
    newest = max((p.stat().st_mtime for p in doc.source_files if p.is_file()), default=0)
    return dt.datetime.fromtimestamp(int(newest), dt.UTC)


def export(doc: Document, lang: str, target: Path, write: Callable[[Path, bytes], None]) -> int:
    """Write the PO file; return how many entries it has."""
    catalog = export_catalog(doc, lang)
    out = io.BytesIO()
    write_po(out, catalog, sort_output=False)
    write(target, _with_previous(out.getvalue().decode("utf-8"), catalog).encode("utf-8"))
    return len(catalog)


def _with_previous(text: str, catalog: Catalog) -> str:
    """Add each fuzzy entry's previous source (``#| msgctxt``, ``#| msgid``) as gettext
    writes it: Babel folds a long previous msgid into comment lines msgfmt cannot read."""
    for message in catalog:
        if not message.previous_id or not message.context:
            continue
        context = f"msgctxt {escape(message.context)}\n"
        lines = [f"#| msgctxt {escape(message.context)}",
                 *(f"#| msgid {line}" if i == 0 else f"#| {line}" for i, line in
                   enumerate(normalize(message.previous_id[0], width=76).split("\n")))]
        text = text.replace("\n" + context, "\n" + "\n".join(lines) + "\n" + context, 1)
    return text


# --------------------------------------------------------------------------- import

@dataclass
class Imported:
    updated: list[str]
    """Keys whose translation was written into the language file."""
    marked: list[str]
    """Keys marked in sync."""
    skipped: list[str]
    """Messages that could not be applied, each with why."""


def read_catalog(file: Path) -> Catalog:
    try:
        with file.open("rb") as handle:
            return read_po(handle, abort_invalid=True)
    except FileNotFoundError:
        raise SetupError(f"translate import: no file {file}") from None
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise SetupError(f"translate import: {file} is not a readable PO file ({exc})") from None


def catalog_language(catalog: Catalog, file: Path) -> str:
    if catalog.locale is None:
        raise SetupError(f"translate import: {file} does not say its language (a 'Language:' "
                         f"header such as 'Language: vi')")
    return str(catalog.locale).replace("_", "-")


def import_catalog(doc: Document, catalog: Catalog, lang: str,
                   write_text: Callable[[Path, str], None]) -> Imported:
    """Write the translations of ``catalog`` into ``lang``'s file and mark them in sync."""
    _records, found, status = _entries(doc, lang)
    by_key = {pair.key: pair for pair in found.pairs}
    result = Imported([], [], [])
    changes: dict[str, str] = {}
    for message in catalog:
        if not message.id or not message.context:
            continue
        key, text = message.context, message.string
        pair = by_key.get(key)
        if pair is None:
            result.skipped.append(f"{key}: no such block in the document any more")
            continue
        if not isinstance(text, str) or not text.strip():
            continue
        current = pair.translations.get(lang)
        if current is None or sync.fingerprint(text) != current.fingerprint:
            problem = _cannot_place(pair, text, found, lang)
            if problem:
                result.skipped.append(f"{key}: {problem}")
                continue
            changes[key] = text
        if message.fuzzy:
            continue
        if sync.fingerprint(str(message.id)) != pair.source.fingerprint:
            result.skipped.append(f"{key}: the source changed since the export; export again")
            continue
        if key in changes or status.states[key][lang] != sync.IN_SYNC:
            result.marked.append(key)
    if changes:
        file = doc.texts[lang].file
        write_text(file, rewrite(file.read_text(encoding="utf-8"), doc, lang, found, changes))
        result.updated = list(changes)
    if result.marked:
        from .pipeline import check_document  # the language file as it now is
        fresh = check_document(doc.folder).doc
        sync.mark_and_write(fresh, lang, result.marked, write_text)
    return result


def _cannot_place(pair: sync.Pair, text: str, found: sync.Alignment, lang: str) -> str | None:
    """Why a translation cannot be written into the language file, if it cannot."""
    if pair.key.endswith("/columns") and pair.key.startswith("tables/"):
        expected = len(pair.source.text.split("\n"))
        if len(text.split("\n")) != expected:
            return f"expected {expected} column headers, one per line, found " \
                   f"{len(text.split(chr(10)))}"
    if pair.section and pair.section in found.absent_sections[lang]:
        return f"section {pair.section!r} does not exist in {lang} yet: add it first"
    if pair.key not in ("title", "abstract", "keywords") and not pair.section \
            and lang not in pair.translations:
        return f"{pair.source.what} has no place in the {lang} file yet: add it by hand first"
    return None


def rewrite(source: str, doc: Document, lang: str, found: sync.Alignment,
            changes: dict[str, str]) -> str:
    """``source`` (a language file) with the translations of ``changes`` put in place."""
    yaml = _round_trip(source)
    data = yaml.load(source)
    for key, text in changes.items():
        _put(data, key, text, found, lang)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 2), (4, 4, 0), (2, 3, 1), (3, 5, 2), (4, 4, 2))
"""Layouts of nested mappings and lists (mapping indent, sequence indent, dash offset) that
language files are commonly written in; the one that reproduces the file is used."""


def _round_trip(source: str):
    """A ruamel.yaml round-tripper that writes ``source`` back byte for byte, when one of the
    common layouts does (else the first, and only the layout of the file may change)."""
    from ruamel.yaml import YAML

    first = None
    for mapping, sequence, offset in INDENTS:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 100_000  # never re-wrap a line the author wrapped
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        out = io.StringIO()
        yaml.dump(yaml.load(source), out)
        if out.getvalue() == source:
            return yaml
        first = first or yaml
    return first


def _put(data: Any, key: str, text: str, found: sync.Alignment, lang: str) -> None:
    pair = next(p for p in found.pairs if p.key == key)
    head, _, tail = key.partition("/")
    if key in ("title", "abstract", "journal"):
        data[key] = _scalar(data.get(key), text, 2)
    elif key == "keywords":
        data["keywords"][:] = text.split("\n")
    elif head in ("authors", "affiliations") and tail:
        data[head][tail] = _scalar(data[head].get(tail), text, 4)
    elif head in ("tables", "figures"):
        item, _, field = tail.partition("/")
        target = data[head][item]
        if field == "columns":
            target["columns"][:] = text.split("\n")
        else:
            target[field] = _scalar(target.get(field), text, 6)
    elif tail == "title" and not pair.section:
        section, depth = _section(data["sections"], head)
        section["title"] = _scalar(section["title"], text, 4 + 4 * depth)
    else:
        section, depth = _section(data["sections"], pair.section)
        blocks = section.setdefault("blocks", [])
        unit = pair.translations.get(lang)
        indent = 10 + 4 * depth
        if unit is not None:
            block = blocks[unit.index]
            kind = next(k for k in block if k != "id")
        else:
            block, kind = None, pair.source.kind
        if kind in ("list", "ordered"):
            value: Any = text.split("\n")
        else:
            value = _scalar(block[kind] if block else None, text, indent)
        if block is not None:
            block[kind] = value
        else:
            from ruamel.yaml.comments import CommentedMap
            blocks.insert(_insert_at(pair, found, lang), CommentedMap({kind: value}))


def _insert_at(pair: sync.Pair, found: sync.Alignment, lang: str) -> int:
    """Where a new translation block goes: before the translation of the next source block."""
    siblings = [p for p in found.pairs if p.section == pair.section]
    after = siblings[siblings.index(pair) + 1:]
    for other in after:
        if lang in other.translations:
            return other.translations[lang].index
    before = [p.translations[lang].index for p in siblings if lang in p.translations]
    return max(before) + 1 if before else 0


def _section(sections: list, section_id: str, depth: int = 0):
    for section in sections:
        if section.get("id") == section_id:
            return section, depth
        found = _section(section.get("sections") or [], section_id, depth + 1)
        if found:
            return found
    return None


def _width(old: Any, default: int) -> int:
    """The width the author wrapped a folded text to: its longest line."""
    folds = getattr(old, "fold_pos", None)
    if not folds:
        return max(default, 30)
    cuts = [0, *folds, len(old)]
    return max(len(old[a:b].strip()) for a, b in itertools.pairwise(cuts))


def _scalar(old: Any, text: str, indent: int):
    """The new text in the style the old one had: a folded block wrapped like the file, or
    a one-line scalar (which the YAML writer quotes if it must)."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if isinstance(old, LiteralScalarString):
        return LiteralScalarString(text)
    if isinstance(old, FoldedScalarString) or len(text) + indent > WRAP:
        # ruamel.yaml declares fold_pos (where the lines break) in __slots__ only, which
        # mypy does not read, and types the constructor's result as Any: so is it here.
        folded: Any = FoldedScalarString(text)
        lines = textwrap.wrap(text, _width(old, WRAP - indent), break_long_words=False,
                              break_on_hyphens=False)
        positions, at = [], 0
        for line in lines[:-1]:
            at = text.index(line, at) + len(line)
            positions.append(at)
        folded.fold_pos = positions
        return folded
    return text


# --------------------------------------------------------------------------- the command

def run(action: str, lang: str, po_file: Path | None, output: Path | None, project) -> None:
    """The ``translate`` command: export each document's PO file, or import one."""
    from . import pipeline, write
    from .project import find_documents

    folders = find_documents(project.content)
    if action == "export":
        if lang in ("all", "") or "+" in lang:
            raise SetupError("translate export: name the translation to export: --lang vi")
        if output is not None and len(folders) > 1:
            raise SetupError(f"translate export: {project.content} holds {len(folders)} "
                             f"documents: name one with --content, or leave out -o")
        for folder in folders:
            doc = pipeline.check_document(folder, False, project).doc
            target = output or project.out / f"{doc.id}.{lang}.po"
            count = export(doc, lang, target, write.write_bytes)
            print(f"wrote {target}: {count} entries for translation into {lang}")
        return
    assert po_file is not None
    catalog = read_catalog(po_file)
    lang_of_file = catalog_language(catalog, po_file)
    if lang not in ("all", lang_of_file):
        raise SetupError(f"translate import: {po_file} is a translation into {lang_of_file}, "
                         f"not {lang}")
    chosen = [f for f in folders if f.name == catalog.project] if len(folders) > 1 else folders
    if not chosen:
        raise SetupError(f"translate import: {po_file} belongs to document "
                         f"{catalog.project!r}, which is not in {project.content}: name its "
                         f"folder with --content")
    doc = pipeline.check_document(chosen[0], False, project).doc
    result = import_catalog(doc, catalog, lang_of_file, write.write_text)
    for why in result.skipped:
        print(f"{po_file}: skipped {why}", file=sys.stderr)
    print(f"read {po_file}: {len(result.updated)} translation(s) written into "
          f"{display_path(doc.texts[lang_of_file].file)}, {len(result.marked)} block(s) "
          f"marked in sync")
