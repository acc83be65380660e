"""Write inline nodes as HTML: the journal page's and the parallel page's text, notes, references.

nodes (:mod:`songngu.doctree`) → HTML (:class:`markupsafe.Markup`), every piece of content
text escaped. Running text keeps its inseparable runs together (:mod:`songngu.breaks`);
footnote calls link to the notes and carry the note for the PDF's page foot; cross-references
link to their target with the label in the page's language; each item of a citation links to
its entry. What citeproc-py printed (citations, entries) is written with the tags its own HTML
formatter uses (``<i>``, ``<b>``), so that typographic styles of a reference stay apart from
the emphasis an author typed (``<em>``, ``<strong>``); the web addresses of entries break only
after their separators.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import breaks, equations
from .cite_format import Bibliography
from .doctree import (
    Citation,
    CiteRef,
    CrossRef,
    Entry,
    Link,
    Math,
    Node,
    Note,
    Styled,
    Text,
    cluster_nodes,
    convert,
    plain,
)
from .doctree import entries as doctree_entries
from .inline import Span
from .kinds import ANCHORS, N_, XREF_LABELS
from .locators import CiteItem

PAGE_LABEL = N_("p.")
"""What a page reference is preceded by ("p. 4"): the print stylesheet adds the page."""

TAGS = {"emphasis": ("<em>", "</em>"), "strong": ("<strong>", "</strong>"),
        "superscript": ("<sup>", "</sup>"), "subscript": ("<sub>", "</sub>"),
        "monospace": ("<code>", "</code>"), "underline": ("<u>", "</u>"),
        "smallcaps": ('<span style="font-variant:small-caps;">', "</span>")}
"""Each style of text an author typed, as HTML."""

PRINTED_TAGS = dict(TAGS, emphasis=("<i>", "</i>"), strong=("<b>", "</b>"))
"""Each style of what citeproc-py printed (a title in italics), as HTML."""


@dataclass(frozen=True)
class _Writer:
    gettext: Callable[[str], str]
    printed: bool = False
    """Writing what citeproc-py printed: its tags, its text as it was, URLs breakable."""
    code: bool = False
    """Inside code: text as it is, no break hints."""
    url_breaks: bool = True
    """Web addresses of what citeproc-py printed break only after their separators."""

    def nodes(self, nodes: list[Node]) -> str:
        out: list[str] = []
        before = ""
        for node in nodes:
            piece = INLINE[type(node)](node, self)
            if isinstance(node, CrossRef) and re.search(r"(^|[.!?:]\s+)$", before):
                # A label that opens a sentence takes a capital: "công thức (1)" → "Công thức (1)".
                piece = re.sub(r"(>)(\w)", lambda m: m.group(1) + m.group(2).upper(), piece,
                               count=1)
            if not self.printed and not isinstance(node, Text) and out and out[-1].endswith(" "):
                # The space before an element goes into a box with it: WeasyPrint (70)
                # measures a text box with its trailing space, and where only that space
                # passes the end of the line it set the box's first word alone on the line
                # (a stray line break).
                out[-1] = out[-1][:-1]
                piece = f"<span> {piece}</span>"
            out.append(piece)
            before = node.text if isinstance(node, Text) else "x"
        return "".join(out)


def _text(node: Text, writer: _Writer) -> str:
    if writer.printed:
        return html.escape(node.text, quote=False)
    if writer.code:
        return str(escape(node.text))
    return str(breaks.text_html(node.text))


def _styled(node: Styled, writer: _Writer) -> str:
    opening, closing = (PRINTED_TAGS if writer.printed else TAGS)[node.style]
    inner = _Writer(writer.gettext, writer.printed, node.style == "monospace",
                    writer.url_breaks)
    return opening + inner.nodes(node.children) + closing


def _link(node: Link, writer: _Writer) -> str:
    if writer.printed and writer.url_breaks and len(node.children) == 1 \
            and isinstance(node.children[0], Text) and breaks.looks_like_url(node.children[0].text):
        inner = str(breaks.url_html(node.children[0].text))
    else:
        inner = writer.nodes(node.children)
    return f'<a href="{escape(node.href)}">{inner}</a>'


def _citation(node: Citation, writer: _Writer) -> str:
    printed = _Writer(writer.gettext, printed=True)
    return f'<span class="citation">{printed.nodes(node.children)}</span>'


def _cite_ref(node: CiteRef, writer: _Writer) -> str:
    def link(key: str, nodes: list[Node]) -> str:
        return f'<a href="#ref-{html.escape(key)}">{writer.nodes(nodes)}</a>'

    if node.last:
        printed = link(node.keys[0], node.children) + "\u2013" + link(node.keys[-1], node.last)
    else:
        printed = link(node.keys[0], node.children)
    # A number ("[12]", "[3]–[5]") stays on one line on a screen; an author and year
    # ("Ministry of Agriculture and Rural Development, n.d.") breaks where its words do.
    if not re.search(r"\s", plain(node.children + node.last)):
        return f'<span class="cite-number">{printed}</span>'
    return printed


def _cross_ref(node: CrossRef, writer: _Writer) -> str:
    # An appendix and its subsections read "Appendix A", "Appendix A.1".
    label_kind = "appendix" if node.kind == "section" and node.number[:1].isalpha() \
        else node.kind
    # "Section 3.2.1", "Bảng 2": the word is tied to its number, so that no line ends on it.
    label = re.sub(r"\s+(?=%\(num\)s)", "\u00a0", writer.gettext(XREF_LABELS[label_kind])) \
        % {"num": node.number}
    page = f' data-page-label="{escape(writer.gettext(PAGE_LABEL))}"' \
        if node.kind == "section" else ""
    return (f'<a class="xref xref-{node.kind}" href="#{ANCHORS[node.kind]}'
            f'{escape(node.target)}"{page}>{escape(label)}</a>')


def _note(node: Note, writer: _Writer) -> str:
    """A footnote call linked to its note in the list at the end of the page (the screen), and
    the note itself, which the PDF floats to the foot of the page (``float: footnote``)."""
    n = escape(node.number)
    if node.repeat:  # a note called again: the call alone, printed too (print.css)
        return (f'<sup class="fn-ref fn-again"><a href="#fn-{n}" role="doc-noteref">{n}</a>'
                '</sup>')
    call = f'<sup class="fn-ref"><a href="#fn-{n}" id="fnref-{n}" role="doc-noteref">{n}</a></sup>'
    return f'{call}<span class="fn" data-n="{n}">{writer.nodes(node.children)}</span>'


def _math(node: Math, writer: _Writer) -> str:
    return str(math_html(node.latex, False))


INLINE: dict[type, Callable] = {
    Text: _text, Styled: _styled, Link: _link, Citation: _citation, CiteRef: _cite_ref,
    CrossRef: _cross_ref, Note: _note, Math: _math,
}
"""The HTML of each kind of inline node (see :data:`songngu.doctree.NODE_TYPES`)."""


def inline_html(nodes: list[Node], translations: gettext.NullTranslations) -> Markup:
    """Inline nodes as HTML, labels (cross-references, page references) in the language of
    ``translations``."""
    return Markup(_Writer(translations.gettext).nodes(nodes))


def printed_html(nodes: list[Node], url_breaks: bool = True) -> Markup:
    """What citeproc-py printed (a citation's or an entry's nodes) as HTML."""
    return Markup(_Writer(gettext.NullTranslations().gettext, printed=True,
                          url_breaks=url_breaks).nodes(nodes))


def entry_html(entry: Entry, url_breaks: bool = True) -> Markup:
    """One entry of the reference list; a number the style sets apart in its own margin."""
    text = printed_html(entry.printed, url_breaks)
    if entry.label:
        return Markup(f'<span class="csl-left-margin">{html.escape(entry.label, quote=False)}'
                      f'</span> <span class="csl-right-inline">{text}</span>')
    return text


class HtmlBibliography(Bibliography):
    """Citations and a reference list formatted on their own, without a document, as the
    HTML citeproc-py's own formatter would give (no break hints): for tools and tests."""

    def cite(self, clusters: list[list[CiteItem]]) -> list[str]:
        """Every citation cluster, in document order, as HTML: each item links to its entry."""
        return [str(printed_html(cluster_nodes(cluster), url_breaks=False))
                for cluster in self.cite_parts(clusters)]

    def entries(self) -> list[tuple[str, str]]:
        """(key, HTML) for the reference list in the style's order, only cited references."""
        return [(entry.key, str(entry_html(entry, url_breaks=False)))
                for entry in doctree_entries(self)]


