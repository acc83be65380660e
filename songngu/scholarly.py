"""Say what an article page is, in the forms indexers read: Highwire tags, Dublin Core, JSON-LD.

resolved document + language + printed pages → :class:`PageMetadata`, all plain text (markup,
citations and cross-references removed). Google Scholar reads the Highwire Press
``citation_*`` tags of an article page; library and repository harvesters read Dublin Core
``DC.*`` tags; search engines read schema.org's ``ScholarlyArticle`` as JSON-LD. The template
partial ``scholarly.html.j2`` writes them into the page's head, escaped like any other text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .doctree import plain_line
from .model import Document
from .pagecount import Pages
from .resolve import Resolved

DC_SCHEMA = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class MetaTag:
    name: str
    content: str
    lang: str = ""
    """Set for the tags that exist once per language (``DC.title``)."""


@dataclass(frozen=True)
class PageMetadata:
    highwire: tuple[MetaTag, ...]
    dublin_core: tuple[MetaTag, ...]
    json_ld: Markup
    """The JSON-LD object, safe to place inside ``<script type="application/ld+json">``."""


def page_metadata(resolved: Resolved, lang: str, pages: Pages | None) -> PageMetadata:
    """The metadata of the page of ``lang``; ``pages.last`` None: the last page is not known
    (no PDF laid out from this page yet), and no tag claims one."""
    doc = resolved.doc
    text = doc.texts[lang]
    langs = [lang] + [other for other in doc.languages if other != lang and other in doc.texts]

    titles = {other: plain_line(resolved.texts[other].front.title) for other in langs}
    keywords = [plain_line(keyword) for keyword in resolved.texts[lang].front.keywords]
    journal = text.journal_name or doc.journal.name
    day = doc.dates.get("published")
    tags = [MetaTag("citation_title", titles[lang])]
    for author in doc.authors:
        tags.append(MetaTag("citation_author", text.authors.get(author.id, "")))
        tags += [MetaTag("citation_author_institution", text.affiliations[aff])
                 for aff in author.affiliations if aff in text.affiliations]
        if author.orcid:
            tags.append(MetaTag("citation_author_orcid", orcid_url(author.orcid)))
        if author.email and author.corresponding:
            tags.append(MetaTag("citation_author_email", author.email))
    tags.append(MetaTag("citation_journal_title", journal))
    if doc.journal.publisher:
        tags.append(MetaTag("citation_publisher", doc.journal.publisher))
    tags += [MetaTag("citation_issn", issn) for issn in (doc.journal.issn, doc.journal.eissn)
             if issn]
    for name, value in (("citation_volume", doc.journal.volume),
                        ("citation_issue", doc.journal.issue)):
        if value:
            tags.append(MetaTag(name, value))
    if pages is not None:
        tags.append(MetaTag("citation_firstpage", str(pages.first)))
        if pages.last is not None:
            tags.append(MetaTag("citation_lastpage", str(pages.last)))
    if day is not None:
        tags.append(MetaTag("citation_publication_date", f"{day:%Y/%m/%d}"))
    if doc.doi:
        tags.append(MetaTag("citation_doi", doc.doi))
    tags.append(MetaTag("citation_pdf_url", f"{doc.id}.pdf"))
    tags.append(MetaTag("citation_language", lang))
    if keywords:
        tags.append(MetaTag("citation_keywords", "; ".join(keywords)))
    references = _cited_records(resolved, lang)
    tags += [MetaTag("citation_reference", citation_reference(record)) for record in references]
    return PageMetadata(tuple(t for t in tags if t.content),
                        tuple(_dublin_core(doc, lang, titles, keywords, journal)),
                        _json_ld(resolved, lang, titles, keywords, journal, pages, references))


def orcid_url(orcid: str) -> str:
    """``0000-0002-1825-0097`` or its URL → ``https://orcid.org/0000-0002-1825-0097``."""
    bare = re.sub(r"^(?:https?://)?(?:www\.)?orcid\.org/", "", orcid.strip())
    return f"https://orcid.org/{bare}"


def _cited_records(resolved: Resolved, lang: str) -> list[dict]:
    """The records of the references the page lists, in the order of its list."""
    return [entry.record for entry in resolved.texts[lang].references]


def citation_reference(record: dict) -> str:
    """A reference as Highwire's ``citation_reference`` content: ``name=value; …`` pairs."""
    pairs = [("citation_title", record.get("title", ""))]
    for name in record.get("author", []):
        pairs.append(("citation_author", _name(name)))
    kind = record.get("type", "")
    container = record.get("container-title", "")
    if container:
        pairs.append(("citation_journal_title" if kind.startswith("article")
                      else "citation_inbook_title" if kind == "chapter"
                      else "citation_conference_title" if kind == "paper-conference"
                      else "citation_journal_title", container))
    if record.get("publisher"):
        pairs.append(("citation_publisher", record["publisher"]))
    parts = (record.get("issued") or {}).get("date-parts") or [[]]
    if parts[0]:
        pairs.append(("citation_publication_date", "/".join(
            [str(parts[0][0])] + [f"{p:02d}" for p in parts[0][1:]])))
    for field, name in (("volume", "citation_volume"), ("issue", "citation_issue")):
        if record.get(field):
            pairs.append((name, record[field]))
    if record.get("page"):
        first, _, last = record["page"].partition("-")
        pairs.append(("citation_firstpage", first))
        if last:
            pairs.append(("citation_lastpage", last))
    if record.get("DOI"):
        pairs.append(("citation_doi", record["DOI"]))
    if record.get("URL"):
        pairs.append(("citation_fulltext_html_url", record["URL"]))
    # ";" separates the pairs: inside a value it becomes ",".
    return "; ".join(f"{name}={' '.join(str(value).replace(';', ',').split())}"
                     for name, value in pairs if value)


