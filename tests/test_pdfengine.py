"""The PDF engine loads a page's fonts once for every page of a process that uses the same
fonts, and leaves nothing behind in the temporary directory.

WeasyPrint copies every font a page declares (some 50 MB with the CJK fallback) into a folder
of its own and removes it only when its font configuration is garbage collected, which a build
process ending with ``os._exit`` never does.
"""

from __future__ import annotations

import tempfile

import pytest
from conftest import ROOT, pdftotext, run_build

from songngu import amend, pdfengine, write

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
        '<style>@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
        ' html { font-family: J }</style></head><body>'
        '<figure style="height: 150mm">tall</figure>' + '<p>Some text.</p>' * 40 +
        '</body></html>')


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    pdfengine.release_fonts()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    pdfengine.release_fonts()


def font_copies(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("weasyprint-"))


def test_pages_with_the_same_fonts_load_them_once_and_the_copies_go_when_released(
        tmp_path, scratch):
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    first = pdfengine.render_pdf(PAGE, assets)
    copies = font_copies(scratch)
    assert len(copies) == 1
    first.write(tmp_path / "one.pdf")
    second = pdfengine.render_pdf(PAGE.replace("Some text", "Other text"), assets)
    second.write(tmp_path / "two.pdf")
    assert font_copies(scratch) == copies  # the second page loaded no font again
    assert b"Other" not in (tmp_path / "one.pdf").read_bytes()  # two pages, not one twice
    pdfengine.release_fonts()
    assert not list(scratch.iterdir())


def test_the_same_page_gives_the_same_bytes_with_fonts_loaded_fresh_or_shared(tmp_path,
                                                                            scratch):
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    pdfengine.render_pdf(PAGE, assets).write(tmp_path / "fresh.pdf")
    pdfengine.render_pdf(PAGE.replace("Some text", "Other text"), assets).write(
        tmp_path / "between.pdf")
    pdfengine.render_pdf(PAGE, assets).write(tmp_path / "shared.pdf")
    assert (tmp_path / "fresh.pdf").read_bytes() == (tmp_path / "shared.pdf").read_bytes()


