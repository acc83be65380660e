"""Figures from the content folder: PNG, JPEG and SVG, numbered, captioned below, in PDF and HTML.

The fixture is a copy of a short communication (content/pagination-note: two pages, so that
reading every page back stays cheap) with three figures made here (Pillow draws the raster
images; the SVG is written out), placed in both languages and cross-referenced.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import ROOT, pdftotext, run_build
from PIL import Image, ImageDraw
from pypdf import PdfReader

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="90" viewBox="0 0 240 90">
  <title>Two bars</title>
  <defs><linearGradient id="fill"><stop offset="0" stop-color="#1a4d8f"/>
    <stop offset="1" stop-color="#8fb3e0"/></linearGradient></defs>
  <rect x="10" y="10" width="200" height="30" fill="url(#fill)"/>
  <rect x="10" y="50" width="120" height="30" fill="#444"/>
</svg>
"""

FIGURES = {  # id: (file, caption en, caption vi, alt en, alt vi)
    "chart": ("images/chart.png", "Trade by year, drawn as a PNG image",
              "Thương mại theo năm, vẽ thành ảnh PNG", "Bars of trade by year",
              "Các cột thương mại theo năm"),
    "photo": ("photo.jpg", "A JPEG photograph", "Một ảnh chụp JPEG", "A grey photograph",
              "Một ảnh chụp màu xám"),
    "diagram": ("diagram.svg", "An SVG diagram", "Một sơ đồ SVG", "Two bars",
                "Hai thanh"),
}
PNG_SIZE, JPEG_SIZE = (300, 150), (160, 120)
SHORT = ROOT / "content" / "pagination-note"


