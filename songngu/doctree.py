"""The format-neutral document that resolving gives: typed blocks, inline nodes, numbers, notes.

One language of a resolved document is a :class:`TextTree` that mirrors the article: its
:class:`Front` (title, abstract, keywords and funding as nodes; the names of its authors and
affiliations), its :class:`Section` tree (title, number, anchor, blocks, subsections), and in
each section its blocks, typed by what their kind of :mod:`songngu.kinds` holds:
:class:`TextBlock` (paragraph, subheading, quotation, box), :class:`ListBlock`,
:class:`Equation`, :class:`Table` (caption, header groups, columns with their headers, cells,
note) and :class:`Figure` (caption, subfigures, source, plain alt text), each with its number
and anchor. Every piece of text is a list of typed inline nodes (text, styled text, links,
citations with the numbers of their entries, cross-references with kind and number,
footnotes with their number and text, math as its LaTeX), one list per place it is written:
text typed alike in two places is two lists. The tree also holds the number of every
numbered target, the footnotes in order, and the reference list as :class:`Entry` records
whose printed form is nodes too. Nothing here is HTML, JATS or any other output's markup:
each output walks the tree and writes its nodes (the HTML page and the parallel page, the
templates and :mod:`songngu.html_inline`; the JATS file, :mod:`songngu.jats`; plain text for
metadata and alt text, :func:`plain_line`).

The printed form of citations and entries comes from citeproc-py through
:data:`songngu.cite_format.FORMATTER`, which marks styles with control characters;
:func:`marked_nodes` turns its output into nodes.

Adding a kind of inline content is one entry in :data:`FROM_SPAN` (how a parsed span becomes a
node, with a node class if none fits) and one writer per output (``jats.INLINE``,
``html_inline.INLINE``); a test checks that every node class has its writers. A kind of block
that holds text, items or LaTeX needs no class here: :data:`songngu.resolve.BUILDERS` builds
it by what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .cite_format import FORMATTER as FORMATTER  # the formatter whose marks are read here
from .cite_format import STYLE_CODES, STYLE_END, STYLE_OPEN, FormattedCluster
from .inline import Span

if TYPE_CHECKING:
    from .cite_format import Bibliography

# --------------------------------------------------------------------------- nodes

@dataclass
class Text:
    text: str


@dataclass
class Styled:
    """Text set in a style: one of :data:`STYLES`."""

    style: str
    children: list[Node] = field(default_factory=list)


STYLES = ("emphasis", "strong", "superscript", "subscript", "monospace", "smallcaps",
          "underline")


@dataclass
class Link:
    href: str
    children: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Cited:
    """One source of a citation: its key, its entry's number, the pinpoint typed."""

    key: str
    number: int
    label: str | None = None
    locator: str | None = None


@dataclass
class Citation:
    """A citation cluster as printed: text and :class:`CiteRef` children."""

    items: list[Cited]
    children: list[Node] = field(default_factory=list)


@dataclass
class CiteRef:
    """The printed part of a citation that points at entries: one (``[3]``), or a compressed
    run (``[3]–[5]``): ``children`` then print its first item and ``last`` its last."""

    keys: tuple[str, ...]
    children: list[Node] = field(default_factory=list)
    last: list[Node] = field(default_factory=list)


@dataclass
class CrossRef:
    """A reference to a numbered part of the document: ``table``, ``figure``, ``section``."""

    kind: str
    target: str
    number: str


@dataclass
class Note:
    """A footnote call and its text: ``number`` as resolved; ``repeat`` for a ``[^label]``
    used again, which calls the note already written."""

    number: str
    repeat: bool = False
    children: list[Node] = field(default_factory=list)


@dataclass
class Math:
    """Inline math: its LaTeX source."""

    latex: str


Node = Text | Styled | Link | Citation | CiteRef | CrossRef | Note | Math
NODE_TYPES = (Text, Styled, Link, Citation, CiteRef, CrossRef, Note, Math)


def plain(nodes: list[Node]) -> str:
    """The text a reader sees, citations, cross-references and footnotes left out; math as
    its LaTeX source."""
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Math):
            out.append(node.latex)
        elif isinstance(node, (Styled, Link)):
            out.append(plain(node.children))
    return "".join(out)


def plain_line(nodes: list[Node]) -> str:
    """:func:`plain` on one line, spaces collapsed: for alt text, titles and metadata."""
    return " ".join(plain(nodes).split())


# --------------------------------------------------------------------------- from markup

