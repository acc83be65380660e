"""What journal articles say, said in the format: front matter, headings, footnotes, tables,
equations and figures, in both languages, in `check`, in parity and in the HTML page.

Each test writes a small document of its own (not the sample) and runs the CLI in-process;
the HTML is read back with lxml. The PDFs are read back in tests/test_gallery.py.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from songngu import cli

DOCUMENT = {
    "languages": ["en", "vi"],
    "journal": {"name": "Test Journal"},
    "dates": {"received": "2022-01-05"},
    "authors": [{"id": "an", "affiliations": ["hue"]}],
}
EN = {
    "title": "A test article", "authors": {"an": "Nguyen An"},
    "affiliations": {"hue": "Hue University"}, "abstract": "An abstract.",
    "keywords": ["test"],
    "sections": [{"id": "intro", "title": "Introduction", "blocks": [{"p": "Some text."}]}],
}
VI = {
    "title": "Bài kiểm tra", "authors": {"an": "Nguyễn An"},
    "affiliations": {"hue": "Đại học Huế"}, "abstract": "Tóm tắt.",
    "keywords": ["kiểm tra"],
    "sections": [{"id": "intro", "title": "Mở đầu", "blocks": [{"p": "Một đoạn văn."}]}],
}


def write_document(folder: Path, document: dict, en: dict, vi: dict,
                   references: list | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (("document", document), ("en", en), ("vi", vi)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        # Dates as YAML dates, as an editor writes them.
        (folder / f"{name}.yaml").write_text(text.replace("'20", "20").replace("-05'", "-05"),
                                             encoding="utf-8")
    if references is not None:
        (folder / "references.yaml").write_text(
            yaml.safe_dump(references, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def variant(**changes) -> tuple[dict, dict, dict]:
    """Deep copies of the base document, with ``document``/``en``/``vi`` updated."""
    document, en, vi = copy.deepcopy(DOCUMENT), copy.deepcopy(EN), copy.deepcopy(VI)
    for name, target in (("document", document), ("en", en), ("vi", vi)):
        target.update(changes.get(name, {}))
    return document, en, vi


def run(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def build_html(tmp_path: Path, capsys, parts, references=None, strict=True):
    folder = write_document(tmp_path / "content" / "art", *parts, references=references)
    args = ["--content", str(folder), "--out", str(tmp_path / "out"), "--no-pdf"]
    code, output = run(capsys, *args, *(["--strict"] if strict else []))
    assert code == 0, output
    pages = {lang: lxml_html.fromstring((tmp_path / "out" / lang / "art.html").read_bytes())
             for lang in ("en", "vi")}
    return pages, output


def check(tmp_path: Path, capsys, parts, references=None, strict=False) -> tuple[int, str]:
    folder = write_document(tmp_path / "content" / "art", *parts, references=references)
    return run(capsys, "check", "--content", str(folder), *(["--strict"] if strict else []))


def text_of(page, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in page.xpath(xpath)]


# ------------------------------------------------------------------ check and build agree

def test_one_check_says_the_mistakes_of_every_stage(tmp_path, capsys):
    """A mistake in document.yaml does not hide those of citations and cross-references
    (found only once a document is read whole); a target left out for its own mistake is not
    also reported as unknown where it is referred to."""
    en_blocks = [{"p": "See [@sec:methds] and [@tbl:t]."}, {"table": "t"}]
    vi_blocks = [{"p": "Xem [@sec:methds] và [@tbl:t]."}, {"table": "t"}]
    document, en, vi = variant(document={"first_page": "ten", "tables": {"t": {
        "columns": [{"kind": "number"}], "rows": [[1]]}}})
    en["sections"][0]["blocks"] = en_blocks + [{"p": "As in [@sec:data]."}]
    vi["sections"][0]["blocks"] = vi_blocks + [{"p": "Như ở [@sec:data]."}]
    en["sections"].append({"id": "data", "blocks": [{"p": "Data."}]})  # no title: a mistake
    vi["sections"].append({"id": "data", "title": "Dữ liệu", "blocks": [{"p": "Số liệu."}]})
    en["tables"] = {"t": {"columns": ["A"]}}  # its caption left out: the table has a mistake
    vi["tables"] = {"t": {"caption": "Bảng", "columns": ["A"]}}
    code, output = check(tmp_path, capsys, (document, en, vi))
    errors = [line.split(": ", 1)[1] for line in output.splitlines() if ".yaml:" in line
              and ": warning:" not in line]
    assert code == 1
    assert any("'first_page' must be a whole number" in e for e in errors), output
    assert any("caption" in e for e in errors), output
    assert sum("cross-reference to unknown section 'methds'" in e for e in errors) == 2, output
    assert any("title" in e for e in errors), output
    assert not any("unknown table" in e or "unknown section 'data'" in e for e in errors), output


def test_a_document_without_a_publication_date_builds(tmp_path, capsys):
    pages, _ = build_html(tmp_path, capsys, variant())
    assert text_of(pages["en"], "//header[@lang='en']//dl[@class='dates']/dd") == ["5/1/2022"]
    assert not pages["en"].xpath("//meta[@name='dcterms.created']")


def test_a_text_cell_written_per_language_prints_in_each_language(tmp_path, capsys):
    document, en, vi = variant(document={"tables": {"t": {
        "columns": [{"kind": "text"}, {"kind": "number"}],
        "rows": [[{"vi": "Khác", "en": "Other"}, 3], ["ASEAN", "−1.5"]]}}})
    for text, caption in ((en, "Items"), (vi, "Mục")):
        text["tables"] = {"t": {"caption": caption, "columns": ["A", "B"]}}
        text["sections"][0]["blocks"].append({"table": "t"})
    pages, _ = build_html(tmp_path, capsys, (document, en, vi))
    assert text_of(pages["en"], "//tbody/tr/*") == ["Other", "3", "ASEAN", "\u22121.5"]
    assert text_of(pages["vi"], "//tbody/tr/*") == ["Khác", "3", "ASEAN", "\u22121,5"]


def test_a_text_cell_missing_a_language_is_a_content_error(tmp_path, capsys):
    document, en, vi = variant(document={"tables": {"t": {
        "columns": [{"kind": "text"}], "rows": [[{"en": "Other"}], [[1, 2]]]}}})
    code, output = check(tmp_path, capsys, (document, en, vi))
    assert code == 1
    assert "table 't', row 1, column 1: expected the cell's text in every language, found " \
           "none in vi" in output
    assert "table 't', row 2, column 1: expected text, a mapping of each language's text" \
           in output
    assert "internal error" not in output


@pytest.mark.parametrize("kind, en_label, vi_label", [
    ("research", "Research article", "Bài báo khoa học"),
    ("review", "Review article", "Bài tổng quan"),
    ("short-communication", "Short communication", "Thông báo khoa học"),
])
def test_the_article_type_is_printed_in_each_language(tmp_path, capsys, kind, en_label,
                                                      vi_label):
    pages, _ = build_html(tmp_path, capsys, variant(document={"article_type": kind}))
    # Each page carries every language's title block, each with its own label.
    for page in pages.values():
        assert text_of(page, "//header[@lang='en']/p[@class='article-type']") == [en_label]
        assert text_of(page, "//header[@lang='vi']/p[@class='article-type']") == [vi_label]


def test_an_unknown_article_type_is_named_with_the_closest(tmp_path, capsys):
    code, output = check(tmp_path, capsys, variant(document={"article_type": "reveiw"}))
    assert code == 1
    assert "document.yaml:" in output and "unknown article type 'reveiw' (did you mean " \
                                          "'review'?)" in output


# ------------------------------------------------------------------ front matter

def _four_authors():
    document = {"authors": [
        {"id": "a", "affiliations": ["x"], "corresponding": True, "email": "a@example.org",
         "orcid": "0000-0002-1825-0097"},
        {"id": "b", "affiliations": ["x", "y"]},
        {"id": "c", "affiliations": ["z"], "orcid": "https://orcid.org/0000-0001-5109-3727"},
        {"id": "d", "affiliations": ["y"]}],
        "journal": {"name": "Test Journal", "date_pattern": "dd/MM/yyyy"}}
    names = {"a": "An", "b": "Bình", "c": "Chi", "d": "Dũng"}
    en = {"authors": names, "affiliations": {"x": "X University", "y": "Y Institute",
                                             "z": "Z College"}}
    vi = {"authors": names, "affiliations": {"x": "Trường X", "y": "Viện Y", "z": "Trường Z"}}
    return variant(document=document, en=en, vi=vi)


def test_authors_carry_the_numbers_of_their_affiliations(tmp_path, capsys):
    pages, _ = build_html(tmp_path, capsys, _four_authors())
    page = pages["vi"]
    header = "//header[@lang='vi']"
    assert text_of(page, f"{header}//span[@class='author']/sup[@class='affiliation-numbers']") \
        == ["1", "1,2", "3", "2"]
    assert text_of(page, f"{header}/p[@class='affiliation']") == ["1Trường X", "2Viện Y",
                                                                  "3Trường Z"]
    assert page.xpath(f"{header}//span[@class='author'][1]/sup[@class='corresponding']")
    links = page.xpath(f"{header}//a[@class='orcid']/@href")
    assert links == ["https://orcid.org/0000-0002-1825-0097",
                     "https://orcid.org/0000-0001-5109-3727"]
    assert text_of(page, "//dl[@class='dates']/dd")[:1] == ["05/01/2022"]


def test_one_affiliation_needs_no_numbers(tmp_path, capsys):
    pages, _ = build_html(tmp_path, capsys, variant())
    assert not pages["en"].xpath("//sup[@class='affiliation-numbers']")
    assert text_of(pages["en"], "//header[@lang='en']/p[@class='affiliation']") == \
        ["Hue University"]


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0098", "1234", "0000-0002-1825-009"])
def test_an_orcid_with_a_wrong_check_digit_or_form_is_refused(tmp_path, capsys, orcid):
    document = copy.deepcopy(DOCUMENT)
    document["authors"][0]["orcid"] = orcid
    code, output = check(tmp_path, capsys, (document, EN, VI))
    assert code == 1
    assert f"expected an ORCID iD such as 0000-0002-1825-0097 (16 digits, the last a check " \
           f"digit or X), found '{orcid}'" in output


def test_a_date_pattern_that_shows_no_date_is_refused(tmp_path, capsys):
    code, output = check(tmp_path, capsys, variant(
        document={"journal": {"name": "J", "date_pattern": "EEEE"}}))
    assert code == 1 and "expected a date pattern such as 'd/M/yyyy'" in output


def test_funding_is_printed_in_each_language_and_compared(tmp_path, capsys):
    parts = variant(en={"funding": "Grant 2024-01."}, vi={"funding": "Đề tài 2024-01."})
    pages, _ = build_html(tmp_path, capsys, parts)
    assert text_of(pages["vi"], "//section[@id='funding']/*") == ["Nguồn kinh phí",
                                                                  "Đề tài 2024-01."]
    _code, output = check(tmp_path / "two", capsys, variant(en={"funding": "Grant 2024-01."}))
    assert "funding is stated in en only" in output


# ------------------------------------------------------------------ headings

def _sections(language: str) -> list:
    words = {"en": ("Background", "Data", "Acknowledgements", "Tables", "More"),
             "vi": ("Bối cảnh", "Dữ liệu", "Lời cảm ơn", "Các bảng", "Thêm")}[language]
    return [
        {"id": "background", "title": words[0], "blocks": [
            {"heading": f"{words[1]} {{#data}}"},
            {"p": "Text [@sec:tables]." if language == "en" else "Văn bản [@sec:tables]."}]},
        {"id": "thanks", "title": words[2], "numbered": False, "blocks": [{"p": words[2]}]},
        {"id": "tables", "title": words[3], "appendix": True,
         "sections": [{"id": "more", "title": words[4], "blocks": [{"p": words[4]}]}]},
    ]


def test_unnumbered_sections_appendices_and_run_in_subheadings(tmp_path, capsys):
    pages, _ = build_html(tmp_path, capsys, variant(en={"sections": _sections("en")},
                                                    vi={"sections": _sections("vi")}))
    en, vi = pages["en"], pages["vi"]
    assert text_of(en, "//section/h2") == ["1. Background", "Acknowledgements",
                                           "Appendix A. Tables"]
    assert text_of(vi, "//section/h2") == ["1. Bối cảnh", "Lời cảm ơn", "Phụ lục A. Các bảng"]
    assert text_of(vi, "//section[@id='sec-more']/h3") == ["A.1. Thêm"]
    # The run-in subheading opens the paragraph, keeps its id, and is no line of its own.
    assert text_of(en, "//section[@id='sec-background']/p") == ["Data. Text Appendix A."]
    assert en.xpath("//p/span[@class='run-in'][@id='sub-data']")
    assert text_of(vi, "//a[@href='#sec-tables']") == ["Phụ lục A"]


def test_a_cross_reference_to_an_unnumbered_section_is_an_error(tmp_path, capsys):
    sections = _sections("en")
    sections[0]["blocks"][1]["p"] = "See [@sec:thanks]."
    code, output = check(tmp_path, capsys, variant(en={"sections": sections},
                                                   vi={"sections": _sections("vi")}))
    assert code == 1
    assert "en.yaml:" in output and "cross-reference to the unnumbered section 'thanks'" \
        in output


# ------------------------------------------------------------------ footnotes

def _footnoted(en_text: str, vi_text: str, **extra):
    en = {"sections": [{"id": "intro", "title": "Introduction", "blocks": [{"p": en_text}]}]}
    vi = {"sections": [{"id": "intro", "title": "Mở đầu", "blocks": [{"p": vi_text}]}]}
    en.update(extra.get("en", {}))
    vi.update(extra.get("vi", {}))
    return variant(en=en, vi=vi)


def test_footnotes_are_numbered_and_linked_both_ways(tmp_path, capsys):
    parts = _footnoted("One^[First *note*.] two[^b] three.", "Một^[Chú thích *thứ nhất*.] "
                       "hai[^b] ba.", en={"footnotes": {"b": "Second note, 12 km."}},
                       vi={"footnotes": {"b": "Chú thích thứ hai, 12 km."}})
    pages, _ = build_html(tmp_path, capsys, parts)
    page = pages["vi"]
    assert page.xpath("//sup[@class='fn-ref']/a/@href") == ["#fn-1", "#fn-2"]
    assert page.xpath("//sup[@class='fn-ref']/a/@id") == ["fnref-1", "fnref-2"]
    notes = page.xpath("//section[@class='footnotes']//li")
    assert [n.get("id") for n in notes] == ["fn-1", "fn-2"]
    assert [n.xpath("a[@class='fn-back']/@href")[0] for n in notes] == ["#fnref-1", "#fnref-2"]
    assert text_of(page, "//section[@class='footnotes']//li") == [
        "Chú thích thứ nhất. ↩", "Chú thích thứ hai, 12 km. ↩"]
    # The print copy of each note, which WeasyPrint floats to the foot of the page.
    assert text_of(page, "//span[@class='fn']") == ["Chú thích thứ nhất.",
                                                    "Chú thích thứ hai, 12 km."]
    assert page.xpath("//em[text()='thứ nhất']")


def test_a_note_called_twice_prints_its_number_at_both_calls(tmp_path, capsys):
    """The second call of ``[^b]`` links to the same note, on the page and in the PDF, where
    its number is printed beside the word as the first call's is."""
    from conftest import pdftotext

    parts = _footnoted("Alpha[^b] beta. Gamma[^b] delta.", "Anpha[^b] bêta. Gama[^b] đenta.",
                       en={"footnotes": {"b": "The shared note."}},
                       vi={"footnotes": {"b": "Chú thích chung."}})
    pages, _ = build_html(tmp_path, capsys, parts)
    assert pages["en"].xpath("//sup[contains(@class, 'fn-ref')]/a/@href") == ["#fn-1"] * 2
    assert pages["en"].xpath("//sup[contains(@class, 'fn-ref')]/a/@id") == ["fnref-1"]
    folder = tmp_path / "content" / "art"
    code, output = run(capsys, "--content", str(folder), "--out", str(tmp_path / "pdf"),
                       "--lang", "en", "--no-html")
    assert code == 0, output
    text = " ".join(pdftotext(tmp_path / "pdf" / "en" / "art.pdf").split())
    assert "Alpha1 beta. Gamma1 delta." in text, text
    assert text.count("The shared note.") == 1


