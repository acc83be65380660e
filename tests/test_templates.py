"""The templates: one macro library for the journal page and the parallel handout, labels that
pybabel extracts, block kinds declared once (the box kind), and what the PDF makes of them."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from checkers import jats_schema
from conftest import ROOT, pdftotext
from jinja2 import Environment, FileSystemLoader, nodes
from lxml import etree

from songngu import handout, jats, pipeline, render
from songngu.errors import ContentError
from songngu.kinds import KINDS
from songngu.pagecount import Pages
from songngu.project import Project

TEMPLATES = ROOT / "templates"
JOURNAL = TEMPLATES / "journal"
LOCALES = JOURNAL / "locales"
GALLERY = sorted(p for p in (ROOT / "content").iterdir() if (p / "document.yaml").is_file())


def _project(folder: Path) -> Project:
    return Project(folder.parent, TEMPLATES, ROOT / "fonts", folder.parent / "out")


def _resolve(folder: Path):
    checked = pipeline.check_document(folder, False, _project(folder))
    return pipeline.resolve_document(checked)


def _extracted() -> set[str]:
    """The catalog ``pybabel extract -F templates/babel.cfg -k N_`` makes, in-process."""
    with (TEMPLATES / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = dict(DEFAULT_KEYWORDS, N_=None)
    return {message for _, _, message, _, _ in
            extract_from_dir(ROOT, method_map, options_map, keywords)}


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


class _Recording(gettext.NullTranslations):
    """Translations that note every label asked for, then answer as ``inner`` does."""

    def __init__(self, inner: gettext.NullTranslations, asked: set[str]):
        super().__init__()
        self.inner, self.asked = inner, asked

    def gettext(self, message):
        self.asked.add(message)
        return self.inner.gettext(message)

    def ngettext(self, singular, plural, n):
        self.asked.update((singular, plural))
        return self.inner.ngettext(singular, plural, n)


@pytest.fixture(scope="module")
def labels_asked(monkeypatch_module) -> set[str]:
    """Every label the templates (and the inline writer) ask for while rendering every page of
    every gallery document: the journal page and A5 handout of each language, the parallel
    handout of its first two languages."""
    asked: set[str] = set()
    real = render._translations
    monkeypatch_module.setattr(render, "_translations",
                               lambda folder, lang: _Recording(real(folder, lang), asked))
    for folder in GALLERY:
        resolved = _resolve(folder)
        langs = resolved.doc.languages
        for lang in langs:
            render.render_html(resolved, lang, TEMPLATES)
            handout.render_handout(resolved, lang, TEMPLATES)
        if len(langs) > 1:
            handout.render_parallel(resolved, langs[:2], TEMPLATES)
    return asked


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# ---------------------------------------------------------------------------------------------
# Labels: pybabel extract finds every one

def test_pybabel_extract_finds_every_label_the_templates_ask_for(labels_asked):
    extracted = _extracted()
    assert labels_asked, "rendering asked for no label at all"
    assert labels_asked <= extracted, f"not extracted: {sorted(labels_asked - extracted)}"
    # Labels of every kind of page are among them: front matter, blocks, references.
    for label in ("ARTICLE INFO", "Received:", "KEYWORDS", "Table %(num)s.",
                  "Table %(num)s (continued)", "Figure %(num)s.", "Box %(num)s.", "REFERENCES",
                  "Appendix %(num)s."):
        assert label in labels_asked, label


def test_the_catalogs_hold_exactly_the_extracted_labels_all_translated():
    extracted = _extracted()
    template = {m.id for m in _catalog(LOCALES / "messages.pot") if m.id}
    assert template == extracted, (sorted(extracted - template), sorted(template - extracted))
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        catalog = _catalog(po)
        ids = {m.id for m in catalog if m.id}
        assert ids == extracted, (po, sorted(extracted - ids), sorted(ids - extracted))
        assert not catalog.obsolete, po
        for message in catalog:
            if message.id:
                assert message.string and not message.fuzzy, (po, message.id)
                assert re.findall(r"%\(\w+\)s", message.string) == \
                    re.findall(r"%\(\w+\)s", message.id), (po, message.id)


def _calls(node: nodes.Node):
    yield from node.find_all(nodes.Call)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.j2")))
def test_a_template_calls_labels_only_as_literal_strings(template):
    """``_("…")``: what pybabel's Jinja2 extractor reads. A label in a variable, or asked of
    an object (``t.gettext(label)``), would be missing from the catalogs."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    tree = env.parse(source)
    for call in _calls(tree):
        callee = call.node
        if isinstance(callee, nodes.Name) and callee.name in ("_", "gettext", "ngettext"):
            assert call.args and isinstance(call.args[0], nodes.Const), \
                f"{template}:{call.lineno}: a label that is not a literal string"
        if isinstance(callee, nodes.Getattr):
            assert callee.attr not in ("gettext", "ngettext", "_"), \
                f"{template}:{call.lineno}: {callee.attr}() is invisible to pybabel extract"


