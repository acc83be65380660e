"""Resolve what the content only names: numbers, citations and cross-references.

typed Document → :class:`Resolved`, a format-neutral document: each language as a
:class:`songngu.doctree.TextTree` of inline nodes, every number assigned, the reference list as
structured entries; renderers (the HTML page, the parallel page, JATS) are writers of it, and
nothing here is any output's markup. The model is not changed and no file is read.

Sections are numbered by position ("3.2.1"; appendices "A", "A.1"; sections marked ``numbered:
false`` not at all); tables, figures and equations by order of first placement (the kinds of
:mod:`songngu.kinds` that have a counter); footnotes 1, 2, … through the article in reading
order; every piece of inline markup is parsed once; citation clusters are formatted by the CSL
processor in reading order (so numbers follow first citation), and cross-references get the
number of their target. Unknown citation keys and cross-reference targets, LaTeX that cannot be
typeset and markup left unread are reported with file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import equations
from .cite_format import Bibliography
from .csl_json import Reference
from .doctree import Context, Node, TextTree, convert
from .errors import Problems
from .inline import InlineSyntaxError, Span, leftover_markup, notes_in, parse_inline, walk
from .kinds import KINDS
from .model import Document, Section, Text, Where
from .outline import iter_sections
from .wording import did_you_mean


@dataclass
class Resolved:
    """A document with everything resolved: ``doc`` is a copy of the model whose sections
    carry their numbers (the model given to :func:`resolve` is left as it was); ``texts``
    holds each language as nodes."""

    doc: Document
    texts: dict[str, TextTree]


def resolve(doc: Document, references: dict[str, Reference], problems: Problems,
            strict: bool = False) -> Resolved:
    """Number, parse and cite every language of ``doc``.

    A reference that no language cites, and markup left unread, are warnings (errors when
    ``strict``). Reads no file and changes nothing in ``doc`` or ``references``.
    """
    report = problems.error if strict else problems.warning
    languages = {lang: _resolve_text(doc, text, references, problems, report)
                 for lang, text in doc.texts.items()}
    cited = {key for language in languages.values() for key in language.cited}
    for key, reference in references.items():
        if key not in cited:
            report(reference.file, reference.line, f"reference {key!r} is never cited")
    numbered = replace(doc, texts={
        lang: replace(text, sections=_numbered(text.sections, languages[lang].numbers))
        for lang, text in doc.texts.items()})
    return Resolved(numbered, {
        lang: TextTree(numbered, lang, language.numbers, language.nodes, language.bibliography)
        for lang, language in languages.items()})


@dataclass(frozen=True)
class _Language:
    """What resolving one language gives."""

    numbers: dict[str, str]
    nodes: dict[str, list[Node]]
    bibliography: Bibliography
    cited: set[str]


def _numbered(sections: list[Section], numbers: dict[str, str]) -> list[Section]:
    """Copies of ``sections`` (and their subsections) that carry their numbers."""
    return [replace(section, number=numbers.get(f"section:{section.id}", ""),
                    sections=_numbered(section.sections, numbers)) for section in sections]


def markup_in_order(doc: Document, text: Text):
    """Every piece of inline markup of a language with where it was written, in reading order.

    Table and figure captions and notes count where the table or figure is placed.
    """
    yield text.title, text.where.get("title")
    yield text.abstract, text.where.get("abstract")
    for keyword in text.keywords:
        yield keyword, text.where.get("keywords")
    for section in iter_sections(text.sections):
        yield section.title, section.where
        for block in section.blocks:
            if block.kind == "table" and block.text in text.tables:
                table = text.tables[block.text]
                yield table.caption, table.where
                for group in table.groups:
                    if group.text:
                        yield group.text, table.where
                for header in table.columns:
                    yield header, table.where
                for cell in _text_cells(doc, text, block.text):
                    yield cell, table.where
                if table.note:
                    yield table.note, table.where
            elif block.kind == "figure" and block.text in text.figures:
                figure = text.figures[block.text]
                for markup in (*figure.parts, figure.caption, figure.source):
                    if markup:
                        yield markup, figure.where
            elif block.kind in ("list", "ordered"):
                for item in block.items:
                    yield item, block.where
            elif KINDS[block.kind].value == "markup":
                yield block.text, block.where
    if text.funding:
        yield text.funding, text.where.get("funding")


def _text_cells(doc: Document, text: Text, table_id: str):
    """The text cells of a table in this language, row by row."""
    data, words = doc.tables[table_id], text.tables[table_id]
    for r, row in enumerate(data.rows):
        for c in data.text_columns():
            if words.rows:
                yield words.rows[r][data.text_columns().index(c)]
            elif isinstance(row[c], dict):
                yield row[c].get(text.lang, "")
            elif row[c]:
                yield row[c]


def number_targets(text: Text) -> dict[str, str]:
    """Section numbers by position; tables and figures by order of placement."""
    numbers: dict[str, str] = {}

    def number_sections(sections, prefix=""):
        counted = appendices = 0
        for section in sections:
            if not section.numbered:
                number = ""
            elif section.appendix:
                appendices += 1
                number = chr(ord("A") + appendices - 1) if appendices <= 26 \
                    else f"A{appendices}"
            else:
                counted += 1
                number = f"{prefix}{counted}"
            numbers[f"section:{section.id}"] = number
            number_sections(section.sections, number + "." if number else "")

    number_sections(text.sections)
    counters = {kind.counter: 0 for kind in KINDS.values() if kind.counter}
    for section in iter_sections(text.sections):
        for block in section.blocks:
            counter = KINDS[block.kind].counter
            if not counter:
                continue
            name = KINDS[block.kind].target(block)
            key = f"{counter}:{name}" if name else ""
            if key and key in numbers:
                continue
            counters[counter] += 1
            if key:
                numbers[key] = str(counters[counter])
            numbers[f"{counter}@{block.key}"] = str(counters[counter])
    return numbers


def _resolve_text(doc: Document, text: Text, references: dict[str, Reference],
                  problems: Problems, report) -> _Language:
    numbers = number_targets(text)
    parsed: dict[str, list[Span]] = {}
    clusters: list[Span] = []
    notes: dict[str, str] = {}
    note_numbers: dict[int, tuple[str, bool]] = {}
    for markup, where in markup_in_order(doc, text):
        if markup in parsed:
            clusters.extend(s for s in walk(parsed[markup]) if s.kind == "cite")
            continue
        where = where or Where(str(text.file), 0)
        try:
            spans = parse_inline(markup, text.footnotes)
        except InlineSyntaxError as exc:
            # A citation's mistake is found on the line of its "[@", a footnote's on its "[^".
            problems.error(where.file, _line_of(where, exc.needle or (
                "[^" if "footnote" in str(exc) else "[@")), str(exc))
            continue
        parsed[markup] = spans
        _number_notes(spans, notes, note_numbers, where, problems)
        _check_leftovers(spans, references, where, report)
        for span in walk(spans):
            if span.kind == "xref":
                _check_xref(span, numbers, where, problems)
            elif span.kind == "cite":
                if _known_cites(span, references, where, problems):
                    clusters.append(span)
            elif span.kind == "math" and (why := equations.problem(span.text)):
                problems.error(where.file, _line_of(where, "$"),
                               f"math ${span.text}$: expected LaTeX, found {why}")
    for section in iter_sections(text.sections):
        for block in section.blocks:
            if KINDS[block.kind].value == "latex" and (why := equations.problem(block.text)):
                problems.error(block.where.file, block.where.line,
                               f"equation: expected LaTeX, found {why}")
    bibliography = Bibliography(references, doc.style, text.lang)
    formatted = bibliography.cite_parts([span.cites for span in clusters])
    context = Context(clusters={id(span): parts for span, parts in zip(clusters, formatted)},
                      notes=note_numbers, numbers=numbers,
                      entry_numbers=bibliography.numbers())
    nodes = {markup: convert(spans, context) for markup, spans in parsed.items()}
    return _Language(numbers, nodes, bibliography,
                     {item.key for span in clusters for item in span.cites})


def _number_notes(spans: list[Span], notes: dict[str, str],
                  numbers: dict[int, tuple[str, bool]], where: Where,
                  problems: Problems) -> None:
    """Number the footnotes 1, 2, … in reading order; a label used again keeps its number.
    ``notes``: label (or ``#n``) → number so far; ``numbers``: id(note span) → (number,
    whether it repeats a note written before)."""
    for note in notes_in(spans):
        if notes_in(note.children):
            problems.error(where.file, _line_of(where, "^["),
                           "a footnote holds another footnote: write the second one after it")
        if note.target and note.target in notes:
            numbers[id(note)] = (notes[note.target], True)
            continue
        number = str(sum(1 for key in notes if key.startswith("#")) + 1)
        numbers[id(note)] = (number, False)
        notes[note.target or f"#{number}"] = number
        if note.target:
            notes[f"#{number}"] = number


def _check_leftovers(spans: list[Span], references: dict[str, Reference], where: Where,
                     report) -> None:
    """Markup the parser did not read would print as typed: say so, with its line."""
    for found, message in leftover_markup(spans):
        report(where.file, _line_of(where, found), f"{message}; it would print as typed")
    for span in walk(spans):
        if span.kind != "text":
            continue
        for key in re.findall(r"(?<![\w\[])@([\w][\w:.-]*\w|\w)", span.text):
            if key in references:
                report(where.file, _line_of(where, "@" + key),
                       f"'@{key}' names a reference but is not a citation: write [@{key}] "
                       f"(it would print as typed)")


def _check_xref(span: Span, numbers: dict[str, str], where: Where, problems: Problems) -> None:
    """A cross-reference names a target that has a number."""
    if numbers.get(span.target):
        return
    if span.target in numbers:
        problems.error(where.file, _line_of(where, span.target.partition(":")[2]),
                       f"cross-reference to the unnumbered section "
                       f"{span.target.partition(':')[2]!r}: it has no number to show (link to "
                       f"it in words, or number it)")
        return
    kind, _, target = span.target.partition(":")
    known = [k.partition(":")[2] for k in numbers if k.startswith(kind + ":")]
    hint = did_you_mean(target, known, f"known: {', '.join(known) or 'none'}", count=3)
    hint = f" ({hint})"
    problems.error(where.file, _line_of(where, target),
                   f"cross-reference to unknown {kind} {target!r}{hint}")


def _known_cites(span: Span, references: dict[str, Reference], where: Where,
                 problems: Problems) -> bool:
    ok = True
    for item in span.cites:
        if item.key not in references:
            hint = did_you_mean(item.key, references,
                                f"known: {', '.join(sorted(references)[:8]) or 'none'}", count=3)
            problems.error(where.file, _line_of(where, "@" + item.key),
                           f"unknown citation {item.key!r} ({hint})")
            ok = False
    return ok


def _line_of(where: Where, needle: str, reach: int = 200) -> int:
    """The line, at or after the start of a block, on which ``needle`` was typed.

    A paragraph spans many lines of its file; pointing at the line of the citation itself
    saves the user a search. The lines are those the loader read (``Where.source``): no file
    is read again. Falls back to the block's first line.
    """
    lines = where.source
    for number in range(max(where.line, 1), min(where.line + reach, len(lines) + 1)):
        if needle in lines[number - 1]:
            return number
    return where.line