@dataclass(frozen=True)
class Context:
    """What converting parsed spans needs, as resolved: the formatted citation clusters and
    the footnotes' numbers (by the span's identity), the targets' and the entries' numbers."""

    clusters: dict[int, FormattedCluster] = field(default_factory=dict)
    notes: dict[int, tuple[str, bool]] = field(default_factory=dict)
    """id(note span) → (its number, whether it repeats a note written before)."""
    numbers: dict[str, str] = field(default_factory=dict)
    """``section:id`` → "3.1", as resolved."""
    entry_numbers: dict[str, int] = field(default_factory=dict)


def _children(span: Span, context: Context) -> list[Node]:
    return convert(span.children, context)


def _styled(style: str) -> Callable[[Span, Context], Node]:
    return lambda span, context: Styled(style, _children(span, context))


def _citation(span: Span, context: Context) -> Node:
    items = [Cited(item.key, context.entry_numbers.get(item.key, 0), item.label, item.locator)
             for item in span.cites]
    cluster = context.clusters.get(id(span))
    return Citation(items, cluster_nodes(cluster) if cluster is not None else [])


def cluster_nodes(cluster: FormattedCluster) -> list[Node]:
    """A citation cluster as printed: its text, and a :class:`CiteRef` for each item or run."""
    children: list[Node] = list(marked_nodes(cluster.head))
    for n, run in enumerate(cluster.groups):
        if n:
            children += marked_nodes(cluster.between[n - 1])
        children.append(CiteRef(run.keys, marked_nodes(run.text), marked_nodes(run.last)))
    children += marked_nodes(cluster.tail)
    return _merge(children)


def _xref(span: Span, context: Context) -> Node:
    kind, _, target = span.target.partition(":")
    return CrossRef(kind, target, context.numbers.get(span.target, ""))


def _note(span: Span, context: Context) -> Node:
    number, repeat = context.notes.get(id(span), ("", False))
    return Note(number, repeat, _children(span, context))


FROM_SPAN: dict[str, Callable[[Span, Context], Node]] = {
    "text": lambda span, context: Text(span.text),
    "em": _styled("emphasis"),
    "strong": _styled("strong"),
    "sup": _styled("superscript"),
    "sub": _styled("subscript"),
    "code": lambda span, context: Styled("monospace", [Text(span.text)]),
    "link": lambda span, context: Link(span.href, _children(span, context)),
    "cite": _citation,
    "xref": _xref,
    "note": _note,
    "math": lambda span, context: Math(span.text),
}
"""How each kind of parsed span (:mod:`songngu.inline`) becomes a node."""


def convert(spans: list[Span], context: Context | None = None) -> list[Node]:
    """Parsed spans as nodes; without ``context``, as not yet resolved (no numbers)."""
    context = context or Context()
    out = []
    for span in spans:
        if span.kind not in FROM_SPAN:
            raise ValueError(f"no node for inline {span.kind!r}: add it to doctree.FROM_SPAN")
        out.append(FROM_SPAN[span.kind](span, context))
    return out


def walk(nodes: list[Node]):
    """Every node, depth first (a compressed run's last item included)."""
    for node in nodes:
        yield node
        yield from walk(getattr(node, "children", []))
        if isinstance(node, CiteRef):
            yield from walk(node.last)


# --------------------------------------------------------------------------- citeproc output

NUMBER_LABEL = re.compile(r"(?<![\w.])(pp?|tr|vol|no|ch|sec|fig|tập|số|chương|mục|hình)(\.?) "
                          r"(?=\d)", re.IGNORECASE)
"""A page, volume, issue, chapter, section or figure label before its number, in English or
Vietnamese ("pp. 28–36", "tr. 111", "tập 3, số 2", "Fig. 4"): joined to it by a no-break
space, so that no line of a citation or a reference ends on the label with its number on the
next."""


def marked_nodes(text: str) -> list[Node]:
    """The nodes of a string made with :data:`FORMATTER` (styles as marks, never tags), each
    label of a number (:data:`NUMBER_LABEL`) kept on the line of its number."""
    text = NUMBER_LABEL.sub("\\1\\2\u00a0", text)
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    i = 0
    while i < len(text):
        char = text[i]
        if char == STYLE_OPEN and i + 1 < len(text):
            node = Styled(STYLE_CODES.get(text[i + 1], "light"))
            stack[-1].append(node)
            stack.append(node.children)
            i += 2
            continue
        if char == STYLE_END and len(stack) > 1:
            stack.pop()
        elif char not in (STYLE_OPEN, STYLE_END):
            stack[-1].append(Text(char))
        i += 1
    return _merge(_unwrap_light(root))