def _name(name: dict) -> str:
    if "literal" in name:
        return name["literal"]
    family = " ".join(filter(None, (name.get("non-dropping-particle"), name.get("family"))))
    return f"{family}, {name['given']}" if name.get("given") else family


def _dublin_core(doc: Document, lang: str, titles: dict[str, str], keywords: list[str],
                 journal: str) -> list[MetaTag]:
    text = doc.texts[lang]
    tags = [MetaTag("DC.title", title, other) for other, title in titles.items()]
    tags += [MetaTag("DC.creator", text.authors.get(author.id, "")) for author in doc.authors]
    tags += [MetaTag("DC.subject", keyword, lang) for keyword in keywords]
    if "published" in doc.dates:
        tags.append(MetaTag("DC.date", doc.dates["published"].isoformat()))
    if doc.doi:
        tags.append(MetaTag("DC.identifier", f"https://doi.org/{doc.doi}"))
    tags.append(MetaTag("DC.language", lang))
    tags.append(MetaTag("DC.type", "Text"))
    tags.append(MetaTag("DC.source", journal))
    if doc.journal.publisher:
        tags.append(MetaTag("DC.publisher", doc.journal.publisher))
    return [tag for tag in tags if tag.content]


def _json_ld(resolved: Resolved, lang: str, titles: dict[str, str], keywords: list[str],
             journal: str, pages: Pages | None, references: list[dict]) -> Markup:
    doc = resolved.doc
    text = doc.texts[lang]
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ScholarlyArticle",
        "headline": titles[lang], "name": titles[lang], "inLanguage": lang,
        "author": [_person(doc, text, author) for author in doc.authors],
        "abstract": plain_line(resolved.texts[lang].front.abstract),
        "keywords": keywords,
    }
    if "published" in doc.dates:
        data["datePublished"] = doc.dates["published"].isoformat()
    if doc.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doc.doi}
        data["sameAs"] = f"https://doi.org/{doc.doi}"
    if pages is not None:
        data["pageStart"] = str(pages.first)
        if pages.last is not None:
            data["pageEnd"] = str(pages.last)
    periodical: dict[str, Any] = {"@type": "Periodical", "name": journal}
    issns = [issn for issn in (doc.journal.issn, doc.journal.eissn) if issn]
    if issns:
        periodical["issn"] = issns
    if doc.journal.publisher:
        periodical["publisher"] = {"@type": "Organization", "name": doc.journal.publisher}
    part = periodical
    if doc.journal.volume:
        part = {"@type": "PublicationVolume", "volumeNumber": doc.journal.volume,
                "isPartOf": part}
    if doc.journal.issue:
        part = {"@type": "PublicationIssue", "issueNumber": doc.journal.issue, "isPartOf": part}
    data["isPartOf"] = part
    others = [{"@type": "ScholarlyArticle", "@id": f"../{other}/{doc.id}.html",
               "inLanguage": other, "name": title}
              for other, title in titles.items() if other != lang]
    if others:
        # The first language is the original; the others are its translations.
        if lang == doc.languages[0]:
            data["workTranslation"] = others
        else:
            data["translationOfWork"] = next(o for o in others
                                             if o["inLanguage"] == doc.languages[0])
    if references:
        data["citation"] = [_cited_work(record) for record in references]
    return json_for_script(data)


def _person(doc: Document, text, author) -> dict:
    person: dict[str, Any] = {"@type": "Person", "name": text.authors.get(author.id, "")}
    if author.orcid:
        person["identifier"] = orcid_url(author.orcid)
    affiliations = [{"@type": "Organization", "name": text.affiliations[aff]}
                    for aff in author.affiliations if aff in text.affiliations]
    if affiliations:
        person["affiliation"] = affiliations
    return person


def _cited_work(record: dict) -> dict:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": record.get("title", "")}
    authors = [_name(name) for name in record.get("author", [])]
    if authors:
        work["author"] = authors
    parts = (record.get("issued") or {}).get("date-parts") or [[]]
    if parts[0]:
        work["datePublished"] = str(parts[0][0])
    if record.get("DOI"):
        work["sameAs"] = f"https://doi.org/{record['DOI']}"
    elif record.get("URL"):
        work["url"] = record["URL"]
    return work


def json_for_script(data: Any) -> Markup:
    """JSON that cannot end its ``<script>`` element early: ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)
