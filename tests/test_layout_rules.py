"""Pages that hold: the typesetter's rules, each on a document made to break it.

The document is the sample with what the sample never met: a front matter longer than a page
(a long abstract), a 60-row table, web addresses too long for a line, and runs that must stay
on one line (``R² = 0.89``, ``ĐH2021-TN04-07``, ``12 km``). It is built once with the CLI, in
process, and read back with pdftotext and pdfplumber; the layout report the build prints is
checked too.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import SAMPLE, pdftotext

from songngu import cli

LONG_URL = ("https://www.jpf.example.org/japanese/survey/2021/overseas-institutions/"
            "report-on-japanese-language-education-abroad-final-edition.html")
KEEP = ["R² = 0.89", "ĐH2021-TN04-07", "12 km"]
ROWS = 60


def _table_paragraph(lang: str) -> str:
    runs = ", ".join(KEEP)
    if lang == "vi":
        return (f"Số liệu mẫu kiểm tra cách ngắt dòng ({runs}) được lặp lại nhiều lần để "
                f"mỗi cụm rơi vào một vị trí khác nhau trên dòng. ") * 6
    return (f"Sample figures that test line breaking ({runs}) are repeated so that each run "
            f"falls at a different place on the line. ") * 6


def _make_breaking_document(folder: Path) -> None:
    """Turn a copy of the sample into a document that breaks every rule it can."""
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["tables"]["long"] = {
        "columns": [{"kind": "year"}, {"kind": "number", "pattern": "#,##0.0"},
                    {"kind": "number", "pattern": "#,##0.0"}],
        "rows": [[1950 + i, 10 + i * 1.5, 200 - i * 2.25] for i in range(ROWS)],
    }
    shared["tables"]["wide"] = {
        "columns": [{"kind": "year"}] + [{"kind": "number", "pattern": "#,##0.0"}] * 7,
        "rows": [[2010 + i] + [1000.5 * (i + 1) + c for c in range(7)] for i in range(4)],
    }
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    refs = yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
    refs.append({"id": "jpf2021", "type": "webpage", "title": "Survey on Japanese-language "
                 "education abroad", "author": [{"literal": "The Japan Foundation"}],
                 "issued": {"date-parts": [[2021]]}, "URL": LONG_URL,
                 "accessed": {"date-parts": [[2021, 3, 10]]}})
    (folder / "references.yaml").write_text(yaml.safe_dump(refs, allow_unicode=True),
                                            encoding="utf-8")
    for lang in ("en", "vi"):
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        # A little longer than the sample's: both title blocks no longer fit on page 1.
        half = text["abstract"][:len(text["abstract"]) // 2].rsplit(" ", 1)[0]
        text["abstract"] += " " + half + "."
        caption = "Sample series, 1950–2009" if lang == "en" else "Chuỗi số liệu mẫu, 1950–2009"
        headers = ["Year", "Series A", "Series B"] if lang == "en" else \
            ["Năm", "Chuỗi A", "Chuỗi B"]
        text["tables"]["long"] = {"caption": caption, "columns": headers}
        sectors = ["Manufacturing", "Construction", "Agriculture", "Transportation",
                   "Communications", "Electricity", "Wholesale"] if lang == "en" else \
            ["Chế biến", "Xây dựng", "Nông nghiệp", "Vận tải", "Thông tin", "Điện năng",
             "Bán buôn"]
        text["tables"]["wide"] = {"caption": "Investment by sector" if lang == "en" else
                                  "Đầu tư theo ngành", "columns": [headers[0]] + sectors}
        blocks = text["sections"][0]["blocks"]
        blocks[1:1] = [{"p": _table_paragraph(lang) + "[@jpf2021]"}, {"table": "long"},
                       {"table": "wide"}]
        (folder / f"{lang}.yaml").write_text(yaml.safe_dump(text, allow_unicode=True),
                                             encoding="utf-8")
    (folder / "sync.yaml").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, str]:
    """The built document: its output folder, and what the build printed."""
    root = tmp_path_factory.mktemp("breaking")
    folder = root / "content" / "breaking"
    shutil.copytree(SAMPLE, folder)
    _make_breaking_document(folder)
    out = root / "build"
    import contextlib
    import io
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        code = cli.main(["--lang", "all", "--no-html", "--content", str(folder), "--out", str(out),
                         "--templates", str(SAMPLE.parent.parent / "templates"),
                         "--fonts", str(SAMPLE.parent.parent / "fonts")])
    assert code == 0, err.getvalue()
    return out, err.getvalue()


def _pages(pdf: Path) -> list[str]:
    return pdftotext(pdf, "-layout").split("\f")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_front_matter_flows_into_the_body(broken, lang):
    out, _ = broken
    pages = _pages(out / lang / "breaking.pdf")
    doi_page = next(i for i, page in enumerate(pages) if "DOI: https://doi.org/" in page)
    body_heading = "1. Introduction" if lang == "en" else "1. Giới thiệu"
    # The second title block starts page 2, the DOI line stays with it, and the body follows
    # on the same page: no page holds the DOI line alone.
    assert doi_page == 1
    second_title = "QUAN HỆ ASEAN" if lang == "en" else "ASEAN–JAPAN RELATIONS"
    assert second_title in pages[1] and second_title not in pages[0]
    body_page = next(i for i, page in enumerate(pages) if body_heading in page)
    assert body_page == doi_page


@pytest.mark.parametrize("lang, label", [("en", "Table 1 (continued)"),
                                         ("vi", "Bảng 1 (tiếp theo)")])
def test_a_long_table_breaks_with_its_header_repeated_and_labelled(broken, lang, label):
    out, _ = broken
    pdf = out / lang / "breaking.pdf"
    pages = _pages(pdf)
    header = "Series A" if lang == "en" else "Chuỗi A"
    caption = "Sample series" if lang == "en" else "Chuỗi số liệu mẫu"
    with_rows = [i for i, page in enumerate(pages) if re.search(r"^\s*19[5-9]\d\s", page, re.M)]
    assert len(with_rows) >= 2, "the 60-row table did not break across pages"
    first, rest = with_rows[0], with_rows[1:]
    assert caption in pages[first], "the caption is not kept with the first rows"
    for i in rest:
        assert header in pages[i], f"page {i + 1}: the header row is not repeated"
        assert label in pages[i], f"page {i + 1}: no {label!r} above the continuation"
    assert label not in pages[first]
    # The page before the table is not left empty: the table starts where the text ends.
    with pdfplumber.open(pdf) as document:
        page = document.pages[first]
        words = page.extract_words()
        lowest = max(w["bottom"] for w in words if w["bottom"] < page.height - 72)
        assert lowest > page.height * 0.6


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_urls_are_never_hyphenated(broken, lang):
    out, _ = broken
    pdf = out / lang / "breaking.pdf"
    # pdftotext finds the page the address starts on; pdfplumber reads it and the next line by
    # line, since pdftotext joins a line ending in "-" to the next one.
    pages = pdftotext(pdf).split("\f")[:-1]  # the text ends with a form feed
    first = next(i for i, page in enumerate(pages) if re.search(r"https://\s*www\.jpf", page))
    with pdfplumber.open(pdf, pages=range(first + 1, min(first + 2, len(pages)) + 1)) as read:
        text = "\n".join(page.extract_text() for page in read.pages)
    start = re.search(r"https://\s*www\.jpf", text).start()
    joined = ""
    for line in text[start:].splitlines():
        joined += line.strip()
        if joined.startswith(LONG_URL):
            break
        # Broken only after a separator, and with nothing added.
        assert LONG_URL.startswith(joined), f"the URL was changed where it broke: {joined!r}"
        assert joined[-1] in "/.-_?&=#", f"the URL breaks after {joined[-8:]!r}"
    assert joined.startswith(LONG_URL)
    assert "\u2010" not in text[start:start + 400]
    # Nowhere in the document is an address hyphenated (-layout keeps a line's last hyphen).
    assert "ht-" not in pdftotext(pdf, "-layout")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_runs_that_belong_together_stay_on_one_line(broken, lang):
    out, _ = broken
    text = pdftotext(out / lang / "breaking.pdf")
    flat = " ".join(text.split())
    for run in KEEP:
        assert flat.count(run) >= 6
        # Each occurrence is whole on its line.
        assert text.count(run) == flat.count(run), f"{run!r} was split across lines"


def test_the_build_reports_no_layout_finding_on_the_breaking_document(broken):
    _, printed = broken
    assert "layout:" not in printed, printed


def test_a_table_too_wide_for_a_parallel_column_spans_both(tmp_path):
    """The parallel handout of the smallest valid document made to break the rules as the
    sample is above (the long table, the wide one, the long web address, the runs kept
    together): the wide table spans both columns, and the layout report is empty."""
    folder = tmp_path / "content" / "breaking"
    shutil.copytree(SAMPLE.parent.parent / "tests" / "fixtures" / "invalid" / "_base", folder)
    _make_breaking_document(folder)
    code, printed = _cli("--lang", "en+vi", "--handout", "--strict", "--content", str(folder),
                         "--out", str(tmp_path / "out"))
    assert code == 0 and "layout:" not in printed, printed
    with pdfplumber.open(tmp_path / "out" / "en+vi" / "breaking.handout.pdf") as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            heads = [w for w in words if w["text"] in ("Manufacturing", "Wholesale")]
            if len(heads) == 2:
                break
        else:
            raise AssertionError("the wide table's headers were not found on one page")
        middle = page.width / 2
        # The English table runs across the middle of the page: it spans both columns.
        assert heads[0]["x0"] < middle < heads[1]["x1"]


APPROACHES = {  # a table of sentences: (en, vi) cells of three text columns
    "header": (["Approach", "Strengths", "Limitations"], ["Cách tiếp cận", "Ưu điểm", "Hạn chế"]),
    "rows": [
        (["Planting in rows", "Easy to organise and to monitor",
          "Low survival where the mudflat is badly chosen"],
         ["Trồng cây theo hàng", "Dễ tổ chức và dễ giám sát tiến độ trồng",
          "Tỷ lệ cây sống thấp khi chọn sai vị trí bãi bồi"]),
        (["Assisted natural regeneration", "Low cost; seedlings suited to local conditions",
          "Needs a natural seed source and a long time"],
         ["Phục hồi tự nhiên có hỗ trợ", "Chi phí thấp; cây con phù hợp với điều kiện tại chỗ",
          "Cần nguồn giống tự nhiên và thời gian dài"]),
    ],
}


def test_a_table_of_sentences_wraps_in_its_own_parallel_column(tmp_path):
    """Text cells wrap between words in a parallel handout's column, as its headers do (only
    numbers never wrap): each language's table stays in its column, nothing printed outside
    a cell."""
    folder = tmp_path / "content" / "approaches"
    shutil.copytree(SAMPLE.parent.parent / "tests" / "fixtures" / "invalid" / "_base", folder)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["tables"]["approaches"] = {"columns": [{"kind": "text"}] * 3,
                                      "rows": [[None] * 3 for _ in APPROACHES["rows"]]}
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    for index, lang in enumerate(("en", "vi")):
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        text["tables"]["approaches"] = {
            "caption": "Approaches compared" if lang == "en" else "So sánh các cách tiếp cận",
            "columns": APPROACHES["header"][index],
            "rows": [row[index] for row in APPROACHES["rows"]]}
        text["sections"][0]["blocks"].append({"table": "approaches"})
        (folder / f"{lang}.yaml").write_text(yaml.safe_dump(text, allow_unicode=True),
                                             encoding="utf-8")
    code, printed = _cli("--lang", "en+vi", "--handout", "--strict", "--content", str(folder),
                         "--out", str(tmp_path / "out"))
    assert code == 0 and "layout:" not in printed, printed
    with pdfplumber.open(tmp_path / "out" / "en+vi" / "approaches.handout.pdf") as pdf:
        page = next(page for page in pdf.pages if "Limitations" in page.extract_text())
        words = page.extract_words()
        middle = page.width / 2
        english = next(w for w in words if w["text"] == "Limitations")
        vietnamese = [w for w in words if w["text"] in ("Hạn", "chế")]
        assert english["x1"] < middle < min(w["x0"] for w in vietnamese)
        # The longest cell wraps: its last word is on a line below its first.
        first = next(w for w in words if w["text"] == "Low" and w["x1"] < middle)
        last = next(w for w in words if w["text"] == "chosen")
        assert last["top"] > first["top"]


def test_a_table_that_fits_its_parallel_column_keeps_each_cell_on_one_line(parallel_handouts):
    """Cells wrap only in a table that needs it: the provinces of japanese-teaching's table,
    which fits its column, keep each name on one line (the headers wrap instead)."""
    with pdfplumber.open(parallel_handouts.out / "en+vi" / "japanese-teaching.handout.pdf") as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            name = [w for i, w in enumerate(words[:-3])
                    if [x["text"] for x in words[i:i + 4]] == ["Ho", "Chi", "Minh", "City"]]
            if name:
                break
        else:
            raise AssertionError("'Ho Chi Minh City' was not found on one line")


SERIF = ('@font-face { font-family: "Journal Serif"; '
         'src: url("fonts/LiberationSerif-Regular.ttf"); }')


def _lay_out(html: str, tmp_path: Path):
    """An HTML page laid out as a build lays out a PDF, with the shipped serif."""
    from songngu import pdfengine, write
    return pdfengine.render_pdf(html, write.Assets(fonts=SAMPLE.parent.parent / "fonts",
                                                   media=tmp_path), print_css=SERIF)


def _paragraphs(first: int, last: int) -> str:
    """Paragraphs numbered ``first`` to ``last - 1``, each a filler sentence six times."""
    return "".join(f"<p>{n}. " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6
                   + "</p>" for n in range(first, last))


def _float_pages(body: str, tmp_path: Path) -> list[str]:
    """An A5 page whose 120 mm figure cannot fit below paragraph 4, laid out; the text of
    each page, once the layout report says no page was left empty."""
    pdf = _lay_out(f"""<!DOCTYPE html><html lang="en"><head><style>
      @page {{ size: A5; margin: 15mm; }}
      body {{ font-family: "Journal Serif"; font-size: 10pt; margin: 0; }}
      figure {{ height: 120mm; margin: 0; break-inside: avoid; }}
      .fn {{ float: footnote; }}
    </style></head><body>{body}</body></html>""", tmp_path)
    assert not [f for f in pdf.findings() if "left empty" in str(f)], pdf.findings()
    target = tmp_path / "float.pdf"
    pdf.write(target)
    return pdftotext(target).split("\f")


def test_the_layout_report_names_what_a_typesetter_would_fix(tmp_path):
    """Pages made to be wrong, laid out directly: each finding with its page."""
    lines = "<p class='loose'>" + "Lorem ipsum dolor sit amet, consectetur adipiscing. " * 12 \
        + "</p>"
    # A5 with 15 mm margins: 180 mm of text area. After a 175 mm spacer one line of the
    # paragraph fits (an orphan, allowed here by orphans: 1); the rest goes on page 2, where a
    # 160 mm box no longer fits and leaves most of the page empty.
    html = f"""<!DOCTYPE html><html lang="en"><head><style>
      @page {{ size: A5; margin: 15mm; }}
      body {{ font-family: "Journal Serif"; font-size: 10pt; line-height: 12pt; margin: 0; }}
      h2 {{ break-after: auto; }}
      p {{ margin: 0; }}
      .loose {{ orphans: 1; widows: 1; }}
      .spacer {{ height: 175mm; }}
      .tall {{ height: 160mm; break-inside: avoid; }}
      .wide {{ white-space: nowrap; }}
      table {{ table-layout: fixed; width: 60mm; }}
    </style></head><body>
      <div class="spacer"></div>
      {lines}
      <div class="tall"><p>A tall box</p></div>
      <p class="wide">This line is far too long to fit on an A5 page
        and it refuses to wrap at all, at any width.</p>
      <p lang="en" style="width: 22mm; hyphens: auto">See
        <a href="https://example.org/">internationalization</a> now.</p>
      <table><tr><td class="wide">overflowingcellcontentthatiswide</td><td>B</td></tr></table>
      <div style="height: 120mm"></div>
      <h2>A heading that ends a page</h2><div class="tall"><p>Text</p></div>
    </body></html>"""
    findings = [str(f) for f in _lay_out(html, tmp_path).findings(1)]
    text = "\n".join(findings)
    assert re.search(r"page 2: \d+% of the page is left empty: the p 'A tall box' did not fit",
                     text), text
    assert re.search(r"page 1: a lone line at the foot of the page \(orphan\)", text), text
    assert "text outside the text area" in text, text
    assert "text outside its table cell" in text, text
    assert "a link is hyphenated at the line end" in text, text
    assert "the heading 'A heading that ends a page' ends the page" in text, text


def _cli(*args: str) -> tuple[int, str]:
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(list(args))
    return code, err.getvalue()


DOCUMENTS = sorted(path.parent.name for path in SAMPLE.parent.glob("*/document.yaml"))


@pytest.mark.parametrize("lang", ["all", "en+vi"])
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_sample_and_its_handouts_have_an_empty_layout_report(full_build,
                                                                   parallel_handouts,
                                                                   document, lang):
    """--strict turns every layout finding into an error: each PDF of every sample (journal
    pages and handouts in each language, and the parallel handout) builds, none printed. The
    builds are the test run's shared ones: ``--lang all --strict --handout`` and ``--lang
    en+vi --handout --strict`` of every shipped document."""
    built = full_build if lang == "all" else parallel_handouts
    if lang == "all":
        made = [f"{code}/{document}.{kind}" for code in ("en", "vi")
                for kind in ("pdf", "handout.pdf", "booklet.pdf")]
    else:
        made = [f"en+vi/{document}.handout.pdf"]
    for name in made:
        assert (built.out / name).is_file(), name
    printed = built.stdout + built.stderr
    assert "layout:" not in printed, printed


def test_the_html_pages_pass_the_nu_html_checker(sample_build):
    from checkers import vnu_errors
    pages = sorted(sample_build.glob("*/*.html"))  # every document, in each language
    assert len(pages) >= 2 * len(DOCUMENTS)
    errors = vnu_errors(*pages)
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e['message']}"
                                   for e in errors)


def test_a_pdf_viewer_shows_one_title_in_the_document_language(sample_build):
    from checkers import pdfjs_metadata
    for lang, title in (("vi", "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI"),
                        ("en", "ASEAN–Japan relations in the first two decades of the 21st "
                               "century")):
        read = pdfjs_metadata(sample_build / lang / "asean-japan.pdf")
        assert read["info"]["Title"] == title
        assert read["xmpTitle"] == title
    # The other language's title stays in the metadata, as an alternate title.
    from pypdf import PdfReader
    xmp = PdfReader(sample_build / "en" / "asean-japan.pdf").xmp_metadata
    alternates = xmp.rdf_root.getElementsByTagNameNS(
        "http://prismstandard.org/namespaces/basic/3.0/", "alternateTitle")
    entries = {li.getAttribute("xml:lang"): li.firstChild.data
               for li in alternates[0].getElementsByTagName("rdf:li")}
    assert entries["vi"] == "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI"


def test_a_table_too_wide_for_its_page_is_one_finding_that_names_it(tmp_path):
    """Every cell of a table too wide prints outside its cell: the report says so once per
    table and page, with the table's caption and what makes a table fit."""
    cells = "".join(f"<td>{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}</td>" for n in range(1, 10))
    pdf = _lay_out(f"""<!DOCTYPE html><html lang="en"><head><style>
      @page {{ size: A5; margin: 15mm; }}
      body {{ font-family: "Journal Serif"; font-size: 10pt; margin: 0; }}
      td {{ white-space: nowrap; }}
    </style></head><body><table><caption>Table 3. Nine series</caption>
    <tr>{cells}</tr><tr>{cells}</tr></table></body></html>""", tmp_path)
    found = [str(f) for f in pdf.findings()]
    assert len(found) == 1, found
    assert re.fullmatch(r"page 1: text outside its table cell: '\d+' and \d+ more: the table "
                        r"'Table 3\. Nine series' is wider than the room it has \(fewer or "
                        r"narrower columns, fewer decimals or shorter headers let it fit\)",
                        found[0]), found


