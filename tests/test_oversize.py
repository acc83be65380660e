"""Blocks bigger than the room they have: a box taller than a page, an equation wider than
the text, a run of letters longer than any line (a gene sequence in a table).

The smallest valid document grows a section that holds all three; it is built once, both
languages, PDF and HTML, with ``--strict`` (a layout finding fails the build), and read back
with pdftotext and pdfplumber, and in Chromium at a phone's width.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import ROOT, pdftotext, run_build

SEQUENCE = "ATGCGTACGTTAGCCGATCGATCGGCTAGCTAGGCTAACGTTAGCATCGATCGGATCGATGCTAGCTAGCTAGGATCC"


def _equation(terms: int) -> str:
    return ("$$" + " + ".join(f"\\frac{{a_{{{i}}} x^{{{i}}}}}{{b_{{{i}}} + c_{{{i}}}}}"
                              for i in range(1, terms + 1)) + " = 0$$ {#eq:wide}")


EQUATION = _equation(9)
"""A third wider than the text: scaled to fit, and still legible (the report is silent)."""
BOX = {
    "en": "**A long box.** " + "This box holds more text than a page, as a worked case or a "
          "method described in full may; it cannot be kept whole on one page. " * 45,
    "vi": "**Một khung dài.** " + "Khung này chứa nhiều chữ hơn một trang, như một ví dụ "
          "minh họa hay một phương pháp được mô tả đầy đủ; không thể giữ trọn nó trên một "
          "trang. " * 45,
}
TEXT = {
    "en": {"title": "Oversized blocks", "lead": "The sequence, the box and the equation "
           "follow [@tbl:seq], [@box:long], [@eq:wide].", "caption": "Sample sequences",
           "columns": ["Code", "Sequence", "Length"]},
    "vi": {"title": "Các khối quá khổ", "lead": "Trình tự, khung và công thức đi sau "
           "[@tbl:seq], [@box:long], [@eq:wide].", "caption": "Các trình tự mẫu",
           "columns": ["Mã", "Trình tự", "Độ dài"]},
}


@pytest.fixture(scope="module")
def oversize(tmp_path_factory) -> Path:
    """The build folder of the document, built with ``--strict``."""
    tmp = tmp_path_factory.mktemp("oversize")
    folder = tmp / "content" / "oversize"
    _write_document(folder, EQUATION)
    out = tmp / "out"
    result = run_build("--lang", "all", "--strict", "--content", str(folder), "--out", str(out))
    assert result.returncode == 0 and "layout:" not in result.stdout + result.stderr, \
        result.stdout + result.stderr
    return out


def _write_document(folder: Path, equation: str) -> None:
    """The smallest valid document, with a section of the three blocks, in ``folder``."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "invalid" / "_base", folder)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["tables"]["seq"] = {
        "columns": [{"kind": "text"}, {"kind": "text"}, {"kind": "number"}],
        "rows": [["P-01", SEQUENCE, len(SEQUENCE)], ["P-02", SEQUENCE[:16], 16]]}
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    for lang, words in TEXT.items():
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        text["tables"]["seq"] = {"caption": words["caption"], "columns": words["columns"]}
        text["sections"].append({"id": "oversize", "title": words["title"], "blocks": [
            {"p": words["lead"]}, {"table": "seq"}, {"equation": equation},
            {"box": BOX[lang] + "{#box:long}"}]})
        (folder / f"{lang}.yaml").write_text(yaml.safe_dump(text, allow_unicode=True),
                                             encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_box_taller_than_a_page_breaks_where_it_stands(oversize, lang):
    """Kept whole, the box started a page of its own and left the page before it empty, the
    equation before it alone at its head; now it starts below the equation and goes on over
    the next page, as text does (and the build's layout report is empty: no page is left
    more than a quarter empty)."""
    pages = [" ".join(page.split())
             for page in pdftotext(oversize / lang / "oversize.pdf").split("\f")]
    first = BOX[lang].split(".**")[0].removeprefix("**")
    start = next(i for i, page in enumerate(pages) if first in page)
    assert "(1)" in pages[start].split(first)[0]
    assert BOX[lang].rsplit(". ", 2)[-2] in pages[start + 1]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_equation_wider_than_the_text_is_scaled_to_fit_with_its_number(oversize, lang):
    with pdfplumber.open(oversize / lang / "oversize.pdf") as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            number = [w for w in words if w["text"] == "(1)"]
            if number:
                break
        else:
            raise AssertionError("the equation's number is on no page")
        drawn = [shape for shape in page.curves + page.lines
                 if shape["top"] < number[0]["bottom"] + 20
                 and shape["bottom"] > number[0]["top"] - 20]
        assert drawn, "the equation is drawn beside its number"
        assert max(shape["x1"] for shape in drawn) < number[0]["x0"]
        assert number[0]["x1"] <= page.width - 50  # within the right margin (20 mm)


@pytest.mark.parametrize("aligned, advice", [
    (False, r"write it on several lines \(an aligned environment\) or shorten it"),
    (True, r"shorten its longest line, or break it into more lines")])
def test_an_equation_scaled_until_it_is_hard_to_read_is_reported(tmp_path, aligned, advice):
    """Fifteen fractions in a row fit the text only at half their size: the layout report
    says so, with the equation's number and what to do (an equation already on several
    lines is not told to be written on several lines)."""
    folder = tmp_path / "content" / "oversize"
    latex = _equation(15)
    if aligned:
        latex = latex.replace("$$", "$$\\begin{aligned} y &= 1 \\\\ ", 1).replace(
            " = 0$$", " = 0 \\end{aligned}$$")
    _write_document(folder, latex)
    result = run_build("--lang", "en", "--no-html", "--content", str(folder), "--out",
                       str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"oversize\.pdf: warning: layout: page \d+: the equation \(1\) is printed "
                     r"at \d\d% of its size to fit its column: " + advice, result.stderr), \
        result.stderr


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_run_of_letters_longer_than_its_column_breaks_inside_the_table(oversize, lang):
    """The 80-letter sequence has no place to break: it pushed the column of lengths off the
    page (in Vietnamese, which has no hyphenation). It breaks where it must; the text reads
    back whole, with no hyphen added, and the table's last column stays on the page."""
    with pdfplumber.open(oversize / lang / "oversize.pdf") as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            if any(w["text"] == "P-01" for w in words):
                break
        length = next(w for w in words if w["text"] == str(len(SEQUENCE)))
        assert length["x1"] <= page.width - 40
    text = pdftotext(oversize / lang / "oversize.pdf")
    assert SEQUENCE in "".join(text.split())


def test_a_wide_equation_scrolls_in_its_own_box_on_a_phone(oversize, browser):
    """On the web page the equation keeps its size: it scrolls sideways in its box, its number
    beside it on screen; the page itself never scrolls sideways."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto((oversize / "en" / "oversize.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        body = page.locator(".equation-body").first
        assert body.evaluate("e => e.scrollWidth > e.clientWidth")
        number = page.locator(".equation-number").first.bounding_box()
        assert number is not None and number["x"] + number["width"] <= 390
    finally:
        page.close()


def test_a_formula_prints_at_the_size_of_the_text_around_it(tmp_path):
    """A formula is drawn once, at 11 pt, and printed in ``em``: twice as tall in 22 pt type
    (a title) as in 11 pt, and smaller in a footnote's 8 pt (it printed at 11 pt in all)."""
    from songngu import pdfengine, write
    from songngu.html_inline import math_html

    alpha = math_html(r"\alpha^2", False)
    page = ('<html lang="en"><head><style>@page { size: A5; margin: 15mm } math { display: '
            'none } p { margin: 0 0 20mm }</style></head><body>'
            + "".join(f'<p style="font-size: {size}pt">x {alpha}</p>' for size in (22, 11, 8))
            + "</body></html>")
    pdf = pdfengine.render_pdf(page, write.Assets(fonts=ROOT / "fonts", media=tmp_path))
    pdf.write(tmp_path / "sizes.pdf")
    with pdfplumber.open(tmp_path / "sizes.pdf") as read:
        shapes = read.pages[0].curves + read.pages[0].rects
    rows: dict[int, list] = {}
    for shape in shapes:  # the three formulas lie 20 mm (57 pt) apart
        rows.setdefault(round(shape["top"] / 57), []).append(shape)
    heights = [max(s["bottom"] for s in row) - min(s["top"] for s in row)
               for _, row in sorted(rows.items())]
    assert len(heights) == 3, heights
    assert heights[0] / heights[1] == pytest.approx(2, rel=0.05)
    assert heights[2] / heights[1] == pytest.approx(8 / 11, rel=0.05)


def test_a_long_author_date_citation_wraps_on_a_phone(tmp_path, browser):
    """An author-date cluster is as long as its authors' names: on a screen it breaks between
    words, as the PDF's does (held on one line, it made the page scroll sideways at 390 px);
    a number ("[1]–[3]") is still held on one line."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(ROOT / "tests" / "fixtures" / "invalid" / "_base", folder)
    shared = folder / "document.yaml"
    shared.write_text(shared.read_text(encoding="utf-8") + "style: apa\n", encoding="utf-8")
    references = folder / "references.yaml"
    references.write_text(references.read_text(encoding="utf-8") + yaml.safe_dump([
        {"id": "ministry", "type": "report", "title": "Forest cover statistics",
         "author": [{"literal": "Ministry of Agriculture and Rural Development of Vietnam"}],
         "issued": {"date-parts": [[2024]]}}], allow_unicode=True), encoding="utf-8")
    for lang in ("en", "vi"):
        text = folder / f"{lang}.yaml"
        text.write_text(text.read_text(encoding="utf-8").replace(
            "[@lee2007, p. 12],", "[@lee2007, p. 12; @ministry],", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--lang", "en", "--no-pdf", "--content", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto((out / "en" / "article.html").as_uri())
        assert "Ministry of Agriculture" in page.locator(".citation").first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") == 390
    finally:
        page.close()
