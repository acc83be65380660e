"""Handouts as a teacher prints them: the A5 copy, its sheets, crop marks, and the parallel text.

Everything is built with build.py as a user builds it, and read back with independent readers:
pypdf (page sizes and boxes), poppler's pdftotext (the text; with -bbox, where each word sits)
and pdfplumber (colours and drawn lines). Which source page lands where on the sheets is tested
on synthetic PDFs in test_impose.py; here, that the real handout goes through it.
"""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import ROOT, SAMPLE, pdftotext, run_build
from pypdf import PdfReader

from songngu.inline import parse_inline, plain_text
from songngu.outline import iter_sections
from songngu.pipeline import check_document

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
A4_LANDSCAPE = (297 * MM, 210 * MM)
A4_PORTRAIT = (210 * MM, 297 * MM)
HYPHENS = "\u2010\u00ad-"  # the hyphen WeasyPrint adds at a break, soft hyphen, hyphen-minus
FOOT = 12 * MM
"""The strip at the foot of a page where the page number is centred, straddling the columns of
the parallel text (the bottom margin of handout.css is 16 mm)."""
HEAD = 15 * MM
"""The strip at the top of a page (the top margin of handout.css) where the running head and
the labels of a table continued from the page before are printed."""
SHORT = ROOT / "content" / "rainfall-note"
"""A shipped short communication (a four-page handout): for the options that shape a handout
whatever its length, so that a test lays out four pages, not the sample's twenty."""
SMALL = ROOT / "tests" / "fixtures" / "invalid" / "_base"
"""The smallest valid document (one paragraph, one table, a subsection), which a test grows
into the document that shows the one behaviour it checks."""


