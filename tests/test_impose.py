"""Imposition: which source page lands where on which side of the print sheets.

Source PDFs are real WeasyPrint output: one page per ``<p>P{n}</p>``, grey page background so that
a rendering shows where each page sits. Positions are read back with ``pdftotext -bbox`` (poppler,
independent of pypdf, which writes the sheets) and pixels with ``pdftoppm``; sizes and content
streams with pypdf.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, RectangleObject

from songngu import impose as impose_module
from songngu import workers
from songngu.errors import SetupError
from songngu.impose import LAYOUTS, booklet_order, impose

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler-utils"
)

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)  # 595.28 x 841.89 pt
A5 = (148 * MM, 210 * MM)
A6 = (105 * MM, 148 * MM)
LANDSCAPE = (A4[1], A4[0])

PAGE_CSS = "p { margin: 0; font: 30pt serif; page-break-after: always } p:last-child { page-break-after: auto }"


def make_pdf(path: Path, pages: int, page_css: str = "size: A5; margin: 20mm") -> Path:
    """A PDF of ``pages`` pages; page n says ``Pn`` and has a grey background."""
    body = "".join(f'<p id="p{n}"><a href="#p{n % pages + 1}">P{n}</a></p>' for n in range(1, pages + 1))
    html = f"<style>@page {{ {page_css}; background: #808080 }} {PAGE_CSS}</style>{body}"
    with workers.library_threads_ended():  # this test process forks build workers later
        weasyprint.HTML(string=html).write_pdf(path)
    assert len(PdfReader(path).pages) == pages
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("src")
    return {n: make_pdf(folder / f"a5-{n}.pdf", n) for n in (1, 2, 4, 5, 8, 9)}


# --- reading the sheets back ------------------------------------------------------------------

Box = tuple[float, float, float, float]  # xMin, yMin, xMax, yMax; origin top left, y down


def words(pdf: Path) -> list[dict[str, Box]]:
    """Per page: each word's bounding box, as poppler lays the page out."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages: list[dict[str, Box]] = []
    for page in re.findall(r"<page .*?</page>", out, re.S):
        found: dict[str, Box] = {}
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            assert word not in found, f"{word} twice on one page"
            found[word] = (float(x0), float(y0), float(x1), float(y1))
        pages.append(found)
    return pages


def sizes(pdf: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]


def cells(width: float, height: float, columns: int, rows: int) -> list[Box]:
    """Cells of a sheet in reading order, top-left-based like pdftotext."""
    w, h = width / columns, height / rows
    return [(c * w, r * h, (c + 1) * w, (r + 1) * h) for r in range(rows) for c in range(columns)]


def layout(pdf: Path, columns: int, rows: int) -> list[list[str | None]]:
    """For each side, which page label sits in each cell (None: no text there)."""
    result = []
    for (width, height), found in zip(sizes(pdf), words(pdf), strict=True):
        side: list[str | None] = []
        for x0, y0, x1, y1 in cells(width, height, columns, rows):
            inside = [w for w, b in found.items() if x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1]
            assert len(inside) <= 1, inside
            side.append(inside[0] if inside else None)
        assert sum(s is not None for s in side) == len(found), f"a word straddles two cells: {found}"
        result.append(side)
    return result


def render(pdf: Path, page: int, dpi: int = 24) -> tuple[int, int, bytes]:
    """Greyscale pixels of one page (1-based) as a printer would put them on paper."""
    pgm = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)
    assert match, pgm[:20]
    w, h = int(match[1]), int(match[2])
    return w, h, pgm[match.end() :]