def test_parity_compares_footnotes(tmp_path, capsys):
    parts = _footnoted("One^[A note.] two^[Another, 1990.]", "Một^[Chú thích.] hai.")
    code, output = check(tmp_path, capsys, parts)
    assert "block 1 (paragraph) of section 'intro' has 2 footnotes in en, 1 in vi" in output
    parts = _footnoted("One^[In 1990.]", "Một^[Năm 1991.]")
    code, output = check(tmp_path / "two", capsys, parts, strict=True)
    assert code == 1 and "block 1 (paragraph) of section 'intro' states different numbers " \
                         "in its footnote 1 in en and vi" in output


def test_a_footnote_label_without_text_is_an_error_with_its_line(tmp_path, capsys):
    code, output = check(tmp_path, capsys, _footnoted("One[^missing].", "Một[^missing]."))
    assert code == 1
    assert "footnote [^missing] has no text: add it under 'footnotes:' as missing: …" in output
    assert "en.yaml:" in output and "vi.yaml:" in output



def test_a_list_inside_a_list_is_an_error_that_says_lists_do_not_nest(tmp_path, capsys):
    nested = {"list": ["First point.", ["an inner point", "another"], "Last point."]}
    flat = {"list": ["Điểm đầu.", "Điểm giữa.", "Điểm cuối."]}
    sections = lambda block: [{"id": "intro", "title": "T", "blocks": [block]}]  # noqa: E731
    code, output = check(tmp_path, capsys, variant(en={"sections": sections(nested)},
                                                   vi={"sections": sections(flat)}))
    assert code == 1
    line = next(line for line in output.splitlines() if "item 2" in line)
    where = line.split(": ", 1)[0]  # file:line
    assert where.rsplit(":", 1)[0].endswith("en.yaml") and where.rsplit(":", 1)[1].isdigit()
    assert "a list inside the list" in line and "lists do not nest" in line
    assert "list block of their own" in line


