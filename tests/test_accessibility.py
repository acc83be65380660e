"""The HTML pages checked by axe-core in Debian's Chromium, at a phone's and a desktop's width:
no serious or critical violation (links told from text without colour, landmarks, contrast,
languages), and the page's own language read first.

Each page is loaded once and checked at both widths: the browser window is resized between
the two runs of axe-core, and the page is laid out again for the new width (the pages run no
script of their own that could depend on the width they were opened at).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Site
from checkers import axe_violations

DOCUMENTS = sorted(path.parent.name for path in
                   (Path(__file__).resolve().parent.parent / "content").glob("*/document.yaml"))
WIDTHS = (390, 1280)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("document", DOCUMENTS)
def test_axe_finds_no_serious_violation(browser, sample_build, document, lang):
    with Site(sample_build) as site:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(site.url) else route.abort())
        page.goto(f"{site.url}/{lang}/{document}.html")
        assert not page.evaluate("[...document.scripts].some(s => s.type !== "
                                 "'application/ld+json')"), "the page runs a script"
        violations = {}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate("window.innerWidth") == width
            violations[width] = [(v["id"], v["help"], len(v["nodes"]))
                                 for v in axe_violations(page)
                                 if v["impact"] in ("serious", "critical")]
        # The source order is the order shown: the page's own title block comes first.
        first_title_lang = page.evaluate("document.querySelector('h1').closest('[lang]').lang")
        authors = page.evaluate("document.querySelector('.front .authors').textContent")
        context.close()
    assert violations == {width: [] for width in WIDTHS}
    assert first_title_lang == lang
    assert "Email" not in authors, "the authors line is interrupted by the note"