def test_a_float_that_ends_its_section_lets_the_next_section_fill_the_page(tmp_path):
    """A figure that ends its section and does not fit is moved past the next section's
    heading and paragraphs (a page float), and a page whose footnote sits at its foot is
    still seen to be half empty: the note's place is not text."""
    pages = _float_pages(f"""
    <section><h2>One</h2><p>A note<span class="fn">The note, at the foot.</span>.</p>
      {_paragraphs(1, 5)}<figure><figcaption>Figure 1. Tall</figcaption></figure></section>
    <section><h2>Two</h2>{_paragraphs(5, 30)}</section>
    <section class="appendix"><h2>Appendix</h2><p>Never before the figure.</p></section>""",
                         tmp_path)
    figure_page = next(i for i, page in enumerate(pages) if "Figure 1. Tall" in page)
    assert figure_page == 1
    # The next section, heading and text, fills page 1 below paragraph 4 and its note.
    assert "Two" in pages[0] and "5. Lorem" in pages[0] and "The note, at the foot." in pages[0]
    assert "Never before the figure." not in "".join(pages[:figure_page + 1]).split(
        "Figure 1. Tall")[0]


def test_a_title_block_that_starts_the_next_page_is_not_a_gap_to_report(tmp_path):
    """A language's title block is never split: when it does not fit below the first one, it
    starts the next page, and the space it leaves is the journal's layout, not a finding. A
    block of the text that leaves as much space is one."""
    page = """<!DOCTYPE html><html lang="en"><head><style>
      @page {{ size: A5; margin: 15mm; }}
      body {{ font-family: "Journal Serif"; font-size: 10pt; margin: 0; }}
      header, .tall {{ display: block; break-inside: avoid; }}
      .first {{ height: 90mm; }} .second, .tall {{ height: 120mm; }}
    </style></head><body><header class="front first"><p>Title one</p></header>
    {second}<p>Text.</p></body></html>"""
    title = _lay_out(page.format(
        second='<header class="front second"><p>Title two</p></header>'), tmp_path)
    assert title.page_count == 2 and not title.findings(), title.findings()
    block = _lay_out(page.format(second='<div class="tall"><p>Tall</p></div>'), tmp_path)
    found = [str(f) for f in block.findings()]
    assert len(found) == 1 and re.fullmatch(
        r"page 1: \d+% of the page is left empty: the p 'Tall' did not fit and starts the "
        r"next page", found[0]), found