def test_pages_with_other_fonts_get_a_configuration_of_their_own(tmp_path, scratch):
    """A configuration made for other fonts would let a page use a face its own fetcher
    refuses, or an old copy of a font file changed since."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    font = fonts / "LiberationSerif-Regular.ttf"
    font.write_bytes((ROOT / "fonts" / "LiberationSerif-Regular.ttf").read_bytes())
    assets = write.Assets(fonts=fonts, media=tmp_path)
    pdfengine.render_pdf(PAGE, assets).close()
    pdfengine.render_pdf(PAGE, write.Assets(fonts=ROOT / "fonts", media=tmp_path)).close()
    assert len(font_copies(scratch)) == 2
    font.write_bytes(font.read_bytes() + b"\0")  # the font file changed: loaded anew
    pdfengine.render_pdf(PAGE, assets).close()
    assert len(font_copies(scratch)) == pdfengine.KEPT_FONT_SETS  # the oldest removed
    pdfengine.release_fonts()
    assert not list(scratch.iterdir())


def test_a_build_leaves_no_font_copies_once_its_workers_end(tmp_path, scratch):
    """Its pages are laid out in worker processes, which end with ``os._exit``."""
    made = run_build("new", "short", "--content", str(tmp_path))
    assert made.returncode == 0, made.stderr
    built = run_build("--lang", "all", "--content", str(tmp_path / "short"), "--out",
                      str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    assert {p.name for p in (tmp_path / "out").glob("*/short.pdf")} == {"short.pdf"}
    assert len(list((tmp_path / "out").glob("*/short.pdf"))) >= 2
    assert not font_copies(scratch)


def _note_page(spacer: float) -> str:
    """A page whose note is called in its first line, and, ``spacer`` points below, a long
    paragraph: at some heights only its first line fits above the note."""
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title><style>'
            '@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
            '@page { size: 105mm 148mm; margin: 10mm } html { font-family: J; '
            'font-size: 10pt; line-height: 12pt } p { margin: 0; orphans: 2; widows: 2 } '
            '.fn { float: footnote }</style></head><body><p>Calledhere<span class="fn">'
            'Notetext of the footnote, long enough to need two lines at the foot of the '
            f'page.</span> and more text.</p><div style="height: {spacer}pt"></div><p>'
            + "Lorem ipsum dolor sit amet consectetur. " * 12 + "Lastwords.</p></body></html>")


def test_a_note_is_never_sent_to_the_next_page_to_make_room_for_a_paragraphs_first_lines(
        tmp_path, scratch):
    """WeasyPrint (70) moves a page's notes to the next page when that lets a paragraph
    starting at the foot keep its first two lines (orphans) there; the paragraph moves
    instead. Before the amendment, the note left its call's page at every height from 283 to
    294 points."""
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    for spacer in range(281, 297, 3):
        pdf = pdfengine.render_pdf(_note_page(spacer), assets)
        pdf.write(tmp_path / "notes.pdf")
        pages = pdftotext(tmp_path / "notes.pdf").split("\f")
        calls = [i for i, page in enumerate(pages) if "Calledhere" in page]
        notes = [i for i, page in enumerate(pages) if "Notetext" in page]
        assert calls == notes == [0], (spacer, calls, notes)
        assert "Lastwords." in pages[-2]  # the paragraph whole, on the next page


def test_a_line_that_overflows_only_by_its_trailing_space_keeps_its_words(tmp_path):
    """A text followed by an element ends in a space; when the text fits the line and only
    that space passes it, the text stays whole on its line and the element goes to the next.
    (WeasyPrint 70 alone broke after the first word: "V." alone above the rest of a
    reference, at each width from 531 to 533 points here.)"""
    words = ("V. B. Nguyễn and T. C. Tran, “Sample study number 1 of lowland forest regrowth "
             "in the northern uplands,”")
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)

    def first_line(width: int, tail: str) -> str:
        page = ('<html lang="en"><head><style>@page { size: A4; margin: 20pt } '
                f'p {{ width: {width}pt; margin: 0; font: 10pt "Journal Serif" }}'
                f'</style></head><body><p>{words}{tail}</p></body></html>')
        pdf = pdfengine.render_pdf(page, assets)
        pdf.write(tmp_path / "line.pdf")
        return pdftotext(tmp_path / "line.pdf").strip().splitlines()[0].strip()

    low, high = 200, 1000  # the narrowest width, in points, that holds the words alone
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if first_line(middle, "") == words else (middle, high)
    for width in (high, high + 1, high + 2):  # a space of 10 pt type is 2.5 pt wide
        assert first_line(width, " <i>Journal of Sample Forestry</i>, vol. 11.") == words, width


def test_the_page_count_is_told_once_from_the_layout_that_is_kept(tmp_path, scratch):
    """The count an issue's next article waits for is told as soon as the text is paginated:
    once, and from the last layout, also when a figure that left a page empty is moved and
    the page laid out again; the pages written are those counted, headers and all."""
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    header = "@page { size: A5; margin: 15mm; @bottom-center { content: counter(page) } }"
    text = "".join(f"<p>{n}. " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6
                   + "</p>" for n in range(30))
    plain = PAGE.replace("<figure", "<div").replace("</figure>", "</div>")
    floating = (f'<html lang="en"><head><style>{header} body {{ font: 10pt "Journal Serif" }}'
                'figure { height: 120mm; margin: 0; break-inside: avoid }</style></head><body>'
                f'<section>{text[:text.index("<p>4.")]}<figure><figcaption>Figure 1. Tall'
                f'</figcaption></figure>{text[text.index("<p>4."):]}</section></body></html>')
    for page in (plain, floating):
        told: list[int] = []
        pdf = pdfengine.render_pdf(page, assets, on_count=told.append)
        assert told == [pdf.page_count], told
        pdf.write(tmp_path / "counted.pdf")
        pages = pdftotext(tmp_path / "counted.pdf").strip("\f").split("\f")
        assert len(pages) == told[0]
    assert not pdf.findings(), pdf.findings()  # the figure moved: no page left empty
    assert pages[-1].split()[-1] == str(told[0])  # the last footer numbers the last page


def test_a_truncated_figure_is_refused_even_after_weasyprint_is_imported(tmp_path):
    """WeasyPrint's import tells Pillow to accept truncated images; the figure check must not
    follow it (a watch session or an issue build has WeasyPrint imported before checking)."""
    from PIL import Image, ImageFile

    from songngu import media

    pdfengine.load_renderer()
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    whole = tmp_path / "whole.png"
    Image.effect_noise((300, 300), 64).convert("RGB").save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert media.raster_problem(whole, "whole.png", "PNG") is None
    problem = media.raster_problem(cut, "cut.png", "PNG")
    assert problem is not None and "truncated" in problem


def test_another_weasyprint_line_layout_stops_the_build_with_what_to_install(monkeypatch):
    from weasyprint.layout import block

    from songngu.errors import SetupError

    def other_line_layout(context, box):
        report = True
        return report

    monkeypatch.setattr(block, "_linebox_layout", other_line_layout)
    with pytest.raises(SetupError, match=r"weasyprint>=70,<71"):
        amend.keep_notes_with_their_calls()


STYLED = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
          '<style>@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
          ' html { font-family: J } @page { size: 100mm 150mm; margin: 10mm }'
          ' {extra}</style></head><body>{body}</body></html>')


def styled(body: str, extra: str = "") -> str:
    return STYLED.replace("{extra}", extra).replace("{body}", body)


def page_sizes(pdf, path) -> list[tuple[int, int]]:
    """The pages' sizes in millimetres, as the written file gives them (pypdf)."""
    from pypdf import PdfReader

    pdf.write(path)
    return [(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
            for p in PdfReader(path).pages]


def test_a_pages_stylesheet_is_parsed_once_for_the_pages_laid_out_with_the_same_fonts(
        tmp_path, scratch, monkeypatch):
    parses: list[str] = []
    stylecache_spy(parses, monkeypatch)
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    first = pdfengine.render_pdf(styled("<p>One.</p>"), assets)
    second = pdfengine.render_pdf(styled("<p>Two.</p>" * 3), assets)
    assert len(parses) == 1
    # What the kept stylesheet says still holds on the second page: its @page size, its font.
    assert page_sizes(first, tmp_path / "one.pdf") == [(100, 150)]
    assert page_sizes(second, tmp_path / "two.pdf") == [(100, 150)]
    assert "Two." in pdftotext(tmp_path / "two.pdf")
    assert "+J " in pdffonts(tmp_path / "two.pdf")  # the font its @font-face names
    edited = pdfengine.render_pdf(styled("<p>Three.</p>").replace("150mm", "120mm"), assets)
    assert len(parses) == 2  # an edit is seen
    assert page_sizes(edited, tmp_path / "three.pdf") == [(100, 120)]


def pdffonts(pdf) -> str:
    import subprocess

    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                          check=True).stdout


