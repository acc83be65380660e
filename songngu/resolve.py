"""Resolve what the content only names: numbers, citations, cross-references and footnotes.

typed Document → :class:`Resolved`, a format-neutral document: each language as a
:class:`songngu.doctree.TextTree`, a tree that mirrors the article (its front matter: title,
abstract, keywords, funding, names; its sections, each with its title, number and anchor; each
block as what its kind of :mod:`songngu.kinds` holds: a paragraph's text, a list's items, a
table's caption, header groups, column headers, cells and note, a figure's caption, parts,
source and alt text, an equation's LaTeX, each with its number and anchor), every piece of
text as inline nodes, every number assigned, the reference list as structured entries.
Renderers (the HTML page, the parallel page, JATS, metadata) are functions of this tree: none
looks text up by what was typed, and nothing here is any output's markup. The model is not
changed and no file is read.

Sections are numbered by position ("3.2.1"; appendices "A", "A.1"; sections marked ``numbered:
false`` not at all); tables, figures and equations by order of first placement (the kinds of
:mod:`songngu.kinds` that have a counter); footnotes 1, 2, … through the article in reading
order. Each piece of markup is parsed where it stands, so text typed alike in two places is
two pieces: each of its footnotes takes its own number, each of its citations its own place
in the order the CSL processor formats them (so numbers follow first citation).
Cross-references get the number of their target. Unknown citation keys and cross-reference
targets, LaTeX that cannot be typeset and markup left unread are reported with file and line,
each once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import doctree, equations
from .cite_format import Bibliography
from .csl_json import Reference
from .doctree import Context, Node, TextTree, convert
from .errors import Problems
from .inline import InlineSyntaxError, Span, leftover_markup, notes_in, parse_inline, walk
from .kinds import KINDS
from .model import Block, Document, Section, Text, Where
from .outline import iter_sections
from .wording import did_you_mean


@dataclass
class Resolved:
    """A document with everything resolved: ``doc`` holds the data every language shares (a
    copy of the model's top level: a caller may place it in an issue without touching the
    model); ``texts`` holds each language as its tree."""

    doc: Document
    texts: dict[str, TextTree]


def resolve(doc: Document, references: dict[str, Reference], problems: Problems,
            strict: bool = False) -> Resolved:
    """Number, parse and cite every language of ``doc``.

    A reference that no language cites, and markup left unread, are warnings (errors when
    ``strict``). Reads no file and changes nothing in ``doc`` or ``references``.
    """
    report = problems.error if strict else problems.warning
    trees: dict[str, TextTree] = {}
    cited: set[str] = set()
    for lang, text in doc.texts.items():
        trees[lang], cites = _resolve_text(doc, text, references, problems, report)
        cited |= cites
    for key, reference in references.items():
        if key not in cited:
            report(reference.file, reference.line, f"reference {key!r} is never cited")
    return Resolved(replace(doc), trees)


def number_targets(text: Text) -> dict[str, str]:
    """Section numbers by position; tables, figures and the other counted kinds by order of
    placement: ``section:id``, ``table:id``, ``equation:label`` and ``<counter>@<block key>``
    → the number shown."""
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


# --------------------------------------------------------------------------- one language

def _resolve_text(doc: Document, text: Text, references: dict[str, Reference],
                  problems: Problems, report) -> tuple[TextTree, set[str]]:
    """One language's tree, and the keys it cites."""
    numbers = number_targets(text)
    reader = _Reader(text, references, numbers, problems, report)
    # In reading order: the footnotes are numbered, and the citations formatted, as read.
    front = doctree.Front(
        title=reader.inline(text.title, text.where.get("title")),
        abstract=reader.inline(text.abstract, text.where.get("abstract")),
        keywords=[reader.inline(keyword, text.where.get("keywords"))
                  for keyword in text.keywords],
        funding=[], authors=dict(text.authors), affiliations=dict(text.affiliations),
        journal_name=text.journal_name)
    sections = [_section(reader, doc, text, section, numbers) for section in text.sections]
    front.funding = reader.inline(text.funding, text.where.get("funding"))
    for section in iter_sections(text.sections):
        for block in section.blocks:
            if KINDS[block.kind].value == "latex" and (why := equations.problem(block.text)):
                reader.error(block.where.file, block.where.line,
                             f"equation: expected LaTeX, found {why}")
    bibliography = Bibliography(references, doc.style, text.lang)
    reader.finish(bibliography)
    return TextTree(text.lang, front, sections, numbers, bibliography), \
        {item.key for span in reader.clusters for item in span.cites} | reader.unread_keys


