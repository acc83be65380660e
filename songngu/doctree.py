"""The format-neutral document that resolving gives: inline nodes, numbers, notes, references.

One language of a resolved document is a :class:`TextTree`: every piece of its inline markup
as typed nodes (text, styled text, links, citations with the numbers of their entries,
cross-references with kind and number, footnotes with their number and text, math as its
LaTeX), the number of every numbered target, the footnotes in order, and the reference list
as :class:`Entry` records whose printed form is nodes too. Nothing here is HTML, JATS or any
other output's markup: each output is a writer that walks these nodes (the HTML page and the
parallel page, :mod:`songngu.html_inline`; the JATS file, :mod:`songngu.jats`; plain text for
metadata, :func:`plain`).

The printed form of citations and entries comes from citeproc-py through
:data:`songngu.cite_format.FORMATTER`, which marks styles with control characters;
:func:`marked_nodes` turns its output into nodes.

Adding a kind of inline content is one entry in :data:`FROM_SPAN` (how a parsed span becomes a
node, with a node class if none fits) and one writer per output (``jats.INLINE``,
``html_inline.INLINE``); a test checks that every node class has its writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .cite_format import FORMATTER as FORMATTER  # the formatter whose marks are read here
from .cite_format import STYLE_CODES, STYLE_END, STYLE_OPEN, FormattedCluster
from .inline import Span

if TYPE_CHECKING:
    from .cite_format import Bibliography
    from .model import Document
    from .model import Text as ModelText

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

def marked_nodes(text: str) -> list[Node]:
    """The nodes of a string made with :data:`FORMATTER` (styles as marks, never tags)."""
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


class TextTree:
    """One language of a resolved document, as nodes (made by :func:`songngu.resolve.resolve`).

    ``nodes`` holds every piece of the language's markup, keyed by the markup as typed: the
    templates ask for a title, a paragraph or a cell by its text (``t.md(block.text)``).
    """

    def __init__(self, doc: Document, lang: str, numbers: dict[str, str],
                 nodes: dict[str, list[Node]], bibliography: Bibliography | None = None):
        self.doc = doc
        self.lang = lang
        self.numbers = numbers
        """``table:id``, ``figure:id``, ``section:id``, ``equation@key`` → the number shown."""
        self.nodes = nodes
        self._bibliography = bibliography

    @property
    def text(self) -> ModelText:
        return self.doc.texts[self.lang]

    @cached_property
    def notes(self) -> list[Note]:
        """The footnotes in the order of their numbers, each once."""
        found = {node.number: node for nodes in self.nodes.values() for node in walk(nodes)
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

    def inline(self, markup: str) -> list[Node]:
        """The nodes of a piece of this language's markup (a title, a paragraph, a cell);
        text that was never resolved stays as it is."""
        found = self.nodes.get(markup)
        if found is None:
            return [Text(markup)] if markup else []
        return found

    def plain(self, markup: str) -> str:
        """The markup's text as a reader sees it, spaces collapsed."""
        return " ".join(plain(self.inline(markup)).split())


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