def ink(pdf: Path, page: int, columns: int, rows: int, margin: int = 2) -> list[float]:
    """Per cell, the share of non-white pixels (away from the cell edges)."""
    w, h, px = render(pdf, page)
    shares = []
    for r in range(rows):
        for c in range(columns):
            xs = range(c * w // columns + margin, (c + 1) * w // columns - margin)
            ys = range(r * h // rows + margin, (r + 1) * h // rows - margin)
            dark = sum(px[y * w + x] < 250 for y in ys for x in xs)
            shares.append(dark / (len(xs) * len(ys)))
    return shares


def near(a: float, b: float, tol: float = 0.5) -> bool:
    return abs(a - b) <= tol


def assert_box(got: Box, want: Box, tol: float = 0.5) -> None:
    assert all(near(g, w, tol) for g, w in zip(got, want)), f"{got} != {want}"


# --- booklet_order ----------------------------------------------------------------------------


def test_booklet_order_known_cases():
    assert booklet_order(0) == []
    assert booklet_order(1) == [(None, 0), (None, None)]
    assert booklet_order(2) == [(None, 0), (1, None)]
    assert booklet_order(3) == [(None, 0), (1, 2)]
    assert booklet_order(4) == [(3, 0), (1, 2)]
    assert booklet_order(5) == [(None, 0), (1, None), (None, 2), (3, 4)]
    assert booklet_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    assert booklet_order(9) == [(None, 0), (1, None), (None, 2), (3, 8), (7, 4), (5, 6)]
    assert booklet_order(12) == [(11, 0), (1, 10), (9, 2), (3, 8), (7, 4), (5, 6)]


@pytest.mark.parametrize("n", range(1, 41))
def test_booklet_order_folds_into_reading_order(n):
    """Stack the printed sheets (flip on short edge: the back's left is behind the front's right),
    fold, and leaf through: the pages come in order, then the blanks."""
    sides = booklet_order(n)
    padded = -(-n // 4) * 4
    assert len(sides) == padded // 2
    fronts, backs = sides[0::2], sides[1::2]
    first_half = [p for front, back in zip(fronts, backs) for p in (front[1], back[0])]
    second_half = [p for front, back in reversed(list(zip(fronts, backs))) for p in (back[1], front[0])]
    assert first_half + second_half == list(range(n)) + [None] * (padded - n)


def test_booklet_order_rejects_negative():
    with pytest.raises(ValueError):
        booklet_order(-1)


# --- booklet ----------------------------------------------------------------------------------

BOOKLETS = {
    1: [[None, "P1"], [None, None]],
    2: [[None, "P1"], ["P2", None]],
    4: [["P4", "P1"], ["P2", "P3"]],
    5: [[None, "P1"], ["P2", None], [None, "P3"], ["P4", "P5"]],
    8: [["P8", "P1"], ["P2", "P7"], ["P6", "P3"], ["P4", "P5"]],
    9: [[None, "P1"], ["P2", None], [None, "P3"], ["P4", "P9"], ["P8", "P5"], ["P6", "P7"]],
}


@pytest.mark.parametrize("n", sorted(BOOKLETS))
def test_booklet_sheets(sources, tmp_path, n):
    out = tmp_path / "booklet.pdf"
    expected = BOOKLETS[n]
    assert impose(sources[n], out) == len(expected)
    assert len(PdfReader(out).pages) == len(expected)  # 1→2, 4→2, 5→4, 9→6 sides
    for width, height in sizes(out):
        assert near(width, 842, 1) and near(height, 595, 1)
    assert layout(out, 2, 1) == expected
    # What the printer puts on paper: a grey page where a page is, white paper where it is padded.
    for side, halves in enumerate(expected, start=1):
        for label, share in zip(halves, ink(out, side, 2, 1)):
            assert (share > 0.95) if label else (share == 0), (side, halves, share)


def test_booklet_places_pages_full_size_at_the_same_spot(sources, tmp_path):
    """A5 all but fills an A4 half (419.5 of 420.9 pt): each page keeps its size, centred in its half."""
    out = tmp_path / "booklet.pdf"
    impose(sources[4], out)
    src = words(sources[4])
    half = LANDSCAPE[0] / 2
    gap = (half - A5[0]) / 2
    assert near(gap, 0.709, 0.001) and near((LANDSCAPE[1] - A5[1]) / 2, 0, 0.001)
    for side, (left, right) in zip(words(out), BOOKLETS[4]):
        for label, dx in ((left, gap), (right, half + gap)):
            x0, y0, x1, y1 = src[int(label[1:]) - 1][label]
            assert_box(side[label], (x0 + dx, y0, x1 + dx, y1))


def test_blank_sides_and_halves_carry_no_content(sources, tmp_path):
    out = tmp_path / "booklet.pdf"
    impose(sources[1], out)
    front, back = PdfReader(out).pages
    assert front.get_contents() is not None
    assert "/Contents" not in back  # the all-blank back is an empty page, not a white rectangle
    assert not back.get("/Resources")
    assert front.extract_text().split() == ["P1"]
    assert ink(out, 2, 2, 1) == [0, 0]


def test_booklet_uses_trim_box_and_clips_bleed_and_marks(tmp_path):
    """A page with 5 mm bleed and crop marks: the trim box is what goes on the sheet, exactly where
    a plain A5 page would go; the bleed and marks do not reach the blank half."""
    plain = impose_booklet(make_pdf(tmp_path / "plain.pdf", 1), tmp_path / "plain-out.pdf")
    bled_src = make_pdf(tmp_path / "bleed.pdf", 1, "size: A5; margin: 20mm; bleed: 5mm; marks: crop")
    page = PdfReader(bled_src).pages[0]
    assert float(page.mediabox.width) > A5[0] + 10 and "/TrimBox" in page
    bled = impose_booklet(bled_src, tmp_path / "bleed-out.pdf")
    assert_box(words(bled)[0]["P1"], words(plain)[0]["P1"])
    assert ink(bled, 1, 2, 1, margin=0)[0] == 0  # left half: untouched paper, up to the fold
    assert ink(bled, 1, 2, 1)[1] > 0.95


def impose_booklet(src: Path, dst: Path) -> Path:
    impose(src, dst, "booklet")
    return dst


def test_small_pages_are_centred_not_enlarged(tmp_path):
    src = make_pdf(tmp_path / "a6.pdf", 2, "size: A6; margin: 10mm")
    out = impose_booklet(src, tmp_path / "out.pdf")
    assert layout(out, 2, 1) == [[None, "P1"], ["P2", None]]
    half_w, height = LANDSCAPE[0] / 2, LANDSCAPE[1]
    dx, dy = (half_w - A6[0]) / 2, (height - A6[1]) / 2
    src_words = words(src)
    for side, label, cell_x in ((0, "P1", half_w), (1, "P2", 0)):
        x0, y0, x1, y1 = src_words[int(label[1:]) - 1][label]
        assert_box(words(out)[side][label], (x0 + cell_x + dx, y0 + dy, x1 + cell_x + dx, y1 + dy))


def test_rotated_source_page_is_placed_as_displayed(sources, tmp_path):
    writer = PdfWriter(clone_from=sources[1])
    writer.pages[0].rotate(180)
    src = tmp_path / "rotated.pdf"
    writer.write(src)
    out = impose_booklet(src, tmp_path / "out.pdf")
    x0, y0, x1, y1 = words(src)[0]["P1"]  # poppler shows the page turned, text near the bottom right
    assert y0 > A5[1] / 2
    dx = LANDSCAPE[0] / 2 + (LANDSCAPE[0] / 2 - A5[0]) / 2
    assert_box(words(out)[0]["P1"], (x0 + dx, y0, x1 + dx, y1))
    assert ink(out, 1, 2, 1) == [0, pytest.approx(1, abs=0.05)]


def test_landscape_page_is_scaled_to_fit_its_half(sources, tmp_path):
    """An A5 page turned a quarter (/Rotate 90) shows landscape, 595 wide: it shrinks to the half's width."""
    writer = PdfWriter(clone_from=sources[1])
    writer.pages[0].rotate(90)
    src = tmp_path / "rotated.pdf"
    writer.write(src)
    out = impose_booklet(src, tmp_path / "out.pdf")
    half, height = LANDSCAPE[0] / 2, LANDSCAPE[1]
    scale = half / A5[1]
    ox, oy = half, (height - A5[0] * scale) / 2
    x0, y0, x1, y1 = words(src)[0]["P1"]
    assert_box(words(out)[0]["P1"], (ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale))


# --- 2up and 4up ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [["P1", None]]),
        (4, [["P1", "P2"], ["P3", "P4"]]),
        (5, [["P1", "P2"], ["P3", "P4"], ["P5", None]]),
        (9, [["P1", "P2"], ["P3", "P4"], ["P5", "P6"], ["P7", "P8"], ["P9", None]]),
    ],
)
def test_2up(sources, tmp_path, n, expected):
    out = tmp_path / "2up.pdf"
    assert impose(sources[n], out, "2up") == len(expected)
    for width, height in sizes(out):
        assert near(width, 842, 1) and near(height, 595, 1)
    assert layout(out, 2, 1) == expected
    for side, halves in enumerate(expected, start=1):
        for label, share in zip(halves, ink(out, side, 2, 1)):
            assert (share > 0.95) if label else (share == 0)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [["P1", None, None, None]]),
        (4, [["P1", "P2", "P3", "P4"]]),
        (5, [["P1", "P2", "P3", "P4"], ["P5", None, None, None]]),
        (9, [["P1", "P2", "P3", "P4"], ["P5", "P6", "P7", "P8"], ["P9", None, None, None]]),
    ],
)
def test_4up(sources, tmp_path, n, expected):
    out = tmp_path / "4up.pdf"
    assert impose(sources[n], out, "4up") == len(expected)
    for width, height in sizes(out):
        assert near(width, 595, 1) and near(height, 842, 1)  # A4 portrait
    assert layout(out, 2, 2) == expected
    for side, quarter in enumerate(expected, start=1):
        for label, share in zip(quarter, ink(out, side, 2, 2)):
            assert (share > 0.95) if label else (share == 0)