def test_a_figure_that_does_not_fit_floats_to_the_next_page_while_the_text_goes_on(tmp_path):
    pages = _float_pages(f"""<section>{_paragraphs(1, 5)}<figure><figcaption>Figure 1. Tall
    </figcaption></figure>{_paragraphs(5, 30)}</section>""", tmp_path)
    figure_page = next(i for i, page in enumerate(pages) if "Figure 1. Tall" in page)
    assert figure_page == 1
    # Text that follows the figure in the source fills page 1 below paragraph 4.
    assert "5. Lorem" in pages[0]


def test_figures_in_a_row_float_together_in_their_order(tmp_path):
    """Three figures in a row, none of which fits below paragraph 4: they move together past
    the text that follows, which fills each page they leave (no page is reported left
    empty), and they print in their order. (They used to stay put, each leaving its page
    half empty; moved one by one, the second passed the first.)"""
    figures = "".join(f"<figure><figcaption>Figure {n}. Tall</figcaption></figure>"
                      for n in (1, 2, 3))
    pages = _float_pages(f"<section>{_paragraphs(1, 5)}{figures}{_paragraphs(5, 40)}"
                         "</section>", tmp_path)
    text = "".join(pages)
    assert text.index("Figure 1.") < text.index("Figure 2.") < text.index("Figure 3.")
    assert "5. Lorem" in pages[0]