# ------------------------------------------------------------------ markup never printed silently

@pytest.mark.parametrize("markup, message", [
    ("Open ^[never closed", "an unclosed inline footnote '^['"),
    ("See {#here} now", "a label '{#here}' where no label belongs"),
    ("A [span]{.smallcaps} here", "an attribute '{.smallcaps}', which is not supported"),
    ("A $x$1 formula", "math '$x$' that was not read"),
    ("As @vu2020 shows", "'@vu2020' names a reference but is not a citation: write [@vu2020]"),
])
def test_unread_markup_is_a_warning_with_its_line_and_an_error_when_strict(
        tmp_path, capsys, markup, message):
    references = [{"id": "vu2020", "type": "book", "title": "A book", "issued": 2020}]
    parts = _footnoted(f"{markup} [@vu2020].", f"Đây là bản tiếng Việt: {markup} [@vu2020].")
    code, output = check(tmp_path, capsys, parts, references)
    assert code == 0
    assert message in output and "warning:" in output
    lines = [line for line in output.splitlines() if message in line]
    assert any(line.startswith(str(tmp_path / "content" / "art" / "en.yaml")) or
               "en.yaml:" in line for line in lines)
    code, output = check(tmp_path / "strict", capsys, parts, references, strict=True)
    assert code == 1 and message in output


