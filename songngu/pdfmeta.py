"""Finish a rendered PDF: printed page labels and the document's metadata in every language.

the PDF WeasyPrint is writing + :class:`PdfFacts` → the same PDF with them added, through
WeasyPrint's ``finisher`` hook, just before the file is written (no second pass over the file).
WeasyPrint writes the pages, the structure tree (tags), the outline, the links and any
attachments; it knows neither the printed page numbers nor the document's other languages.
This stage adds, keeping everything WeasyPrint wrote:

- page labels, so that a viewer's page box shows the printed numbers ("100", not "1");
- the document information (title, authors, subject = the abstract, keywords, creator,
  dates), equal to the XMP packet as PDF/A requires;
- an XMP packet that carries the PDF's own title (``dc:title``: viewers show its entries
  joined, so it holds one), the other languages' titles (``prism:alternateTitle``), the
  abstract in every language (``dc:description``, language alternatives), the languages, keywords
  and DOI, next to the conformance claim (PDF/UA, PDF/A, PDF/X) WeasyPrint wrote;
- the journal's facts in PRISM terms, as publishers' PDFs carry them for indexers and
  reference managers (``prism:doi``, ``prism:publicationName``, ``prism:issn``,
  ``prism:eIssn``, ``prism:volume``, ``prism:number``, ``prism:startingPage``,
  ``prism:endingPage`` of the printed pages, ``prism:coverDate``), with the PDF/A extension
  schema that declares them (PDF/A allows no XMP property its schemas do not define).

Every date is the article's own date and every identifier is derived from the content, so
building the same content twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from . import __version__

if TYPE_CHECKING:  # a build's worker process lays out PDFs without the content stages
    from .model import Document
    from .resolve import Resolved

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfx": "http://ns.adobe.com/pdfx/1.3/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "prism": "http://prismstandard.org/namespaces/basic/3.0/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'.encode()
XPACKET_END = b'\n<?xpacket end="w"?>'


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


OWN_PROPERTIES = {_q(name) for name in (
    "dc:title", "dc:creator", "dc:description", "dc:subject", "dc:language", "dc:identifier",
    "pdf:Keywords", "xmp:CreatorTool", "xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate",
    "xmpMM:DocumentID", "xmpMM:InstanceID", "pdfaExtension:schemas")} | {
    _q(f"prism:{name}") for name in ("doi", "url", "publicationName", "issn", "eIssn",
                                     "volume", "number", "startingPage", "endingPage",
                                     "pageRange", "coverDate", "alternateTitle")}
"""XMP properties this stage writes; WeasyPrint's values of them are replaced."""

PRISM_PROPERTIES = {
    "doi": ("Text", "Digital Object Identifier of the article"),
    "url": ("URI", "Resolvable URL of the article (its DOI)"),
    "publicationName": ("Text", "Name of the journal"),
    "issn": ("Text", "ISSN of the print journal"),
    "eIssn": ("Text", "ISSN of the electronic journal"),
    "volume": ("Text", "Volume of the journal"),
    "number": ("Text", "Issue of the journal"),
    "startingPage": ("Text", "First printed page of the article"),
    "endingPage": ("Text", "Last printed page of the article"),
    "pageRange": ("Text", "Printed pages of the article"),
    "coverDate": ("Date", "Publication date of the article"),
    "alternateTitle": ("Lang Alt", "Title of the article in its other languages"),
}
"""The PRISM properties written, with their XMP value type and meaning: the PDF/A extension
schema declares exactly these."""


@dataclass(frozen=True)
class PdfFacts:
    """What the finished PDF says about itself."""

    lang: str
    """The language of the PDF (its page language)."""
    titles: dict[str, str]
    """Plain title in every language, the PDF's language first."""
    abstracts: dict[str, str]
    """Plain abstract in every language, the PDF's language first."""
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    first_page: int
    """The printed number of the first page."""
    date: dt.date | None
    """The article's date, used for every timestamp; None: no dates are written."""
    identifier: str
    """The DOI, or the document's id when it has none: the seed of the XMP document id."""
    doi: str = ""
    variant: str = ""
    """The PDF variant WeasyPrint wrote (``pdf/ua-1``, ``pdf/a-3b``, …)."""
    journal: dict[str, str] = field(default_factory=dict)
    """The journal's facts by their PRISM names, in the order written: ``publicationName``
    (as printed in this language), ``issn``, ``eIssn``, ``volume``, ``number``."""
    journal_pages: bool = True
    """Whether the pages are the journal's printed pages (not a handout's 1…n): only those
    are named as the article's page range."""
    last_page: int | None = None
    """The last printed page, set when the laid-out pages are counted."""

    @property
    def title(self) -> str:
        return self.titles[self.lang]


