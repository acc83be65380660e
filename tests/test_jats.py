"""Scholarly outputs: the JATS XML with its translation, the article page's metadata, the XMP.

The sample is built once (every language, PDFs, ``--jats``) and its JATS validated with lxml
against the official JATS 1.3 XSD; what the schema cannot check is checked here (references
resolve, the translation matches the body, languages, text round-trips). A second document,
written here, has what the sample lacks: two authors with ORCIDs, the journal's name in each
language, a figure, lists, a quotation, subheadings, subscripts, a journal article with a DOI,
a chapter, a run of citations and cross-references of every kind.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import lxml.html
import pytest
import yaml
from checkers import jats_schema
from conftest import ROOT, SAMPLE
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from songngu import cli, doctree, jats
from songngu.inline import parse_inline

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PRISM = "http://prismstandard.org/namespaces/basic/3.0/"


def build(*args: str, templates: Path = ROOT / "templates") -> int:
    return cli.main([*args, "--templates", str(templates), "--fonts", str(ROOT / "fonts")])


FRENCH = {"Table %(num)s": "Tableau %(num)s", "Table %(num)s.": "Tableau %(num)s.",
          "REFERENCES": "RÉFÉRENCES", "ABSTRACT": "RÉSUMÉ"}


def templates_with_french(folder: Path) -> Path:
    """The templates with a French label catalog: a third language is a catalog, no code."""
    from babel.messages.pofile import read_po, write_po

    templates = folder / "templates"
    shutil.copytree(ROOT / "templates", templates)
    with (templates / "journal/locales/messages.pot").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    for message in catalog:
        message.string = FRENCH.get(message.id, "")
    po = templates / "journal/locales/fr/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as fh:
        write_po(fh, catalog)
    return templates


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return jats_schema()


def assert_valid(schema: etree.XMLSchema, tree) -> None:
    valid = schema.validate(tree)
    assert valid, "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)


@pytest.fixture(scope="module")
def sample(sample_build) -> Path:
    """Every document of content/ built with its JATS (the sample among them): the test
    run's shared build, made with ``--jats``."""
    return sample_build


@pytest.fixture(scope="module")
def sample_xml(sample) -> etree._ElementTree:
    return etree.parse(str(sample / "jats" / "asean-japan.xml"))


# --------------------------------------------------------------------------- the sample

def test_every_shipped_document_validates_against_the_jats_1_3_schema(schema, sample):
    documents = sorted(p.parent.name for p in (ROOT / "content").glob("*/document.yaml"))
    files = sorted((sample / "jats").glob("*.xml"))
    assert [f.stem for f in files] == documents
    for file in files:
        tree = etree.parse(str(file))
        assert_valid(schema, tree)
        ids, rids = _ids_and_rids(tree)
        assert len(ids) == len(set(ids)) and set(rids) <= set(ids), file


def test_the_sample_is_jats_1_3_journal_publishing(sample_xml):
    root = sample_xml.getroot()
    assert root.get("dtd-version") == "1.3"
    assert root.get("article-type") == "research-article"
    assert sample_xml.docinfo.public_id == \
        "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN"


def _ids_and_rids(tree) -> tuple[list[str], list[str]]:
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    rids = [rid for e in tree.iter("xref") for rid in e.get("rid", "").split()]
    return ids, rids


def test_every_reference_in_the_sample_resolves_and_ids_are_unique(sample_xml):
    ids, rids = _ids_and_rids(sample_xml)
    assert len(ids) == len(set(ids))
    assert rids and set(rids) <= set(ids)
    kinds = {x.get("ref-type") for x in sample_xml.iter("xref")}
    assert {"bibr", "table", "sec", "aff", "corresp"} <= kinds
    # A reference in the translation points into the translation, one in the article into it.
    for xref in sample_xml.iter("xref"):
        in_sub = any(a.tag == "sub-article" for a in xref.iterancestors())
        assert all(rid.startswith("vi-") == in_sub for rid in xref.get("rid").split())


def _sections(parent, prefix: str = "") -> list[tuple[str, str]]:
    """(id without the language prefix, label) of every section, in order."""
    return [(sec.get("id").removeprefix(prefix), sec.findtext("label") or "")
            for sec in parent.find("body").iter("sec")]


def test_the_translation_is_a_sub_article_with_the_same_sections_and_references(sample_xml):
    root = sample_xml.getroot()
    subs = root.findall("sub-article")
    assert [(s.get("article-type"), s.get(XML_LANG)) for s in subs] == [("translation", "vi")]
    sub = subs[0]
    assert _sections(sub, "vi-") == _sections(root)
    assert len(_sections(root)) >= 10
    main_refs, sub_refs = root.findall("back/ref-list/ref"), sub.findall("back/ref-list/ref")
    assert len(main_refs) == len(sub_refs) == 14
    # The same records, structured the same; printed in each language's style.
    def structure(ref):
        return [(e.tag, dict(e.attrib), (e.text or "").strip())
                for e in ref.find("element-citation").iter()]

    assert [structure(r) for r in main_refs] == [structure(r) for r in sub_refs]
    printed = "".join(sub_refs[1].find("mixed-citation").itertext())
    assert "[Truy cập ngày 10/3/2021]" in printed
    assert sub.findtext("front-stub/title-group/article-title") == \
        "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI"
    assert [t.text for t in sub.iter("title")][:2] == ["Giới thiệu", "Phương pháp nghiên cứu"]
    labels = [t.findtext("label") for t in sub.iter("table-wrap")]
    assert labels == ["Bảng 1", "Bảng 2"]


def test_language_tags(sample_xml):
    root = sample_xml.getroot()
    meta = root.find("front/article-meta")
    assert root.get(XML_LANG) == "en"
    assert meta.find("title-group/trans-title-group").get(XML_LANG) == "vi"
    assert [a.get(XML_LANG) for a in meta.findall("trans-abstract")] == ["vi"]
    assert [g.get(XML_LANG) for g in meta.findall("kwd-group")] == ["en", "vi"]
    names = meta.findall("contrib-group/contrib/name-alternatives/string-name")
    assert [(n.get(XML_LANG), n.text) for n in names] == [
        ("en", "Kim Ngoc Thu Trang"), ("vi", "Kim Ngọc Thu Trang")]
    affs = meta.findall("contrib-group/aff-alternatives/aff")
    assert [(a.get(XML_LANG), a.findtext("institution")) for a in affs] == [
        ("en", "TNU – University of Education"),
        ("vi", "Trường Đại học Sư phạm – Đại học Thái Nguyên")]


