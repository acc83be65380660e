"""Write a resolved document as JATS XML: the file a journal deposits with indexers and archives.

Resolved document + the template's labels + the printed page range → JATS 1.3 Journal
Publishing XML (``dtd-version="1.3"``). The article is in the document's first language:
front matter with the journal, the article's identifiers, contributors, dates, pages, and the
title, abstract and keywords in every language (``trans-title-group``, ``trans-abstract``,
one ``kwd-group`` per language, the funding statement); the body (sections, tables with their
header groups, figures and subfigures, formulas as MathML with their LaTeX); the back:
acknowledgements (``ack``), appendices (``app-group``), the reference list, each entry both as
structured data (``element-citation``, from the CSL record) and as printed
(``mixed-citation``), and the footnotes (``fn-group``). Each other
language's full text follows as a ``<sub-article article-type="translation">``, as the JATS4R
recommendation for translations has it; its ids carry the language as a prefix, so that every
id of the file is unique.

The writer walks each language's resolved tree (:mod:`songngu.doctree`): its front matter,
its sections and their typed blocks, and their inline nodes; it never reads HTML, nor looks
text up by what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from . import doctree, equations, i18n
from .doctree import (
    Block,
    Citation,
    CiteRef,
    CrossRef,
    Equation,
    Figure,
    Link,
    ListBlock,
    Node,
    Section,
    Styled,
    Table,
    Text,
    TextBlock,
    TextTree,
)
from .kinds import KINDS, XREF_LABELS
from .model import Author, Document
from .pagecount import Pages
from .render import CORRESPONDING, template_dir
from .resolve import Resolved
from .scholarly import orcid_url

XLINK = "http://www.w3.org/1999/xlink"
MATHML = "http://www.w3.org/1998/Math/MathML"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HREF = f"{{{XLINK}}}href"
DOCTYPE = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with '
           'MathML3 v1.3 20210610//EN" "JATS-journalpublishing1-3-mathml3.dtd">')

REF_TYPES = {"section": "sec", "appendix": "app"} | {
    kind.counter: kind.ref_type for kind in KINDS.values() if kind.counter}
"""JATS ``xref/@ref-type`` of each kind of cross-reference."""
ANCHORS = {"section": "sec", "note": "fn"} | {
    kind.counter: kind.anchor.rstrip("-") for kind in KINDS.values() if kind.counter}
"""The id prefix of each kind of numbered target (as on the HTML page)."""
STYLE_ELEMENTS = {"emphasis": "italic", "strong": "bold", "superscript": "sup",
                  "subscript": "sub", "monospace": "monospace", "smallcaps": "sc",
                  "underline": "underline"}
PUBLICATION_TYPES = {
    "article-journal": "journal", "article-magazine": "magazine",
    "article-newspaper": "newspaper", "book": "book", "chapter": "book",
    "paper-conference": "confproc", "webpage": "webpage", "post": "webpage",
    "post-weblog": "webpage", "report": "report", "thesis": "thesis", "dataset": "data",
    "patent": "patent", "software": "software", "standard": "standard",
}
"""JATS ``publication-type`` of each CSL type; any other is ``other``."""
ACKNOWLEDGEMENTS = ("acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment",
                    "ack", "acks")
"""Ids of an unnumbered section written as ``ack`` in the back matter (ids are the same in
every language)."""
PERSON_GROUPS = {"author": "author", "editor": "editor", "translator": "translator",
                 "collection-editor": "editor", "container-author": "author",
                 "director": "director", "compiler": "compiler"}
"""CSL name fields written as ``person-group``, with their JATS ``person-group-type``."""


# --------------------------------------------------------------------------- the article

JATS_ARTICLE_TYPES = {"research": "research-article", "review": "review-article",
                      "short-communication": "brief-report", "case-report": "case-report",
                      "editorial": "editorial", "letter": "letter"}
"""The JATS ``article-type`` of each article type of the content (model.ARTICLE_TYPES); an
article that names none is a research article."""


def article_xml(resolved: Resolved, templates: Path, pages: Pages) -> bytes:
    """The JATS file of ``resolved``, serialised (UTF-8, with its DOCTYPE)."""
    root = build_article(resolved, templates, pages)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE,
                          pretty_print=True)


def build_article(resolved: Resolved, templates: Path, pages: Pages) -> etree._Element:
    doc = resolved.doc
    folder = template_dir(templates, doc.template)
    langs = [lang for lang in doc.languages if lang in doc.texts]
    trees = {lang: resolved.texts[lang] for lang in langs}
    first = langs[0]
    root = etree.Element("article", nsmap={"xlink": XLINK, "mml": MATHML})
    root.set("article-type", JATS_ARTICLE_TYPES.get(doc.article_type, "research-article"))
    root.set("dtd-version", "1.3")
    root.set(XML_LANG, first)
    writers = {lang: _Writer(doc, trees[lang], i18n.load_translations(folder, lang),
                             "" if lang == first else f"{lang}-") for lang in langs}
    front = _sub(root, "front")
    front.append(_journal_meta(doc, trees, first))
    front.append(_article_meta(doc, writers, first, pages))
    writers[first].body(_sub(root, "body"))
    writers[first].back(root)
    for lang in langs[1:]:
        sub = _sub(root, "sub-article", {"article-type": "translation", "id": f"{lang}-article",
                                         XML_LANG: lang})
        writer = writers[lang]
        writer.front_stub(_sub(sub, "front-stub"))
        writer.body(_sub(sub, "body"))
        writer.back(sub)
    return root


def _journal_meta(doc: Document, trees: dict[str, TextTree], first: str) -> etree._Element:
    journal = doc.journal
    meta = etree.Element("journal-meta")
    _text(meta, "journal-id", journal.id or journal.name, {"journal-id-type": "publisher-id"})
    group = _sub(meta, "journal-title-group")
    title = trees[first].front.journal_name or journal.name
    _text(group, "journal-title", title)
    for lang, tree in trees.items():
        name = tree.front.journal_name
        if lang != first and name and name != title:
            _text(_sub(group, "trans-title-group", {XML_LANG: lang}), "trans-title", name)
    if journal.issn:
        _text(meta, "issn", journal.issn, {"publication-format": "print"})
    if journal.eissn:
        _text(meta, "issn", journal.eissn, {"publication-format": "electronic"})
    if journal.publisher:
        _text(_sub(meta, "publisher"), "publisher-name", journal.publisher)
    return meta


def _article_meta(doc: Document, writers: dict[str, _Writer], first: str,
                  pages: Pages) -> etree._Element:
    meta = etree.Element("article-meta")
    trees = {lang: writer.tree for lang, writer in writers.items()}
    if doc.doi:
        _text(meta, "article-id", doc.doi, {"pub-id-type": "doi"})
    group = _sub(meta, "title-group")
    writers[first].inline(_sub(group, "article-title"), trees[first].front.title)
    for lang, writer in writers.items():
        if lang != first:
            trans = _sub(group, "trans-title-group", {XML_LANG: lang})
            writer.inline(_sub(trans, "trans-title"), writer.front.title)
    _contributors(meta, doc, trees, writers[first].gettext)
    if "published" in doc.dates:
        day = doc.dates["published"]
        _date(meta, "pub-date", day, {"publication-format": "electronic", "date-type": "pub"})
    if doc.journal.volume:
        _text(meta, "volume", doc.journal.volume)
    if doc.journal.issue:
        _text(meta, "issue", doc.journal.issue)
    _text(meta, "fpage", str(pages.first))
    if pages.last is not None:
        _text(meta, "lpage", str(pages.last))
    history = [(name, doc.dates[name]) for name in ("received", "revised", "accepted")
               if name in doc.dates]
    if history:
        dates = _sub(meta, "history")
        for name, day in history:
            _date(dates, "date", day, {"date-type": "rev-recd" if name == "revised" else name})
    writers[first].inline(_sub(_sub(meta, "abstract"), "p"), trees[first].front.abstract)
    for lang, writer in writers.items():
        if lang != first:
            writer.inline(_sub(_sub(meta, "trans-abstract", {XML_LANG: lang}), "p"),
                          writer.front.abstract)
    for writer in writers.values():
        writer.keywords(meta)
    writers[first].funding(meta)
    return meta


def _contributors(meta: etree._Element, doc: Document, trees: dict[str, TextTree],
                  gettext: Callable[[str], str]) -> None:
    group = _sub(meta, "contrib-group")
    for author in doc.authors:
        contrib = _sub(group, "contrib", {"contrib-type": "author"})
        if author.corresponding:
            contrib.set("corresp", "yes")
        if author.orcid:
            _text(contrib, "contrib-id", orcid_url(author.orcid),
                  {"contrib-id-type": "orcid", "authenticated": "false"})
        names = [(lang, tree.front.authors.get(author.id, "")) for lang, tree in trees.items()]
        names = [(lang, name) for lang, name in names if name]
        if len({name for _, name in names}) > 1:
            alternatives = _sub(contrib, "name-alternatives")
            for lang, name in names:
                _text(alternatives, "string-name", name, {XML_LANG: lang})
        elif names:
            _text(contrib, "string-name", names[0][1])
        if author.email:
            _text(contrib, "email", author.email)
        for aff in author.affiliations:
            _sub(contrib, "xref", {"ref-type": "aff", "rid": f"aff-{aff}"})
        if author.corresponding and author.email:
            _sub(contrib, "xref", {"ref-type": "corresp", "rid": f"cor-{author.id}"})
    for aff in _affiliations(doc.authors):
        alternatives = _sub(group, "aff-alternatives", {"id": f"aff-{aff}"})
        for lang, tree in trees.items():
            if aff in tree.front.affiliations:
                _text(_sub(alternatives, "aff", {XML_LANG: lang}), "institution",
                      tree.front.affiliations[aff])
    notes = [a for a in doc.authors if a.corresponding and a.email]
    if notes:
        author_notes = _sub(meta, "author-notes")
        for author in notes:
            corresp = _sub(author_notes, "corresp", {"id": f"cor-{author.id}"})
            _text(corresp, "label", "*")
            _append_text(corresp, f"{gettext(CORRESPONDING)} Email: ")
            _text(corresp, "email", author.email)


def _affiliations(authors: list[Author]) -> list[str]:
    seen: list[str] = []
    for author in authors:
        seen += [aff for aff in author.affiliations if aff not in seen]
    return seen


# --------------------------------------------------------------------------- one language

class _Writer:
    """Writes one language's body, references and (for a translation) front stub."""

    def __init__(self, doc: Document, tree: TextTree, translations, prefix: str):
        self.tree = tree
        self.doc = doc
        self.front = tree.front
        self.gettext = translations.gettext
        self.prefix = prefix
        self.linking = True
        """False while writing where JATS allows only styled text (``kwd``,
        ``funding-statement``): links and references are written as their text, math as
        its LaTeX, a footnote call as a superscript number (its note is still written)."""
        self.notes: dict[str, doctree.Note] = {}
        """The footnotes called so far, by number: written in the back's ``fn-group``."""
        self.appendices = {section.id for section in tree.sections if section.appendix}

    def id(self, kind: str, target: str) -> str:
        return f"{self.prefix}{ANCHORS[kind]}-{target}"

    def ref_id(self, number: int) -> str:
        return f"{self.prefix}ref-{number}"

    def inline(self, parent: etree._Element, nodes: list[Node],
               linking: bool = True) -> etree._Element:
        self.linking = linking
        try:
            _inline(parent, nodes, self)
        finally:
            self.linking = True
        return parent

    # front stub of a translation

    def front_stub(self, stub: etree._Element) -> None:
        group = _sub(stub, "title-group")
        self.inline(_sub(group, "article-title"), self.front.title)
        contribs = _sub(stub, "contrib-group")
        for author in self.doc.authors:
            contrib = _sub(contribs, "contrib", {"contrib-type": "author"})
            if author.corresponding:
                contrib.set("corresp", "yes")
            if author.id in self.front.authors:
                _text(contrib, "string-name", self.front.authors[author.id])
            for aff in author.affiliations:
                _sub(contrib, "xref", {"ref-type": "aff", "rid": f"{self.prefix}aff-{aff}"})
        for aff in _affiliations(self.doc.authors):
            if aff in self.front.affiliations:
                _text(_sub(contribs, "aff", {"id": f"{self.prefix}aff-{aff}"}), "institution",
                      self.front.affiliations[aff])
        self.inline(_sub(_sub(stub, "abstract"), "p"), self.front.abstract)
        self.keywords(stub)
        self.funding(stub)

    def funding(self, parent: etree._Element) -> None:
        if self.front.funding:
            group = _sub(parent, "funding-group")
            self.inline(_sub(group, "funding-statement"), self.front.funding, linking=False)

    def keywords(self, parent: etree._Element) -> None:
        if not self.front.keywords:
            return
        group = _sub(parent, "kwd-group", {XML_LANG: self.tree.lang, "kwd-group-type": "author"})
        for keyword in self.front.keywords:
            self.inline(_sub(group, "kwd"), keyword, linking=False)

    # body

    def body(self, body: etree._Element) -> None:
        """The numbered sections (and unnumbered ones other than acknowledgements, in place);
        acknowledgements and appendices go to the back."""
        for section in self.tree.sections:
            if not (section.appendix or _is_ack(section)):
                self.section(body, section)

    def section(self, parent: etree._Element, section: Section, tag: str = "sec") -> None:
        sec = _sub(parent, tag, {"id": self.id("section", section.id)})
        if section.number:
            _text(sec, "label", section.number)
        self.inline(_sub(sec, "title"), section.title)
        self.section_content(sec, section)

    def section_content(self, sec: etree._Element, section: Section) -> None:
        target = sec
        for index, block in enumerate(section.blocks, start=1):
            if isinstance(block, TextBlock) and block.kind == "heading":
                # An unnumbered part of the section, to the next subheading.
                target = _sub(sec, "sec", {"id": f"{self.id('section', section.id)}.{index}"})
                self.inline(_sub(target, "title"), block.nodes)
            else:
                BLOCKS.get(block.kind, _Writer.element)(self, target, block)
        for subsection in section.sections:
            self.section(sec, subsection)

    def paragraph(self, parent: etree._Element, block: TextBlock) -> None:
        self.inline(_sub(parent, "p"), block.nodes)

    def quote(self, parent: etree._Element, block: TextBlock) -> None:
        self.inline(_sub(_sub(parent, "disp-quote"), "p"), block.nodes)

    def items(self, parent: etree._Element, block: ListBlock) -> None:
        kind = "order" if block.kind == "ordered" else "bullet"
        listing = _sub(parent, "list", {"list-type": kind})
        for item in block.items:
            self.inline(_sub(_sub(listing, "list-item"), "p"), item)

    def anchored(self, block: Block) -> dict[str, str]:
        """The id attribute of a block that cross-references point at, if any."""
        return {"id": self.prefix + block.anchor} if block.anchor else {}

    def table(self, parent: etree._Element, block: Table) -> None:
        wrap = _sub(parent, "table-wrap", self.anchored(block))
        _text(wrap, "label", self.gettext(XREF_LABELS["table"]) % {"num": block.number})
        self.inline(_sub(_sub(wrap, "caption"), "title"), block.caption)
        table = _sub(wrap, "table")
        self.table_head(_sub(table, "thead"), block)
        rows = _sub(table, "tbody")
        for row in block.rows:
            tr = _sub(rows, "tr")
            for n, (cell, column) in enumerate(zip(row, block.columns)):
                attrib = {"scope": "row"} if n == 0 else {}
                if column.align:
                    attrib["align"] = column.align
                element = _sub(tr, "th" if n == 0 else "td", attrib)
                if column.kind == "text":  # markup in this language: footnotes, math, links
                    if cell.nodes is not None:
                        self.inline(element, cell.nodes)
                    else:
                        element.text = block.empty
                else:
                    element.text = i18n.format_cell(cell.value, column.kind, column.pattern,
                                                    self.tree.lang, block.empty)
        if block.note:
            self.inline(_sub(_sub(wrap, "table-wrap-foot"), "p"), block.note)

    def table_head(self, thead: etree._Element, block: Table) -> None:
        """One header row, or two under header groups: a group's cell spans its columns, and
        the headers of columns outside any group span both rows."""
        if not block.groups:
            head = _sub(thead, "tr")
            for column in block.columns:
                self.inline(_sub(head, "th", {"scope": "col"}), column.header)
            return
        top, below = _sub(thead, "tr"), _sub(thead, "tr")
        start = 0
        for group in block.groups:
            columns = block.columns[start:start + group.span]
            start += group.span
            if group.nodes is not None:
                self.inline(_sub(top, "th", {"scope": "colgroup", "colspan": str(group.span)}),
                            group.nodes)
                for column in columns:
                    self.inline(_sub(below, "th", {"scope": "col"}), column.header)
            else:
                for column in columns:
                    self.inline(_sub(top, "th", {"scope": "col", "rowspan": "2"}),
                                column.header)

    def figure(self, parent: etree._Element, block: Figure) -> None:
        fig_id = self.prefix + block.anchor
        fig = _sub(parent, "fig-group" if block.parts else "fig", {"id": fig_id})
        _text(fig, "label", self.gettext(XREF_LABELS["figure"]) % {"num": block.number})
        caption = _sub(fig, "caption")
        self.inline(_sub(caption, "p"), block.caption)
        # A figure's source is its attrib; a fig-group holds none, so there the source is a
        # paragraph of the caption.
        source = _sub(caption, "p", {"content-type": "source"}) \
            if block.parts and block.source else None
        if block.parts:
            for part in block.parts:
                element = _sub(fig, "fig", {"id": f"{fig_id}-{part.letter}"})
                _text(element, "label", f"({part.letter})")
                if part.caption:
                    self.inline(_sub(_sub(element, "caption"), "p"), part.caption)
                graphic = _sub(element, "graphic", {HREF: f"{self.doc.id}/{part.path}"})
                _text(graphic, "alt-text", part.alt)
        else:
            graphic = _sub(fig, "graphic", {HREF: f"{self.doc.id}/{block.path}"})
            _text(graphic, "alt-text", block.alt)
        if block.source:
            if source is None:
                source = _sub(fig, "attrib")
            source.text = f"{self.gettext('Source:')} "
            self.inline(source, block.source)

    def equation(self, parent: etree._Element, block: Equation) -> None:
        formula = _sub(parent, "disp-formula", self.anchored(block))
        if block.number:
            _text(formula, "label", f"({block.number})")
        _math(formula, block.latex, display=True)

    def element(self, parent: etree._Element, block: TextBlock) -> None:
        """A kind of text block with no writer of its own: its element (``KINDS[…].jats``),
        its label when numbered, its text as a paragraph."""
        kind = KINDS[block.kind]
        element = _sub(parent, kind.jats or "p", self.anchored(block))
        if block.number and kind.jats:
            _text(element, "label", self.gettext(kind.label) % {"num": block.number})
        self.inline(_sub(element, "p") if kind.jats else element, block.nodes)

    # back

    def back(self, parent: etree._Element) -> None:
        """Acknowledgements, appendices, footnotes and references, in that order."""
        back = etree.Element("back")
        for section in self.tree.sections:
            if _is_ack(section):
                self.section(back, section, "ack")
        appendices = [section for section in self.tree.sections if section.appendix]
        if appendices:
            group = _sub(back, "app-group")
            for section in appendices:
                self.section(group, section, "app")
        self.references(back)
        # Last: footnotes may be called anywhere before, the references' printed form too.
        if self.notes:
            fn_group = _sub(back, "fn-group")
            for number in sorted(self.notes, key=_number_key):
                fn = _sub(fn_group, "fn", {"id": self.id("note", number)})
                _text(fn, "label", number)
                note = self.notes[number]
                _inline(_sub(fn, "p"), note.children, self)
        if len(back):
            parent.append(back)

    def references(self, back: etree._Element) -> None:
        entries = self.tree.references
        if not entries:
            return
        ref_list = _sub(back, "ref-list")
        _text(ref_list, "title", self.gettext("REFERENCES"))
        for entry in entries:
            ref = _sub(ref_list, "ref", {"id": self.ref_id(entry.number)})
            if entry.label:
                _text(ref, "label", entry.label)
            ref.append(element_citation(entry.record))
            _inline(_sub(ref, "mixed-citation",
                         {"publication-type": _publication_type(entry.record)}),
                    entry.printed, self)