def test_4up_scales_a5_down_to_fit_and_centres_it(sources, tmp_path):
    out = tmp_path / "4up.pdf"
    impose(sources[4], out, "4up")
    scale = min(A4[0] / 2 / A5[0], A4[1] / 2 / A5[1])
    assert near(scale, 0.7071, 0.001)
    src, placed = words(sources[4]), words(out)[0]
    for n, (cx, cy, cx1, cy1) in enumerate(cells(*A4, 2, 2), start=1):
        ox = cx + (cx1 - cx - A5[0] * scale) / 2
        oy = cy + (cy1 - cy - A5[1] * scale) / 2
        x0, y0, x1, y1 = src[n - 1][f"P{n}"]
        assert_box(placed[f"P{n}"], (ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale))


# --- output file ------------------------------------------------------------------------------


def test_text_stays_extractable_and_links_are_dropped(sources, tmp_path):
    out = tmp_path / "booklet.pdf"
    impose(sources[8], out)
    reader = PdfReader(out)
    assert [page.extract_text().split() for page in reader.pages] == [
        ["P8", "P1"], ["P2", "P7"], ["P6", "P3"], ["P4", "P5"]
    ]
    assert all("/Annots" not in page for page in reader.pages)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert len(fonts.strip().splitlines()) == 3  # header, rule, one embedded font shared by all sides