def document_date(doc: Document) -> dt.date | None:
    """The date that stands for the article in its files: published, else the latest known."""
    if "published" in doc.dates:
        return doc.dates["published"]
    return max(doc.dates.values(), default=None)


def facts_for(resolved: Resolved, lang: str, variant: str) -> PdfFacts:
    """The metadata of the PDF of ``lang``, in plain text (markup, citations removed)."""
    # Here, not at the top: a layout worker imports this module, and none of the content's.
    from .doctree import plain_line

    doc = resolved.doc
    langs = [lang] + [other for other in doc.languages if other != lang and other in doc.texts]
    fronts = {other: resolved.texts[other].front for other in langs}
    front = fronts[lang]
    return PdfFacts(
        lang=lang,
        titles={other: plain_line(fronts[other].title) for other in langs},
        abstracts={other: plain_line(fronts[other].abstract) for other in langs},
        authors=tuple(front.authors[a.id] for a in doc.authors if a.id in front.authors),
        keywords=tuple(plain_line(k) for k in front.keywords),
        first_page=doc.first_page,
        date=document_date(doc),
        identifier=doc.doi or doc.id,
        doi=doc.doi,
        variant=variant,
        journal={"publicationName": front.journal_name or doc.journal.name,
                 "issn": doc.journal.issn, "eIssn": doc.journal.eissn,
                 "volume": doc.journal.volume, "number": doc.journal.issue},
    )


def finish(document, pdf, facts: PdfFacts) -> None:
    """Add page labels and metadata to ``pdf`` (a pydyf PDF) before WeasyPrint writes it.

    Called by WeasyPrint as ``finisher(document, pdf)``: give it
    ``functools.partial(finish, facts=facts)``.
    """
    import pydyf  # WeasyPrint's PDF writer, loaded with it

    facts = replace(facts, last_page=facts.first_page + len(document.pages) - 1)
    catalog = pdf.catalog
    catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array([
        0, pydyf.Dictionary({"S": "/D", "St": facts.first_page})])})
    catalog["Lang"] = pydyf.String(facts.lang)
    if "Outlines" in catalog:
        catalog["PageMode"] = "/UseOutlines"
    if not facts.variant.startswith("pdf/a-4"):  # PDF/A-4 forbids the information dict
        _set_info(pdf.info, facts)
    metadata = _metadata_stream(pdf)
    existing = b"".join(metadata.stream) if metadata.stream else None
    metadata.stream = [xmp_packet(existing, facts)]


def _metadata_stream(pdf):
    """The catalog's XMP stream, which WeasyPrint wrote for its variant; made if missing."""
    import pydyf

    reference = pdf.catalog.get("Metadata")
    if reference is not None:
        return pdf.objects[int(reference.split()[0])]
    stream = pydyf.Stream([], {"Type": "/Metadata", "Subtype": "/XML"})
    pdf.add_object(stream)
    pdf.catalog["Metadata"] = stream.reference
    return stream


def _set_info(info, facts: PdfFacts) -> None:
    import pydyf

    fields = {"Title": facts.title, "Author": ", ".join(facts.authors),
              "Subject": facts.abstracts[facts.lang], "Keywords": ", ".join(facts.keywords),
              "Creator": f"songngu {__version__}"}
    if facts.date is not None:
        fields["CreationDate"] = fields["ModDate"] = f"D:{facts.date:%Y%m%d}"
    for key in ("CreationDate", "ModDate"):
        if key in info and key not in fields:  # dates WeasyPrint took from the clock
            del info[key]
    for key, value in fields.items():
        if value:
            info[key] = pydyf.String(value)
        elif key in info:
            del info[key]