def span_html(span: Span, translations: gettext.NullTranslations) -> Markup:
    """One parsed span, not resolved (no numbers), as HTML: for checking the markup alone."""
    return inline_html(convert([span]), translations)


def math_html(latex: str, display: bool) -> Markup:
    """MathML for browsers and an SVG image for the PDF; the LaTeX is the text of both.

    The image is sized in ``em``, from the text size it was drawn at: a formula prints at the
    size of the text around it, in a title as in a footnote or a table."""
    url, width, height, depth = equations.svg_data_url(latex, display)
    mathml = equations.mathml(latex, display).replace(
        "<math ", f'<math alttext="{escape(latex)}" ', 1)
    kind = "display" if display else "inline"
    em = equations.DRAWN_AT
    return Markup(f'<span class="math math-{kind}">{mathml}<img class="math-print" src="{url}" '
                  f'alt="{escape(latex)}" style="width: {width / em:.3f}em; '
                  f'height: {height / em:.3f}em; vertical-align: {-depth / em:.3f}em"></span>')


def node_types_without_writer() -> list[type]:
    """Node classes of :mod:`songngu.doctree` this writer cannot write (a test keeps it empty)."""
    from .doctree import NODE_TYPES
    return [kind for kind in NODE_TYPES if kind not in INLINE]