def test_sheets_draw_whole_pages_as_forms_and_write_shared_fonts_once(sources, tmp_path):
    """Each page goes onto its sheet as a Form XObject holding the page's own content stream, and
    what the pages share (their font) is written once: not a copy per page or per sheet. Merging
    pages into the sheets' content instead is what made imposing slow."""
    src, out = sources[8], tmp_path / "booklet.pdf"
    impose(src, out)
    source_pages = PdfReader(src).pages
    for side, halves in zip(PdfReader(out).pages, BOOKLETS[8], strict=True):
        names = [f"/{label}" for label in halves]
        ops = side.get_contents().get_data().decode()
        assert re.fullmatch(r"(q( -?[\d.]+){6} cm /P\d+ Do Q\n){2}", ops), ops
        assert re.findall(r"/P\d+", ops) == names  # left half first, then right
        forms = side["/Resources"]["/XObject"]
        assert sorted(forms) == sorted(names)
        for name in names:
            form, page = forms[name], source_pages[int(name[2:]) - 1]
            assert form["/Type"] == "/XObject" and form["/Subtype"] == "/Form"
            assert [float(v) for v in form["/BBox"]] == [float(v) for v in page.trimbox]
            assert form.get_data() == page["/Contents"].get_data()  # the page's content as it is
    fonts = font_objects(src)
    assert fonts[0] >= 1 and fonts[1] >= 1
    assert font_objects(out) == fonts


def font_objects(pdf: Path) -> tuple[int, int]:
    """How many font dictionaries and embedded font programs the file holds (every object,
    used or not)."""
    reader = PdfReader(pdf)
    objects = [reader.get_object(number) for number in range(1, reader.trailer["/Size"])]
    dicts = [obj for obj in objects if isinstance(obj, DictionaryObject)]
    programs = {
        obj.raw_get(key).idnum
        for obj in dicts
        if obj.get("/Type") == "/FontDescriptor"
        for key in ("/FontFile", "/FontFile2", "/FontFile3")
        if key in obj
    }
    return sum(obj.get("/Type") == "/Font" for obj in dicts), len(programs)


