"""Turn one language's resolved content into a format-neutral tree of inline nodes.

(Resolved, language) → :class:`TextTree`: every piece of inline markup as typed nodes (text,
styled text, links, citations with the numbers of their entries, cross-references with kind
and number, footnotes with their number and text, math as its LaTeX) and the reference list
as entries whose printed form is nodes too. Outputs other
than the HTML page (the JATS writer, the plain-text metadata) walk these nodes: nothing here
is HTML, and nothing an output needs is read back from HTML.

The printed form of citations and entries comes from citeproc-py through :data:`FORMATTER`, a
formatter that marks styles with control characters instead of tags; :func:`marked_nodes`
turns its output into nodes.

Adding a kind of inline content is one entry in :data:`FROM_SPAN` (how a parsed span becomes a
node, with a node class if none fits) and one writer per output (``jats.INLINE``); a test
checks that every node class has its writer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Union

from .citations import Bibliography, FormattedCluster
from .inline import Span, walk
from .resolve import Resolved, markup_in_order

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
    """The printed part of a citation that points at entries: one, or a run ``[3]–[5]``."""

    keys: tuple[str, ...]
    children: list[Node] = field(default_factory=list)


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


Node = Union[Text, Styled, Link, Citation, CiteRef, CrossRef, Note, Math]
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
class _Context:
    """What converting a span may need: the formatted citations, cross-reference numbers."""

    clusters: dict[int, FormattedCluster]
    numbers: dict[str, str]
    """``section:id`` → "3.1", as resolved."""
    entry_numbers: dict[str, int]


def _children(span: Span, context: _Context) -> list[Node]:
    return convert(span.children, context)


def _styled(style: str) -> Callable[[Span, _Context], Node]:
    return lambda span, context: Styled(style, _children(span, context))


def _citation(span: Span, context: _Context) -> Node:
    items = [Cited(item.key, context.entry_numbers.get(item.key, 0), item.label, item.locator)
             for item in span.cites]
    cluster = context.clusters.get(id(span))
    if cluster is None:
        return Citation(items, [])
    children: list[Node] = list(marked_nodes(cluster.head))
    for n, run in enumerate(cluster.groups):
        if n:
            children += marked_nodes(cluster.between[n - 1])
        if run.last:
            children.append(CiteRef(run.keys, marked_nodes(run.text) + [Text("\u2013")]
                                    + marked_nodes(run.last)))
        else:
            children.append(CiteRef(run.keys, marked_nodes(run.text)))
    children += marked_nodes(cluster.tail)
    return Citation(items, _merge(children))


def _xref(span: Span, context: _Context) -> Node:
    kind, _, target = span.target.partition(":")
    return CrossRef(kind, target, span.number or context.numbers.get(span.target, ""))


FROM_SPAN: dict[str, Callable[[Span, _Context], Node]] = {
    "text": lambda span, context: Text(span.text),
    "em": _styled("emphasis"),
    "strong": _styled("strong"),
    "sup": _styled("superscript"),
    "sub": _styled("subscript"),
    "code": lambda span, context: Styled("monospace", [Text(span.text)]),
    "link": lambda span, context: Link(span.href, _children(span, context)),
    "cite": _citation,
    "xref": _xref,
    "note": lambda span, context: Note(span.number, span.repeat, _children(span, context)),
    "math": lambda span, context: Math(span.text),
}
"""How each kind of parsed span (:mod:`songngu.inline`) becomes a node."""


def convert(spans: list[Span], context: _Context) -> list[Node]:
    out = []
    for span in spans:
        if span.kind not in FROM_SPAN:
            raise ValueError(f"no node for inline {span.kind!r}: add it to doctree.FROM_SPAN")
        out.append(FROM_SPAN[span.kind](span, context))
    return out


# --------------------------------------------------------------------------- citeproc output

_OPEN, _END = "\x0e", "\x0f"
_STYLE_CODES = {"i": "emphasis", "b": "strong", "p": "superscript", "d": "subscript",
                "c": "smallcaps", "u": "underline", "l": ""}


def _wrapper(code: str) -> Callable[[str], str]:
    return lambda text: f"{_OPEN}{code}{text}{_END}"


FORMATTER = SimpleNamespace(
    preformat=lambda text: re.sub(f"[{_OPEN}{_END}]", "", str(text)),
    Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"), Light=_wrapper("l"),
    Underline=_wrapper("u"), Superscript=_wrapper("p"), Subscript=_wrapper("d"),
    SmallCaps=_wrapper("c"))
"""A citeproc-py formatter whose output :func:`marked_nodes` reads."""


def marked_nodes(text: str) -> list[Node]:
    """The nodes of a string made with :data:`FORMATTER` (styles as marks, never tags)."""
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    i = 0
    while i < len(text):
        char = text[i]
        if char == _OPEN and i + 1 < len(text):
            style = _STYLE_CODES.get(text[i + 1], "")
            node = Styled(style or "light")
            stack[-1].append(node)
            stack.append(node.children)
            i += 2
            continue
        if char == _END and len(stack) > 1:
            stack.pop()
        elif char not in (_OPEN, _END):
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
    """One language of a resolved document, as nodes."""

    def __init__(self, resolved: Resolved, lang: str):
        self.doc = resolved.doc
        self.lang = lang
        self.text = resolved.doc.texts[lang]
        self._resolved = resolved.texts[lang]
        self._cache: dict[str, list[Node]] = {}

    @cached_property
    def _bibliography(self) -> tuple[Bibliography | None, dict[int, FormattedCluster]]:
        own = self._resolved.bibliography
        if own is None:
            return None, {}
        # The same clusters in the same order as the resolve stage: the same numbers.
        clusters: list[Span] = []
        for markup, _ in markup_in_order(self.doc, self.text):
            clusters += [s for s in walk(self._resolved.spans.get(markup, []))
                         if s.kind == "cite"]
        bibliography = Bibliography(own.references, self.doc.style, self.lang,
                                    output=FORMATTER)
        parts = bibliography.cite_parts([span.cites for span in clusters])
        return bibliography, {id(span): cluster for span, cluster in zip(clusters, parts)}

    @cached_property
    def references(self) -> list[Entry]:
        bibliography, _ = self._bibliography
        if bibliography is None:
            return []
        entries = []
        for position, part in enumerate(bibliography.entry_parts(), start=1):
            record = bibliography.references[part.key].data
            entries.append(Entry(part.key, position, part.label,
                                 _linked(marked_nodes(part.text), record), record))
        return entries

    @property
    def numbers(self) -> dict[str, str]:
        """``table:id``, ``figure:id``, ``section:id`` → the number shown."""
        return self._resolved.numbers

    @cached_property
    def entry_numbers(self) -> dict[str, int]:
        """Reference key → its position in the reference list."""
        return {entry.key: entry.number for entry in self.references}

    def inline(self, markup: str) -> list[Node]:
        """The nodes of a piece of this language's markup (a title, a paragraph, a cell)."""
        if markup not in self._cache:
            spans = self._resolved.spans.get(markup)
            if spans is None:
                self._cache[markup] = [Text(markup)] if markup else []
            else:
                _, clusters = self._bibliography
                context = _Context(clusters, self._resolved.numbers, self.entry_numbers)
                self._cache[markup] = convert(spans, context)
        return self._cache[markup]

    def plain(self, markup: str) -> str:
        """The markup's text as a reader sees it, spaces collapsed."""
        return " ".join(plain(self.inline(markup)).split())


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