def test_rows_of_figures_in_a_parallel_handout_float_as_figures_do(tmp_path):
    """In a parallel handout a figure is a row holding it in each language: rows of figures
    that do not fit move together past the rows of text that follow, which fill the page
    they leave, in their order (they used to stay put, the page a third empty)."""
    def row(kind: str, inner: str) -> str:
        return f'<tr class="row-{kind}"><td>{inner}</td><td>{inner}</td></tr>'

    text = "".join(row("p", f"<p>{n}. " + "Lorem ipsum dolor sit amet, consectetur. " * 5
                        + "</p>") for n in range(1, 30))
    figures = "".join(row("figure", f"<figure><figcaption>Figure {n}. Tall</figcaption>"
                                    "</figure>") for n in (1, 2))
    rows = text[:text.index('<tr class="row-p"><td><p>4.')] + figures + \
        text[text.index('<tr class="row-p"><td><p>4.'):]
    pdf = _lay_out(f"""<!DOCTYPE html><html lang="en"><head><style>
      @page {{ size: A5; margin: 15mm; }}
      body {{ font-family: "Journal Serif"; font-size: 9pt; margin: 0; }}
      table {{ border-collapse: collapse; width: 100%; }} td {{ width: 50%; vertical-align: top; }}
      tr.row-figure {{ break-inside: avoid; }} figure {{ height: 110mm; margin: 0; }}
    </style></head><body><table class="parallel"><tbody>{rows}</tbody></table></body></html>""",
                   tmp_path)
    assert not [f for f in pdf.findings() if "left empty" in str(f)], pdf.findings()
    pdf.write(tmp_path / "rows.pdf")
    pages = pdftotext(tmp_path / "rows.pdf").split("\f")
    text = "".join(pages)
    assert text.index("Figure 1.") < text.index("Figure 2.")
    assert "5. Lorem" in pages[0]


