"""The sample article built as a user builds it, read back as a reader reads it."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from html.parser import HTMLParser

import pytest
import yaml
from conftest import SAMPLE, pdftotext, run_build_process
from pypdf import PdfReader

from songngu.inline import parse_inline, plain_text


def _text(lang: str) -> dict:
    return yaml.safe_load((SAMPLE / f"{lang}.yaml").read_text(encoding="utf-8"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _plain(markup: str) -> str:
    return plain_text(parse_inline(markup))


def test_build_writes_pdf_and_html_and_says_so(tmp_path):
    """``python build.py --lang vi``, in a process of its own as a user starts it (the other
    tests call the CLI in-process): its exit status, what it says, what it writes. (On the
    two-page note: the sample's own pages are read from the test run's shared build.)"""
    result = run_build_process("--lang", "vi", "--content", "content/pagination-note", "--out",
                               str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path}/vi/pagination-note.pdf" in result.stdout
    assert f"wrote {tmp_path}/vi/pagination-note.html" in result.stdout
    assert (tmp_path / "vi" / "pagination-note.pdf").stat().st_size > 10_000
    assert not (tmp_path / "en").exists()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_page_numbers_start_at_100_and_header_shows_the_range(sample_build, lang):
    pdf = sample_build / lang / "asean-japan.pdf"
    pages = len(PdfReader(pdf).pages)
    last = 100 + pages - 1
    for index in range(pages):
        text = pdftotext(pdf, "-f", str(index + 1), "-l", str(index + 1), "-layout")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert f"TNU Journal of Science and Technology 226(03): 100 - {last}" in lines[0]
        assert re.search(rf"http://jst\.tnu\.edu\.vn\s+{100 + index}\s+Email: jst@tnu\.edu\.vn",
                         lines[-1]), lines[-1]


def test_vietnamese_title_and_abstract_extract_exactly(sample_build):
    text = unicodedata.normalize("NFC", _squash(pdftotext(sample_build / "vi" / "asean-japan.pdf")))
    vi = _text("vi")
    assert _plain(vi["title"]).upper() in text
    assert _squash(_plain(vi["abstract"])) in text
    assert text == unicodedata.normalize("NFC", text)


def test_first_page_has_both_title_blocks_doi_and_email(sample_build):
    page1 = _squash(pdftotext(sample_build / "vi" / "asean-japan.pdf", "-l", "1"))
    for label in ("ARTICLE INFO", "ABSTRACT", "Received: 11/3/2021", "Revised: 31/3/2021",
                  "Published: 31/3/2021", "KEYWORDS", "THÔNG TIN BÀI BÁO", "TÓM TẮT",
                  "Ngày nhận bài: 11/3/2021", "Ngày hoàn thiện: 31/3/2021",
                  "Ngày đăng: 31/3/2021", "TỪ KHÓA",
                  "DOI: https://doi.org/10.34238/tnu-jst.4151",
                  "Email: khanhtrang2004@gmail.com"):
        assert label in page1, label
    assert "ASEAN–JAPAN RELATIONS IN THE FIRST TWO DECADES OF THE 21st CENTURY" in page1
    links = [a["/A"].get("/URI") for a in
             (x.get_object() for x in PdfReader(sample_build / "vi" / "asean-japan.pdf")
              .pages[0].get("/Annots", []))
             if "/A" in a]
    assert "https://doi.org/10.34238/tnu-jst.4151" in links


@pytest.mark.parametrize("lang, headings", [
    ("en", ["1. Introduction", "2. Research method", "3. Results and discussion",
            "3.1. Factors", "3.1.1. ASEAN", "3.2.1. Economic relations", "4. Conclusion"]),
    ("vi", ["1. Giới thiệu", "2. Phương pháp nghiên cứu", "3. Kết quả và bàn luận",
            "3.1. Những nhân tố", "3.1.1. Quan hệ", "3.2.1. Quan hệ kinh tế", "4. Kết luận"]),
])
def test_headings_are_numbered_in_order(sample_build, lang, headings):
    text = pdftotext(sample_build / lang / "asean-japan.pdf")
    lines = [_squash(line) for line in text.splitlines()]
    positions = []
    for heading in headings:
        found = [i for i, line in enumerate(lines) if line.startswith(heading)]
        assert found, heading
        positions.append(found[0])
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang, numbers, caption", [
    ("en", ["214.4", "104.5", "106.8", "14.2%", "19.8%", "14.5%", "10%"],
     "Table 1. ASEAN–Japan trade"),
    ("vi", ["214,4", "104,5", "106,8", "14,2%", "19,8%", "14,5%", "10%"],
     "Bảng 1. Thương mại ASEAN – Nhật Bản"),
])
def test_tables_show_numbers_in_the_language_format(sample_build, lang, numbers, caption):
    text = _squash(pdftotext(sample_build / lang / "asean-japan.pdf"))
    assert caption in text
    for number in numbers:
        assert re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", text), number
    other = "214,4" if lang == "en" else "214.4"
    assert other not in text


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_citations_first_appear_in_order_and_all_have_entries(sample_build, lang):
    text = pdftotext(sample_build / lang / "asean-japan.pdf")
    heading = "REFERENCES" if lang == "en" else "TÀI LIỆU THAM KHẢO"
    body, _, references = text.rpartition(heading)
    first_seen = []
    for group in re.findall(r"\[(\d+)[^\]]*\]", body):
        if int(group) not in first_seen:
            first_seen.append(int(group))
    assert first_seen == list(range(1, 15))
    entries = re.findall(r"^\[(\d+)\]", references, flags=re.M)
    assert entries == [str(n) for n in range(1, 15)]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_only_the_shipped_font_is_embedded(sample_build, lang):
    out = subprocess.run(["pdffonts", str(sample_build / lang / "asean-japan.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert re.fullmatch(r"[A-Z]{6}\+Journal-Serif(-Bold|-Italic|-Bold-Italic)?", name), row
        assert emb == "yes", row


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.hrefs, self.langs = [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "lang" in attrs:
            self.langs.append(attrs["lang"])


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_html_is_semantic_and_citations_link_to_entries(sample_build, lang):
    html = (sample_build / lang / "asean-japan.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and '<meta charset="utf-8">' in html
    page = _Html()
    page.feed(html)
    for tag in ("article", "section", "h1", "h2", "h3", "h4", "table", "caption", "ol"):
        assert tag in page.tags, tag
    assert {"en", "vi"} <= set(page.langs)
    ref_links = [h for h in page.hrefs if h.startswith("#ref-")]
    assert len(set(ref_links)) == 14
    for href in ref_links:
        assert href[1:] in page.ids
    assert 'hreflang="' in html
    assert (sample_build / lang / "fonts" / "LiberationSerif-Regular.ttf").is_file()