def _section(reader: _Reader, doc: Document, text: Text, section: Section,
             numbers: dict[str, str]) -> doctree.Section:
    title = reader.inline(section.title, section.where)
    blocks = [built for block in section.blocks
              if (built := _block(reader, doc, text, block, numbers)) is not None]
    return doctree.Section(
        section.id, title, numbers.get(f"section:{section.id}", ""), section.level,
        section.numbered, section.appendix, f"sec-{section.id}", blocks,
        [_section(reader, doc, text, sub, numbers) for sub in section.sections])


def _block(reader: _Reader, doc: Document, text: Text, block: Block,
           numbers: dict[str, str]) -> doctree.Block | None:
    kind = KINDS[block.kind]
    target = kind.target(block) if kind.xref else ""
    if not kind.anchor:
        anchor = ""
    elif kind.xref:
        anchor = f"{kind.anchor}{target}" if target else ""
    else:  # named by no cross-reference: anchored by its label, else its place
        anchor = kind.anchor + (block.label or block.key.replace("/", "-"))
    common = dict(kind=block.kind, key=block.key, label=block.label, target=target,
                  number=numbers.get(f"{kind.counter}@{block.key}", "") if kind.counter
                  else "", anchor=anchor)
    return BUILDERS[kind.name if kind.value == "id" else kind.value](
        reader, doc, text, block, common)


Builder = Callable[["_Reader", Document, Text, Block, dict], "doctree.Block | None"]


def _text_block(reader: _Reader, doc: Document, text: Text, block: Block,
                common: dict) -> doctree.Block:
    return doctree.TextBlock(**common, nodes=reader.inline(block.text, block.where))


def _list_block(reader: _Reader, doc: Document, text: Text, block: Block,
                common: dict) -> doctree.Block:
    return doctree.ListBlock(**common, items=[reader.inline(item, block.where)
                                              for item in block.items])


def _equation(reader: _Reader, doc: Document, text: Text, block: Block,
              common: dict) -> doctree.Block:
    return doctree.Equation(**common, latex=block.text)


def _table(reader: _Reader, doc: Document, text: Text, block: Block,
           common: dict) -> doctree.Block | None:
    """A table's words in this language and its numbers, read caption first, then the header
    groups, the column headers, the cells row by row and the note."""
    data, words = doc.tables.get(block.text), text.tables.get(block.text)
    if data is None or words is None:  # reported by the model's checks
        return None
    where = words.where
    caption = reader.inline(words.caption, where)
    groups = [doctree.HeaderGroup(group.span, reader.inline(group.text, where)
                                  if group.text else None) for group in words.groups]
    columns = [doctree.Column(reader.inline(words.columns[c], where)
                              if c < len(words.columns) else [],
                              column.kind, column.pattern, column.align)
               for c, column in enumerate(data.columns)]
    text_columns = data.text_columns()
    rows = []
    for r, row in enumerate(data.rows):
        cells = []
        for c, value in enumerate(row):
            if c >= len(data.columns) or data.columns[c].kind != "text":
                cells.append(doctree.Cell(value=value))
                continue
            if words.rows:  # the language's own text cells
                own = words.rows[r] if r < len(words.rows) else []
                index = text_columns.index(c)
                markup = own[index] if index < len(own) else ""
            else:  # the same text in every language, or a mapping of each one's
                markup = value.get(text.lang, "") if isinstance(value, dict) else value
            cells.append(doctree.Cell(nodes=reader.inline(markup, where) if markup else None))
        rows.append(cells)
    note = reader.inline(words.note, where)
    return doctree.Table(**common, caption=caption, columns=columns, groups=groups, rows=rows,
                         note=note, empty=data.empty)