def stylecache_spy(parses: list[str], monkeypatch) -> None:
    """Count WeasyPrint's parses of a page's <style> text (the one with the @font-face)."""
    import weasyprint

    real = weasyprint.CSS.__init__

    def counting(self, *args, **kwargs):
        if "@font-face" in (kwargs.get("string") or ""):
            parses.append(kwargs["string"])
        real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.CSS, "__init__", counting)


def test_a_stylesheet_with_counter_styles_is_parsed_for_each_page_and_applies_to_each(
        tmp_path, scratch, monkeypatch):
    parses: list[str] = []
    stylecache_spy(parses, monkeypatch)
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    counted = ("@counter-style thumbs { system: cyclic; symbols: '*' '+'; suffix: ' ' }"
               " ol { list-style: thumbs }")
    for n in (1, 2):
        pdf = pdfengine.render_pdf(styled("<ol><li>alpha</li><li>beta</li></ol>", counted),
                                   assets)
        pdf.write(tmp_path / f"{n}.pdf")
        text = pdftotext(tmp_path / f"{n}.pdf")
        assert "* alpha" in text and "+ beta" in text, text
    assert len(parses) >= 2  # not kept: a counter style belongs to the page


def test_a_page_that_prints_a_sections_page_is_laid_out_twice_with_the_right_numbers(
        tmp_path, scratch, monkeypatch):
    """"Section 3 (p. 43)": the number is its target's page, before or after the reference,
    counted from the article's first page. WeasyPrint lays such a page out a second time to
    print it; it used to lay it out a third time, for the page count it had not printed."""
    from weasyprint.layout import page as page_layout

    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    filler = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 30 + "</p>"
    sections = "".join(f'<h2 id="s{n}">Section {n}</h2>{filler * 2}' for n in range(1, 6))
    refs = " ".join(f'<a class="x" href="#s{n}">Section {n}</a>' for n in (1, 5, 3))
    rules = "".join(f'a.x[href="#s{n}"]::after {{ content: " (p.\\a0" '
                    f'target-counter(url("#s{n}"), page) ")" }}' for n in (1, 3, 5))
    html = (f'<html lang="en"><head><style>@page {{ size: A5; margin: 15mm }} '
            f'@page :first {{ counter-reset: page 41 }} body {{ font: 10pt "Journal Serif" }} '
            f'{rules}</style></head><body>{sections[:sections.index("<h2", 10)]}'
            f'<p>See {refs}.</p>{sections[sections.index("<h2", 10):]}</body></html>')
    made: list[int] = []
    real = page_layout.remake_page
    monkeypatch.setattr(page_layout, "remake_page",
                        lambda index, *args: made.append(index) or real(index, *args))
    pdf = pdfengine.render_pdf(html, assets)
    pdf.write(tmp_path / "refs.pdf")
    pages = pdftotext(tmp_path / "refs.pdf").split("\f")
    first = {n: 41 + next(i for i, text in enumerate(pages) if f"\nSection {n}\n" in
                          f"\n{text}") for n in (1, 3, 5)}
    assert first[1] < first[3] < first[5]
    citing = next(text for text in pages if "See Section" in text)
    assert " ".join(citing.split()).count(
        f"Section 1 (p. {first[1]}) Section 5 (p. {first[5]}) Section 3 (p. {first[3]})") == 1
    assert max(made.count(index) for index in set(made)) == 2, made