# ------------------------------------------------------------------ tables

def _table(document_table: dict, en_table: dict, vi_table: dict):
    document, en, vi = variant(document={"tables": {"t": document_table}})
    for text, table in ((en, en_table), (vi, vi_table)):
        text["tables"] = {"t": table}
        text["sections"][0]["blocks"].append({"table": "t"})
    return document, en, vi


def test_row_labels_are_translated_and_numbers_shared(tmp_path, capsys):
    parts = _table(
        {"columns": [{"kind": "text"}, {"kind": "year"}, {"kind": "number", "pattern": "#,##0.0"},
                     {"kind": "percent", "align": "center"}],
         "rows": [[None, 2020, "−3.25", 12.5], [None, 2021, 1234.5, None]], "empty": "n/a"},
        {"caption": "Cap", "columns": ["Item", "Year", "Change", "Share"],
         "rows": ["Employment in Japan", "Other"]},
        {"caption": "Bảng", "columns": ["Mục", "Năm", "Thay đổi", "Tỷ lệ"],
         "rows": ["Làm việc tại Nhật Bản", "Khác"]})
    pages, _ = build_html(tmp_path, capsys, parts)
    assert text_of(pages["en"], "//tbody/tr[1]/*") == ["Employment in Japan", "2020",
                                                       "\u22123.2", "12.5%"]
    assert text_of(pages["vi"], "//tbody/tr[1]/*") == ["Làm việc tại Nhật Bản", "2020",
                                                       "\u22123,2", "12,5%"]
    assert text_of(pages["vi"], "//tbody/tr[2]/*") == ["Khác", "2021", "1.234,5", "n/a"]
    # The text column's cells are marked as words, which wrap in a parallel handout's column.
    assert pages["en"].xpath("//tbody/tr[1]/*/@class") == ["align-left words", "align-center",
                                                          "align-right", "align-center"]