SUBFIGURE_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _figure(reader: _Reader, doc: Document, text: Text, block: Block,
            common: dict) -> doctree.Block | None:
    """A figure's words in this language and its files, read part by part, then its caption
    and source."""
    data, words = doc.figures.get(block.text), text.figures.get(block.text)
    if data is None or words is None:  # reported by the model's checks
        return None
    where = words.where
    captions = [reader.inline(words.parts[n] if n < len(words.parts) else "", where)
                for n in range(len(data.parts))]
    caption = reader.inline(words.caption, where)
    alt = " ".join(words.alt.split()) or reader.plain(caption)
    parts = [doctree.Subfigure(SUBFIGURE_LETTERS[n] if n < len(SUBFIGURE_LETTERS)
                               else str(n + 1), _relative(doc, file), captions[n],
                               reader.plain(captions[n]) or reader.plain(caption))
             for n, file in enumerate(data.parts)]
    return doctree.Figure(**common, path=_relative(doc, data.file), width=data.width,
                          caption=caption, alt=alt,
                          source=reader.inline(words.source, where), parts=parts)


def _relative(doc: Document, file) -> str:
    return file.relative_to(doc.folder).as_posix()


BUILDERS: dict[str, Builder] = {
    "markup": _text_block, "items": _list_block, "latex": _equation,
    "table": _table, "figure": _figure,
}
"""How a block becomes a block of the tree, by what its kind holds (``value`` in
:mod:`songngu.kinds`): a new kind that holds text, items or LaTeX needs no entry here. The
kinds that hold the id of a table or a figure of document.yaml are built by their name."""


_NAMED_KEY = re.compile(r"@([^\s;,\]\[@]+)")
"""A reference key as a citation names it (``[@vu2007, p. 5]``), found in markup that could
not be read."""