def _unwrap_light(nodes: list[Node]) -> list[Node]:
    """A "light" weight is the normal weight in every output: its text stays, unstyled."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Styled):
            node.children = _unwrap_light(node.children)
            if node.style == "light":
                out.extend(node.children)
                continue
        out.append(node)
    return out


def _merge(nodes: list[Node]) -> list[Node]:
    """Adjacent texts as one, at every depth; empty texts dropped."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, (Styled, Link, CiteRef, Citation, Note)):
            node.children = _merge(node.children)
        if isinstance(node, CiteRef):
            node.last = _merge(node.last)
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif not (isinstance(node, Text) and not node.text):
            out.append(node)
    return out


# --------------------------------------------------------------------------- one language

@dataclass
class Entry:
    """One entry of the reference list."""

    key: str
    number: int
    """Its position in the list, from 1."""
    label: str
    """The number as the style sets it apart ("[1]"), or empty."""
    printed: list[Node]
    """The entry as printed, its URL and DOI as links."""
    record: dict
    """The CSL-JSON record it was formatted from."""


# --------------------------------------------------------------------------- blocks

@dataclass(kw_only=True)
class Block:
    """One block of a section, as resolved: a kind of :mod:`songngu.kinds` (``kind``), with
    its number and the anchor that cross-references point at."""

    kind: str
    """Its name in :data:`songngu.kinds.KINDS`: ``p``, ``table``, ``box``, …"""
    key: str
    """``<section>/<id or position>``, as in the model."""
    label: str = ""
    """The author's label (``{#eq:energy}``, a subheading's ``{#trade}``), or ``""``."""
    target: str = ""
    """The name a cross-reference gives it (``[@tbl:<target>]``): a table's or figure's id
    of document.yaml, a label; ``""`` when it has none."""
    number: str = ""
    """Its number as shown ("2") when its kind is numbered, else ``""``."""
    anchor: str = ""
    """Its id, which links point at (``tbl-trade``, ``eq-energy``, a subheading's
    ``sub-intro-2``); ``""`` when nothing links to it."""

    def pieces(self) -> Iterator[list[Node]]:
        """Every piece of its text, as nodes, in reading order."""
        return iter(())


@dataclass(kw_only=True)
class TextBlock(Block):
    """A block that is one piece of text (a kind whose ``value`` is ``markup``): paragraph,
    subheading, quotation, box."""

    nodes: list[Node]

    def pieces(self) -> Iterator[list[Node]]:
        yield self.nodes


@dataclass(kw_only=True)
class ListBlock(Block):
    """A list (``value: items``): each item's nodes; ``kind`` says whether it is numbered."""

    items: list[list[Node]]

    def pieces(self) -> Iterator[list[Node]]:
        yield from self.items


@dataclass(kw_only=True)
class Equation(Block):
    """A display equation (``value: latex``): its LaTeX."""

    latex: str


@dataclass
class Column:
    """A column of a table: its header and how its cells are set."""

    header: list[Node]
    kind: str
    """``text``, ``number``, ``percent`` or ``year`` (:data:`songngu.model.COLUMN_KINDS`)."""
    pattern: str | None
    """How its numbers are formatted (a Babel pattern), or None for the default."""
    align: str


@dataclass
class HeaderGroup:
    """A cell of a table's first header row: text spanning ``span`` columns, or None (the
    columns' own headers then span both header rows)."""

    span: int
    nodes: list[Node] | None


@dataclass
class Cell:
    """One cell of a table: a text cell's nodes (None when it is empty, which prints the
    table's ``empty``), or a number cell's value, which each output formats in its
    language."""

    value: Any = None
    nodes: list[Node] | None = None


@dataclass(kw_only=True)
class Table(Block):
    """A table (its id is ``target``): caption, column headers, header groups, cells, note."""

    caption: list[Node]
    columns: list[Column]
    groups: list[HeaderGroup]
    rows: list[list[Cell]]
    note: list[Node]
    empty: str
    """What an empty cell prints."""

    def pieces(self) -> Iterator[list[Node]]:
        yield self.caption
        yield from (group.nodes for group in self.groups if group.nodes is not None)
        yield from (column.header for column in self.columns)
        yield from (cell.nodes for row in self.rows for cell in row if cell.nodes is not None)
        yield self.note


@dataclass
class Subfigure:
    """A part of a figure: (a), (b), …"""

    letter: str
    """Its label without the brackets: ``a``, ``b``, … (from the 27th, its number)."""
    path: str
    """Its image file, relative to the document's folder (``/``-separated)."""
    caption: list[Node]
    alt: str
    """What the image shows, in plain text: its caption's text, else the figure's."""


@dataclass(kw_only=True)
class Figure(Block):
    """A figure (its id is ``target``): its image or its subfigures, caption and source."""

    path: str
    """Its image file, relative to the document's folder; with parts, the first part's."""
    width: float
    """Its width as a share of the text width; 0 for its natural size."""
    caption: list[Node]
    alt: str
    """What the image shows, in plain text: the alt text written, else the caption's text."""
    source: list[Node]
    parts: list[Subfigure]

    def pieces(self) -> Iterator[list[Node]]:
        yield from (part.caption for part in self.parts)
        yield self.caption
        yield self.source