def _write_yaml(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_figures(folder: Path) -> None:
    """Make the three figure files and place them in a copy of a document."""
    (folder / "images").mkdir()
    png = Image.new("RGB", PNG_SIZE, "white")
    ImageDraw.Draw(png).rectangle((20, 40, 280, 110), fill=(26, 77, 143))
    png.save(folder / "images" / "chart.png")
    Image.new("RGB", JPEG_SIZE, (128, 128, 128)).save(folder / "photo.jpg", quality=90)
    (folder / "diagram.svg").write_text(SVG, encoding="utf-8")

    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["figures"] = {fid: {"file": spec[0]} for fid, spec in FIGURES.items()}
    _write_yaml(folder / "document.yaml", shared)
    see = {"en": "The figures [@fig:chart], [@fig:photo] and [@fig:diagram] show the same data.",
           "vi": "Các hình [@fig:chart], [@fig:photo] và [@fig:diagram] thể hiện cùng số liệu."}
    for index, lang in enumerate(("en", "vi")):
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        text["figures"] = {fid: {"caption": spec[1 + index], "alt": spec[3 + index]}
                           for fid, spec in FIGURES.items()}
        first, second = text["sections"][0], text["sections"][1]
        first.setdefault("blocks", []).extend(
            [{"p": see[lang]}, {"figure": "chart"}, {"figure": "photo"}])
        second.setdefault("blocks", []).append({"figure": "diagram"})
        _write_yaml(folder / f"{lang}.yaml", text)


@pytest.fixture(scope="module")
def figure_build(tmp_path_factory) -> Path:
    """Build output of a short communication with figures, in both languages."""
    base = tmp_path_factory.mktemp("figures")
    folder = base / "content" / "pagination-note"
    shutil.copytree(SHORT, folder)
    add_figures(folder)
    out = base / "build"
    result = run_build("--lang", "all", "--content", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang, label", [("en", "Figure"), ("vi", "Hình")])
def test_figures_are_numbered_in_order_with_their_captions(figure_build, lang, label):
    text = _squash(pdftotext(figure_build / lang / "pagination-note.pdf"))
    column = 1 if lang == "en" else 2
    positions = []
    for number, spec in enumerate(FIGURES.values(), 1):
        caption = f"{label} {number}. {spec[column]}"
        assert caption in text, caption
        positions.append(text.index(caption))
    assert positions == sorted(positions)
    # Tables keep their own numbering.
    assert ("Table 1." if lang == "en" else "Bảng 1.") in text


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_captions_sit_below_their_images(figure_build, lang):
    label = "Figure" if lang == "en" else "Hình"
    with pdfplumber.open(figure_build / lang / "pagination-note.pdf") as pdf:
        placed = 0
        for page in pdf.pages:
            words = page.extract_words()
            labels = [w for i, w in enumerate(words[:-1])
                      if w["text"] == label and re.fullmatch(r"\d\.", words[i + 1]["text"])]
            for image in page.images:
                below = [w for w in labels if 0 <= w["top"] - image["bottom"] < 30]
                assert below, (page.page_number, image["bottom"], labels)
                placed += 1
    assert placed >= 2  # the PNG and the JPEG (the SVG is drawn, not an image object)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_pdf_embeds_the_png_and_jpeg_as_images_and_draws_the_svg(figure_build, lang):
    reader = PdfReader(figure_build / lang / "pagination-note.pdf")
    images = {}
    for page in reader.pages:
        for obj in page["/Resources"].get("/XObject", {}).values():
            obj = obj.get_object()
            if obj["/Subtype"] == "/Image":
                images[(obj["/Width"], obj["/Height"])] = obj.get("/Filter")
    assert images[PNG_SIZE] == "/FlateDecode"
    assert images[JPEG_SIZE] == "/DCTDecode"
    text = _squash(pdftotext(figure_build / lang / "pagination-note.pdf"))
    number = 3
    assert (f"Figure {number}." if lang == "en" else f"Hình {number}.") in text
    # The SVG's second bar is drawn in #444 as a vector rectangle.
    with pdfplumber.open(figure_build / lang / "pagination-note.pdf") as pdf:
        fills = [r.get("non_stroking_color") for p in pdf.pages for r in p.rects]
    grey = 0x44 / 255
    assert any(c and len(c) == 3 and all(abs(v - grey) < 0.01 for v in c) for c in fills)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_figures_have_alt_text_and_cross_references_link_to_them(figure_build, lang):
    pdf = figure_build / lang / "pagination-note.pdf"
    alts = []

    def visit(element):
        if element["type"] == "Figure":
            alts.append(element.get("alt_text"))
        for child in element.get("children", []):
            visit(child)

    with pdfplumber.open(pdf) as document:
        for element in document.structure_tree:  # the whole tree: a figure is tagged once
            visit(element)
    column = 3 if lang == "en" else 4
    assert alts == [spec[column] for spec in FIGURES.values()]
    dests = {str(a.get_object().get("/Dest")) for page in PdfReader(pdf).pages
             for a in page.get("/Annots", [])}
    assert {"fig-chart", "fig-photo", "fig-diagram"} <= dests
    label = "Figure" if lang == "en" else "Hình"
    assert f"{label} 1, {label} 2" in _squash(pdftotext(pdf))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_html_shows_the_figures_copied_beside_it(figure_build, lang):
    html = (figure_build / lang / "pagination-note.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources == ["media/images/chart.png", "media/photo.jpg", "media/diagram.svg"]
    content = figure_build.parent / "content" / "pagination-note"
    for source in sources:
        copied = figure_build / lang / source
        assert copied.read_bytes() == (content / source.removeprefix("media/")).read_bytes()
    label = "Figure" if lang == "en" else "Hình"
    captions = re.findall(r'<figcaption><span class="label">([^<]+)</span>', html)
    assert captions == [f"{label} 1.", f"{label} 2.", f"{label} 3."]
    alt = FIGURES["chart"][3 if lang == "en" else 4]
    assert f'alt="{alt}"' in html


@pytest.mark.parametrize("name, data, message", [
    ("chart.gif", b"GIF89a", "expected a PNG, JPEG or SVG file inside the document's folder "
                             "(ending in .png, .jpg, .jpeg, .svg), found 'chart.gif'"),
    ("chart.png", b"not a picture", "expected a PNG image in 'chart.png', found other data"),
    ("photo.jpg", b"\x89PNG\r\n\x1a\n", "expected a JPEG image in 'photo.jpg', found other data"),
    ("diagram.svg", b"<svg", "expected an SVG image in 'diagram.svg', found unreadable XML"),
    ("diagram.svg", b"<html/>", "expected an SVG image in 'diagram.svg', found a <html> document"),
])
def test_a_figure_file_of_the_wrong_kind_is_reported_with_its_line(sample_copy, name, data,
                                                                   message):
    (sample_copy / name).write_bytes(data)
    with (sample_copy / "document.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"figures:\n  chart:\n    file: {name}\n")
    line = len((sample_copy / "document.yaml").read_text(encoding="utf-8").splitlines())
    result = run_build("check", "--content", str(sample_copy))
    assert result.returncode == 1
    assert f"document.yaml:{line}: figure 'chart': {message}" in result.stderr


def test_a_figure_taller_than_a_page_is_scaled_to_fit_with_its_caption(tmp_path):
    """An image six times taller than wide (a transect, a core log) is set no taller than most
    of the page, its shape kept, with its caption below it on the same page: in the journal's
    A4 pages and in the A5 handout, which the layout report (--strict) finds in order."""
    folder = tmp_path / "content" / "transect"
    shutil.copytree(SHORT, folder)
    (folder / "sync.yaml").unlink()  # translations not tracked: --strict is about layout here
    Image.new("RGB", (300, 1800), (40, 120, 60)).save(folder / "transect.png")
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["figures"] = {"transect": {"file": "transect.png"}}
    _write_yaml(folder / "document.yaml", shared)
    text = yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))
    text["figures"] = {"transect": {"caption": "A transect from the dyke to the sea",
                                    "alt": "Green bands"}}
    text["sections"][0].setdefault("blocks", []).append({"figure": "transect"})
    _write_yaml(folder / "en.yaml", text)
    text = yaml.safe_load((folder / "vi.yaml").read_text(encoding="utf-8"))
    text["figures"] = {"transect": {"caption": "Mặt cắt từ đê ra biển", "alt": "Các dải xanh"}}
    text["sections"][0].setdefault("blocks", []).append({"figure": "transect"})
    _write_yaml(folder / "vi.yaml", text)
    out = tmp_path / "out"
    result = run_build("--lang", "en", "--no-html", "--handout", "--strict", "--content",
                       str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("transect.pdf", "transect.handout.pdf"):
        with pdfplumber.open(out / "en" / name) as pdf:
            page, image = next((page, image) for page in pdf.pages for image in page.images
                               if image["srcsize"] == (300, 1800))
            height = image["bottom"] - image["top"]
            assert height <= 0.75 * page.height, (name, height, page.height)
            assert abs((image["x1"] - image["x0"]) / height - 300 / 1800) < 0.01, name
            caption = [w for w in page.extract_words() if w["text"] == "transect"]
            assert caption and caption[0]["top"] > image["bottom"], name


def _subfigures(tmp_path: Path, images: dict[str, Image.Image], captions: dict[str, list[str]],
                *args: str) -> Path:
    """The short note with one figure of these parts (file name → image) in both languages,
    built in English with ``args``: the output folder."""
    folder = tmp_path / "content" / "parts"
    shutil.copytree(SHORT, folder)
    (folder / "sync.yaml").unlink()  # translations not tracked: --strict is about layout here
    for name, image in images.items():
        image.save(folder / name)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["figures"] = {"parts": {"files": list(images)}}
    _write_yaml(folder / "document.yaml", shared)
    for lang, parts in captions.items():
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        text["figures"] = {"parts": {"caption": "Parts", "parts": parts}}
        text["sections"][0].setdefault("blocks", []).append({"figure": "parts"})
        _write_yaml(folder / f"{lang}.yaml", text)
    out = tmp_path / "out"
    result = run_build("--lang", "en", *args, "--content", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_a_small_image_among_subfigures_keeps_its_own_size(tmp_path):
    """Subfigures share the text width; a large image shrinks to its share, but a small one
    (an icon, a 40 px thumbnail) prints at its own size: stretched to its share, a raster
    printed blurred, five times its size."""
    out = _subfigures(tmp_path, {"small.png": Image.new("RGB", (40, 40), (200, 40, 40)),
                                 "large.png": Image.new("RGB", (1200, 800), (40, 40, 200))},
                      {"en": ["Small", "Large"], "vi": ["Nhỏ", "Lớn"]}, "--no-html")
    with pdfplumber.open(out / "en" / "parts.pdf") as pdf:
        images = {image["srcsize"]: image for page in pdf.pages for image in page.images}
    small, large = images[(40, 40)], images[(1200, 800)]
    assert small["x1"] - small["x0"] == pytest.approx(30, abs=0.5)  # 40 px: 30 pt
    assert 150 < large["x1"] - large["x0"] < 300  # its half of the text width


def test_many_subfigures_are_set_three_a_row_on_one_page(tmp_path):
    """Six parts in one row were each a sixth of the width, a tall one as high as the page;
    they are set three a row, in the same widths, each row at most a third of the page high,
    and the figure with its caption fits one page."""
    sizes = [(900, 600), (300, 1200), (1200, 300), (600, 600), (900, 600), (200, 1600)]
    out = _subfigures(tmp_path, {f"p{n}.png": Image.new("RGB", size, (40 * n, 90, 160))
                                 for n, size in enumerate(sizes)},
                      {lang: [f"{word} {n}" for n in range(6)]
                       for lang, word in (("en", "Part"), ("vi", "Phần"))}, "--strict")
    with pdfplumber.open(out / "en" / "parts.pdf") as pdf:
        found = [(page, image) for page in pdf.pages for image in page.images]
        assert len({page.page_number for page, _ in found}) == 1
        page = found[0][0]
        images = sorted((image for _, image in found), key=lambda i: (round(i["top"]), i["x0"]))
        rows = [images[:3], images[3:]]
        assert all(image["bottom"] < rows[1][0]["top"] for image in rows[0])
        assert all(image["bottom"] - image["top"] <= 0.31 * page.height for image in images)
        caption = [w for w in page.extract_words() if w["text"] == "Parts"]
        assert caption and caption[0]["top"] > max(image["bottom"] for image in images)
    html = (out / "en" / "parts.html").read_text(encoding="utf-8")
    assert html.count('<div class="subfigures subfigure-rows">') == 2