def xmp_packet(existing: bytes | None, facts: PdfFacts) -> bytes:
    """The XMP packet: WeasyPrint's conformance claims kept, the document's facts added."""
    root = _parse_xmp(existing)
    rdf = root.find(_q("rdf:RDF"))
    if rdf is None:
        rdf = ET.SubElement(root, _q("rdf:RDF"))
    for description in list(rdf):
        for child in list(description):
            if child.tag in OWN_PROPERTIES:
                description.remove(child)
        for attribute in list(description.attrib):
            if attribute in OWN_PROPERTIES:
                del description.attrib[attribute]
        if not len(description) and set(description.attrib) <= {_q("rdf:about")}:
            rdf.remove(description)
    own = ET.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    # One title: viewers (pdf.js among them) join every entry of dc:title into the title they
    # show. The other languages' titles are kept as alternate titles (PRISM).
    _alternatives(own, "dc:title", {facts.lang: facts.titles[facts.lang]}, facts.lang,
                  default_only=True)
    _array(own, "dc:creator", "rdf:Seq", facts.authors)
    _alternatives(own, "dc:description", facts.abstracts, facts.lang)
    _array(own, "dc:subject", "rdf:Bag", facts.keywords)
    _array(own, "dc:language", "rdf:Bag", list(facts.titles))
    if facts.doi:
        ET.SubElement(own, _q("dc:identifier")).text = f"doi:{facts.doi}"
    if facts.keywords:
        ET.SubElement(own, _q("pdf:Keywords")).text = ", ".join(facts.keywords)
    ET.SubElement(own, _q("xmp:CreatorTool")).text = f"songngu {__version__}"
    if facts.date is not None:
        for name in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            ET.SubElement(own, _q(name)).text = facts.date.isoformat()
    _prism(rdf, facts)
    # A stable id per document and language instead of WeasyPrint's random one (PDF/X-4).
    document_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{facts.identifier}#{facts.lang}")
    ET.SubElement(own, _q("xmpMM:DocumentID")).text = f"uuid:{document_id}"
    ET.SubElement(own, _q("xmpMM:InstanceID")).text = f"uuid:{document_id}"
    return XPACKET_BEGIN + ET.tostring(root, encoding="utf-8", xml_declaration=False) + \
        XPACKET_END


def _prism(rdf: ET.Element, facts: PdfFacts) -> None:
    """The journal's facts as PRISM properties, and the extension schema declaring them."""
    values = {"doi": facts.doi, "url": f"https://doi.org/{facts.doi}" if facts.doi else "",
              **facts.journal,
              "coverDate": facts.date.isoformat() if facts.date is not None else ""}
    if facts.journal_pages:
        values["startingPage"] = str(facts.first_page)
        if facts.last_page is not None:
            values["endingPage"] = str(facts.last_page)
            values["pageRange"] = f"{facts.first_page}-{facts.last_page}"
    values = {name: value for name, value in values.items() if value}
    # The other languages' titles: kept apart from dc:title, which viewers show whole.
    alternates = {lang: title for lang, title in facts.titles.items()
                  if lang != facts.lang and title}
    if not values and not alternates:
        return
    own = ET.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    for name, value in values.items():
        ET.SubElement(own, _q(f"prism:{name}")).text = value
    if alternates:
        _alternatives(own, "prism:alternateTitle", alternates, next(iter(alternates)))
        values["alternateTitle"] = ""
    schemas = ET.SubElement(ET.SubElement(own, _q("pdfaExtension:schemas")), _q("rdf:Bag"))
    schema = ET.SubElement(schemas, _q("rdf:li"), {_q("rdf:parseType"): "Resource"})
    ET.SubElement(schema, _q("pdfaSchema:schema")).text = "PRISM Basic Metadata"
    ET.SubElement(schema, _q("pdfaSchema:namespaceURI")).text = NS["prism"]
    ET.SubElement(schema, _q("pdfaSchema:prefix")).text = "prism"
    properties = ET.SubElement(ET.SubElement(schema, _q("pdfaSchema:property")), _q("rdf:Seq"))
    for name in values:
        kind, meaning = PRISM_PROPERTIES[name]
        item = ET.SubElement(properties, _q("rdf:li"), {_q("rdf:parseType"): "Resource"})
        ET.SubElement(item, _q("pdfaProperty:name")).text = name
        ET.SubElement(item, _q("pdfaProperty:valueType")).text = kind
        ET.SubElement(item, _q("pdfaProperty:category")).text = "external"
        ET.SubElement(item, _q("pdfaProperty:description")).text = meaning


def _parse_xmp(existing: bytes | None) -> ET.Element:
    if existing:
        start, end = existing.find(b"<x:xmpmeta"), existing.rfind(b"</x:xmpmeta>")
        if start >= 0 and end > start:
            try:
                return ET.fromstring(existing[start:end + len(b"</x:xmpmeta>")])
            except ET.ParseError:
                pass  # unreadable: replaced by a packet of our own
    return ET.Element(_q("x:xmpmeta"))


def _alternatives(parent: ET.Element, name: str, texts: dict[str, str], lang: str,
                  default_only: bool = False) -> None:
    """A language alternative: the default (the PDF's language) first, then each language."""
    if not texts.get(lang):
        return
    alt = ET.SubElement(ET.SubElement(parent, _q(name)), _q("rdf:Alt"))
    entries = [("x-default", texts[lang])] + ([] if default_only else list(texts.items()))
    for key, text in entries:
        if text:
            ET.SubElement(alt, _q("rdf:li"), {XML_LANG: key}).text = text


def _array(parent: ET.Element, name: str, kind: str, items) -> None:
    items = [item for item in items if item]
    if not items:
        return
    array = ET.SubElement(ET.SubElement(parent, _q(name)), _q(kind))
    for item in items:
        ET.SubElement(array, _q("rdf:li")).text = item