def test_a_short_row_is_one_error_shown_as_written(tmp_path, capsys):
    """A row of document.yaml missing a cell is said once, as YAML shows it; the language
    files' row texts are still matched to their rows (no second, untrue error)."""
    parts = _table(
        {"columns": [{"kind": "text"}, {"kind": "number"}, {"kind": "number"}],
         "rows": [[None, 1, 2], [None, "−8.0"], [None, 5, 6]]},
        {"caption": "Cap", "columns": ["Item", "A", "B"], "rows": ["One", "Two", "Three"]},
        {"caption": "Bảng", "columns": ["Mục", "A", "B"], "rows": ["Một", "Hai", "Ba"]})
    code, output = check(tmp_path, capsys, parts)
    errors = [line for line in output.splitlines() if ": warning:" not in line and
              ".yaml:" in line]
    assert code == 1 and len(errors) == 1, output
    assert errors[0].endswith("table 't', row 2: expected a list of 3 cells, found 2 cells "
                              '[~, "−8.0"]'), errors


def test_a_two_level_header_spans_columns_and_rows(tmp_path, capsys):
    header = {"caption": "C", "columns": ["Season", "Day", "Night", "Day", "Night"],
              "groups": [{"columns": 1}, {"text": "Hanoi", "columns": 2},
                         {"text": "Hue", "columns": 2}]}
    header_vi = {"caption": "C", "columns": ["Mùa", "Ngày", "Đêm", "Ngày", "Đêm"],
                 "groups": [{"columns": 1}, {"text": "Hà Nội", "columns": 2},
                            {"text": "Huế", "columns": 2}]}
    parts = _table({"columns": [{"kind": "text"}] + [{"kind": "number"}] * 4,
                    "rows": [["Dry", 1, -2, 3, 4]]}, header, header_vi)
    pages, _ = build_html(tmp_path, capsys, parts)
    first, second = pages["en"].xpath("//thead/tr")
    assert [(th.text_content(), th.get("colspan"), th.get("rowspan")) for th in first] == [
        ("Season", None, "2"), ("Hanoi", "2", None), ("Hue", "2", None)]
    assert [th.text_content() for th in second] == ["Day", "Night", "Day", "Night"]
    assert text_of(pages["en"], "//tbody/tr/*") == ["Dry", "1", "\u22122", "3", "4"]