def _structure(pdf: Path):
    """Every structure element of a tagged PDF, depth first: (type, element)."""
    from pypdf import PdfReader
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    found = []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get") or "/S" not in node:
            return
        found.append((str(node["/S"]), node))
        kids = node.get("/K")
        kids = kids.get_object() if hasattr(kids, "get_object") else kids
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                walk(kid)

    for kid in root["/K"] if isinstance(root["/K"], list) else [root["/K"]]:
        walk(kid)
    return reader, root, found


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_structure_tree_follows_the_document(sample_build, lang):
    """One element per HTML element however many pages it crosses; layout boxes not tagged
    as data; links named as a reader sees them; an IDTree for the elements with an /ID."""
    html = (sample_build / lang / "asean-japan.html").read_text(encoding="utf-8")
    reader, root, elements = _structure(sample_build / lang / "asean-japan.pdf")
    kinds = [kind for kind, _ in elements]
    assert kinds.count("/Art") == 1
    assert kinds.count("/Sect") == len(re.findall(r"<section[ >]", html))
    assert kinds.count("/P") == len(re.findall(r"<p[ >]", html))
    assert kinds.count("/Table") == len(re.findall(r'<div class="table-wrap"', html))
    # A paragraph that crosses a page break is one P, holding the text of both pages.
    def pages_of(element) -> set:
        kids = element["/K"] if isinstance(element["/K"], list) else [element["/K"]]
        found = {str(element.get("/Pg"))}
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and "/Pg" in kid:
                found.add(str(kid["/Pg"]))
        return found

    assert [e for kind, e in elements if kind == "/P" and len(pages_of(e)) > 1]
    ids = [str(e["/ID"]) for _, e in elements if "/ID" in e]
    names = root["/IDTree"]["/Names"]
    assert sorted(ids) == [str(n) for n in names[::2]]
    contents = [str(a.get_object().get("/Contents")) for page in reader.pages
                for a in page.get("/Annots", [])]
    assert contents and not [c for c in contents if re.match(r"^(ref|tbl|fig|sec)-", c)]
    assert "[1]" in contents


def test_sheets_of_another_layout_left_by_an_earlier_build_are_removed(tmp_path):
    """A print shop gets the sheets it asked for, and no stale ones of another layout."""
    args = ["--lang", "vi", "--handout", "--no-pdf", "--no-html", "--content", str(SAMPLE / ".." /
            "rainfall-note"), "--out", str(tmp_path)]
    assert _cli(*args, "--sheets", "2up")[0] == 0
    assert (tmp_path / "vi" / "rainfall-note.2up.pdf").is_file()
    assert _cli(*args, "--sheets", "booklet", "--force")[0] == 0
    assert (tmp_path / "vi" / "rainfall-note.booklet.pdf").is_file()
    assert not (tmp_path / "vi" / "rainfall-note.2up.pdf").exists()