# ---------------------------------------------------------------------------------------------
# One macro library for the journal page and the parallel handout

FRONT_PARTS = ("h1.title", "p.authors", "p.affiliation", "dl.dates", "ul.keywords",
               "p.abstract-text", "p.doi")


def _select(root, selector: str) -> list:
    """The elements a simple CSS selector names: ``tag.class`` steps, descendants."""
    path = ""
    for step in selector.split():
        tag, _, cls = step.partition(".")
        test = f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]" if cls else ""
        path += f"//{tag or '*'}{test}"
    return root.xpath("." + path)


def _part(root, selector: str, lang: str) -> list[str]:
    found = [el for el in _select(root, selector)
             if el.xpath("ancestor-or-self::*[@lang][1]/@lang") == [lang]]
    return [re.sub(r"\s+", " ", etree.tostring(el, encoding="unicode", with_tail=False))
            for el in found]


@pytest.mark.parametrize("folder", GALLERY, ids=[f.name for f in GALLERY])
def test_the_parallel_handout_draws_the_front_matter_and_blocks_as_the_journal_page_does(
        folder):
    resolved = _resolve(folder)
    langs = resolved.doc.languages[:2]
    if len(langs) < 2:
        pytest.skip("one language")
    parallel = lxml.html.fromstring(handout.render_parallel(resolved, langs, TEMPLATES))
    for lang in langs:
        page = lxml.html.fromstring(render.render_html(resolved, lang, TEMPLATES))
        for selector in FRONT_PARTS[:-1]:
            journal_part = _part(page, f"header.front {selector}", lang)
            assert journal_part, (lang, selector)
            assert _part(parallel, f".parallel-front {selector}", lang) == journal_part, \
                (lang, selector)
        # A body block is the same markup in both (the parallel copy carries no anchor).
        for selector in ("div.table-wrap caption", "figcaption", "div.box", "blockquote"):
            in_page = [re.sub(r' id="[^"]*"', "", part)
                       for part in _part(page, f".body {selector}", lang)]
            in_parallel = [re.sub(r' id="[^"]*"', "", part)
                           for part in _part(parallel, f".parallel-body {selector}", lang)]
            assert in_parallel == in_page, (lang, selector)


def test_every_template_part_is_written_in_one_file():
    """The front matter and the blocks are written once: in front.html.j2 and blocks.html.j2,
    which the journal page, its title blocks and the parallel handout import."""
    pages = {p.name: p.read_text(encoding="utf-8") for p in JOURNAL.glob("*.html.j2")}
    owners = {'class="authors"': "front.html.j2", 'class="affiliation"': "front.html.j2",
              'class="dates"': "front.html.j2", 'class="keywords"': "front.html.j2",
              'class="abstract-text"': "front.html.j2", 'class="doi"': "front.html.j2",
              'class="table-wrap"': "blocks.html.j2", "<figcaption": "blocks.html.j2",
              '<ol class="references"': "blocks.html.j2", 'class="number"': "blocks.html.j2"}
    for markup, owner in owners.items():
        assert [name for name, text in pages.items() if markup in text] == [owner], markup
    macros = render.language_view(_resolve(ROOT / "content" / "urban-heat"), "en",
                                  TEMPLATES).blocks
    for kind in KINDS.values():
        assert callable(getattr(macros, kind.macro, None)), kind.name