def test_the_abstracts_and_keywords_round_trip(sample_xml):
    """What the XML says equals what the YAML says (read here with PyYAML, NFC)."""
    tree = sample_xml
    meta = tree.find("front/article-meta")
    vi = yaml.safe_load((SAMPLE / "vi.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((SAMPLE / "en.yaml").read_text(encoding="utf-8"))

    def nfc(text: str) -> str:
        return unicodedata.normalize("NFC", " ".join(text.split()))

    assert nfc("".join(meta.find("trans-abstract").itertext())) == nfc(vi["abstract"])
    assert nfc("".join(tree.find("sub-article/front-stub/abstract").itertext())) == \
        nfc(vi["abstract"])
    assert nfc("".join(meta.find("abstract").itertext())) == \
        nfc(en["abstract"].replace("^st^", "st"))
    assert meta.find("abstract/p/sup").text == "st"
    keywords = [nfc("".join(k.itertext())) for k in meta.xpath("kwd-group[@xml:lang='vi']/kwd")]
    assert keywords == [nfc(k) for k in vi["keywords"]]


def test_front_matter_and_the_page_range_of_the_laid_out_pdf(sample, sample_xml):
    journal = sample_xml.find("front/journal-meta")
    assert journal.findtext("journal-id") == "tnu-jst"
    assert journal.findtext("journal-title-group/journal-title") == \
        "TNU Journal of Science and Technology"
    assert [(i.get("publication-format"), i.text) for i in journal.findall("issn")] == [
        ("print", "1859-2171"), ("electronic", "2615-9562")]
    assert journal.findtext("publisher/publisher-name") == "Thai Nguyen University"
    meta = sample_xml.find("front/article-meta")
    assert meta.findtext("article-id[@pub-id-type='doi']") == "10.34238/tnu-jst.4151"
    assert (meta.findtext("volume"), meta.findtext("issue")) == ("226", "03")
    pages = len(PdfReader(sample / "en" / "asean-japan.pdf").pages)
    assert (meta.findtext("fpage"), meta.findtext("lpage")) == ("100", str(99 + pages))
    assert meta.find("pub-date").get("iso-8601-date") == "2021-03-31"
    assert [(d.get("date-type"), d.get("iso-8601-date")) for d in meta.findall("history/date")] \
        == [("received", "2021-03-11"), ("rev-recd", "2021-03-31")]
    contrib = meta.find("contrib-group/contrib")
    assert contrib.get("corresp") == "yes"
    assert contrib.findtext("email") == "khanhtrang2004@gmail.com"
    assert meta.find("author-notes/corresp").get("id") == "cor-trang"


def test_references_are_structured_from_the_record_and_printed_as_on_the_page(sample,
                                                                             sample_xml):
    refs = sample_xml.getroot().findall("back/ref-list/ref")
    journal = refs[2].find("element-citation")
    assert journal.get("publication-type") == "journal"
    assert journal.findtext("person-group/name/surname") == "Nguyễn"
    assert journal.findtext("person-group/name/given-names") == "Thanh Long"
    assert [journal.findtext(t) for t in ("article-title", "source", "issue", "fpage",
                                          "lpage", "year")] == [
        "Economic - Trade Cooperation between ASEAN and Dialogue Parties",
        "Journal of Jurisprudence", "9", "28", "36", "2007"]
    web = refs[1].find("element-citation")
    assert web.get("publication-type") == "webpage"
    assert web.find("ext-link").get(XLINK_HREF).startswith("http://nghiencuubiendong.vn/")
    assert web.find("date-in-citation").get("iso-8601-date") == "2021-03-10"
    assert refs[4].find("element-citation/person-group/collab").text == \
        "The Global Forum of Japan (GFJ)"
    # mixed-citation: the very text of the page's reference list.
    page = lxml.html.parse(str(sample / "en" / "asean-japan.html"))
    shown = [" ".join("".join(li.find_class("csl-right-inline")[0].itertext()).split())
             for li in page.iter("li") if (li.get("id") or "").startswith("ref-")]
    printed = [" ".join("".join(r.find("mixed-citation").itertext()).split()) for r in refs]
    assert printed == shown
    assert refs[0].find("mixed-citation/italic") is not None


# --------------------------------------------------------------------------- article pages

def _head(page: Path):
    html = lxml.html.parse(str(page))
    tags: dict[str, list] = {}
    for meta in html.iter("meta"):
        if meta.get("name"):
            tags.setdefault(meta.get("name"), []).append(meta)
    scripts = [s.text for s in html.iter("script") if s.get("type") == "application/ld+json"]
    return tags, scripts


def test_article_pages_carry_the_tags_indexers_read(sample):
    for lang, title in (("en", "ASEAN–Japan relations in the first two decades of the 21st "
                                "century"),
                        ("vi", "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI")):
        tags, scripts = _head(sample / lang / "asean-japan.html")
        # Each language's page names its own PDF, whose length may differ from the other's.
        pages = len(PdfReader(sample / lang / "asean-japan.pdf").pages)

        def one(name: str, tags=tags) -> str:
            assert len(tags[name]) == 1, name
            return tags[name][0].get("content")

        assert one("citation_title") == title
        assert [m.get("content") for m in tags["citation_issn"]] == ["1859-2171", "2615-9562"]
        assert one("citation_journal_title") == "TNU Journal of Science and Technology"
        assert (one("citation_volume"), one("citation_issue")) == ("226", "03")
        assert one("citation_firstpage") == "100"
        assert one("citation_lastpage") == str(99 + pages)
        assert one("citation_publication_date") == "2021/03/31"
        assert one("citation_doi") == "10.34238/tnu-jst.4151"
        assert one("citation_pdf_url") == "asean-japan.pdf"
        assert (sample / lang / one("citation_pdf_url")).is_file()
        assert one("citation_language") == lang
        assert len(tags["citation_reference"]) == 14
        assert "citation_title=Economic - Trade Cooperation between ASEAN and Dialogue " \
               "Parties; citation_author=Nguyễn, Thanh Long; citation_journal_title=Journal " \
               "of Jurisprudence" in tags["citation_reference"][2].get("content")
        # Plain text: no markup anywhere.
        assert not [m for ms in tags.values() for m in ms if "^" in (m.get("content") or "")]
        titles = {m.get("lang"): m.get("content") for m in tags["DC.title"]}
        assert titles == {"en": "ASEAN–Japan relations in the first two decades of the 21st "
                                "century",
                          "vi": "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI"}
        assert all(m.get("xml:lang") == m.get("lang") for m in tags["DC.title"])
        (script,) = scripts
        data = json.loads(script)
        assert data["@type"] == "ScholarlyArticle" and data["headline"] == title
        assert data["inLanguage"] == lang and data["pageEnd"] == str(99 + pages)
        assert data["isPartOf"]["isPartOf"]["isPartOf"]["issn"] == ["1859-2171", "2615-9562"]
        assert len(data["citation"]) == 14
    tags, scripts = _head(sample / "en" / "asean-japan.html")
    assert [m.get("content") for m in tags["citation_author"]] == ["Kim Ngoc Thu Trang"]
    assert [m.get("content") for m in tags["citation_author_institution"]] == [
        "TNU – University of Education"]
    assert tags["citation_keywords"][0].get("content") == \
        "Relations; ASEAN; Japan; ASEAN–Japan; The 21st century"
    assert json.loads(scripts[0])["workTranslation"][0]["@id"] == "../vi/asean-japan.html"


def test_the_pdf_xmp_carries_the_journal_facts(sample):
    pdf = sample / "en" / "asean-japan.pdf"
    reader = PdfReader(pdf)
    xmp = etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    prism = {e.tag.split("}")[1]: e.text for e in xmp.iter(f"{{{PRISM}}}*")}
    assert prism["doi"] == "10.34238/tnu-jst.4151"
    assert (prism["volume"], prism["number"]) == ("226", "03")
    assert (prism["issn"], prism["eIssn"]) == ("1859-2171", "2615-9562")
    assert (prism["startingPage"], prism["endingPage"]) == ("100", str(99 + len(reader.pages)))
    _assert_prism_declared(xmp, prism)
    assert reader.xmp_metadata.dc_identifier == "doi:10.34238/tnu-jst.4151"


def _assert_prism_declared(xmp, prism: dict) -> None:
    """PDF/A allows an XMP property only if an extension schema declares it."""
    ns = {"pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
          "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
    schemas = [s for s in xmp.iterfind(".//pdfaSchema:namespaceURI", ns) if s.text == PRISM]
    assert len(schemas) == 1
    declared = {n.text for n in schemas[0].getparent().iterfind(".//pdfaProperty:name", ns)}
    assert declared == set(prism)


# --------------------------------------------------------------------------- another article

SHARED = """\
# A sample article written for the tests: not a real study.
languages: [en, vi, fr]
journal:
  name: Journal of Delta Studies
  id: jds
  publisher: Delta University Press
  issn: 1234-5679
  volume: 7
  issue: 2
first_page: 31
doi: 10.5555/jds.2024.031
article_type: review
dates: {received: 2024-01-05, revised: 2024-02-10, accepted: 2024-02-20, published: 2024-03-01}
authors:
  - {id: lan, email: lan@example.org, corresponding: true, affiliations: [hus, ird],
     orcid: 0000-0002-1825-0097}
  - {id: minh, affiliations: [hus], orcid: "https://orcid.org/0000-0001-5109-3700"}
figures:
  map: {file: images/map.png}
tables:
  salt:
    columns: [{kind: year}, {kind: number, pattern: "#,##0.0"}]
    rows: [[2019, 4.5], [2020, ~]]
"""

TEXTS = {
    "en": ("Journal of Delta Studies", "Salinity in the Mekong Delta: a sample review",
           ["Tran Thi Lan", "Le Van Minh"], ["Hanoi University of Science", "IRD Vietnam"],
           "A sample abstract on H~2~O and *salt*.", ["salinity", "H~2~O"],
           "Introduction", "Methods", "Field work", "Results",
           "Salt intrusion [@a; @b; @c] grows; see [@tbl:salt], [@fig:map] and [@sec:results].",
           "Samples came from two provinces [@d, p. 4].", "In brief", "Rivers *rise*",
           "Canals **fall**", "“Water is life,” a farmer said [@a].",
           "Salinity by year", ["Year", "Salinity (g/l)"], "Source: [@b].",
           "Map of sampling sites", "Dots on a map of the delta",
           "Salinity rose in 2019 [@c]."),
    "vi": ("Tạp chí Nghiên cứu Đồng bằng", "Xâm nhập mặn ở Đồng bằng sông Cửu Long: bài tổng "
           "quan mẫu", ["Trần Thị Lan", "Lê Văn Minh"],
           ["Trường Đại học Khoa học Tự nhiên, Hà Nội", "IRD Việt Nam"],
           "Tóm tắt mẫu về H~2~O và *muối*.", ["độ mặn", "H~2~O"],
           "Mở đầu", "Phương pháp", "Khảo sát thực địa", "Kết quả",
           "Xâm nhập mặn [@a; @b; @c] gia tăng; xem [@tbl:salt], [@fig:map] và [@sec:results].",
           "Mẫu được lấy ở hai tỉnh [@d, p. 4].", "Tóm lại", "Sông *dâng*", "Kênh **cạn**",
           "“Nước là sự sống,” một nông dân nói [@a].",
           "Độ mặn theo năm", ["Năm", "Độ mặn (g/l)"], "Nguồn: [@b].",
           "Bản đồ các điểm lấy mẫu", "Các chấm trên bản đồ đồng bằng",
           "Độ mặn tăng năm 2019 [@c]."),
    "fr": ("Revue d’études des deltas", "La salinité dans le delta du Mékong : revue "
           "d’exemple", ["Tran Thi Lan", "Le Van Minh"],
           ["Université des sciences de Hanoï", "IRD Vietnam"],
           "Un résumé d’exemple sur H~2~O et le *sel*.", ["salinité", "H~2~O"],
           "Introduction", "Méthodes", "Travail de terrain", "Résultats",
           "L’intrusion saline [@a; @b; @c] augmente ; voir [@tbl:salt], [@fig:map] et "
           "[@sec:results].", "Les échantillons viennent de deux provinces [@d, p. 4].",
           "En bref", "Les fleuves *montent*", "Les canaux **baissent**",
           "« L’eau, c’est la vie », dit un paysan [@a].",
           "Salinité par année", ["Année", "Salinité (g/l)"], "Source : [@b].",
           "Carte des sites d’échantillonnage", "Des points sur une carte du delta",
           "La salinité a augmenté en 2019 [@c]."),
}

REFERENCES = """\
- id: a
  type: article-journal
  author: [{family: Nguyen, given: Hoa}, {family: Smith, given: John}]
  title: Salt and rice
  container-title: Delta Research
  volume: 12
  issue: 3
  page: 101-120
  issued: 2020-05
  DOI: 10.5555/dr.2020.101
- id: b
  type: chapter
  author: [{family: Pham, given: Linh}]
  editor: [{family: Do, given: An}]
  title: Canals of the south
  container-title: Water in Vietnam
  publisher: River Press
  publisher-place: Can Tho
  issued: 2018
  page: 45-67
- id: c
  type: report
  author: [{literal: Mekong River Commission}]
  title: State of the basin
  issued: 2019
  URL: https://example.org/basin-2019
  accessed: 2024-01-02
- id: d
  type: book
  author: [{family: Vo, given: Quoc}]
  title: Fieldwork methods
  publisher: Science Publishing House
  issued: 2015
"""


def write_article(folder: Path, shared: str = SHARED) -> Path:
    folder.mkdir(parents=True)
    (folder / "images").mkdir()
    Image.new("RGB", (120, 60), (40, 90, 160)).save(folder / "images" / "map.png")
    (folder / "document.yaml").write_text(shared, encoding="utf-8")
    (folder / "references.yaml").write_text(REFERENCES, encoding="utf-8")
    languages = yaml.safe_load(shared)["languages"]
    for lang in languages:
        (journal, title, names, affs, abstract, keywords, intro, methods, field, results,
         cites, sample_p, heading1, item1, item2, quote, caption, headers, note, fig_caption,
         alt, results_p) = TEXTS[lang]
        data = {
            "journal": journal, "title": title,
            "authors": {"lan": names[0], "minh": names[1]},
            "affiliations": {"hus": affs[0], "ird": affs[1]},
            "abstract": abstract, "keywords": keywords,
            "tables": {"salt": {"caption": caption, "columns": headers, "note": note}},
            "figures": {"map": {"caption": fig_caption, "alt": alt}},
            "sections": [
                {"id": "intro", "title": intro, "blocks": [{"p": cites}, {"quote": quote}]},
                {"id": "methods", "title": methods, "blocks": [{"p": sample_p}], "sections": [
                    {"id": "field", "title": field, "blocks": [
                        {"heading": heading1}, {"list": [item1, item2]},
                        {"ordered": [item2, item1]}, {"figure": "map"}]}]},
                {"id": "results", "title": results, "blocks": [{"p": results_p},
                                                               {"table": "salt"}]},
            ],
        }
        (folder / f"{lang}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> Path:
    return templates_with_french(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module")
def article(tmp_path_factory, french) -> tuple[Path, Path]:
    """Another article, built without a PDF (the JATS then has no last page)."""
    root = tmp_path_factory.mktemp("delta")
    folder = write_article(root / "content" / "delta")
    out = root / "out"
    assert build("--content", str(folder), "--out", str(out), "--jats", "--no-pdf",
                 templates=french) == 0
    return folder, out


@pytest.fixture(scope="module")
def article_xml(article) -> etree._ElementTree:
    return etree.parse(str(article[1] / "jats" / "delta.xml"))


def test_another_article_validates_with_two_translations(schema, article_xml):
    assert_valid(schema, article_xml)
    root = article_xml.getroot()
    assert root.get("article-type") == "review-article"
    assert [(s.get("id"), s.get(XML_LANG)) for s in root.findall("sub-article")] == [
        ("vi-article", "vi"), ("fr-article", "fr")]
    ids, rids = _ids_and_rids(article_xml)
    assert len(ids) == len(set(ids)) and set(rids) <= set(ids)
    for sub in root.findall("sub-article"):
        assert _sections(sub, sub.get(XML_LANG) + "-") == _sections(root)
        assert len(sub.findall("back/ref-list/ref")) == len(root.findall("back/ref-list/ref")) \
            == 4


def test_journal_and_contributors_in_every_language(article_xml):
    journal = article_xml.find("front/journal-meta/journal-title-group")
    assert journal.findtext("journal-title") == "Journal of Delta Studies"
    assert [(g.get(XML_LANG), g.findtext("trans-title")) for g in
            journal.findall("trans-title-group")] == [
        ("vi", "Tạp chí Nghiên cứu Đồng bằng"), ("fr", "Revue d’études des deltas")]
    contribs = article_xml.findall("front/article-meta/contrib-group/contrib")
    assert [c.findtext("contrib-id[@contrib-id-type='orcid']") for c in contribs] == [
        "https://orcid.org/0000-0002-1825-0097", "https://orcid.org/0000-0001-5109-3700"]
    assert [[x.get("rid") for x in c.findall("xref[@ref-type='aff']")] for c in contribs] == [
        ["aff-hus", "aff-ird"], ["aff-hus"]]
    assert [c.get("corresp") for c in contribs] == ["yes", None]
    history = article_xml.findall("front/article-meta/history/date")
    assert [d.get("date-type") for d in history] == ["received", "rev-recd", "accepted"]


def test_body_blocks_and_inline_markup(article, article_xml):
    body = article_xml.find("body")
    intro = body.find("sec")
    p = intro.find("p")
    run = p.find("xref[@ref-type='bibr']")
    assert run.text == "[1]–[3]" and run.get("rid") == "ref-1 ref-2 ref-3"
    assert [(x.get("ref-type"), x.get("rid"), x.text) for x in p.findall("xref")[1:]] == [
        ("table", "tbl-salt", "Table 1"), ("fig", "fig-map", "Figure 1"),
        ("sec", "sec-results", "Section 3")]
    assert intro.find("disp-quote/p/xref").get("rid") == "ref-1"
    field = body.find("sec[@id='sec-methods']/sec[@id='sec-field']")
    assert field.findtext("label") == "2.1"
    part = field.find("sec")
    assert part.findtext("title") == "In brief" and part.find("label") is None
    assert [lst.get("list-type") for lst in part.findall("list")] == ["bullet", "order"]
    assert part.find("list/list-item/p/italic").text == "rise"
    assert part.find("list/list-item[2]/p/bold").text == "fall"
    fig = part.find("fig")
    assert fig.findtext("label") == "Figure 1"
    href = fig.find("graphic").get(XLINK_HREF)
    assert href == "delta/images/map.png"
    assert (article[1] / "jats" / href).read_bytes() == \
        (article[0] / "images" / "map.png").read_bytes()
    assert fig.findtext("graphic/alt-text") == "Dots on a map of the delta"
    table = body.find(".//table-wrap")
    assert table.findtext("label") == "Table 1"
    assert table.findtext("caption/title") == "Salinity by year"
    assert [c.text for c in table.iter("th", "td")] == ["Year", "Salinity (g/l)", "2019", "4.5",
                                                        "2020", "–"]
    assert table.find("table-wrap-foot/p/xref").get("rid") == "ref-2"
    abstract = article_xml.find("front/article-meta/abstract/p")
    assert abstract.find("sub").text == "2" and abstract.find("italic").text == "salt"
    vi = article_xml.find("sub-article[@id='vi-article']")
    assert [c.text for c in vi.find(".//table-wrap").iter("td")] == ["4,5", "–"]
    assert vi.find(".//fig/graphic/alt-text").text == "Các chấm trên bản đồ đồng bằng"
    assert [x.text for x in vi.find("body/sec/p").findall("xref")[1:]] == [
        "Bảng 1", "Hình 1", "Mục 3"]


def test_element_citations_of_other_kinds(article_xml):
    refs = {r.get("id"): r for r in article_xml.findall("back/ref-list/ref")}
    article_ref = refs["ref-1"].find("element-citation")
    assert article_ref.findtext("pub-id[@pub-id-type='doi']") == "10.5555/dr.2020.101"
    assert [n.findtext("surname") for n in article_ref.findall("person-group/name")] == [
        "Nguyen", "Smith"]
    assert (article_ref.findtext("year"), article_ref.findtext("month")) == ("2020", "05")
    link = refs["ref-1"].find("mixed-citation/ext-link")
    assert link.get(XLINK_HREF) == "https://doi.org/10.5555/dr.2020.101"
    chapter = refs["ref-2"].find("element-citation")
    assert chapter.get("publication-type") == "book"
    assert (chapter.findtext("chapter-title"), chapter.findtext("source")) == (
        "Canals of the south", "Water in Vietnam")
    assert [g.get("person-group-type") for g in chapter.findall("person-group")] == [
        "author", "editor"]
    assert (chapter.findtext("publisher-loc"), chapter.findtext("publisher-name")) == (
        "Can Tho", "River Press")
    report = refs["ref-3"].find("element-citation")
    assert report.get("publication-type") == "report"
    assert report.findtext("person-group/collab") == "Mekong River Commission"
    assert report.find("date-in-citation").get("iso-8601-date") == "2024-01-02"


def test_without_a_pdf_there_is_no_last_page_and_a_warning_says_so(article, article_xml,
                                                                   capsys, french):
    meta = article_xml.find("front/article-meta")
    assert meta.findtext("fpage") == "31" and meta.find("lpage") is None
    tags, _ = _head(article[1] / "en" / "delta.html")
    assert "citation_lastpage" not in tags and tags["citation_firstpage"][0].get("content") \
        == "31"
    # Once the English PDF is laid out, the next JATS build prints the range without laying
    # it out again (the page count is kept in the build state).
    out = article[1]
    assert build("--content", str(article[0]), "--out", str(out), "--lang", "en",
                 templates=french) == 0
    pages = len(PdfReader(out / "en" / "delta.pdf").pages)
    tags, _ = _head(out / "en" / "delta.html")
    assert tags["citation_lastpage"][0].get("content") == str(30 + pages)
    capsys.readouterr()
    assert build("--content", str(article[0]), "--out", str(out), "--jats", "--no-pdf",
                 "--no-html", templates=french) == 0
    report = capsys.readouterr()
    assert "laying out" not in report.out and "no <lpage>" not in report.err
    tree = etree.parse(str(out / "jats" / "delta.xml"))
    assert tree.findtext("front/article-meta/lpage") == str(30 + pages)


def test_the_pdf_xmp_is_declared_for_pdf_a(article, french):
    folder, out = article
    target = out.parent / "pdfa"
    assert build("--content", str(folder), "--out", str(target), "--lang", "vi",
                 "--pdf-variant", "pdf/a-2b", "--no-html", templates=french) == 0
    reader = PdfReader(target / "vi" / "delta.pdf")
    xmp = etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    prism = {e.tag.split("}")[1]: e.text for e in xmp.iter(f"{{{PRISM}}}*")}
    assert prism["doi"] == "10.5555/jds.2024.031" and "eIssn" not in prism
    assert prism["publicationName"] == "Tạp chí Nghiên cứu Đồng bằng"
    assert (prism["startingPage"], prism["endingPage"]) == ("31", str(30 + len(reader.pages)))
    _assert_prism_declared(xmp, prism)
    part = xmp.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
                    "[@{http://www.aiim.org/pdfa/ns/id/}part]")
    assert part is not None


# --------------------------------------------------------------------------- when to write it

def test_missing_deposit_data_is_a_warning_naming_the_output(tmp_path, capsys, french):
    shared = SHARED.replace("doi: 10.5555/jds.2024.031\n", "") \
        .replace("  issn: 1234-5679\n", "").replace("  publisher: Delta University Press\n", "")
    folder = write_article(tmp_path / "content" / "delta", shared)
    out = tmp_path / "out"
    assert build("--content", str(folder), "--out", str(out), "--jats", "--no-pdf",
                 "--no-html", templates=french) == 0
    err = capsys.readouterr().err
    xml = str(out / "jats" / "delta.xml")
    assert re.search(rf"document\.yaml:1: warning: no 'doi': {re.escape(xml)} needs one for "
                     rf"<article-id", err), err
    assert re.search(rf"document\.yaml:3: warning: journal: no 'issn' or 'eissn': "
                     rf"{re.escape(xml)} needs one", err), err
    assert re.search(r"document\.yaml:3: warning: journal: no 'publisher'", err), err
    assert re.search(r"document\.yaml:\d+: warning: .*no <lpage>", err), err


def test_check_reports_malformed_identifiers_a_deposit_would_carry(tmp_path, capsys, french):
    # A malformed ORCID or DOI is an error of the model (each becomes a link); a wrong ISSN
    # check digit is a warning that names the deposit.
    shared = SHARED.replace("issn: 1234-5679", "issn: 1234-5678")
    folder = write_article(tmp_path / "content" / "delta", shared)
    assert build("check", "--content", str(folder), "--jats", templates=french) == 0
    err = capsys.readouterr().err
    assert re.search(r"document\.yaml:7: warning: journal: issn: '1234-5678' is not a valid "
                     r"ISSN", err), err
    assert "no <lpage>" not in err
    shared = SHARED.replace("doi: 10.5555/jds.2024.031", "doi: jds.2024.031")
    folder = write_article(tmp_path / "content" / "epsilon", shared)
    assert build("check", "--content", str(folder), "--jats", templates=french) == 1
    err = capsys.readouterr().err
    assert re.search(r"document\.yaml:11: doi: .*'jds\.2024\.031'", err), err


def test_document_yaml_can_ask_for_jats_in_full_builds(tmp_path, french):
    folder = write_article(tmp_path / "content" / "delta", SHARED + "jats: true\n")
    out = tmp_path / "out"
    assert build("--content", str(folder), "--out", str(out), "--lang", "en", "--no-pdf",
                 templates=french) == 0
    assert not (out / "jats").exists()
    assert build("--content", str(folder), "--out", str(out), "--no-pdf", templates=french) == 0
    assert (out / "jats" / "delta.xml").is_file()


# --------------------------------------------------------------------------- the inline tree

def test_every_node_kind_has_a_jats_writer():
    assert jats.node_types_without_writer() == []
    kinds = {span.kind for span in parse_inline("*a* **b** ^c^ ~d~ `e` [f](https://g.example) "
                                                "[@key] [@tbl:x]")}
    assert kinds <= set(doctree.FROM_SPAN)


def test_citeproc_styles_become_nodes_without_html():
    marked = doctree.FORMATTER.Italic("Title " + doctree.FORMATTER.Bold("bold <b>")) + " tail"
    nodes = doctree.marked_nodes(marked)
    assert nodes == [doctree.Styled("emphasis", [doctree.Text("Title "), doctree.Styled(
        "strong", [doctree.Text("bold <b>")])]), doctree.Text(" tail")]
    assert doctree.plain(nodes) == "Title bold <b> tail"


def test_a_one_language_article_with_links_and_citations_anywhere_validates(tmp_path, schema,
                                                                            capsys):
    folder = tmp_path / "content" / "solo"
    folder.mkdir(parents=True)
    (folder / "document.yaml").write_text(
        "# A sample article written for the tests.\nlanguages: [en]\n"
        "journal: {name: Solo Journal, eissn: 2222-3339}\n"
        "authors:\n  - {id: a, corresponding: true}\n  - {id: b, affiliations: [x]}\n",
        encoding="utf-8")
    (folder / "en.yaml").write_text(
        'title: "A title with a [link](https://example.org), *style* and [@r1]"\n'
        'authors: {a: Ann Example, b: Bob Example}\naffiliations: {x: Example Institute}\n'
        'abstract: "A citation [@r1] and a [link](https://example.org/a?b=1&c=2)."\n'
        'keywords: ["with [link](https://example.org)", "cited [@r1]", "H~2~O"]\n'
        'sections:\n  - id: 1st\n    title: A section whose id starts with a digit\n'
        '    blocks:\n      - p: "See [@sec:1st], `code` and **bold *nested***."\n',
        encoding="utf-8")
    (folder / "references.yaml").write_text(
        "- id: r1\n  type: article-journal\n  author: [{family: Doe, given: Jane, "
        "non-dropping-particle: van}]\n  title: A study\n  container-title: Some Journal\n"
        "  issued: 2001\n", encoding="utf-8")
    out = tmp_path / "out"
    assert build("--content", str(folder), "--out", str(out), "--jats", "--no-pdf") == 0
    tree = etree.parse(str(out / "jats" / "solo.xml"))
    assert_valid(schema, tree)
    assert tree.find("sub-article") is None
    # JATS allows no links in keywords: they keep their text.
    assert ["".join(k.itertext()) for k in tree.iter("kwd")] == ["with link", "cited [1]",
                                                                 "H2O"]
    assert tree.find(".//article-title/xref").get("rid") == "ref-1"
    assert tree.find(".//sec").get("id") == "sec-1st"
    name = tree.find(".//ref/element-citation/person-group/name")
    assert (name.findtext("surname"), name.findtext("given-names")) == ("van Doe", "Jane")
    err = capsys.readouterr().err
    assert "no 'doi'" in err and "no 'published' date" in err and "no 'issn'" not in err


# --------------------------------------------------------------------------- the content model

MODEL_SHARED = """\
# A sample article written for the tests: not a real study.
languages: [vi, en]
journal: {name: Tạp chí Thử nghiệm, issn: 1234-5679, publisher: Test Press}
first_page: 5
doi: 10.5555/test.2024.5
authors:
  - {id: an, email: an@example.org, corresponding: true}
tables:
  yields:
    columns:
      - {kind: text}
      - {kind: number, pattern: "0.0"}
      - {kind: number, pattern: "0.0"}
      - {kind: number, pattern: "0.0"}
      - {kind: number, pattern: "0.0"}
      - {kind: year}
    rows:
      - [~, 1.5, 2.5, 3.5, -4.5, 2020]
      - [~, 5.0, ~, 7.0, 8.0, 2021]
figures:
  fields: {files: [images/a.png, images/b.png, images/c.png]}
  map: {file: images/map.png}
"""

MODEL_TEXTS = {
    "vi": {
        "title": "Năng suất lúa và công thức $y = ax + b$",
        "authors": {"an": "Nguyễn Văn An"},
        "abstract": "Tóm tắt mẫu có chú thích^[Chú thích trong tóm tắt.] và $E = mc^2$.",
        "keywords": ["năng suất", "$x^2$"],
        "funding": "Nghiên cứu mẫu được tài trợ bởi quỹ giả định[^grant].",
        "footnotes": {"grant": "Mã số giả định 01/2024, với $n = 3$."},
        "tables": {"yields": {
            "caption": "Năng suất theo mùa (t/ha)",
            "groups": [{"columns": 1}, {"text": "Vụ xuân", "columns": 2},
                       {"text": "Vụ mùa", "columns": 2}, {"columns": 1}],
            "columns": ["Vùng", "Sớm", "Muộn", "Sớm", "Muộn", "Năm"],
            "rows": ["Đồng bằng^[Gồm cả ven biển.]", "Miền núi[^grant]"],
            "note": "Số liệu mẫu."}},
        "figures": {"fields": {"caption": "Ba cánh đồng mẫu",
                            "parts": ["Cánh đồng thứ nhất", "Cánh đồng thứ hai",
                                      "Cánh đồng thứ ba"],
                            "source": "ảnh giả định cho bài mẫu."},
                 "map": {"caption": "Bản đồ mẫu", "source": "[Bản đồ mở](https://example.org)."}},
        "sections": [
            {"id": "intro", "title": "Mở đầu", "blocks": [
                {"p": "Xem [@eq:yield], [@tbl:yields], [@fig:fields] và [@sec:data]; "
                      "nguồn [@jp; @ru]."},
                {"equation": "$$y = a x + b$$ {#eq:yield}"},
                {"equation": "$$\\begin{aligned} S &= \\sum_{i=1}^{n} x_i \\\\ &= n m"
                 "\\end{aligned}$$"},
                {"table": "yields"}, {"figure": "fields"}, {"figure": "map"}]},
            {"id": "conflicts", "title": "Xung đột lợi ích", "numbered": False,
             "blocks": [{"p": "Không có."}]},
            {"id": "acknowledgements", "title": "Lời cảm ơn", "numbered": False,
             "blocks": [{"p": "Cảm ơn người đọc bản mẫu."}]},
            {"id": "data", "title": "Dữ liệu", "appendix": True,
             "blocks": [{"p": "Phụ lục mẫu, xem [@sec:more]."}],
             "sections": [{"id": "more", "title": "Chi tiết",
                           "blocks": [{"p": "Chi tiết mẫu."}]}]},
            {"id": "code", "title": "Mã nguồn", "appendix": True,
             "blocks": [{"p": "Phụ lục thứ hai."}]},
        ]},
    "en": {
        "title": "Rice yields and the formula $y = ax + b$",
        "authors": {"an": "Nguyen Van An"},
        "abstract": "A sample abstract with a note^[A note in the abstract.] and $E = mc^2$.",
        "keywords": ["yield", "$x^2$"],
        "funding": "This sample study was funded by an imaginary fund[^grant].",
        "footnotes": {"grant": "Imaginary grant 01/2024, with $n = 3$."},
        "tables": {"yields": {
            "caption": "Yield by season (t/ha)",
            "groups": [{"columns": 1}, {"text": "Spring crop", "columns": 2},
                       {"text": "Summer crop", "columns": 2}, {"columns": 1}],
            "columns": ["Region", "Early", "Late", "Early", "Late", "Year"],
            "rows": ["Delta^[Coast included.]", "Uplands[^grant]"],
            "note": "Sample data."}},
        "figures": {"fields": {"caption": "Three sample fields",
                            "parts": ["The first field", "The second field", "The third field"],
                            "source": "imaginary photographs for the sample."},
                 "map": {"caption": "A sample map", "source": "[Open map](https://example.org)."}},
        "sections": [
            {"id": "intro", "title": "Introduction", "blocks": [
                {"p": "See [@eq:yield], [@tbl:yields], [@fig:fields] and [@sec:data]; "
                      "sources [@jp; @ru]."},
                {"equation": "$$y = a x + b$$ {#eq:yield}"},
                {"equation": "$$\\begin{aligned} S &= \\sum_{i=1}^{n} x_i \\\\ &= n m"
                 "\\end{aligned}$$"},
                {"table": "yields"}, {"figure": "fields"}, {"figure": "map"}]},
            {"id": "conflicts", "title": "Conflicts of interest", "numbered": False,
             "blocks": [{"p": "None."}]},
            {"id": "acknowledgements", "title": "Acknowledgements", "numbered": False,
             "blocks": [{"p": "We thank the readers of the sample."}]},
            {"id": "data", "title": "Data", "appendix": True,
             "blocks": [{"p": "A sample appendix, see [@sec:more]."}],
             "sections": [{"id": "more", "title": "Details",
                           "blocks": [{"p": "Sample details."}]}]},
            {"id": "code", "title": "Code", "appendix": True,
             "blocks": [{"p": "A second appendix."}]},
        ]},
}

MODEL_REFERENCES = """\
- id: jp
  type: book
  author: [{family: 田中, given: 太郎}]
  title: 日本の稲作
  translated-title: Rice farming in Japan
  publisher: 東京出版
  issued: 2010
  language: ja
- id: ru
  type: article-journal
  author: [{family: Иванов, given: Иван}]
  title: Рис во Вьетнаме
  translated-title: Rice in Vietnam
  container-title: Вестник
  volume: 3
  issued: 2012
  language: ru
"""


@pytest.fixture(scope="module")
def model_xml(tmp_path_factory) -> etree._ElementTree:
    """An article of its own with every kind of the content model, Vietnamese first."""
    folder = tmp_path_factory.mktemp("model") / "content" / "rice"
    (folder / "images").mkdir(parents=True)
    for name in ("a", "b", "c", "map"):
        Image.new("RGB", (60, 40), (90, 140, 60)).save(folder / "images" / f"{name}.png")
    (folder / "document.yaml").write_text(MODEL_SHARED, encoding="utf-8")
    (folder / "references.yaml").write_text(MODEL_REFERENCES, encoding="utf-8")
    for lang, data in MODEL_TEXTS.items():
        (folder / f"{lang}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder.parent.parent / "out"
    assert build("--content", str(folder), "--out", str(out), "--jats", "--no-pdf") == 0
    return etree.parse(str(out / "jats" / "rice.xml"))


MML = "{http://www.w3.org/1998/Math/MathML}"


def _parts(tree):
    """The main article and its translation."""
    root = tree.getroot()
    return root, root.find("sub-article")


def _own(article, tag: str) -> list:
    """The elements ``tag`` of an article, not of its sub-articles."""
    return [e for e in article.iter(tag)
            if next(a for a in e.iterancestors() if a.tag in ("article", "sub-article"))
            is article]


def test_the_content_model_article_validates_and_every_reference_resolves(schema, model_xml):
    assert_valid(schema, model_xml)
    ids, rids = _ids_and_rids(model_xml)
    assert len(ids) == len(set(ids)) and set(rids) <= set(ids)


def test_formulas_are_mathml_with_their_latex_and_equations_are_numbered(model_xml):
    for article, prefix in zip(_parts(model_xml), ("", "en-")):
        formulas = _own(article, "disp-formula")
        assert [(f.get("id"), f.findtext("label")) for f in formulas] == [
            (f"{prefix}eq-yield", "(1)"), (None, "(2)")]
        math = formulas[0].find(f"alternatives/{MML}math")
        assert math.get("display") == "block"
        assert [e.text for e in math.iter(f"{MML}mi")] == ["y", "a", "x", "b"]
        assert formulas[0].findtext("alternatives/tex-math") == "y = a x + b"
        assert formulas[1].find(f".//{MML}munderover") is not None
        # An aligned formula: two rows of a table, each '=' in its column.
        rows = formulas[1].findall(f".//{MML}mtr")
        assert len(rows) == 2 and [e.text for e in formulas[1].iter(f"{MML}mi")].count("&") == 0
        xref = article.find(".//body//xref[@ref-type='disp-formula']")
        assert xref.get("rid") == f"{prefix}eq-yield"
        assert xref.text == ("Eq. (1)" if prefix else "công thức (1)")
    root, sub = _parts(model_xml)
    # Inline math in the title, the abstract, a keyword and a footnote.
    title = root.find("front/article-meta/title-group/article-title")
    assert title.find(f"inline-formula/alternatives/{MML}math").get("display") == "inline"
    assert title.findtext("inline-formula/alternatives/tex-math") == "y = ax + b"
    assert root.find("front/article-meta/abstract//inline-formula") is not None
    # A keyword holds no formula in JATS: its LaTeX stays as text.
    assert [k.text for k in root.findall("front/article-meta/kwd-group/kwd")][1::2] == [
        "x^2", "x^2"]
    assert sub.find(".//fn//inline-formula") is not None


def test_footnotes_are_called_by_xref_and_written_once_in_each_language(model_xml):
    for article, prefix in zip(_parts(model_xml), ("", "en-")):
        fns = article.findall("back/fn-group/fn")
        # The abstract's note, the grant (the funding statement and a table cell call it),
        # the other cell's note: each written once, numbered in reading order.
        labels = [fn.findtext("label") for fn in fns]
        assert labels == [str(n) for n in range(1, len(fns) + 1)] and len(fns) == 3
        assert [fn.get("id") for fn in fns] == [f"{prefix}fn-{n}" for n in labels]
        calls = [x for x in _own(article, "xref") if x.get("ref-type") == "fn"
                 and not any(a.tag == "trans-abstract" for a in x.iterancestors())]
        assert {x.get("rid") for x in calls} == {fn.get("id") for fn in fns}
        grant = next(fn for fn in fns if "01/2024" in "".join(fn.itertext()))
        assert grant.findtext("label") == "3"
        assert [x.text for x in calls if x.get("rid") == grant.get("id")] == ["3"]
        cell = article.find(".//table-wrap//tbody/tr/th")
        assert cell.find("xref[@ref-type='fn']") is not None
    root, sub = _parts(model_xml)
    # The translated abstract, in the article's front, calls the translation's note.
    assert root.find("front/article-meta/trans-abstract//xref").get("rid") == "en-fn-1"
    assert "Chú thích trong tóm tắt." in "".join(root.find("back/fn-group").itertext())
    assert "A note in the abstract." in "".join(sub.find("back/fn-group").itertext())


def test_acknowledgements_funding_and_appendices(model_xml):
    for article, prefix, front in zip(_parts(model_xml), ("", "en-"),
                                      ("front/article-meta", "front-stub")):
        ack = article.find("back/ack")
        assert ack.get("id") == f"{prefix}sec-acknowledgements" and ack.find("label") is None
        assert ack.findtext("title") in ("Lời cảm ơn", "Acknowledgements")
        # Other unnumbered sections stay in the body, without a label.
        body = [(s.get("id"), s.findtext("label")) for s in article.findall("body/sec")]
        assert body == [(f"{prefix}sec-intro", "1"), (f"{prefix}sec-conflicts", None)]
        more = article.find(f".//xref[@rid='{prefix}sec-more']")
        assert more.get("ref-type") == "sec" and more.text.endswith(" A.1")
        assert more.text == ("Phụ lục A.1" if not prefix else "Appendix A.1")
        apps = article.findall("back/app-group/app")
        assert [(a.get("id"), a.findtext("label")) for a in apps] == [
            (f"{prefix}sec-data", "A"), (f"{prefix}sec-code", "B")]
        assert apps[0].find("sec/label").text == "A.1"
        xref = article.find(f".//body//xref[@rid='{prefix}sec-data']")
        assert xref.get("ref-type") == "app" and xref.text.endswith("A")
        # A funding statement holds no xref in JATS: its note's number is a superscript.
        statement = article.find(f"{front}/funding-group/funding-statement")
        assert statement.findtext("sup") == "3"
    root, sub = _parts(model_xml)
    assert "quỹ giả định" in "".join(root.find(
        "front/article-meta/funding-group").itertext())
    assert "imaginary fund" in "".join(sub.find("front-stub/funding-group").itertext())


def test_two_level_headers_row_labels_in_each_language_and_subfigures(model_xml):
    for article, lang in zip(_parts(model_xml), ("vi", "en")):
        wrap = article.find(".//table-wrap")
        top, below = wrap.findall("table/thead/tr")
        assert [(th.text, th.get("colspan"), th.get("rowspan")) for th in top] == (
            [("Vùng", None, "2"), ("Vụ xuân", "2", None), ("Vụ mùa", "2", None),
             ("Năm", None, "2")] if lang == "vi" else
            [("Region", None, "2"), ("Spring crop", "2", None), ("Summer crop", "2", None),
             ("Year", None, "2")])
        assert len(below.findall("th")) == 4
        rows = [[("".join(c.itertext())) for c in tr] for tr in wrap.findall("table/tbody/tr")]
        assert re.fullmatch(r"(Đồng bằng|Delta)\d", rows[0][0]), rows[0][0]
        assert rows[0][1:] == (["1,5", "2,5", "3,5", "\u22124,5", "2020"] if lang == "vi"
                               else ["1.5", "2.5", "3.5", "\u22124.5", "2020"])
        assert rows[1][2] == "–"
        group = article.find(".//fig-group")
        parts = group.findall("fig")
        assert [p.findtext("label") for p in parts] == ["(a)", "(b)", "(c)"]
        assert [p.find("graphic").get(XLINK_HREF) for p in parts] == [
            f"rice/images/{n}.png" for n in "abc"]
        source = group.find("caption/p[@content-type='source']")
        assert "".join(source.itertext()).endswith(
            "ảnh giả định cho bài mẫu." if lang == "vi"
            else "imaginary photographs for the sample.")
        attrib = article.find(".//fig/attrib")
        assert attrib.find("ext-link").get(XLINK_HREF) == "https://example.org"


def test_reference_titles_in_their_original_script_carry_their_translation(model_xml):
    for article in _parts(model_xml):
        citations = [ref.find("element-citation") for ref in article.findall("back/ref-list/ref")]
        by_type = {c.get("publication-type"): c for c in citations}
        book, journal = by_type["book"], by_type["journal"]
        assert (book.findtext("source"), book.find("source").get(XML_LANG),
                book.findtext("trans-source")) == ("日本の稲作", "ja", "Rice farming in Japan")
        assert (journal.findtext("article-title"), journal.find("article-title").get(XML_LANG),
                journal.findtext("trans-title"), journal.findtext("source")) == (
            "Рис во Вьетнаме", "ru", "Rice in Vietnam", "Вестник")


def test_the_gallery_writes_its_equations_footnotes_appendix_and_funding(sample):
    heat = etree.parse(str(sample / "jats" / "urban-heat.xml")).getroot()
    assert [f.get("id") for f in heat.find("body").iter("disp-formula")] == [
        "eq-intensity", "eq-trend"]
    assert heat.find("front/article-meta/funding-group/funding-statement") is not None
    assert heat.find("back/ack") is not None and heat.find("sub-article/back/ack") is not None
    assert len(heat.findall("back/fn-group/fn")) \
        == len(heat.findall("sub-article/back/fn-group/fn")) >= 2
    assert heat.find(".//fig-group") is not None
    teaching = etree.parse(str(sample / "jats" / "japanese-teaching.xml")).getroot()
    assert [a.findtext("label") for a in teaching.findall("back/app-group/app")] == ["A"]
    assert teaching.find(".//element-citation/trans-title") is not None
    rain = etree.parse(str(sample / "jats" / "rainfall-note.xml")).getroot()
    assert rain.get(XML_LANG) == "vi" and rain.find(".//thead/tr/th[@colspan='3']") is not None