def build(out: Path, *args: str) -> str:
    result = run_build(*args, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def vi_build(full_build) -> tuple[Path, str]:
    """The test run's shared build (``--lang all --handout`` of the shipped content, among
    other options), and what it printed."""
    return full_build.out, full_build.stdout


@pytest.fixture(scope="module")
def parallel_build(parallel_handouts) -> Path:
    """The test run's shared ``--lang en+vi --handout`` build of the shipped content."""
    return parallel_handouts.out


def sizes(pdf: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]


def same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.1 and abs(a[1] - b[1]) < 0.1


def normalise(text: str) -> str:
    """Text without whitespace and hyphens: line breaks and hyphenation undone."""
    return re.sub(rf"[\s{HYPHENS}]+", "", unicodedata.normalize("NFC", text))


@dataclass
class Page:
    width: float
    height: float
    words: list[dict]
    """Each word's text and box: x0, x1, top, bottom (points from the top left corner)."""


def pages_of(pdf: Path) -> list[Page]:
    """Every page with its words, as poppler lays them out."""
    pages = []
    for width, height, body in re.findall(
            r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>',
            pdftotext(pdf, "-bbox"), re.S):
        words = [{"text": html.unescape(text), "x0": float(x0), "top": float(y0),
                  "x1": float(x1), "bottom": float(y1)}
                 for x0, y0, x1, y1, text in re.findall(
                     r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                     r'yMax="([-\d.]+)">([^<]*)</word>', body)]
        pages.append(Page(float(width), float(height), words))
    return pages


def lines_of(words: list[dict]) -> list[list[dict]]:
    """Words grouped into lines, top to bottom, each left to right (a superscript joins the
    line it is raised from)."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: w["top"]):
        if lines and abs(word["top"] - lines[-1][0]["top"]) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def running(lines: list[str], index: int, heading: str) -> list[str]:
    """The lines of a page (``index`` 0-based) without its running heading and page number."""
    number = str(index + 1)
    while lines and lines[0] in (heading, number):
        lines = lines[1:]
    while lines and lines[-1] == number:
        lines = lines[:-1]
    return lines


def body_text(text: str, heading: str) -> str:
    """pdftotext's pages, normalised, without the running heading and the page numbers."""
    return "".join(normalise("".join(running([ln for ln in page.split("\n") if ln.strip()],
                                             index, heading)))
                   for index, page in enumerate(text.split("\f")))


# --- the single-language handout ---------------------------------------------------------------

def test_handout_and_booklet_are_written_besides_the_usual_outputs(vi_build):
    out, stdout = vi_build
    for name in ("asean-japan.pdf", "asean-japan.html", "asean-japan.handout.pdf",
                 "asean-japan.booklet.pdf"):
        assert (out / "vi" / name).is_file(), name
        assert f"{out / 'vi' / name}" in stdout
    assert not list(out.glob("vi/*up.pdf"))


def test_handout_is_the_whole_article_on_a5_numbered_from_1(vi_build):
    out, _ = vi_build
    pdf = out / "vi" / "asean-japan.handout.pdf"
    pages = sizes(pdf)
    assert len(pages) > 8
    assert all(same_size(size, A5) for size in pages), pages
    for index, page in enumerate(pages_of(pdf)):
        assert " ".join(w["text"] for w in lines_of(page.words)[-1]) == str(index + 1)
    doc = check_document(SAMPLE).doc
    title = plain_text(parse_inline(doc.texts["vi"].title))
    text = body_text(pdftotext(pdf), title)  # the running head is the title
    footnote = normalise(f"*Tác giả liên hệ. Email: {doc.authors[0].email}")
    assert footnote in text
    text = text.replace(footnote, "")  # it may sit between two lines of a paragraph
    for section in iter_sections(doc.texts["vi"].sections):
        for block in section.blocks:
            if block.kind == "p":  # citations aside, every paragraph is there, in full
                for piece in re.split(r"\[@[^\]]*\]", block.text):
                    assert normalise(plain_text(parse_inline(piece))) in text, piece[:60]


def first_lines(pdf: Path) -> list[str]:
    """The first line of each page, as pdftotext reads it."""
    return [next((ln.strip() for ln in page.splitlines() if ln.strip()), "")
            for page in pdftotext(pdf).split("\f")[:-1]]


def test_the_handouts_pages_after_the_first_are_headed_by_the_title(vi_build):
    out, _ = vi_build
    title = plain_text(parse_inline(check_document(SAMPLE).doc.texts["vi"].title))
    heads = first_lines(out / "vi" / "asean-japan.handout.pdf")
    assert heads[0] != title
    assert set(heads[1:]) == {title}, heads


def test_the_parallel_handouts_pages_are_headed_by_the_left_columns_title(parallel_build):
    title = plain_text(parse_inline(check_document(SAMPLE).doc.texts["en"].title))
    heads = first_lines(parallel_build / "en+vi" / "asean-japan.handout.pdf")
    assert heads[0] != title and len(heads) > 10
    assert set(heads[1:]) == {title}, heads


def test_a_long_title_heads_the_handout_cut_at_a_word_on_one_line(tmp_path):
    content = tmp_path / "rainfall-note"
    shutil.copytree(SHORT, content)
    en = content / "en.yaml"
    data = yaml.safe_load(en.read_text(encoding="utf-8"))
    title = ('What "rain" <means> & costs: rainfall over the Mekong delta, season by season, '
             'measured at forty-two stations from 1990 to 2020')
    data["title"] = title
    en.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    build(tmp_path / "out", "--lang", "en", "--handout", "--no-html", "--content", str(content))
    heads = first_lines(tmp_path / "out" / "en" / "rainfall-note.handout.pdf")
    assert len(heads) > 2 and len(set(heads[1:])) == 1, heads
    head = heads[1]  # the quotes, brackets and ampersand as typed; cut after a whole word
    assert head.endswith("…") and len(head) <= 84 and title.startswith(head[:-1]), head
    assert title[len(head) - 1] == " " and head.startswith('What "rain" <means> & costs')


def test_handout_carries_the_documents_metadata_with_labels_from_1(vi_build):
    out, _ = vi_build
    reader = PdfReader(out / "vi" / "asean-japan.handout.pdf")
    doc = check_document(SAMPLE).doc
    titles = {lang: plain_text(parse_inline(doc.texts[lang].title)) for lang in ("vi", "en")}
    assert reader.page_labels == [str(n) for n in range(1, len(reader.pages) + 1)]
    assert reader.metadata.title == titles["vi"]
    assert reader.xmp_metadata.dc_title == {"x-default": titles["vi"]}
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged, PDF/UA-1 like the journal's


def test_handout_follows_the_pdf_variant(tmp_path):
    build(tmp_path, "--lang", "en", "--handout", "--sheets", "4up", "--no-pdf", "--no-html",
          "--pdf-variant", "pdf/a-3b", "--content", str(SHORT))
    reader = PdfReader(tmp_path / "en" / "rainfall-note.handout.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3<', xmp)  # the PDF/A-3 claim
    assert set(reader.attachments) >= {"document.yaml", "en.yaml", "vi.yaml"}
    assert reader.page_labels[0] == "1" and reader.trailer["/Root"]["/Lang"] == "en"


def test_handout_prints_in_black_only(vi_build):
    out, _ = vi_build
    with pdfplumber.open(out / "vi" / "asean-japan.handout.pdf") as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert is_black(char["non_stroking_color"]), (page.page_number, char["text"])
            for shape in page.rects + page.lines + page.curves:
                if shape["stroke"]:
                    assert is_black(shape["stroking_color"]), (page.page_number, shape)
                if shape["fill"]:
                    assert is_black(shape["non_stroking_color"]), (page.page_number, shape)


def is_black(color) -> bool:
    values = tuple(color) if isinstance(color, (tuple, list)) else (color,)
    return values in ((0,), (0, 0, 0), (0, 0, 0, 1))


def test_handout_tables_fit_the_text_width(vi_build):
    out, _ = vi_build
    pages = pages_of(out / "vi" / "asean-japan.handout.pdf")
    has_table = [any(w["text"] == "Bảng" for w in page.words) for page in pages]
    text_pages = [page for page, table in zip(pages, has_table) if not table]
    left = min(w["x0"] for page in text_pages for w in page.words)
    right = max(w["x1"] for page in text_pages for w in page.words)  # justified lines end here
    assert any(has_table)
    for page, table in zip(pages, has_table):
        for word in page.words if table else []:
            assert left - 0.5 <= word["x0"] and word["x1"] <= right + 0.5, word


def test_booklet_holds_the_handout_pages_in_saddle_stitch_order(vi_build):
    out, _ = vi_build
    handout_pdf = out / "vi" / "asean-japan.handout.pdf"
    pages = len(PdfReader(handout_pdf).pages)
    booklet = out / "vi" / "asean-japan.booklet.pdf"
    padded = -(-pages // 4) * 4
    assert len(sizes(booklet)) == padded // 2
    assert all(same_size(size, A4_LANDSCAPE) for size in sizes(booklet))
    half = int(A4_LANDSCAPE[0] / 2)
    height = str(int(A4_LANDSCAPE[1]) + 1)

    def half_text(side: int, which: int) -> str:
        return normalise(pdftotext(booklet, "-f", str(side), "-l", str(side), "-x",
                                   str(which * half), "-y", "0", "-W", str(half), "-H", height))

    def page_text(page: int) -> str:  # 1-based; "" for the blank padding
        if page > pages:
            return ""
        return normalise(pdftotext(handout_pdf, "-f", str(page), "-l", str(page)))

    # Sheet 1, front: the last page | page 1; back: page 2 | the last but one.
    assert page_text(1) and page_text(2)
    assert half_text(1, 0) == page_text(padded) and half_text(1, 1) == page_text(1)
    assert half_text(2, 0) == page_text(2) and half_text(2, 1) == page_text(padded - 1)


@pytest.mark.parametrize("layout, size, per_side", [("2up", A4_LANDSCAPE, 2),
                                                     ("4up", A4_PORTRAIT, 4)])
def test_plain_sheets_instead_of_a_booklet(tmp_path, layout, size, per_side):
    stdout = build(tmp_path, "--lang", "vi", "--handout", "--sheets", layout, "--no-pdf",
                   "--no-html", "--content", str(SHORT))
    sheets = tmp_path / "vi" / f"rainfall-note.{layout}.pdf"
    assert f"{sheets}" in stdout
    assert not (tmp_path / "vi" / "rainfall-note.booklet.pdf").exists()
    assert not (tmp_path / "vi" / "rainfall-note.pdf").exists()
    pages = len(PdfReader(tmp_path / "vi" / "rainfall-note.handout.pdf").pages)
    assert len(sizes(sheets)) == -(-pages // per_side)
    assert all(same_size(s, size) for s in sizes(sheets))


def test_a_long_table_breaks_with_its_header_on_every_page(tmp_path):
    """The smallest document with 100 more rows in its table, after a paragraph."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(SMALL, folder)
    shared = folder / "document.yaml"
    last_row = "      - [2001, 131]\n"
    rows = "".join(f"      - [{3000 + i}, {100 + i}.5]\n" for i in range(100))
    assert last_row in shared.read_text()
    shared.write_text(shared.read_text().replace(last_row, last_row + rows))
    build(tmp_path, "--lang", "vi", "--handout", "--no-pdf", "--no-html", "--content",
          str(folder))
    years_seen: list[str] = []
    pages_with_rows = 0
    for page in pages_of(tmp_path / "vi" / "article.handout.pdf"):
        years = [w for w in page.words if re.fullmatch(r"30\d\d", w["text"])]
        if not years:
            continue
        years_seen += [w["text"] for w in years]
        pages_with_rows += 1
        first_row = min(w["top"] for w in years)
        right = max(w["x1"] for w in years)
        column = sorted((w for w in page.words if w["x0"] < right and w["top"] < first_row),
                        key=lambda w: w["top"])
        # Right above this page's rows: the header, or rows of the same table below it.
        above = [w["text"] for w in column if w["text"] == "Năm"
                 or not re.fullmatch(r"\d{4}", w["text"])]
        assert above and above[-1] == "Năm", "table rows without the header row above them"
    assert sorted(years_seen) == [str(3000 + i) for i in range(100)]  # each row once
    assert pages_with_rows >= 3


# --- crop marks --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crop_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("crop")
    build(out, "--lang", "vi", "--handout", "--crop-marks", "--no-pdf", "--no-html", "--content",
          str(SHORT))
    return out


def test_crop_marks_keep_the_trim_box_a5_with_3mm_bleed(crop_build):
    reader = PdfReader(crop_build / "vi" / "rainfall-note.handout.pdf")
    for page in reader.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert same_size((float(trim.width), float(trim.height)), A5)
        for edge, outward in (("left", -1), ("bottom", -1), ("right", 1), ("top", 1)):
            inner, mid, outer = (float(getattr(box, edge)) for box in (trim, bleed, media))
            assert (mid - inner) * outward == pytest.approx(3 * MM, abs=0.01), edge
            assert (outer - mid) * outward >= 3 * MM, edge  # room for the marks beyond


def test_crop_marks_are_drawn_beyond_the_bleed(crop_build):
    pdf = crop_build / "vi" / "rainfall-note.handout.pdf"
    trim, bleed = PdfReader(pdf).pages[0].trimbox, PdfReader(pdf).pages[0].bleedbox
    with pdfplumber.open(pdf) as document:
        lines = document.pages[0].lines  # x as in the PDF
    horizontal = [ln for ln in lines if ln["x1"] - ln["x0"] >= 3 * MM]
    vertical = [ln for ln in lines if ln["x0"] == ln["x1"] and ln["height"] >= 3 * MM]
    # At each corner, a mark on the line of each trim edge, beyond the bleed.
    assert len([ln for ln in horizontal if ln["x1"] <= float(bleed.left) + 0.01]) == 2
    assert len([ln for ln in horizontal if ln["x0"] >= float(bleed.right) - 0.01]) == 2
    assert sorted(round(ln["x0"], 2) for ln in vertical) == \
        [round(float(trim.left), 2)] * 2 + [round(float(trim.right), 2)] * 2


def test_sheets_place_pages_by_their_trim_box(crop_build, vi_build):
    """With crop marks the sheet grows by a 12 mm margin on each side (for the bleed and the
    marks), and every word lands on the same spot of the A4 layout, shifted by that margin."""
    plain = vi_build[0] / "vi" / "rainfall-note.booklet.pdf"
    marked = crop_build / "vi" / "rainfall-note.booklet.pdf"
    margin = 12 * 72 / 25.4
    assert [(w + 2 * margin, h + 2 * margin) for w, h in sizes(plain)] == \
        [pytest.approx(size) for size in sizes(marked)]
    for side_a, side_b in zip(pages_of(plain), pages_of(marked), strict=True):
        shifted = sorted((w["text"], round(w["x0"] + margin, 1), round(w["top"] + margin, 1))
                         for w in side_a.words)
        placed = sorted((w["text"], round(w["x0"], 1), round(w["top"], 1)) for w in side_b.words)
        assert len(shifted) == len(placed)
        for a, b in zip(shifted, placed):
            assert a[0] == b[0] and abs(a[1] - b[1]) <= 0.1 and abs(a[2] - b[2]) <= 0.1, (a, b)


# --- the parallel handout ----------------------------------------------------------------------

@dataclass
class Pair:
    what: str
    en: str
    vi: str


def pairs_of(folder: Path) -> list[Pair]:
    """Every pair of counterparts in reading order: abstract, headings, blocks, list items."""
    doc = check_document(folder).doc
    en, vi = doc.texts["en"], doc.texts["vi"]
    found = [Pair("abstract", en.abstract, vi.abstract)]
    for a, b in zip(iter_sections(en.sections), iter_sections(vi.sections), strict=True):
        found.append(Pair(f"section {a.id}", a.title, b.title))
        for i, (x, y) in enumerate(zip(a.blocks, b.blocks, strict=True)):
            what = f"{a.id} block {i + 1} ({x.kind})"
            if x.kind in ("list", "ordered"):
                found += [Pair(f"{what} item {n + 1}", p, q)
                          for n, (p, q) in enumerate(zip(x.items, y.items, strict=True))]
            elif x.kind == "table":
                found.append(Pair(what, en.tables[x.text].caption, vi.tables[y.text].caption))
            elif x.kind != "figure":
                found.append(Pair(what, x.text, y.text))
    return found


def pattern(markup: str) -> re.Pattern:
    """What a reader sees of ``markup``: its text, with a wildcard for each citation and
    cross-reference (their numbers are the resolver's business)."""
    parts: list[str] = []

    def walk(spans):
        for span in spans:
            if span.kind in ("text", "code"):
                parts.append(re.escape(normalise(span.text)))
            elif span.kind in ("cite", "xref"):
                parts.append(".{1,80}?")
            else:
                walk(span.children)

    walk(parse_inline(markup))
    while parts and parts[0] in ("", ".{1,80}?"):
        parts.pop(0)
    return re.compile("".join(parts))


COLUMNS = (("en", "English"), ("vi", "Tiếng Việt"))
"""The columns of the parallel text, left to right, with the heading of each."""


@dataclass
class Column:
    """One column of the parallel text, all pages in a row: its characters (normalised), and
    for each the page and the height it sits at."""

    text: str
    where: list[tuple[int, float]]


def column_words(pages: list[Page], which: int) -> Column:
    """Column ``which`` (0, 1), from the words' positions: the half of each page a word starts
    in, above the foot."""
    text, where = [], []
    for index, page in enumerate(pages):
        middle = page.width / 2
        mine = [w for w in page.words if (w["x0"] >= middle) == bool(which)
                and w["top"] >= HEAD and w["bottom"] <= page.height - FOOT]
        lines = lines_of(mine)
        while lines and " ".join(w["text"] for w in lines[0]) == COLUMNS[which][1]:
            lines.pop(0)  # the column's heading, repeated on every page
        for line in lines:
            for word in line:
                chars = normalise(word["text"])
                text.append(chars)
                where += [(index, word["top"])] * len(chars)
    return Column("".join(text), where)


def column_text(pdf: Path, which: int) -> str:
    """Column ``which`` read by pdftotext in its own reading order, cropped to the half of
    each page between the running head and the foot."""
    width, height = sizes(pdf)[0]
    left = round(width / 2) * which
    crop = ["-x", str(left), "-y", str(round(HEAD)), "-W", str(round(width / 2)), "-H",
            str(int(height - FOOT - round(HEAD)))]
    return body_text(pdftotext(pdf, *crop), COLUMNS[which][1])


def check_parallel(pdf: Path, pairs: list[Pair]) -> dict[str, dict]:
    """Every pair appears in full in its column and both start level.

    Return, for each pair and language, the (page, top) of its first and of its last word.
    """
    pages = pages_of(pdf)
    texts = {lang: column_text(pdf, i) for i, (lang, _) in enumerate(COLUMNS)}
    columns = {lang: column_words(pages, i) for i, (lang, _) in enumerate(COLUMNS)}
    text_at = {"en": 0, "vi": 0}
    word_at = {"en": 0, "vi": 0}
    placed: dict[str, dict] = {}
    for pair in pairs:
        placed[pair.what] = {}
        for lang, _ in COLUMNS:
            find = pattern(getattr(pair, lang))
            match = find.search(texts[lang], text_at[lang])
            assert match, f"{pair.what}: the {lang} text is not all there: " \
                          f"{getattr(pair, lang)[:70]!r}"
            text_at[lang] = match.end()
            column = columns[lang]
            match = find.search(column.text, word_at[lang])
            assert match, f"{pair.what}: {lang} words out of order after " \
                          f"{column.text[word_at[lang]:word_at[lang] + 60]!r}"
            word_at[lang] = match.end()
            placed[pair.what][lang] = (column.where[match.start()],
                                       column.where[match.end() - 1])
        (en_page, en_top), (vi_page, vi_top) = (placed[pair.what][lang][0]
                                                for lang in ("en", "vi"))
        assert en_page == vi_page and abs(en_top - vi_top) < 0.5, \
            f"{pair.what}: en starts on page {en_page + 1} at {en_top:.1f} pt, vi on page " \
            f"{vi_page + 1} at {vi_top:.1f} pt"
    return placed


def test_parallel_handout_is_written_alone_on_a5(parallel_build):
    folder = parallel_build / "en+vi"
    names = sorted(p.name for p in folder.iterdir())  # every shipped document's
    assert [name for name in names if name.startswith("asean-japan.")] == [
        "asean-japan.booklet.pdf", "asean-japan.handout.pdf"]
    assert all(name.endswith((".handout.pdf", ".booklet.pdf")) for name in names), names
    assert not (parallel_build / "en").exists() and not (parallel_build / "vi").exists()
    assert all(same_size(s, A5) for s in sizes(folder / "asean-japan.handout.pdf"))
    assert all(same_size(s, A4_LANDSCAPE) for s in sizes(folder / "asean-japan.booklet.pdf"))


def test_every_pair_is_all_there_and_starts_level(parallel_build):
    pairs = pairs_of(SAMPLE)
    assert sum(p.what.endswith("(p)") for p in pairs) > 40
    placed = check_parallel(parallel_build / "en+vi" / "asean-japan.handout.pdf", pairs)
    assert len({where["en"][0][0] for where in placed.values()}) > 10  # over many pages


def test_a_numbered_lists_items_keep_their_numbers_side_by_side(parallel_build):
    """Each item of a numbered list is a row of its own, both languages level: it still
    prints its own number (rainfall-note's four steps)."""
    text = pdftotext(parallel_build / "en+vi" / "rainfall-note.handout.pdf")
    for first_words in (["set aside", "sort the", "give the", "compare the"],
                        ["loại các", "xếp chuỗi", "gán cho", "so sánh"]):
        numbers = [re.search(rf"(\d+)\.\s+{re.escape(words)}", text, re.IGNORECASE)
                   for words in first_words]
        assert [n and n[1] for n in numbers] == ["1", "2", "3", "4"], (first_words, numbers)


def test_front_matter_and_references_appear_once(parallel_build):
    pdf = parallel_build / "en+vi" / "asean-japan.handout.pdf"
    text = normalise(pdftotext(pdf))
    doc = check_document(SAMPLE).doc
    for lang in ("en", "vi"):
        assert text.count(normalise(printed_title(doc.texts[lang].title))) == 1, lang
        assert len(pattern(doc.texts[lang].abstract).findall(text)) == 1, lang
    assert text.count("REFERENCES") == 1 and text.count(normalise("TÀI LIỆU THAM KHẢO")) == 1
    records = yaml.safe_load((SAMPLE / "references.yaml").read_text(encoding="utf-8"))
    for record in records:
        assert text.count(normalise(record["title"])) == 1, record["id"]


def printed_title(markup: str) -> str:
    """A title as set: in capitals, but for its superscripts ("21st")."""
    return "".join(span.text.upper() if span.kind == "text" else plain_text([span])
                   for span in parse_inline(markup))


def test_each_column_carries_its_language(parallel_build):
    pdf = parallel_build / "en+vi" / "asean-japan.handout.pdf"
    # WeasyPrint hyphenates (with U+2010) only where the language allows it: English. The
    # reference list, given once across the page, is left out.
    endings: dict[int, list[str]] = {0: [], 1: []}
    for page in pages_of(pdf):
        heading = [w["top"] for w in page.words if w["text"] == "REFERENCES"]
        for word in page.words:
            if not heading or word["top"] < heading[0]:
                endings[word["x0"] >= page.width / 2].append(word["text"][-1])
        if heading:
            break
    assert endings[0].count("\u2010") > 20 and endings[1].count("\u2010") == 0
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    langs = set()
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if hasattr(node, "get"):
            if "/Lang" in node:
                langs.add(str(node["/Lang"]))
            kids = node.get("/K")
            kids = kids.get_object() if kids is not None else None
            stack += kids if isinstance(kids, list) else [kids] if hasattr(kids, "get") else []
    assert "vi" in langs  # tagged: the Vietnamese column is marked as such


FILLER = {
    "en": "The planted sentence {a} {b} stands in for a translation much longer than its "
          "original, so that the pair must break across pages.",
    "vi": "Câu chèn thêm {a} {b} thay cho một bản dịch dài hơn nhiều so với bản gốc, để cặp "
          "đoạn phải ngắt sang trang sau.",
}
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray"]


def small_document(tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    """A copy of the smallest valid document in ``content/article``, and its language files
    read, for a test to grow and :func:`rewrite`."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(SMALL, folder)
    return folder, {lang: yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
                    for lang in ("en", "vi")}


PARAGRAPH = {
    "en": "Paragraph {n} of this sample stands beside its translation in the parallel handout, "
          "a plain paragraph of ordinary length.",
    "vi": "Đoạn {n} của bài mẫu này đứng cạnh bản dịch của nó trong tài liệu song ngữ, một "
          "đoạn văn có độ dài bình thường.",
}
SECTION_TITLE = {"en": "Paragraphs side by side", "vi": "Các đoạn song song"}


def rewrite(folder: Path, texts: dict[str, dict]) -> None:
    for lang, text in texts.items():
        (folder / f"{lang}.yaml").write_text(
            yaml.safe_dump(text, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8")


@pytest.mark.parametrize("longer", ["en", "vi"])
def test_a_paragraph_five_times_longer_than_its_pair(tmp_path, longer):
    """A section of six pairs of paragraphs, the third made five times as long in one
    language: it runs over more than a page, and the pair after it must start level."""
    other = {"en": "vi", "vi": "en"}[longer]
    folder, texts = small_document(tmp_path)
    for lang in ("en", "vi"):
        texts[lang]["sections"].append({"id": "pairs", "title": SECTION_TITLE[lang], "blocks": [
            {"p": " ".join([PARAGRAPH[lang].format(n=n)] * 6)} for n in range(1, 7)]})
    long, pair = (texts[lang]["sections"][-1]["blocks"][2] for lang in (longer, other))
    fillers = (FILLER[longer].format(a=a, b=b) for a in WORDS for b in WORDS)
    while len(long["p"]) < 5 * len(pair["p"]):
        long["p"] += " " + next(fillers)
    rewrite(folder, texts)
    build(tmp_path, "--lang", "en+vi", "--handout", "--no-pdf", "--no-html", "--content",
          str(folder))
    pdf = tmp_path / "en+vi" / "article.handout.pdf"

    pairs = pairs_of(folder)
    placed = check_parallel(pdf, pairs)  # all there, all level, the next pair included
    planted = next(p for p in pairs if getattr(p, longer) == long["p"])
    after = pairs[pairs.index(planted) + 1]
    assert after.what.endswith("(p)")
    first, last = placed[planted.what][longer]  # (page, top) of its first and last word
    assert last[0] > first[0], "the planted paragraph should run onto the next page"
    assert placed[planted.what][other][1] < last  # its pair ends first…
    assert placed[after.what][longer][0] > last  # …and the next pair starts below both

    for index, page in enumerate(pages_of(pdf)[first[0]:last[0] + 1], first[0]):
        middle = page.width / 2
        words = [w for w in page.words
                 if w["top"] >= HEAD and w["bottom"] <= page.height - FOOT]
        margins = [w["text"] for w in page.words if w not in words]
        assert margins[-1] == str(index + 1)  # the page number, under the running head
        assert " ".join(margins[:-1]) == ("" if index == 0 else "Trade between two regions")
        for word in words:  # nothing spills across the gutter or off the page
            assert word["x1"] <= middle or word["x0"] >= middle, word
            assert word["x0"] >= 0 and word["x1"] <= page.width and word["top"] >= 0, word
        assert not overlapping(words), index + 1


def overlapping(words: list[dict]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes cover each other by more than a sliver."""
    found = []
    ordered = sorted(words, key=lambda w: w["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b["top"] >= a["bottom"]:
                break
            width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            smaller = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]),
                          (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
            if width > 0 and height > 0 and width * height > 0.3 * smaller:
                found.append((a["text"], b["text"]))
    return found


def test_pairs_start_level_wherever_the_page_breaks(tmp_path):
    """Many pairs of one to seven lines beside one to five: page breaks fall at every height,
    including where a row has room for one line only."""
    sentence = {"en": "Pair {w} line filler words here.", "vi": "Cặp {w} dòng chữ đệm ở đây."}
    folder, texts = small_document(tmp_path)
    for i in range(72):
        lines = {"en": 1 + i * 5 % 7, "vi": 1 + i * 3 % 5}
        for lang in ("en", "vi"):
            words = sentence[lang].format(w=f"{WORDS[i % 24]} {WORDS[i // 24]}")
            texts[lang]["sections"][-1]["blocks"].append({"p": " ".join([words] * lines[lang])})
    rewrite(folder, texts)
    build(tmp_path, "--lang", "en+vi", "--handout", "--no-pdf", "--no-html", "--content",
          str(folder))
    pdf = tmp_path / "en+vi" / "article.handout.pdf"
    check_parallel(pdf, pairs_of(folder))
    assert len(sizes(pdf)) >= 5  # the pairs cross several page breaks


# --- the command line --------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("--lang", "en+vi"), "--lang en+vi makes a parallel handout: add --handout"),
    (("--lang", "vi", "--crop-marks"), "--crop-marks shapes the handout: add --handout"),
    (("--lang", "vi", "--sheets", "4up"), "--sheets shapes the handout: add --handout"),
    (("--lang", "vi", "--handout", "--sheets", "3up"), "invalid choice: '3up'"),
])
def test_handout_options_are_checked(tmp_path, args, message):
    result = run_build(*args, "--out", str(tmp_path))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("choice, message", [
    ("en+fr", "--lang en+fr: the document has no fr text (its languages: en, vi)"),
    ("vi+vi", "--lang vi+vi: a parallel handout sets two different languages side by side"),
])
def test_parallel_languages_must_be_two_of_the_document(tmp_path, choice, message):
    result = run_build("--lang", choice, "--handout", "--out", str(tmp_path))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not list(tmp_path.iterdir())


def test_a_table_continued_side_by_side_is_named_above_each_column_in_its_language(tmp_path):
    folder, _ = small_document(tmp_path)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["tables"]["trade"]["rows"] = [[1950 + n, 100 + n] for n in range(70)]
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    build(tmp_path / "out", "--lang", "en+vi", "--handout", "--content", str(folder))
    pages = pdftotext(tmp_path / "out" / "en+vi" / "article.handout.pdf", "-layout").split("\f")
    continued = [next(line for line in page.splitlines() if "(continued)" in line).split()
                 for page in pages if "(continued)" in page]
    assert continued, "the table fits one page: make it longer"
    for words in continued:  # the left column's label at the left, the right one's at the right
        assert words[:3] == ["Table", "1", "(continued)"], words
        assert words[-4:] == ["Bảng", "1", "(tiếp", "theo)"], words


def test_tables_longer_than_a_page_side_by_side_break_where_they_stand(tmp_path):
    """A row of the parallel handout is kept whole; one holding tables longer than a page
    cannot be, and is let break where it stands: it does not leave the page before it half
    empty (an error under --strict), nor let the text after it go before it."""
    folder, texts = small_document(tmp_path)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["tables"]["trade"]["rows"] = [[1900 + n, 100 + n] for n in range(110)]
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    after = {"en": "This paragraph comes after the table.", "vi": "Đoạn này đứng sau bảng."}
    for lang in ("en", "vi"):
        texts[lang]["sections"][0]["blocks"][0]["p"] += " " + PARAGRAPH[lang].format(n=1) * 12
        texts[lang]["sections"][0]["blocks"].insert(2, {"p": after[lang]})
    rewrite(folder, texts)
    build(tmp_path / "out", "--lang", "en+vi", "--handout", "--strict", "--content", str(folder))
    pages = pdftotext(tmp_path / "out" / "en+vi" / "article.handout.pdf").split("\f")
    starts = next(n for n, page in enumerate(pages) if "Table 1." in page)
    assert "1900" in pages[starts] and "Paragraph 1" in pages[starts]  # not a page of its own
    text = "\f".join(pages)
    assert text.index("2009") < text.index(after["en"]) and \
        text.index("2009") < text.index(after["vi"])  # the text after it follows its last row