def test_table_text_mistakes_are_reported(tmp_path, capsys):
    parts = _table({"columns": [{"kind": "text"}, {"kind": "number", "align": "middle"}],
                    "rows": [[None, 1], [None, "3,2"]]},
                   {"caption": "C", "columns": ["A", "B"], "rows": ["One"],
                    "groups": [{"text": "G", "columns": 3}]},
                   {"caption": "C", "columns": ["A", "B"], "rows": ["Một", "Hai"]})
    code, output = check(tmp_path, capsys, parts)
    assert code == 1
    assert "column 2: align must be one of left, right, center, found 'middle'" in output
    assert "row 2, column 2: expected a number such as 3.5 or \u22123.5" in output


def test_footnotes_in_table_cells(tmp_path, capsys):
    parts = _table({"columns": [{"kind": "text"}, {"kind": "number"}], "rows": [[None, 1]]},
                   {"caption": "C", "columns": ["A", "B"], "rows": ["Hanoi^[The city.]"]},
                   {"caption": "C", "columns": ["A", "B"], "rows": ["Hà Nội^[Thành phố.]"]})
    pages, _ = build_html(tmp_path, capsys, parts)
    assert text_of(pages["vi"], "//tbody//span[@class='fn']") == ["Thành phố."]


# ------------------------------------------------------------------ equations

