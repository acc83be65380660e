"""The HTML pages in a real headless Chromium: what a reader's browser loads, shows and does.

The sample is built once (``sample_build``) and served from 127.0.0.1; every request the page
makes is recorded, and anything addressed elsewhere is refused. Screenshots of each page at
phone and desktop widths are saved to tests/artifacts/ for a person to look at: the first
screen always, the whole page with ``--full-screenshots`` (Chromium takes as long to paint a
whole article as to run the rest of the test).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_support import (
    CHARACTERS_PER_LINE_JS,
    IN_VIEWPORT_JS,
    OVERFLOWING_JS,
    SMALL_TEXT_JS,
    Site,
    contrast_ratio,
)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LANGS = ["en", "vi"]
PHONE, DESKTOP = 375, 1280
SWITCH_LABELS = {"en": "English", "vi": "Tiếng Việt"}


@dataclass
class Visit:
    """An open page and everything that went wrong while it loaded and was used."""

    page: object
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(browser, sample_build):
    with Site(sample_build) as site:
        yield site


@pytest.fixture
def open_page(browser, site):
    """Open ``<lang>/asean-japan.html`` at a viewport width, recording what happens."""
    contexts = []

    def refuse_other_hosts(route):
        if route.request.url.startswith(f"{site.url}/"):
            route.continue_()
        else:
            route.abort()

    def open_(lang: str, width: int, height: int = 800) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        context.route("**/*", refuse_other_hosts)
        page = context.new_page()
        visit = Visit(page)
        page.on("request", lambda request: visit.requests.append(request.url))
        page.on("requestfailed",
                lambda request: visit.failures.append(f"{request.url}: {request.failure}"))
        page.on("response", lambda response: response.status >= 400 and visit.failures.append(
            f"{response.url}: HTTP {response.status}"))
        page.on("console", lambda message: message.type == "error" and visit.errors.append(
            f"console: {message.text}"))
        page.on("pageerror", lambda error: visit.errors.append(f"script: {error}"))
        page.goto(f"{site.url}/{lang}/asean-japan.html", wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        return visit

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_page_loads_everything_from_its_own_folder(open_page, site, lang):
    site.paths.clear()
    visit = open_page(lang, DESKTOP)
    folder = f"{site.url}/{lang}/"
    assert visit.requests[0] == f"{folder}asean-japan.html"
    assert [url for url in visit.requests if not url.startswith(folder)] == []
    # The server also sees what the browser asks for on its own account, such as a favicon.
    assert [path for path in site.paths if not path.startswith(f"/{lang}/")] == []
    assert visit.failures == []
    assert visit.errors == []
    fonts = visit.page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded')"
        ".map(f => `${f.family} ${f.style} ${f.weight}`)")
    assert {"Journal Serif normal 400", "Journal Serif normal 700",
            "Journal Serif italic 400"} <= set(fonts)
    assert any(url.startswith(f"{folder}fonts/") for url in visit.requests)


@pytest.mark.parametrize("start, other", [("en", "vi"), ("vi", "en")])
def test_page_names_its_other_language_version(open_page, site, start, other):
    page = open_page(start, DESKTOP).page
    alternate = page.locator(f'link[rel="alternate"][hreflang="{other}"]')
    assert alternate.evaluate("link => link.href") == f"{site.url}/{other}/asean-japan.html"


def test_language_switch_goes_to_the_other_language_and_back(open_page, site):
    from playwright.sync_api import expect
    visit = open_page("en", PHONE)
    page = visit.page
    for _lang, other in (("en", "vi"), ("vi", "en")):
        switch = page.locator(f"nav.language-switch a[hreflang={other}]")
        expect(switch).to_be_visible()
        expect(switch).to_have_text(SWITCH_LABELS[other])
        assert switch.bounding_box()["y"] < page.viewport_size["height"], "switch not on first screen"
        switch.click()
        page.wait_for_url(f"{site.url}/{other}/asean-japan.html")
        assert page.evaluate("document.documentElement.lang") == other
        # The title a reader sees first is in the language just chosen.
        assert page.evaluate("""() => [...document.querySelectorAll('h1')]
            .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]
            .closest('[lang]').lang""") == other
    assert visit.failures == []
    assert visit.errors == []


def test_print_stylesheet_hides_the_switch_and_drops_the_screen_layout(open_page):
    page = open_page("en", DESKTOP).page
    switch = page.locator("nav.language-switch")
    styles_js = """() => {
      const style = el => getComputedStyle(document.querySelector(el));
      return {text: style('.body p').color, link: style('.citation a').color,
              size: style('.body p').fontSize, maxWidth: style('body').maxWidth,
              breakInside: style('.front').breakInside};
    }"""
    assert switch.is_visible()
    screen = page.evaluate(styles_js)
    assert screen["link"] != screen["text"]

    page.emulate_media(media="print")
    printed = page.evaluate(styles_js)
    assert not switch.is_visible()
    assert printed["link"] == printed["text"], "links print in the text colour"
    assert printed["size"] == "14.6667px", "body text prints at 11 pt"
    assert printed["maxWidth"] == "none", "the page's width comes from @page, not the screen column"
    assert printed["breakInside"] == "avoid", "each title block is kept whole; the body follows"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("lang", LANGS)
def test_layout_fits_the_screen_and_reads_comfortably(open_page, lang, width, request):
    visit = open_page(lang, width)
    page = visit.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"html-{lang}-{width}.png")
    if request.config.getoption("--full-screenshots"):
        page.screenshot(path=ARTIFACTS / f"html-{lang}-{width}-full.png", full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOWING_JS) == []
    assert page.evaluate(SMALL_TEXT_JS, 15) == []
    longest = page.evaluate_handle("""[...document.querySelectorAll('.body p')]
        .sort((a, b) => b.textContent.length - a.textContent.length)[0]""")
    per_line = statistics.median(longest.evaluate(CHARACTERS_PER_LINE_JS))
    assert (30 if width == PHONE else 55) <= per_line <= 90, f"{per_line} characters a line"
    colours = page.evaluate("""() => [getComputedStyle(document.querySelector('.body p')).color,
                                      getComputedStyle(document.documentElement).backgroundColor]""")
    assert contrast_ratio(*colours) >= 7, colours


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_clicking_a_citation_scrolls_to_its_reference(open_page, width):
    page = open_page("en", width).page
    citations = page.locator(".body .citation a")
    count = citations.count()
    assert count > 3
    for index in (0, count // 2, count - 1):
        citation = citations.nth(index)
        target = citation.get_attribute("href")
        assert re.fullmatch(r"#ref-\S+", target)
        reference = page.locator(f'[id="{target[1:]}"]')
        citation.scroll_into_view_if_needed()
        assert not reference.evaluate(IN_VIEWPORT_JS)
        citation.click()
        page.wait_for_function("hash => location.hash === hash", arg=target)
        assert reference.evaluate(IN_VIEWPORT_JS), f"{target} not on screen after the click"
        number = re.match(r"\[(\d+)", citation.inner_text()).group(1)
        assert reference.locator(".csl-left-margin").inner_text() == f"[{number}]"


def test_an_aligned_formula_lines_up_its_equals_signs(browser):
    """MathML Core reads no columnalign: the journal's stylesheet aligns the columns, so that
    the '=' of every row of an aligned formula stands at the same place."""
    from songngu import equations

    css = (Path(__file__).resolve().parent.parent / "templates" / "journal" /
           "journal.css").read_text(encoding="utf-8")
    math = equations.mathml(r"\begin{aligned} m c_p \frac{dT}{dt} &= Q - h A (T - T_a) \\"
                            r" T(t) &= T_a + \frac{Q}{h A} \end{aligned}", True)
    context = browser.new_context(viewport={"width": 1280, "height": 600})
    try:
        page = context.new_page()
        page.set_content(f"<!DOCTYPE html><html lang='en'><head><style>{css}</style></head>"
                         f"<body><div class='equation'><span class='equation-body'>{math}"
                         f"</span></div></body></html>")
        lefts = page.evaluate("""() => [...document.querySelectorAll('mo')]
            .filter(e => e.textContent === '=').map(e => e.getBoundingClientRect().left)""")
    finally:
        context.close()
    assert len(lefts) == 2 and abs(lefts[0] - lefts[1]) < 1, lefts
