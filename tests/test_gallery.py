"""The gallery of samples in content/, built with --strict and read back as a reader meets it.

Three articles of different shapes besides the ASEAN–Japan sample: a research article in the
sciences (English first: equations, subfigures, footnotes, a two-level table header with
negative numbers, four authors in three institutions), a Vietnamese-first short communication
with a long abstract, and a review with a 53-row table, an appendix and references in three
languages and scripts. The PDFs are read with pdftotext, pdfplumber and pdffonts; the HTML in
Chromium.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pdfplumber
import pytest
from browser_support import Site
from conftest import pdftotext

MINUS = "\u2212"


def _text(pdf, *args) -> str:
    return unicodedata.normalize("NFC", " ".join(pdftotext(pdf, *args).split()))


def _fonts(pdf) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:]]


# ------------------------------------------------------------------ research article

@pytest.mark.parametrize("lang, kind, eq_ref, negatives", [
    ("en", "RESEARCH ARTICLE", "Eq. (1)", [f"{MINUS}0.4", f"{MINUS}2.6", f"{MINUS}1.1"]),
    ("vi", "BÀI BÁO KHOA HỌC", "công thức (1)", [f"{MINUS}0,4", f"{MINUS}2,6", f"{MINUS}1,1"]),
])
def test_research_article_reads_back(sample_build, lang, kind, eq_ref, negatives):
    pdf = sample_build / lang / "urban-heat.pdf"
    first = _text(pdf, "-l", "1")
    assert kind in first
    # Four authors, three institutions, numbered; the corresponding author marked.
    assert re.search(r"Lan ?1 ?\*", first) and re.search(r"Minh ?1,2", first)
    assert re.search(r"Sato ?3", first) and re.search(r"Hoa ?2", first)
    assert "05/01/2024" in first and "02/04/2024" in first          # dd/MM/yyyy, set per journal
    body = _text(pdf, "-f", "2")
    assert eq_ref in body and "(2)" in body
    for number in negatives:
        assert number in body
    assert "(a)" in body and "(b)" in body
    # Nothing printed as markup.
    for markup in ("^[", "[^", "$", "{#", "[@"):
        assert markup not in body


def test_research_article_footnotes_sit_at_the_foot_of_their_page(sample_build):
    with pdfplumber.open(sample_build / "en" / "urban-heat.pdf") as pdf:
        found = []
        for page in pdf.pages:
            for word in page.extract_words():
                if word["text"] in ("Scenes", "rural") and word["top"] > page.height * 0.75:
                    found.append(word["text"])
        assert "Scenes" in found


def test_research_article_equations_are_vector_with_no_font_of_their_own(sample_build):
    pdf = sample_build / "en" / "urban-heat.pdf"
    assert set(_fonts(pdf)) <= {"Journal-Serif", "Journal-Serif-Bold", "Journal-Serif-Italic",
                                "Journal-Serif-BoldItalic"}
    with pdfplumber.open(pdf) as document:
        page = next(p for p in document.pages if "(1)" in (p.extract_text() or ""))
        # ziamath draws each glyph of a formula as a filled path: many curves, no image; the
        # only image of the article is its PNG subfigure.
        assert len(page.curves) + len(page.rects) > 20
        assert sum(len(p.images) for p in document.pages) == 1
        figure_page = next(p for p in document.pages if "(a)" in (p.extract_text() or ""))
        assert figure_page.images         # the PNG subfigure; the SVG one is drawn as paths


# ------------------------------------------------------------------ short communication

def test_short_communication_is_vietnamese_first_and_three_to_four_pages(sample_build):
    for lang in ("vi", "en"):
        pdf = sample_build / lang / "rainfall-note.pdf"
        with pdfplumber.open(pdf) as document:
            assert 3 <= len(document.pages) <= 4
        first = _text(pdf, "-l", "2")
        # Each edition opens with its own title block, the other language's after it.
        own, other = ("THÔNG BÁO KHOA HỌC", "SHORT COMMUNICATION") if lang == "vi" else \
            ("SHORT COMMUNICATION", "THÔNG BÁO KHOA HỌC")
        assert first.index(own) < first.index(other)
    body = _text(sample_build / "vi" / "rainfall-note.pdf", "-f", "2")
    assert "1991–2000" in body and "241,3" in body and "công thức (1)" in body


# ------------------------------------------------------------------ review

@pytest.mark.parametrize("lang, appendix, province, thanks, japanese_note", [
    ("en", "Appendix A. Programmes by province", "Ca Mau", "Acknowledgements",
     "(in Japanese)"),
    ("vi", "Phụ lục A. Chương trình theo tỉnh", "Cà Mau", "Lời cảm ơn", "(bằng tiếng Nhật)"),
])
def test_review_reads_back(sample_build, lang, appendix, province, thanks, japanese_note):
    pdf = sample_build / lang / "japanese-teaching.pdf"
    text = _text(pdf)
    assert appendix in text and province in text
    assert f"{thanks} " in text and not re.search(rf"\d\. {thanks}", text)
    assert "海外の日本語教育の現状" in text.replace(" ", "")
    assert "[Japanese-language education overseas" in text.replace("over‐ seas", "overseas")
    assert japanese_note in text
    assert "国際交流基金" in text
    if lang == "en":                                  # U+2011 NON-BREAKING HYPHEN prints
        assert "one\u2011year" in text
    # The CJK fallback serif is embedded, as a subset, beside the main serif.
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    cjk = [line for line in out.splitlines() if "Journal-Serif-CJK" in line]
    assert cjk and cjk[0].split()[-5:-3] == ["yes", "yes"]


def test_review_table_has_all_53_rows_with_their_translated_labels(sample_build):
    with pdfplumber.open(sample_build / "vi" / "japanese-teaching.pdf") as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables()
                for row in table if row and row[0] and row[0] != "Tỉnh, thành phố"]
    assert len(rows) == 53
    assert rows[0][0] == "Hà Nội" and rows[-1][0] == "Cà Mau"
    assert any(cell.startswith(MINUS) for row in rows for cell in row[3:] if cell)


# ------------------------------------------------------------------ in the browser

def test_research_article_math_and_footnotes_in_chromium(browser, sample_build):
    with Site(sample_build) as site:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        failures = []
        page.on("requestfailed", lambda request: failures.append(request.url))
        page.goto(f"{site.url}/vi/urban-heat.html")
        sizes = page.eval_on_selector_all(
            "math", "els => els.map(e => [e.getBoundingClientRect().width, "
                    "e.getBoundingClientRect().height])")
        assert len(sizes) >= 4 and all(w > 5 and h > 5 for w, h in sizes)
        # The print drawing of the formulas and the floated notes stay hidden on screen.
        assert page.eval_on_selector_all(
            ".math-print, .fn", "els => els.every(e => getComputedStyle(e).display == 'none')")
        page.click("sup.fn-ref a")
        assert page.evaluate("location.hash") == "#fn-1"
        assert page.is_visible("#fn-1")
        page.click("#fn-1 a.fn-back")
        assert page.evaluate("location.hash") == "#fnref-1"
        headers = page.eval_on_selector_all(
            "#tbl-intensity thead th", "els => els.map(e => [e.textContent, e.colSpan, "
                                       "e.rowSpan])")
        assert headers[:3] == [["Mùa", 1, 2], ["Hà Nội", 2, 1], ["Đà Nẵng", 2, 1]]
        assert not failures
        page.close()


# ------------------------------------------------------------------ every document

_SECTION_PAGE = re.compile(r"(?:Section|Mục|Appendix|Phụ lục) ([\dA-Z]+(?:\.\d+)*) "
                           r"\((?:p|tr)\.\s(\d+)\)")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_sections_cross_reference_prints_the_page_its_heading_stands_on(sample_build, lang):
    """"Section 3.2.1 (p. 104)": the page printed after every section's cross-reference is
    the one that shows the section's heading, counted from the article's first page (from 1
    in a handout)."""
    import pikepdf

    found = 0
    for pdf in sorted((sample_build / lang).glob("*.pdf")):
        if pdf.suffixes not in ([".pdf"], [".handout", ".pdf"]):  # not the print sheets
            continue
        with pikepdf.open(pdf) as read:
            labels = [page.label for page in read.pages]
        pages = [unicodedata.normalize("NFC", page)
                 for page in pdftotext(pdf).split("\f")]
        for number, printed in _SECTION_PAGE.findall(" ".join(" ".join(pages).split())):
            heading = re.compile(rf"^{re.escape(number)}\.? [^(\s]", re.MULTILINE)
            where = [labels[i] for i, page in enumerate(pages) if heading.search(page)]
            assert where[:1] == [printed], (pdf.name, number, printed, where)
            found += 1
    assert found >= 3  # the sample refers to three of its sections
