"""Citations, the reference list and cross-references in the built sample, and their checks."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, pdftotext, run_build
from pypdf import PdfReader


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def _html_references(page) -> list[str]:
    """The reference list of an HTML page, one entry a line, as a reader reads it."""
    import lxml.html

    items = lxml.html.parse(str(page)).getroot().xpath("//section[@id='references']//ol/li")
    return [re.sub(r"\s+", " ", item.text_content().replace("\u200b", "")).strip()
            for item in items]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_reference_list_matches_the_golden_file(sample_build, lang, request):
    """The PDF's reference list holds every line of tests/golden/references.<lang>.txt.
    ``pytest --regen-golden`` first writes those files from the built HTML page (then review
    the change with ``git diff tests/golden/``); the PDF is compared with them either way."""
    golden_file = ROOT / "tests" / "golden" / f"references.{lang}.txt"
    if request.config.getoption("--regen-golden"):
        entries = _html_references(sample_build / lang / "asean-japan.html")
        golden_file.write_text("".join(f"{entry}\n" for entry in entries), encoding="utf-8")
    text = pdftotext(sample_build / lang / "asean-japan.pdf")
    heading = "REFERENCES" if lang == "en" else "TÀI LIỆU THAM KHẢO"
    listed = _squash(text.rpartition(heading)[2])
    golden = golden_file.read_text(encoding="utf-8")
    assert len(golden.splitlines()) == 14  # the sample's references, every one
    for entry in golden.splitlines():
        # Lines break inside long URLs and at hyphens, and pdftotext drops a hyphen that ends
        # a line: compare without white space and hyphens.
        assert _without_breaks(entry) in _without_breaks(listed), entry


@pytest.mark.parametrize("lang, pinpoints", [
    ("en", ["[6, p. 111]", "[3, pp. 28–36]", "[5, p. 33]"]),
    ("vi", ["[6, tr. 111]", "[3, tr. 28–36]", "[5, tr. 33]"]),
])
def test_pinpoints_are_localised(sample_build, lang, pinpoints):
    text = _squash(pdftotext(sample_build / lang / "asean-japan.pdf"))
    for pinpoint in pinpoints:
        assert pinpoint in text, pinpoint


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_citations_link_to_their_entries_in_pdf_and_html(sample_build, lang):
    reader = PdfReader(sample_build / lang / "asean-japan.pdf")
    internal = set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            dest = annot.get("/Dest") or annot.get("/A", {}).get("/D")
            if dest is not None and isinstance(dest, str):
                internal.add(dest)
    assert {f"ref-{key}" for key in ("vu2007", "pham1997", "thanh2020")} <= internal
    assert {"sec-economy", "tbl-trade", "tbl-fdi"} <= internal
    html = (sample_build / lang / "asean-japan.html").read_text(encoding="utf-8")
    assert '<a href="#ref-pham1997">' in html and '<li id="ref-pham1997">' in html


def test_cross_references_are_numbered_the_same_in_both_languages(sample_build):
    en = _squash(pdftotext(sample_build / "en" / "asean-japan.pdf"))
    vi = _squash(pdftotext(sample_build / "vi" / "asean-japan.pdf"))
    assert re.search(r"Section 3\.2\.1 \(p\. 10\d\)", en)
    assert re.search(r"Mục 3\.2\.1 \(tr\. 10\d\)", vi)
    assert "Table 1" in en and "Bảng 1" in vi and "Table 2" in en and "Bảng 2" in vi


def test_unknown_citation_and_cross_reference_are_errors_with_their_line(sample_copy, tmp_path):
    en = sample_copy / "en.yaml"
    _edit(en, "[@pham1997, p. 111]", "[@pham1979, p. 111]")
    _edit(en, "[@sec:economy]", "[@sec:economics]")
    result = run_build("check", "--content", str(sample_copy))
    assert result.returncode == 1
    cite_line = _line_of(en, "[@pham1979")
    assert (f"content/asean-japan/en.yaml:{cite_line}: unknown citation 'pham1979' "
            f"(did you mean 'pham1997'?)") in result.stderr.replace(str(tmp_path) + "/", "")
    assert "cross-reference to unknown section 'economics' (did you mean 'economy'?)" \
        in result.stderr


def test_uncited_reference_is_a_warning_and_an_error_when_strict(sample_copy, tmp_path):
    refs = sample_copy / "references.yaml"
    refs.write_text(refs.read_text(encoding="utf-8") + """