# ---------------------------------------------------------------------------------------------
# The box: a kind added by its registry entry, macro, CSS and labels

BOX_EN = """\
      - box: >-
          **A second box**, unlabelled, in a subsection; [@box:surface] comes first.
"""
BOX_VI = """\
      - box: >-
          **Khung thứ hai**, không có nhãn, trong một tiểu mục; [@box:surface] đứng trước.
"""


@pytest.fixture(scope="module")
def boxes(tmp_path_factory):
    """urban-heat (its box 'surface' in the introduction) with a second, unlabelled box at
    the end of the method, resolved."""
    folder = tmp_path_factory.mktemp("content") / "urban-heat"
    shutil.copytree(ROOT / "content" / "urban-heat", folder)
    (folder / "sync.yaml").unlink()
    for name, box in (("en.yaml", BOX_EN), ("vi.yaml", BOX_VI)):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        anchor = "  - id: results\n"
        assert anchor in text
        path.write_text(text.replace(anchor, box + anchor, 1), encoding="utf-8")
    return folder, _resolve(folder)


@pytest.mark.parametrize("lang, label, xref", [("en", "Box", "Box"), ("vi", "Khung", "Khung")])
def test_boxes_are_numbered_labelled_and_linked(boxes, lang, label, xref):
    _, resolved = boxes
    page = lxml.html.fromstring(render.render_html(resolved, lang, TEMPLATES))
    drawn = _select(page, ".body div.box")
    assert [box.get("id") for box in drawn] == ["box-surface", None]
    assert [_select(box, "span.label")[0].text_content() for box in drawn] == \
        [f"{label} 1.", f"{label} 2."]
    links = _select(page, "a.xref-box")
    assert {a.get("href") for a in links} == {"#box-surface"}
    assert {a.text_content() for a in links} == {f"{xref}\u00a01"}
    # The box's own markup: bold run-in title, text.
    assert drawn[1].xpath(".//strong")[0].text_content() in ("A second box", "Khung thứ hai")


def test_the_parallel_handout_sets_boxes_side_by_side_on_one_row(boxes):
    _, resolved = boxes
    page = lxml.html.fromstring(handout.render_parallel(resolved, ["en", "vi"], TEMPLATES))
    rows = _select(page, "tr.row-box")
    assert len(rows) == 2
    assert rows[0].get("id") == "box-surface"
    assert [[cell.get("lang") for cell in row.xpath("td")] for row in rows] == \
        [["en", "vi"]] * 2
    assert not page.xpath("//td//div[@class='box'][@id]"), "a cell's copy takes no anchor"
    assert page.xpath("//a[@href='#box-surface']")


def test_jats_writes_boxes_as_boxed_text_valid_against_the_schema(boxes):
    _, resolved = boxes
    xml = etree.fromstring(jats.article_xml(resolved, TEMPLATES, Pages(215, 217)))
    boxed = xml.find("body").findall(".//boxed-text")
    assert [(b.get("id"), b.findtext("label")) for b in boxed] == \
        [("box-surface", "Box 1"), (None, "Box 2")]
    assert boxed[0].find("p/bold").text == "Air or surface?"
    translated = xml.findall(".//sub-article//boxed-text")
    assert [b.findtext("label") for b in translated] == ["Khung 1", "Khung 2"]
    xrefs = xml.findall(".//xref[@ref-type='boxed-text']")
    assert {x.get("rid") for x in xrefs} == {"box-surface", "vi-box-surface"}
    schema = jats_schema()
    assert schema.validate(etree.ElementTree(xml)), schema.error_log