BLOCKS: dict[str, Callable[[_Writer, etree._Element, Any], None]] = {
    "p": _Writer.paragraph, "quote": _Writer.quote, "list": _Writer.items,
    "ordered": _Writer.items, "table": _Writer.table, "figure": _Writer.figure,
    "equation": _Writer.equation,
}
"""How each kind of block is written (``heading`` opens an unnumbered part of its section)."""


def _is_ack(section: Section) -> bool:
    return not section.numbered and not section.appendix and \
        section.id.lower() in ACKNOWLEDGEMENTS


def _number_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (0, number)


def _math(parent: etree._Element, latex: str, display: bool) -> None:
    """The formula as MathML, with its LaTeX source beside it (``alternatives``)."""
    alternatives = _sub(parent, "alternatives")
    _text(alternatives, "tex-math", latex)
    math = etree.fromstring(equations.mathml(latex, display))
    math.set("alttext", _xml_safe(latex))
    alternatives.append(math)


def figure_href(doc: Document, file: Path) -> str:
    """Where a figure's file lies beside the XML: ``<doc>/<path in the document's folder>``."""
    return f"{doc.id}/{file.relative_to(doc.folder).as_posix()}"


# --------------------------------------------------------------------------- inline nodes

def _write_text(parent, node: Text, writer) -> None:
    _append_text(parent, node.text)