@dataclass
class Section:
    """A section as resolved: its title, number and anchor, its blocks, its subsections."""

    id: str
    title: list[Node]
    number: str
    """"3.2", "A" (an appendix), or ``""`` for an unnumbered section."""
    level: int
    numbered: bool
    appendix: bool
    anchor: str
    """Its id, which links point at: ``sec-<id>``."""
    blocks: list[Block]
    sections: list[Section]


def iter_sections(sections: list[Section]) -> Iterator[Section]:
    """Every section, depth first, in reading order."""
    for section in sections:
        yield section
        yield from iter_sections(section.sections)


@dataclass
class Front:
    """The front matter of one language: what is written in it (the data every language
    shares, dates, DOI, the authors' order and emails, is the model's ``Document``)."""

    title: list[Node]
    abstract: list[Node]
    keywords: list[list[Node]]
    funding: list[Node]
    authors: dict[str, str]
    """Each author's name as written in this language, by the author's id."""
    affiliations: dict[str, str]
    journal_name: str
    """The journal's name in this language, or ``""``."""


# --------------------------------------------------------------------------- one language

class TextTree:
    """One language of a resolved document (made by :func:`songngu.resolve.resolve`): its
    front matter and sections of typed blocks, each piece of text as nodes; the numbers of
    its targets, its footnotes and its reference list."""

    def __init__(self, lang: str, front: Front, sections: list[Section],
                 numbers: dict[str, str], bibliography: Bibliography | None = None):
        self.lang = lang
        self.front = front
        self.sections = sections
        self.numbers = numbers
        """``table:id``, ``figure:id``, ``section:id``, ``equation@key`` → the number shown."""
        self._bibliography = bibliography

    def pieces(self) -> Iterator[list[Node]]:
        """Every piece of text of the language, as nodes, in reading order."""
        front = self.front
        yield front.title
        yield front.abstract
        yield from front.keywords
        for section in iter_sections(self.sections):
            yield section.title
            for block in section.blocks:
                yield from block.pieces()
        yield front.funding

    @cached_property
    def notes(self) -> list[Note]:
        """The footnotes in the order of their numbers, each once."""
        found = {node.number: node for nodes in self.pieces() for node in walk(nodes)
                 if isinstance(node, Note) and node.number and not node.repeat}
        return [found[number] for number in sorted(found, key=_number_key)]

    @cached_property
    def references(self) -> list[Entry]:
        """The reference list, formatted when first asked for: a build of one language never
        formats the others' lists, the slowest part of resolving (some 6 ms an entry with
        citeproc-py)."""
        return entries(self._bibliography) if self._bibliography is not None else []

    @cached_property
    def entry_numbers(self) -> dict[str, int]:
        """Reference key → its number in the reference list."""
        return self._bibliography.numbers() if self._bibliography is not None else {}


def entries(bibliography: Bibliography) -> list[Entry]:
    """The reference list of the clusters ``bibliography`` has formatted, as entries."""
    numbers = bibliography.numbers()
    out = []
    for part in bibliography.entry_parts():
        record = bibliography.references[part.key].data
        out.append(Entry(part.key, numbers[part.key], part.label,
                         _linked(marked_nodes(part.text), record), record))
    return out


def _number_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (0, number)


def _linked(nodes: list[Node], record: dict) -> list[Node]:
    """The record's URL and DOI, where the entry prints them, as links."""
    targets = []
    if record.get("DOI"):
        targets.append((re.compile(r"(?:https?://(?:dx\.)?doi\.org/)?" +
                                   re.escape(record["DOI"])), "https://doi.org/" + record["DOI"]))
    if record.get("URL"):
        targets.append((re.compile(re.escape(record["URL"])), record["URL"]))
    for pattern, href in targets:
        nodes = _link_first(nodes, pattern, href)
    return nodes


def _link_first(nodes: list[Node], pattern: re.Pattern, href: str) -> list[Node]:
    for i, node in enumerate(nodes):
        if isinstance(node, Text):
            match = pattern.search(node.text)
            if match:
                pieces: list[Node] = [Text(node.text[:match.start()]),
                                      Link(href, [Text(match.group(0))]),
                                      Text(node.text[match.end():])]
                return nodes[:i] + [p for p in pieces if not isinstance(p, Text) or p.text] \
                    + nodes[i + 1:]
        elif isinstance(node, Styled):
            linked = _link_first(node.children, pattern, href)
            if linked is not node.children:
                return nodes[:i] + [Styled(node.style, linked)] + nodes[i + 1:]
    return nodes
