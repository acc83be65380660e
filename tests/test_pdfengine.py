"""The PDF engine leaves nothing behind in the temporary directory.

WeasyPrint copies every font a page declares (some 50 MB with the CJK fallback) into a folder
of its own and removes it only when its font configuration is garbage collected, which a build
process ending with ``os._exit`` never does.
"""

from __future__ import annotations

import tempfile

import pytest
from conftest import ROOT

from songngu import pdfengine, write

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
        '<style>@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
        ' html { font-family: J }</style></head><body>'
        '<figure style="height: 150mm">tall</figure>' + '<p>Some text.</p>' * 40 +
        '</body></html>')


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_written_pdf_leaves_no_font_copies(tmp_path, scratch):
    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    pdf = pdfengine.render_pdf(PAGE, assets)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("weasyprint-")]
    pdf.write(tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").stat().st_size > 1000
    assert not list(scratch.iterdir())


def test_a_layout_not_written_leaves_nothing_once_closed(tmp_path, scratch):
    pdf = pdfengine.render_pdf(PAGE, write.Assets(fonts=ROOT / "fonts", media=tmp_path))
    assert pdf.page_count >= 2
    pdf.close()
    assert not list(scratch.iterdir())


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