def _write_styled(parent, node: Styled, writer) -> None:
    _inline(_sub(parent, STYLE_ELEMENTS[node.style]), node.children, writer)


def _write_link(parent, node: Link, writer) -> None:
    if not writer.linking:
        _inline(parent, node.children, writer)
        return
    _inline(_sub(parent, "ext-link", {"ext-link-type": "uri", HREF: node.href}), node.children,
            writer)


def _write_citation(parent, node: Citation, writer) -> None:
    _inline(parent, node.children, writer)


def _write_cite_ref(parent, node: CiteRef, writer) -> None:
    # A compressed run ([3]–[5]) is one xref naming every entry of the run.
    printed = node.children + ([Text("\u2013"), *node.last] if node.last else [])
    if not writer.linking:
        _inline(parent, printed, writer)
        return
    numbers = writer.tree.entry_numbers
    rids = " ".join(writer.ref_id(numbers[key]) for key in node.keys if key in numbers)
    _inline(_sub(parent, "xref", {"ref-type": "bibr", "rid": rids}), printed, writer)


def _write_cross_ref(parent, node: CrossRef, writer) -> None:
    # An appendix and its subsections read "Appendix A", "Appendix A.1", as on the page; only
    # the appendix itself is an ``app``, its subsections are sections.
    lettered = node.kind == "section" and node.number[:1].isalpha()
    label = writer.gettext(XREF_LABELS["appendix" if lettered else node.kind]) % {
        "num": node.number}
    if not writer.linking:
        _append_text(parent, label)
        return
    app = node.kind == "section" and node.target in writer.appendices
    _text(parent, "xref", label, {"ref-type": REF_TYPES["appendix" if app else node.kind],
                                  "rid": writer.id(node.kind, node.target)})