def _equations(en_blocks, vi_blocks):
    return variant(en={"sections": [{"id": "m", "title": "Method", "blocks": en_blocks}]},
                   vi={"sections": [{"id": "m", "title": "Phương pháp", "blocks": vi_blocks}]})


def test_equations_are_numbered_referenced_and_given_as_mathml_and_svg(tmp_path, capsys):
    blocks = [{"equation": "$$E = mc^2$$ {#eq:energy}"},
              {"p": "$$a^2 + b^2 = c^2$$ {#eq:pythagoras}"}]
    parts = _equations(blocks + [{"p": "By [@eq:pythagoras], with $x_1 > 0$."}],
                       blocks + [{"p": "Theo [@eq:pythagoras], với $x_1 > 0$."}])
    pages, _ = build_html(tmp_path, capsys, parts)
    en, vi = pages["en"], pages["vi"]
    assert text_of(en, "//div[@class='equation']/span[@class='equation-number']") == \
        ["(1)", "(2)"]
    assert en.xpath("//div[@class='equation']/@id") == ["eq-energy", "eq-pythagoras"]
    assert text_of(en, "//a[@href='#eq-pythagoras']") == ["Eq. (2)"]
    assert text_of(vi, "//a[@href='#eq-pythagoras']") == ["công thức (2)"]
    maths = en.xpath("//*[local-name()='math']")
    assert len(maths) == 3 and maths[0].get("alttext") == "E = mc^2"
    images = en.xpath("//img[@class='math-print']")
    assert [i.get("alt") for i in images] == ["E = mc^2", "a^2 + b^2 = c^2", "x_1 > 0"]
    assert all(i.get("src").startswith("data:image/svg+xml;base64,") for i in images)


def test_aligned_and_gathered_formulas_are_tables_of_rows_in_mathml(tmp_path, capsys):
    aligned = r"\begin{aligned} T &= a + b \\ &= c \end{aligned}"
    gathered = r"\begin{gathered} x = 1 \\ y = 2 \end{gathered}"
    blocks = [{"equation": f"$${aligned}$$"}, {"equation": f"$${gathered}$$"}]
    pages, _ = build_html(tmp_path, capsys, _equations(blocks, blocks))
    for page in pages.values():
        maths = page.xpath("//*[local-name()='math']")
        rows = [len(math.xpath(".//*[local-name()='mtr']")) for math in maths]
        assert rows == [2, 2]
        assert "&" not in "".join(math.text_content() for math in maths)
        assert maths[0].get("alttext") == aligned


def test_an_ampersand_outside_an_alignment_is_a_content_error(tmp_path, capsys):
    parts = _equations([{"equation": "$$a &= b$$"}], [{"equation": "$$a &= b$$"}])
    code, output = check(tmp_path, capsys, parts)
    assert code == 1 and "Traceback" not in output
    lines = [line for line in output.splitlines() if "outside an alignment (aligned" in line]
    assert len(lines) == 2 and all(line.split(":")[1].isdigit() for line in lines), output


@pytest.mark.parametrize("latex, found", [
    (r"\frac{a}{b", "1 '{' left unclosed"),
    (r"\foo{x}", "unknown command \\foo"),
])
def test_a_latex_error_is_a_content_error_with_its_line(tmp_path, capsys, latex, found):
    parts = _equations([{"p": "Text."}, {"equation": f"$${latex}$$"}],
                       [{"p": "Văn bản."}, {"equation": f"$${latex}$$"}])
    code, output = check(tmp_path, capsys, parts)
    assert code == 1
    lines = [line for line in output.splitlines() if "equation: expected LaTeX" in line]
    assert len(lines) == 2 and all(found in line for line in lines)
    assert lines[0].split(":")[1] == "7" or lines[0].split(":")[1].isdigit()