- id: extra2020
  type: book
  title: An extra book
  author: [{family: Extra, given: A.}]
  issued: {date-parts: [[2020]]}
""", encoding="utf-8")
    line = _line_of(refs, "id: extra2020")
    result = run_build("check", "--content", str(sample_copy))
    assert result.returncode == 0
    assert f"references.yaml:{line}: warning: reference 'extra2020' is never cited" \
        in result.stderr
    strict = run_build("check", "--strict", "--content", str(sample_copy))
    assert strict.returncode == 1
    assert f"references.yaml:{line}: reference 'extra2020' is never cited" in strict.stderr


def test_a_citation_that_cannot_be_read_is_one_error_not_also_never_cited(sample_copy):
    """A paragraph with a malformed citation is reported once; the references it names are
    not also said to be never cited."""
    for lang in ("en", "vi"):  # anh2020 is cited once in each language
        path = sample_copy / f"{lang}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count("[@anh2020]") == 1
        path.write_text(text.replace("[@anh2020]", "[@anh2020, pg. 5]"), encoding="utf-8")
    result = run_build("check", "--content", str(sample_copy))
    assert result.returncode == 1
    assert result.stderr.count("unknown locator label 'pg'") == 2, result.stderr
    assert "never cited" not in result.stderr, result.stderr


def _without_breaks(text: str) -> str:
    """Text without white space and hyphens: where pdftotext breaks lines and hyphenates."""
    return re.sub(r"[\s\-\u2010\u00ad]", "", text)


def test_an_author_date_style_changes_citations_and_order(sample_copy, tmp_path):
    _edit(sample_copy / "document.yaml", "style: ieee", "style: apa")
    result = run_build("--lang", "en", "--no-html", "--content", str(sample_copy),
                       "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    text = _squash(pdftotext(tmp_path / "out" / "en" / "asean-japan.pdf"))
    body, _, listed = text.rpartition("REFERENCES")
    assert "(Vũ, 2007)" in body and "[1]" not in body
    # Every entry is listed once, in the order of its first author's name (family name, then
    # given names), not in the order of first citation that IEEE numbers by.
    records = yaml.safe_load((sample_copy / "references.yaml").read_text(encoding="utf-8"))
    listed = _without_breaks(listed)
    found = {}
    for record in records:
        title = _without_breaks(record["title"])
        assert listed.count(title) == 1, record["title"]
        found[record["id"]] = listed.index(title)
    order = sorted(found, key=found.get)

    def author(record: dict) -> tuple[str, str]:
        first = record["author"][0]
        name = first.get("literal") or first["family"]
        return name.casefold(), first.get("given", "").casefold()

    by_author = [r["id"] for r in sorted(records, key=author)]
    assert order == by_author
    cited_first = [r["id"] for r in records]  # the file keeps IEEE's numbering order
    assert order != cited_first
    assert order[0] == "anh2020" and order[-2:] == ["vu2012", "vu2007"]  # Vũ, H. < Vũ, V. H.


def test_no_line_ends_on_a_page_label(sample_build):
    """A page label stays on the line of its number ("pp. 28–36", "tr. 111"): in every
    journal PDF and handout of the shipped content, no line ends with one."""
    pdfs = sorted(sample_build.glob("*/*.pdf"))
    assert len(pdfs) >= 20
    for pdf in pdfs:
        for line in pdftotext(pdf).splitlines():
            assert not re.search(r"(?<![\w.])(pp?|tr)\.$", line.strip()), (pdf.name, line)


def test_no_reference_entry_leaves_its_first_word_alone_on_a_line(sample_build):
    """An entry's first line holds more than its number and one word: WeasyPrint 70 used to
    break a line that fit but for the space before an italic title after the first word
    ("[12] A." above "P. C. Anh, …" in the English sample; songngu.amend)."""
    pdfs = sorted(sample_build.glob("*/*.pdf"))
    assert len(pdfs) >= 20
    for pdf in pdfs:
        for line in pdftotext(pdf).splitlines():
            assert not re.fullmatch(r"\[\d+\] \S+", line.strip()), (pdf.name, line)
