"""The PDF as archives, indexes and screen readers see it, read back by independent readers.

pypdf and pdfplumber read the metadata, outline, links, page labels, structure tree and
attachments; qpdf checks the file; the bytes of two builds in two processes are compared.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

import pdfplumber
import pytest
import yaml
from conftest import ROOT, SAMPLE, run_build
from pypdf import PdfReader

from songngu import pdfengine, pdfmeta, project, write
from songngu.inline import parse_inline, plain_text

OTHER = {"en": "vi", "vi": "en"}
PUBLISHED = dt.date(2021, 3, 31)


def _yaml(name: str, folder: Path = SAMPLE):
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


def _plain(markup: str) -> str:
    return " ".join(plain_text(parse_inline(markup)).split())


def _pdf(build: Path, lang: str) -> Path:
    return build / lang / "asean-japan.pdf"


def _qpdf_check(pdf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)


def _xmp(reader: PdfReader) -> ET.Element:
    return ET.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def _xmp_values(xmp: ET.Element, name: str) -> list[str]:
    """Every value of an XMP property, written as an attribute or as an element."""
    prefix, _, local = name.partition(":")
    qname = f"{{{pdfmeta.NS[prefix]}}}{local}"
    values = [d.get(qname) for d in xmp.iter(f"{{{pdfmeta.NS['rdf']}}}Description")
              if d.get(qname) is not None]
    values += ["".join(e.itertext()) for e in xmp.iter(qname)]
    return values


# --------------------------------------------------------------------------- metadata

@pytest.mark.parametrize("lang", ["en", "vi"])
def test_metadata_describes_the_article_in_its_language(sample_build, lang):
    reader = PdfReader(_pdf(sample_build, lang))
    text, other = _yaml(f"{lang}.yaml"), _yaml(f"{OTHER[lang]}.yaml")
    info = reader.metadata
    assert info.title == _plain(text["title"])
    assert info.author == ", ".join(text["authors"].values())
    assert info.subject == _plain(text["abstract"])
    assert info["/Keywords"] == ", ".join(_plain(k) for k in text["keywords"])
    assert info.creation_date.date() == PUBLISHED and info.modification_date.date() == PUBLISHED
    assert reader.trailer["/Root"]["/Lang"] == lang

    xmp = reader.xmp_metadata
    # One title, the PDF's own: viewers join every entry of dc:title into their title bar.
    assert xmp.dc_title == {"x-default": _plain(text["title"])}
    assert xmp.dc_description[OTHER[lang]] == _plain(other["abstract"])
    assert xmp.dc_language == [lang, OTHER[lang]]
    assert xmp.dc_creator == list(text["authors"].values())
    assert xmp.dc_subject == [_plain(k) for k in text["keywords"]]
    assert xmp.dc_identifier == f"doi:{_yaml('document.yaml')['doi']}"
    assert xmp.pdf_keywords == info["/Keywords"]
    assert xmp.xmp_create_date.date() == PUBLISHED


# --------------------------------------------------------------------------- navigation

def _outline(reader: PdfReader, items=None, level=0):
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from _outline(reader, item, level + 1)
        else:
            yield level, item.title, reader.get_destination_page_number(item)


@pytest.mark.parametrize("lang, references", [("en", "REFERENCES"), ("vi", "TÀI LIỆU THAM KHẢO")])
def test_outline_is_the_body_headings_then_the_references(sample_build, lang, references):
    reader = PdfReader(_pdf(sample_build, lang))
    outline = list(_outline(reader))
    sections = _yaml(f"{lang}.yaml")["sections"]
    top = [title for level, title, _ in outline if level == 0]
    assert top == [f"{n}. {_plain(s['title'])}" for n, s in enumerate(sections, 1)] + [references]
    titles = {_plain(_yaml(f"{x}.yaml")["title"]).upper() for x in ("en", "vi")}
    assert not [t for _, t, _ in outline if t.upper() in titles]
    numbered = [title.split()[0] for level, title, _ in outline if re.match(r"\d", title)]
    assert "3.1." in numbered and "3.2.1." in numbered
    pages = [page for _, _, page in outline]
    assert pages == sorted(pages) and pages[0] >= 1  # the body starts on the second page
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_citations_and_cross_references_link_inside_doi_and_urls_outside(sample_build, lang):
    reader = PdfReader(_pdf(sample_build, lang))
    dests, uris = defaultdict(int), set()
    for page in reader.pages:
        for annot in (a.get_object() for a in page.get("/Annots", [])):
            action = annot.get("/A", {})
            if "/Dest" in annot or action.get("/S") == "/GoTo":
                dests[str(annot.get("/Dest") or action.get("/D"))] += 1
            elif action.get("/S") == "/URI":
                uris.add(action["/URI"])
    references = _yaml("references.yaml")
    assert {f"ref-{r['id']}" for r in references} <= set(dests)
    assert "tbl-trade" in dests and "tbl-fdi" in dests
    named = reader.named_destinations
    for dest in dests:
        assert dest in named, dest
    last_body_page = max(reader.get_destination_page_number(named[f"ref-{r['id']}"])
                         for r in references)
    assert last_body_page == len(reader.pages) - 1
    assert f"https://doi.org/{_yaml('document.yaml')['doi']}" in uris
    assert {r["URL"] for r in references if "URL" in r} <= uris


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_viewer_page_labels_are_the_printed_page_numbers(sample_build, lang):
    reader = PdfReader(_pdf(sample_build, lang))
    first = _yaml("document.yaml")["first_page"]
    assert reader.page_labels[0] == str(first) == "100"
    assert reader.page_labels == [str(first + i) for i in range(len(reader.pages))]


# --------------------------------------------------------------------------- accessibility

def _text_by_language(pdf: Path, page_number: int = 0) -> dict[str, str]:
    """The text of a page grouped by the language its structure elements give it."""
    with pdfplumber.open(pdf) as document:
        root_lang = str(document.doc.catalog["Lang"].decode())
        page = document.pages[page_number]
        lang_of_mcid: dict[int, str] = {}

        def visit(element: dict, inherited: str) -> None:
            lang = element.get("lang") or inherited
            for mcid in element.get("mcids", []):
                lang_of_mcid[mcid] = lang
            for child in element.get("children", []):
                visit(child, lang)

        for element in page.structure_tree:  # the elements with content on this page
            visit(element, root_lang)
        texts = defaultdict(list)
        for char in page.chars:
            if char.get("mcid") is not None:
                texts[lang_of_mcid.get(char["mcid"], root_lang)].append(char["text"])
    return {lang: "".join(chars) for lang, chars in texts.items()}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_tagged_pdf_ua_1_with_the_other_languages_front_matter_marked(sample_build, lang):
    pdf = _pdf(sample_build, lang)
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/Lang"] == lang
    assert _xmp_values(_xmp(reader), "pdfuaid:part") == ["1"]

    # Compared without spaces and hyphenation hyphens (U+2010), as lines break differently.
    by_language = {k: re.sub(r"[\s\u2010]+", "", v) for k, v in _text_by_language(pdf).items()}
    own, other = _yaml(f"{lang}.yaml"), _yaml(f"{OTHER[lang]}.yaml")

    def bare(markup: str, size: int = 200) -> str:
        return re.sub(r"\s+", "", _plain(markup))[:size]

    # Titles are set in capitals; the abstracts as typed.
    assert bare(other["title"]).upper() in by_language[OTHER[lang]].upper()
    assert bare(other["abstract"]) in by_language[OTHER[lang]]
    assert bare(other["keywords"][2]) in by_language[OTHER[lang]]
    assert bare(own["title"]).upper() in by_language[lang].upper()
    assert bare(own["abstract"]) in by_language[lang]
    assert bare(own["abstract"]) not in by_language[OTHER[lang]]
    # Each block of the other language carries the mark itself, not only its container.
    blocks = _elements(pdf, {"H1", "P", "Div", "L"})
    marked = [(kind, lang_) for kind, lang_ in blocks if lang_ == OTHER[lang]]
    # The ARTICLE INFO | ABSTRACT box lays its content out: a Div, not a data table.
    assert ("H1", OTHER[lang]) in marked and ("Div", OTHER[lang]) in marked
    assert ("H1", None) in blocks  # the page's own title needs no mark


def _elements(pdf: Path, kinds: set[str], page_number: int = 0) -> list[tuple[str, str | None]]:
    """(type, /Lang) of the structure elements of some types on a page, in reading order."""
    found = []

    def visit(element):
        if element["type"] in kinds:
            found.append((element["type"], element.get("lang")))
        for child in element.get("children", []):
            visit(child)

    with pdfplumber.open(pdf) as document:
        for element in document.pages[page_number].structure_tree:
            visit(element)
    return found


# --------------------------------------------------------------------------- archiving

def test_pdf_a_3b_carries_its_yaml_sources(archival_build):
    pdf = _pdf(archival_build, "vi")
    reader = PdfReader(pdf)
    xmp = _xmp(reader)
    assert _xmp_values(xmp, "pdfaid:part") == ["3"]
    assert _xmp_values(xmp, "pdfaid:conformance") == ["B"]
    attached = {name: contents[0] for name, contents in reader.attachments.items()}
    assert set(attached) == {"document.yaml", "en.yaml", "vi.yaml", "references.yaml"}
    for name, data in attached.items():
        assert data == (SAMPLE / name).read_bytes(), name
    catalog_files = [f.get_object() for f in reader.trailer["/Root"]["/AF"]]
    assert len(catalog_files) == len(attached), "each attached file is listed once in /AF"
    assert {f["/UF"] for f in catalog_files} == set(attached)
    assert {f["/AFRelationship"] for f in catalog_files} == {"/Source"}
    for spec in catalog_files:
        params = spec["/EF"]["/F"].get_object()["/Params"]
        assert params["/ModDate"].startswith(f"D:{PUBLISHED:%Y%m%d}")
    # Archival and still accessible: tagged, with the page labels and metadata.
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.page_labels[0] == "100"
    assert reader.xmp_metadata.dc_title == {"x-default": _plain(_yaml("vi.yaml")["title"])}


def test_default_pdf_attaches_nothing(sample_build):
    assert PdfReader(_pdf(sample_build, "vi")).attachments == {}


def test_qpdf_finds_no_errors_in_the_default_and_the_archival_pdf(sample_build, archival_build):
    for pdf in (_pdf(sample_build, "en"), _pdf(sample_build, "vi"), _pdf(archival_build, "vi")):
        result = _qpdf_check(pdf)
        assert result.returncode == 0, (pdf, result.stdout, result.stderr)
        assert "No syntax or stream encoding errors found" in result.stdout
        assert "WARNING" not in result.stdout + result.stderr


def test_the_command_line_offers_exactly_weasyprints_variants():
    from weasyprint.pdf import VARIANTS

    # WeasyPrint 70's "debug" variant fails (its function takes other arguments): left out.
    # PDF/X is refused with its reason: the pages are RGB, with no output intent.
    assert set(project.PDF_VARIANTS) | set(project.UNOFFERED_VARIANTS) == \
        set(VARIANTS) - {"debug"}
    assert project.DEFAULT_PDF_VARIANT == "pdf/ua-1"
    result = run_build("--pdf-variant", "pdf/a-9z", "--no-pdf")
    assert result.returncode == 2 and "pdf/a-3b" in result.stderr
    result = run_build("--pdf-variant", "pdf/x-4", "--no-pdf")
    assert result.returncode == 2 and "output intent" in result.stderr


@pytest.mark.parametrize("variant", project.PDF_VARIANTS)
def test_every_variant_writes_a_clean_labelled_pdf(tmp_path, variant):
    """A short page in each variant, through the same writer and finisher as a build."""
    html = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title>'
            '<style>@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
            ' html { font-family: J }</style></head><body><h2>1. Giới thiệu</h2>'
            '<p lang="en">An English paragraph.</p><p>Đoạn văn tiếng Việt.</p></body></html>')
    source = tmp_path / "document.yaml"
    source.write_text("languages: [vi]\n", encoding="utf-8")
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    settings = pdfengine.PdfSettings(variant, PUBLISHED, (("document.yaml", source),))
    facts = pdfmeta.PdfFacts(lang="vi", titles={"vi": "Thử", "en": "Test"},
                             abstracts={"vi": "Tóm tắt", "en": "Abstract"}, authors=("A",),
                             keywords=("k",), first_page=7, date=PUBLISHED,
                             identifier="test", variant=variant)
    target, again = tmp_path / "out.pdf", tmp_path / "again.pdf"
    for path in (target, again):  # laid out and written twice: nothing random may differ
        pdfengine.render_pdf(html, assets, settings).write(
            path, finisher=partial(pdfmeta.finish, facts=facts))
    assert target.read_bytes() == again.read_bytes()
    result = _qpdf_check(target)
    assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr, result
    reader = PdfReader(target)
    assert reader.page_labels == ["7"]
    assert reader.xmp_metadata.dc_title == {"x-default": "Thử"}
    assert bool(reader.attachments) == (variant in pdfengine.SOURCE_VARIANTS)
    if variant.startswith("pdf/a-4"):  # PDF/A-4 has no document information dictionary
        assert not reader.metadata or "/Title" not in reader.metadata
    else:
        assert reader.metadata.title == "Thử"


# --------------------------------------------------------------------------- reproducible

def _build_in_a_process(out: Path, content: Path, *args: str,
                        python: list[str] | None = None) -> Path:
    """Build in a process of its own (``build.py``, or ``python`` given), into ``out``."""
    command = (python or [sys.executable, str(ROOT / "build.py")]) + \
        ["--content", str(content), "--out", str(out), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def _outputs(out: Path, like: dict | None = None) -> dict[str, bytes]:
    """The PDF and HTML files of a build (only those named in ``like``, when given)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.*"))
            if p.suffix in (".pdf", ".html")
            and (like is None or str(p.relative_to(out)) in like)}