def test_inline_math_with_an_error_names_the_formula(tmp_path, capsys):
    parts = _equations([{"p": r"Here $\frac{1}{$ is wrong."}],
                       [{"p": r"Đây $\frac{1}{$ là sai."}])
    code, output = check(tmp_path, capsys, parts)
    assert code == 1 and "math $\\frac{1}{$: expected LaTeX, found 1 '{' left unclosed" \
        in output


def test_money_is_not_math(tmp_path, capsys):
    parts = _equations([{"p": "It cost $5 and $10."}], [{"p": "Giá $5 và $10."}])
    pages, output = build_html(tmp_path, capsys, parts)
    assert "warning" not in output
    assert text_of(pages["en"], "//section/p") == ["It cost $5 and $10."]


# ------------------------------------------------------------------ figures

def _figure(tmp_path: Path, figure: dict, en_figure: dict, vi_figure: dict):
    from PIL import Image

    folder = tmp_path / "content" / "art"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("a.png", "b.png"):
        Image.new("RGB", (60, 40), "navy").save(folder / name)
    document, en, vi = variant(document={"figures": {"f": figure}})
    for text, words in ((en, en_figure), (vi, vi_figure)):
        text["figures"] = {"f": words}
        text["sections"][0]["blocks"].append({"figure": "f"})
    return document, en, vi


def test_subfigures_side_by_side_with_labels_width_and_source(tmp_path, capsys):
    parts = _figure(tmp_path, {"files": ["a.png", "b.png"], "width": 0.6},
                    {"caption": "Two maps", "parts": ["North", "South"], "source": "the author."},
                    {"caption": "Hai bản đồ", "parts": ["Miền Bắc", "Miền Nam"],
                     "source": "tác giả."})
    pages, _ = build_html(tmp_path, capsys, parts)
    vi = pages["vi"]
    assert vi.xpath("//figure[@id='fig-f']/@style") == ["width: 60.0%"]
    assert text_of(vi, "//figure[@class='subfigure']/figcaption") == ["(a) Miền Bắc",
                                                                     "(b) Miền Nam"]
    assert vi.xpath("//figure[@class='subfigure']/img/@src") == ["media/a.png", "media/b.png"]
    assert text_of(vi, "//span[@class='figure-source']") == ["Nguồn: tác giả."]


def test_figure_mistakes_are_reported(tmp_path, capsys):
    parts = _figure(tmp_path, {"files": ["a.png", "b.png"], "width": 2},
                    {"caption": "Two", "parts": ["North", "South"]},
                    {"caption": "Hai", "parts": ["Bắc", "Nam"]})
    code, output = check(tmp_path, capsys, parts)
    assert code == 1
    assert "figure 'f': width is a share of the text width, more than 0 and at most 1 (0.5 " \
           "for half), found 2" in output
    parts = _figure(tmp_path / "two", {"files": ["a.png", "b.png"]},
                    {"caption": "Two", "parts": ["North"]},
                    {"caption": "Hai", "parts": ["Bắc", "Nam"]})
    code, output = check(tmp_path / "two", capsys, parts)
    assert code == 1
    assert "figure 'f': expected a caption for each of its 2 subfigures under 'parts:', " \
           "found 1" in output


def test_a_changed_footnote_makes_its_counterpart_stale(tmp_path, capsys):
    parts = _footnoted("One[^b].", "Một[^b].", en={"footnotes": {"b": "A note."}},
                       vi={"footnotes": {"b": "Chú thích."}})
    folder = write_document(tmp_path / "content" / "art", *parts)
    code, output = run(capsys, "sync", "--all", "--content", str(folder))
    assert code == 0, output
    en = folder / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("A note.", "A longer note."),
                  encoding="utf-8")
    code, output = run(capsys, "check", "--content", str(folder))
    assert "footnote 'b'" in output and "vi.yaml" in output