def _write_note(parent, node: doctree.Note, writer) -> None:
    if not node.repeat:
        writer.notes.setdefault(node.number, node)
    if not writer.linking:
        _text(parent, "sup", node.number)
        return
    _text(parent, "xref", node.number, {"ref-type": "fn", "rid": writer.id("note", node.number)})


def _write_math(parent, node: doctree.Math, writer) -> None:
    if not writer.linking:
        _append_text(parent, node.latex)
        return
    _math(_sub(parent, "inline-formula"), node.latex, display=False)


INLINE: dict[type, Callable] = {
    Text: _write_text, Styled: _write_styled, Link: _write_link, Citation: _write_citation,
    CiteRef: _write_cite_ref, CrossRef: _write_cross_ref, doctree.Note: _write_note,
    doctree.Math: _write_math,
}
"""The JATS of each kind of inline node (see :data:`songngu.doctree.NODE_TYPES`)."""


def _inline(parent: etree._Element, nodes: list[Node], writer: _Writer) -> None:
    for node in nodes:
        INLINE[type(node)](parent, node, writer)


# --------------------------------------------------------------------------- references

def element_citation(record: dict) -> etree._Element:
    """The structured JATS citation of a CSL-JSON record."""
    kind = record.get("type", "")
    citation = etree.Element("element-citation",
                             {"publication-type": _publication_type(record)})
    for field, group_type in PERSON_GROUPS.items():
        if record.get(field):
            group = _sub(citation, "person-group", {"person-group-type": group_type})
            for name in record[field]:
                _person(group, name)
    title, container = record.get("title"), record.get("container-title")
    # A title in its original script carries the source's language, its translation follows.
    original = {XML_LANG: record["language"]} if record.get("language") else {}
    translated = record.get("translated-title", "")
    if kind == "book" or (not container and kind not in ("chapter",)
                          and kind not in PUBLICATION_TYPES):
        if title:
            _text(citation, "source", title, original)
            if translated:
                _text(citation, "trans-source", translated)
    else:
        if title:
            _text(citation, "chapter-title" if kind == "chapter" else "article-title", title,
                  original)
            if translated:
                _text(citation, "trans-title", translated)
        if container:
            _text(citation, "source", container)
    for field, element in (("edition", "edition"), ("volume", "volume"), ("issue", "issue")):
        if record.get(field):
            _text(citation, element, record[field])
    parts = _date_parts(record.get("issued"))
    if parts:
        _text(citation, "year", str(parts[0]), {"iso-8601-date": _iso(parts)})
        if len(parts) > 1:
            _text(citation, "month", f"{parts[1]:02d}")
        if len(parts) > 2:
            _text(citation, "day", f"{parts[2]:02d}")
    elif isinstance(record.get("issued"), dict) and record["issued"].get("literal"):
        _text(citation, "year", record["issued"]["literal"])
    if record.get("page"):
        first, _, last = record["page"].partition("-")
        _text(citation, "fpage", first.strip())
        if last.strip():
            _text(citation, "lpage", last.strip())
    if record.get("publisher-place"):
        _text(citation, "publisher-loc", record["publisher-place"])
    if record.get("publisher"):
        _text(citation, "publisher-name", record["publisher"])
    for field, element in (("ISBN", "isbn"), ("ISSN", "issn")):
        if record.get(field):
            _text(citation, element, record[field])
    if record.get("DOI"):
        _text(citation, "pub-id", record["DOI"], {"pub-id-type": "doi"})
    if record.get("URL"):
        _text(citation, "ext-link", record["URL"], {"ext-link-type": "uri", HREF: record["URL"]})
    accessed = _date_parts(record.get("accessed"))
    if accessed:
        _text(citation, "date-in-citation", _iso(accessed),
              {"content-type": "access-date", "iso-8601-date": _iso(accessed)})
    return citation