def _edited(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    folder = tmp_path / "content" / "urban-heat"
    shutil.copytree(ROOT / "content" / "urban-heat", folder)
    for name, (old, new) in edits.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("edits, strict, expected, line_has", [
    ({"en.yaml": ("{#box:surface}", "{#eq:surface}")}, False,
     r"en\.yaml:(\d+): .*expected a label written \{#box:id\}, found '\{#eq:surface\}'",
     "- box:"),
    ({"en.yaml": ("[@box:surface] sets", "[@box:nowhere] sets")}, False,
     r"en\.yaml:(\d+): cross-reference to unknown box 'nowhere' \(known: surface\)",
     "[@box:nowhere]"),
    ({"vi.yaml": ("      - box: >-\n          **Không", "      - p: >-\n          **Không")},
     True, r"vi\.yaml:(\d+): .*is a box in en but a paragraph in vi",
     "- p:"),
])
def test_a_box_written_wrongly_is_reported_with_its_line(tmp_path, edits, strict, expected,
                                                          line_has):
    folder = _edited(tmp_path, edits)
    with pytest.raises(ContentError) as raised:
        checked = pipeline.check_document(folder, strict, _project(folder))
        pipeline.resolve_document(checked, strict)
    messages = "\n".join(str(problem) for problem in raised.value.problems)
    found = re.search(expected, messages)
    assert found, messages
    # The line named is the line of the mistake, or of its block.
    name = next(iter(edits))
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    assert line_has in lines[int(found.group(1)) - 1], found.group(0)


# ---------------------------------------------------------------------------------------------
# What the PDF makes of it (the session's build of the gallery)

def _pages(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page) for page in pdftotext(pdf).split("\f")]


@pytest.mark.parametrize("lang, call, note", [
    ("en", "cooler than the rural reference", "The rural reference is the ring"),
    ("vi", "mát hơn vùng nông thôn đối chứng", "Vùng nông thôn đối chứng là vành đai"),
    ("en", "mean temperatures", "Scenes with more than 20% cloud cover"),
])
def test_a_footnote_prints_on_the_page_of_its_call(sample_build, lang, call, note):
    """A note called from a table's note, and a second note on a page that holds one."""
    pages = _pages(sample_build / lang / "urban-heat.pdf")
    calls = [i for i, page in enumerate(pages) if call in page]
    notes = [i for i, page in enumerate(pages) if note in page]
    assert calls and calls == notes, (calls, notes)


@pytest.mark.parametrize("lang, note", [("en", "Corresponding author."),
                                        ("vi", "Tác giả liên hệ.")])
def test_the_corresponding_authors_note_stays_on_page_one(sample_build, lang, note):
    pages = _pages(sample_build / lang / "urban-heat.pdf")
    assert [i for i, page in enumerate(pages) if note in page] == [0]


def test_no_word_is_left_alone_on_a_line_before_a_citation(sample_build):
    """The line before '[2]' in rainfall-note's Vietnamese introduction is full: its text box
    ended with the space before the citation, and WeasyPrint set its first word alone."""
    text = pdftotext(sample_build / "vi" / "rainfall-note.pdf", "-layout")
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Nhiều"))
    assert lines[start].startswith("Nhiều nghiên cứu đã ghi nhận"), lines[start:start + 2]


def test_the_space_before_an_inline_element_goes_with_it(tmp_path):
    folder = _edited(tmp_path, {})
    page = render.render_html(_resolve(folder), "en", TEMPLATES)
    assert 'itself<span> <span class="citation">' in page
    assert "itself <span" not in page


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("width", [360, 1280])
def test_the_box_reads_on_a_phone_and_a_desktop(browser, sample_build, lang, width):
    """In Chromium: the box is framed, inside the screen, and its cross-reference scrolls
    to it."""
    from browser_support import Site

    with Site(sample_build) as site:
        context = browser.new_context(viewport={"width": width, "height": 700})
        try:
            page = context.new_page()
            page.goto(f"{site.url}/{lang}/urban-heat.html", wait_until="networkidle")
            box = page.locator("div.box#box-surface")
            rect = box.bounding_box()
            assert rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= width + 0.5, rect
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            style = box.evaluate("b => getComputedStyle(b).borderTopStyle")
            assert style == "solid"
            label = page.locator("div.box .label").first.inner_text()
            assert label == ("Box 1." if lang == "en" else "Khung 1.")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.locator("a.xref-box").first.click()
            page.wait_for_function("location.hash === '#box-surface'")
            top = box.evaluate("b => b.getBoundingClientRect().top")
            assert 0 <= top < 700, top
        finally:
            context.close()