def test_a_table_whose_header_repeats_on_every_page_is_laid_out_once(tmp_path, scratch,
                                                                     monkeypatch):
    """A long table's header row stands on every page the table runs over: it is not a row
    kept whole that broke (which is laid out again, let break). Taken for one, it cost every
    document with such a table a second layout: a 200-page article took half as long again."""
    import weasyprint

    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    rows = "".join(f"<tr><td>{n}</td><td>{'Lorem ipsum dolor sit amet. ' * 3}</td></tr>"
                   for n in range(120))
    html = ('<html lang="en"><head><style>@page { size: A5; margin: 15mm } '
            'body { font: 10pt "Journal Serif" } tr { break-inside: avoid }</style></head>'
            '<body><table><thead><tr><th>Year</th><th>Remark</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></body></html>')
    layouts: list[int] = []
    real = weasyprint.HTML.render
    monkeypatch.setattr(weasyprint.HTML, "render",
                        lambda self, *args, **kwargs: layouts.append(1) or
                        real(self, *args, **kwargs))
    pdf = pdfengine.render_pdf(html, assets)
    pdf.write(tmp_path / "table.pdf")
    pages = pdftotext(tmp_path / "table.pdf").strip("\f").split("\f")
    assert len(pages) >= 3 and all("Year" in page for page in pages)
    assert len(layouts) == 1


def _library_thread(ended: list[str], name: str) -> None:
    """Start a thread as a C library does, unknown to Python's ``threading`` (Pango's font
    matching: it may still run, holding a Fontconfig lock, when the layout returns)."""
    import _thread
    import time

    def run() -> None:
        time.sleep(0.3)
        ended.append(name)

    _thread.start_new_thread(run, ())


def test_a_layout_returns_only_once_the_threads_it_started_have_ended(tmp_path, monkeypatch):
    """A process that forks workers after laying out a page itself (an issue build, whose
    front matter it lays out; a test process) must hold no thread in the middle of a library:
    a lock such a thread held is copied held into the worker, which waited for it for ever."""
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    ended: list[str] = []
    place_floats = pdfengine._place_floats

    def layout_that_leaves_a_thread(*args, **kwargs):
        document = place_floats(*args, **kwargs)
        _library_thread(ended, "layout")
        return document

    monkeypatch.setattr(pdfengine, "_place_floats", layout_that_leaves_a_thread)
    pdf = pdfengine.render_pdf(PAGE, assets)
    assert ended == ["layout"]
    pdf.write(tmp_path / "page.pdf",
              finisher=lambda document, written: _library_thread(ended, "writing"))
    assert ended == ["layout", "writing"]