def _publication_type(record: dict) -> str:
    return PUBLICATION_TYPES.get(record.get("type", ""), "other")


def _person(group: etree._Element, name: dict) -> None:
    if "literal" in name:
        _text(group, "collab", name["literal"])
        return
    element = _sub(group, "name")
    family = " ".join(filter(None, (name.get("non-dropping-particle"), name.get("family"))))
    _text(element, "surname", family)
    given = " ".join(filter(None, (name.get("given"), name.get("dropping-particle"))))
    if given:
        _text(element, "given-names", given)
    if name.get("suffix"):
        _text(element, "suffix", name["suffix"])


def _date_parts(date) -> list[int]:
    if isinstance(date, dict) and date.get("date-parts"):
        return [int(p) for p in date["date-parts"][0]]
    return []


def _iso(parts: list[int]) -> str:
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])


# --------------------------------------------------------------------------- XML helpers

def _sub(parent: etree._Element, tag: str, attrib: dict | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attrib or {})


def _text(parent: etree._Element, tag: str, text: str,
          attrib: dict | None = None) -> etree._Element:
    element = _sub(parent, tag, attrib)
    element.text = _xml_safe(text)
    return element


def _append_text(parent: etree._Element, text: str) -> None:
    text = _xml_safe(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (content is untrusted)."""
    return _NOT_XML.sub("", str(text))


def _date(parent: etree._Element, tag: str, day, attrib: dict) -> None:
    element = _sub(parent, tag, dict(attrib, **{"iso-8601-date": day.isoformat()}))
    _text(element, "day", f"{day.day:02d}")
    _text(element, "month", f"{day.month:02d}")
    _text(element, "year", str(day.year))


def node_types_without_writer() -> list[type]:
    """Node classes of :mod:`songngu.doctree` this writer cannot write (a test keeps it empty)."""
    return [kind for kind in doctree.NODE_TYPES if kind not in INLINE]