# Each test compares a build made in a process of its own with one made in this process (the
# run's shared build, or one made here): two processes, each with its own hash seed, from
# two copies of the content in two places.

def test_two_builds_in_two_processes_give_identical_bytes(tmp_path, sample_copy, sample_build):
    second = _outputs(_build_in_a_process(tmp_path / "second", sample_copy, "--lang", "all"))
    assert sorted(second) == ["en/asean-japan.html", "en/asean-japan.pdf",
                              "vi/asean-japan.html", "vi/asean-japan.pdf"]
    assert _outputs(sample_build, second) == second


def test_archival_builds_are_identical_too(tmp_path, sample_copy, archival_build):
    second = _outputs(_build_in_a_process(tmp_path / "second", sample_copy, "--lang", "vi",
                                          "--no-html", "--pdf-variant", "pdf/a-3b"))
    assert sorted(second) == ["vi/asean-japan.pdf"]
    assert _outputs(archival_build, second) == second


FONTTOOLS_BUILD = """
import sys
import weasyprint.pdf.fonts
# As on a machine without libharfbuzz-subset: WeasyPrint subsets fonts with fontTools.
weasyprint.pdf.fonts.harfbuzz_subset = None
from songngu.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_builds_without_harfbuzz_subset_are_identical_and_dated_by_the_article(
        tmp_path, monkeypatch):
    """On a two-page note published on the sample's date (what is compared is the fonts'
    subsetting, the same for any document)."""
    from fontTools.ttLib import TTFont

    note = tmp_path / "content" / "pagination-note"
    shutil.copytree(ROOT / "content" / "pagination-note", note)
    assert _yaml("document.yaml", note)["dates"]["published"] == PUBLISHED
    args = ("--lang", "vi", "--no-html")
    second = _build_in_a_process(tmp_path / "second", note, *args,
                                 python=[sys.executable, "-c", FONTTOOLS_BUILD])
    # The same here; the layout workers are forked from this process, and inherit the patch.
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    first = tmp_path / "first"
    result = run_build("--content", str(note), "--out", str(first), *args)
    assert result.returncode == 0, result.stderr
    assert _outputs(first) == _outputs(second)
    assert sorted(_outputs(first)) == ["vi/pagination-note.pdf"]
    reader = PdfReader(first / "vi" / "pagination-note.pdf")
    font = next(f for page in reader.pages for f in page["/Resources"]["/Font"].values())
    descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    data = descriptor["/FontFile2"].get_object().get_data()
    modified = TTFont(io.BytesIO(data))["head"].modified  # seconds since 1904-01-01
    epoch_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)
    assert (epoch_1904 + dt.timedelta(seconds=modified)).date() == PUBLISHED
