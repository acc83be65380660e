"""Where the journal's pages break, read back from the shared build of the gallery."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, pdftotext


@pytest.mark.parametrize("lang, lead_in", [("en", "follows the Weibull formula"),
                                           ("vi", "được tính theo công thức Weibull")])
def test_a_displayed_formula_never_starts_a_page_away_from_its_lead_in(sample_build, lang,
                                                                       lead_in):
    """rainfall-note's formula (1) falls at the top of page 3: the sentence leading into it
    goes there with it rather than end page 2 with its colon."""
    pages = pdftotext(sample_build / lang / "rainfall-note.pdf").split("\f")
    # The formula is drawn, not set as text: its number stands on a line of its own.
    formula = [i for i, page in enumerate(pages) if "(1)" in page.splitlines()]
    leads = [i for i, page in enumerate(pages) if lead_in in re.sub(r"\s+", " ", page)]
    assert len(formula) == 1 and leads == formula, (formula, leads)


def _long_note_page(policy: str, spacer: int) -> str:
    """A paragraph ``spacer`` points down the page calling a note too long for what is left."""
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title><style>'
            '@font-face { font-family: J; src: url("fonts/LiberationSerif-Regular.ttf") }'
            '@page { size: 105mm 148mm; margin: 10mm } html { font-family: J; '
            'font-size: 10pt; line-height: 12pt } p { margin: 0 } '
            f'.fn {{ float: footnote; footnote-policy: {policy} }}</style></head><body>'
            f'<div style="height: {spacer}pt"></div><p>Some words and a call<span class="fn">'
            + "Notetext that runs long. " * 30 + "</span> near the foot of the page, and the "
            "paragraph goes on long enough to break across the pages.</p><p>"
            + "More text follows here. " * 40 + "</p></body></html>")


def test_the_layout_report_names_a_footnote_printed_away_from_its_call(tmp_path):
    """WeasyPrint's default (footnote-policy: auto) sends a note that does not fit to the
    next page and leaves its call behind; the journal's print stylesheet asks for ``line``,
    which takes the call's line along."""
    from songngu import pdfengine, write

    assets = write.Assets(fonts=ROOT / "fonts", media=tmp_path)
    drifted = pdfengine.render_pdf(_long_note_page("auto", 280), assets)
    assert [str(f) for f in drifted.findings(7)] == [
        "page 8 (page 2 of the file): the footnote 'Notetext that runs long. Notetext that r' is away from its "
        "call, on page 7"]
    drifted.close()
    kept = pdfengine.render_pdf(_long_note_page("line", 280), assets)
    assert kept.findings(7) == []
    kept.close()
    assert "footnote-policy: line" in (ROOT / "templates" / "journal" / "print.css").read_text()