class _Reader:
    """Reads one language's markup in reading order: each piece parsed where it stands, its
    footnotes numbered, its citations queued for the CSL processor, its mistakes reported
    (each once). The nodes of a piece are filled in by :meth:`finish`, once every citation
    is known."""

    def __init__(self, text: Text, references: dict[str, Reference], numbers: dict[str, str],
                 problems: Problems, report):
        self.text = text
        self.references = references
        self.numbers = numbers
        self.problems = problems
        self._report = report
        self.read: list[tuple[list[Span], list[Node]]] = []
        self.clusters: list[Span] = []
        self.notes: dict[str, str] = {}
        """Footnote label (or ``#n``) → its number so far."""
        self.note_numbers: dict[int, tuple[str, bool]] = {}
        """id(note span) → (its number, whether it repeats a note written before)."""
        self.spans: dict[int, list[Span]] = {}
        """id(a piece's nodes) → its spans."""
        self.said: set[tuple[str, int, str]] = set()
        self.unread_keys: set[str] = set()
        """The references named in markup that could not be read: cited all the same (the
        mistake is reported; a "never cited" warning would be a second, untrue one)."""

    def error(self, file: str, line: int, message: str) -> None:
        if (file, line, message) not in self.said:
            self.said.add((file, line, message))
            self.problems.error(file, line, message)

    def report(self, file: str, line: int, message: str) -> None:
        """A warning, or an error when strict."""
        if (file, line, message) not in self.said:
            self.said.add((file, line, message))
            self._report(file, line, message)

    def inline(self, markup: str, where: Where | None) -> list[Node]:
        """The nodes of one piece of markup (filled in by :meth:`finish`)."""
        nodes: list[Node] = []
        if not markup:
            return nodes
        where = where or Where(str(self.text.file), 0)
        try:
            spans = parse_inline(markup, self.text.footnotes)
        except InlineSyntaxError as exc:
            # A citation's mistake is found on the line of its "[@", a footnote's on its "[^".
            self.error(where.file, _line_of(where, exc.needle or (
                "[^" if "footnote" in str(exc) else "[@")), str(exc))
            for message, needle in exc.more:
                self.error(where.file, _line_of(where, needle), message)
            self.unread_keys |= {key for key in _NAMED_KEY.findall(markup)
                                 if key in self.references}
            nodes.append(doctree.Text(markup))
            return nodes
        self._number_notes(spans, where)
        self._check_leftovers(spans, where)
        for span in walk(spans):
            if span.kind == "xref":
                self._check_xref(span, where)
            elif span.kind == "cite":
                if self._known_cites(span, where):
                    self.clusters.append(span)
            elif span.kind == "math" and (why := equations.problem(span.text)):
                self.error(where.file, _line_of(where, "$"),
                           f"math ${span.text}$: expected LaTeX, found {why}")
        self.read.append((spans, nodes))
        self.spans[id(nodes)] = spans
        return nodes

    def plain(self, nodes: list[Node]) -> str:
        """The text of a piece read by :meth:`inline`, on one line, before :meth:`finish`
        (citations, cross-references and footnotes have no text in it)."""
        return doctree.plain_line(convert(self.spans.get(id(nodes), [])))

    def finish(self, bibliography: Bibliography) -> None:
        """Format every citation in reading order, then fill in the nodes of every piece."""
        formatted = bibliography.cite_parts([span.cites for span in self.clusters])
        context = Context(clusters={id(span): parts
                                    for span, parts in zip(self.clusters, formatted)},
                          notes=self.note_numbers, numbers=self.numbers,
                          entry_numbers=bibliography.numbers())
        for spans, nodes in self.read:
            nodes.extend(convert(spans, context))

    def _number_notes(self, spans: list[Span], where: Where) -> None:
        """Number the footnotes 1, 2, … in reading order; a label used again keeps its
        number."""
        for note in notes_in(spans):
            if notes_in(note.children):
                self.error(where.file, _line_of(where, "^["),
                           "a footnote holds another footnote: write the second one after it")
            if note.target and note.target in self.notes:
                self.note_numbers[id(note)] = (self.notes[note.target], True)
                continue
            number = str(sum(1 for key in self.notes if key.startswith("#")) + 1)
            self.note_numbers[id(note)] = (number, False)
            self.notes[note.target or f"#{number}"] = number
            if note.target:
                self.notes[f"#{number}"] = number

    def _check_leftovers(self, spans: list[Span], where: Where) -> None:
        """Markup the parser did not read would print as typed: say so, with its line."""
        for found, message in leftover_markup(spans):
            self.report(where.file, _line_of(where, found), f"{message}; it would print as typed")
        for span in walk(spans):
            if span.kind != "text":
                continue
            for key in re.findall(r"(?<![\w\[])@([\w][\w:.-]*\w|\w)", span.text):
                if key in self.references:
                    self.report(where.file, _line_of(where, "@" + key),
                                f"'@{key}' names a reference but is not a citation: write "
                                f"[@{key}] (it would print as typed)")

    def _check_xref(self, span: Span, where: Where) -> None:
        """A cross-reference names a target that has a number."""
        numbers = self.numbers
        if numbers.get(span.target):
            return
        if span.target in numbers:
            self.error(where.file, _line_of(where, span.target.partition(":")[2]),
                       f"cross-reference to the unnumbered section "
                       f"{span.target.partition(':')[2]!r}: it has no number to show (link to "
                       f"it in words, or number it)")
            return
        kind, _, target = span.target.partition(":")
        known = [k.partition(":")[2] for k in numbers if k.startswith(kind + ":")]
        hint = did_you_mean(target, known, f"known: {', '.join(known) or 'none'}", count=3)
        self.error(where.file, _line_of(where, target),
                   f"cross-reference to unknown {kind} {target!r} ({hint})")

    def _known_cites(self, span: Span, where: Where) -> bool:
        ok = True
        for item in span.cites:
            if item.key not in self.references:
                hint = did_you_mean(item.key, self.references,
                                    f"known: {', '.join(sorted(self.references)[:8]) or 'none'}",
                                    count=3)
                self.error(where.file, _line_of(where, "@" + item.key),
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