def test_overwrites_atomically_and_leaves_no_temp_files(sources, tmp_path):
    out = tmp_path / "sheets.pdf"
    out.write_bytes(b"old")
    assert impose(sources[5], out) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheets.pdf"]
    assert len(PdfReader(out).pages) == 4


def test_source_may_be_the_destination(tmp_path):
    pdf = make_pdf(tmp_path / "doc.pdf", 4)
    assert impose(pdf, pdf) == 2
    assert layout(pdf, 2, 1) == BOOKLETS[4]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.pdf"]


def test_failed_write_keeps_the_old_file(sources, tmp_path, monkeypatch):
    out = tmp_path / "sheets.pdf"
    out.write_bytes(b"old")

    def broken(self, stream):
        stream.write(b"%PDF-half")
        raise OSError("disk full")

    monkeypatch.setattr(impose_module.PdfWriter, "write", broken)
    with pytest.raises(SetupError, match="disk full; nothing was written"):
        impose(sources[4], out)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheets.pdf"]


def test_rejects_unknown_layout_and_empty_pdf(sources, tmp_path):
    with pytest.raises(ValueError, match="layout"):
        impose(sources[4], tmp_path / "out.pdf", "3up")
    empty = tmp_path / "empty.pdf"
    PdfWriter().write(empty)
    with pytest.raises(ValueError, match="no pages"):
        impose(empty, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("layout_name", ["booklet", "2up", "4up"])
def test_sheets_for_a_print_shop_carry_bleed_and_crop_marks(tmp_path, layout_name):
    """With crop marks the A4 layout sits in a 12 mm margin: the sheet's TrimBox is the A4
    area, the pages' grey bleed reaches past it on the outer edges only, and crop marks stand
    in the margin in line with every trim edge."""
    import pdfplumber

    src = make_pdf(tmp_path / "bleed.pdf", 4, "size: A5; margin: 20mm; bleed: 3mm")
    # The handout stage sets a 3 mm BleedBox (WeasyPrint's reaches further).
    writer = PdfWriter(clone_from=src)
    for page in writer.pages:
        x0, y0, x1, y1 = (float(v) for v in page.trimbox)
        page.bleedbox = RectangleObject([x0 - 3 * MM, y0 - 3 * MM, x1 + 3 * MM, y1 + 3 * MM])
    writer.write(src)
    out = tmp_path / "sheets.pdf"
    impose(src, out, layout_name, crop_marks=True)
    reader = PdfReader(out)
    area_w, area_h, _ = LAYOUTS[layout_name]
    margin = 12 * MM
    sheet = reader.pages[0]
    assert_box(tuple(float(v) for v in sheet.mediabox),
               (0, 0, area_w + 2 * margin, area_h + 2 * margin))
    assert_box(tuple(float(v) for v in sheet.trimbox),
               (margin, margin, margin + area_w, margin + area_h))
    assert_box(tuple(float(v) for v in sheet.bleedbox),
               (margin - 3 * MM, margin - 3 * MM, margin + area_w + 3 * MM,
                margin + area_h + 3 * MM))
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        marks = [line for line in page.lines if abs(line["linewidth"] - 0.25) < 0.01]
        # Every mark lies in the margin, outside the bleed: at least two at each of the
        # layout's four corners.
        assert len(marks) >= 8
        for line in marks:
            x0, x1 = line["x0"], line["x1"]
            top, bottom = line["top"], line["bottom"]
            inside_x = margin - 3 * MM < x0 and x1 < margin + area_w + 3 * MM
            inside_y = margin - 3 * MM < top and bottom < margin + area_h + 3 * MM
            assert not (inside_x and inside_y), line
        # The grey bleed shows just outside the trim at the layout's left edge, and nothing
        # shows further out than the bleed.
        pixels = page.crop((margin - 2 * MM, margin + 20 * MM, margin - 1 * MM,
                            margin + 30 * MM)).to_image(resolution=72).original.convert("L")
        assert max(pixels.getdata()) < 200, "no bleed outside the trim"
        blank = page.crop((2 * MM, margin + 20 * MM, 4 * MM,
                           margin + 30 * MM)).to_image(resolution=72).original.convert("L")
        assert min(blank.getdata()) > 250
