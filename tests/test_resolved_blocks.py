"""The resolved document is a tree of typed blocks that mirrors the article, and every output
draws that tree: no template, nor the JATS writer, looks a piece of text up by what was typed.

Text typed alike in two places (two paragraphs, two list items, two table cells) is two pieces
of the tree: each footnote call its own number and note.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT
from jinja2 import Environment, FileSystemLoader, nodes
from test_resolve_tree import EN, VI, write_doc

from songngu import doctree, jats, pipeline, render, resolve
from songngu.kinds import KINDS
from songngu.pagecount import Pages

TEMPLATES = ROOT / "templates"


def _resolved(folder: Path):
    return pipeline.resolve_document(pipeline.check_document(folder))


def _jats(resolved) -> str:
    return jats.article_xml(resolved, TEMPLATES, Pages(resolved.doc.first_page)).decode()


@pytest.fixture(scope="module")
def urban_heat():
    return _resolved(ROOT / "content" / "urban-heat")


def _plain(nodes) -> str:
    return doctree.plain_line(nodes)


# ---------------------------------------------------------------------------------------------
# The tree mirrors the article

def test_the_front_matter_and_sections_are_nodes_with_their_numbers(urban_heat):
    en = urban_heat.texts["en"]
    assert _plain(en.front.title).startswith("Surface urban heat islands in Hanoi")
    assert [_plain(k) for k in en.front.keywords] == \
        ["urban heat island", "land-surface temperature", "sample article"]
    assert "B2024-TNA-01" in _plain(en.front.funding)
    assert en.front.authors["sato"] == "Haruka Sato"
    assert [(s.id, s.number, s.anchor) for s in en.sections] == [
        ("introduction", "1", "sec-introduction"), ("method", "2", "sec-method"),
        ("results", "3", "sec-results"), ("conclusion", "4", "sec-conclusion"),
        ("acknowledgements", "", "sec-acknowledgements")]
    assert _plain(urban_heat.texts["vi"].sections[0].title) == "Mở đầu"


def test_each_block_is_its_kind_with_its_number_and_anchor(urban_heat):
    blocks = [block for section in urban_heat.texts["en"].sections for block in section.blocks]
    shape = [(type(b).__name__, b.kind, b.number, b.anchor) for b in blocks]
    assert shape == [
        ("TextBlock", "p", "", ""), ("TextBlock", "box", "1", "box-surface"),
        ("TextBlock", "heading", "", "sub-intensity"), ("TextBlock", "p", "", ""),
        ("Equation", "equation", "1", "eq-intensity"),
        ("TextBlock", "heading", "", "sub-trend"), ("TextBlock", "p", "", ""),
        ("Equation", "equation", "2", "eq-trend"), ("TextBlock", "p", "", ""),
        ("TextBlock", "p", "", ""), ("Table", "table", "1", "tbl-intensity"),
        ("Figure", "figure", "1", "fig-study-area"), ("TextBlock", "p", "", ""),
        ("TextBlock", "p", "", "")]
    box = blocks[1]
    assert box.target == "surface" and _plain(box.nodes).startswith("Air or surface?")
    assert blocks[4].latex.startswith(r"\Delta T =")
    # A cross-reference carries the number of its target.
    xrefs = [n for n in doctree.walk(blocks[9].nodes) if isinstance(n, doctree.CrossRef)]
    assert [(x.kind, x.target, x.number) for x in xrefs] == \
        [("table", "intensity", "1"), ("figure", "study-area", "1")]


def test_a_table_is_caption_header_groups_headers_cells_and_note(urban_heat):
    for lang, season, hanoi in (("en", "Dry season", "Hanoi"), ("vi", "Mùa khô", "Hà Nội")):
        table = next(b for s in urban_heat.texts[lang].sections for b in s.blocks
                     if isinstance(b, doctree.Table))
        assert table.target == "intensity" and table.number == "1"
        assert [(g.span, g.nodes and _plain(g.nodes)) for g in table.groups] == \
            [(1, None), (2, hanoi), (2, "Da Nang" if lang == "en" else "Đà Nẵng")]
        assert [(c.kind, c.pattern, c.align) for c in table.columns] == \
            [("text", None, "left")] + [("number", "0.0", "right")] * 4
        # The language's own text cells; the numbers, stored once, as values.
        first = table.rows[0]
        assert _plain(first[0].nodes) == season and first[0].value is None
        assert first[1].value == Decimal("3.4") and first[1].nodes is None
        notes = [n for n in doctree.walk(table.note) if isinstance(n, doctree.Note)]
        assert [n.number for n in notes] == ["2"]


def test_a_figure_is_its_parts_caption_source_and_alt_text(urban_heat):
    figure = next(b for s in urban_heat.texts["en"].sections for b in s.blocks
                  if isinstance(b, doctree.Figure))
    assert (figure.target, figure.number, figure.width) == ("study-area", "1", 0.9)
    assert [(p.letter, p.path) for p in figure.parts] == \
        [("a", "figures/hanoi-lst.png"), ("b", "figures/daily-cycle.svg")]
    assert figure.parts[0].alt == "Land-surface temperature over Hanoi, warm in the centre (PNG)"
    assert figure.parts[0].alt == _plain(figure.parts[0].caption)
    assert _plain(figure.caption) == "The two views of the sample data"
    assert _plain(figure.source) == "invented for this sample."


def test_every_kind_of_the_registry_becomes_a_block_of_the_tree():
    """A new kind that holds text, items or LaTeX is built by what it holds: its registry
    entry is enough for resolve."""
    for kind in KINDS.values():
        assert (kind.name if kind.value == "id" else kind.value) in resolve.BUILDERS, kind.name


# ---------------------------------------------------------------------------------------------
# Text typed alike in two places

SAME_EN = '      - p: "The same words.^[A note of its own.]"\n'
SAME_VI = '      - p: "Cùng một câu.^[Một chú thích riêng.]"\n'
SAME_ITEMS_EN = '      - list: ["Once more [@r2].^[Said twice.]", "Once more [@r2].^[Said twice.]"]\n'
SAME_ITEMS_VI = '      - list: ["Lần nữa [@r2].^[Nói hai lần.]", "Lần nữa [@r2].^[Nói hai lần.]"]\n'


def test_identical_text_in_two_places_has_its_own_footnote_numbers(tmp_path):
    """Two paragraphs (and two list items) typed alike are two places: each footnote call gets
    its own number and its own note, on the page and in JATS, and the notes after them
    follow on. (Text looked up by what was typed gave both the first one's number, twice
    the same id, and lost a note.)"""
    section = "  - id: method\n"
    en = EN.replace(section, SAME_EN * 2 + SAME_ITEMS_EN + section, 1)
    vi = VI.replace(section, SAME_VI * 2 + SAME_ITEMS_VI + section, 1)
    resolved = _resolved(write_doc(tmp_path / "doc", en, vi))
    for lang in ("en", "vi"):
        page = render.render_html(resolved, lang, TEMPLATES)
        # Note 1 is in the first paragraph; then the two paragraphs and the two items.
        assert re.findall(r'id="fnref-(\d+)"', page) == ["1", "2", "3", "4", "5"], lang
        assert re.findall(r'<li id="fn-(\d+)"', page) == ["1", "2", "3", "4", "5"], lang
        # The same source cited in both items is the same entry, [2], each time.
        assert page.count('<a href="#ref-r2">[2]</a>') >= 3, lang
    xml = _jats(resolved)
    assert re.findall(r'<fn id="(fn-\d+)"', xml) == [f"fn-{n}" for n in range(1, 6)]
    assert re.findall(r'<fn id="(vi-fn-\d+)"', xml) == [f"vi-fn-{n}" for n in range(1, 6)]


def test_identical_table_cells_each_keep_their_footnote(tmp_path):
    """Two rows labelled alike, each with a footnote: two notes, numbered in reading order
    (after the method's note, before the table's own)."""
    folder = tmp_path / "urban-heat"
    shutil.copytree(ROOT / "content" / "urban-heat", folder)
    (folder / "sync.yaml").unlink()
    for name, old, new in (
            ("en.yaml", ("Dry season", "Hot season"), "Season^[One of four.]"),
            ("vi.yaml", ("Mùa khô", "Mùa nóng"), "Mùa^[Một trong bốn mùa.]")):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        for label in old:
            text = text.replace(f"      - {label}\n", f"      - {new}\n", 1)
        path.write_text(text, encoding="utf-8")
    resolved = _resolved(folder)
    for lang in ("en", "vi"):
        table = next(b for s in resolved.texts[lang].sections for b in s.blocks
                     if isinstance(b, doctree.Table))
        calls = [n.number for row in table.rows for n in doctree.walk(row[0].nodes or [])
                 if isinstance(n, doctree.Note)]
        assert calls == ["2", "3"], lang
        page = render.render_html(resolved, lang, TEMPLATES)
        assert re.findall(r'id="fnref-(\d+)"', page) == ["1", "2", "3", "4"], lang
    assert re.findall(r'<fn id="(fn-\d+)"', _jats(resolved)) == [f"fn-{n}" for n in range(1, 5)]


def test_a_subfigure_without_words_is_described_by_its_figure(tmp_path):
    """The alt text is plain text of the tree, the same on the page and in JATS: a part whose
    caption has no words of its own (only a citation) is described by the figure's caption;
    an alt text written over several lines is one line."""
    folder = tmp_path / "urban-heat"
    shutil.copytree(ROOT / "content" / "urban-heat", folder)
    (folder / "sync.yaml").unlink()
    path = folder / "en.yaml"
    text = path.read_text(encoding="utf-8")
    part = "      - Land-surface temperature over Hanoi, warm in the centre (PNG)\n"
    assert part in text
    path.write_text(text.replace(part, "      - \"[@oke1982]\"\n"), encoding="utf-8")
    resolved = _resolved(folder)
    figure = next(b for s in resolved.texts["en"].sections for b in s.blocks
                  if isinstance(b, doctree.Figure))
    assert figure.parts[0].alt == "The two views of the sample data"
    page = render.render_html(resolved, "en", TEMPLATES)
    assert '<img src="media/figures/hanoi-lst.png" alt="The two views of the sample data">' \
        in page
    assert "<alt-text>The two views of the sample data</alt-text>" in _jats(resolved)


# ---------------------------------------------------------------------------------------------
# No template looks text up by what was typed

MARKUP_FILTERS = {"md", "note_text"}
"""The filters that took markup as typed, or a note, and looked its nodes up."""


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.j2")))
def test_no_template_calls_a_filter_on_markup(template):
    """Templates write pieces of the tree (``block.nodes | html``); none asks for the nodes of
    a string (``text | md``, ``t.md(markup)``, ``t.plain(markup)``)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    tree = env.parse((TEMPLATES / template).read_text(encoding="utf-8"))
    for found in tree.find_all(nodes.Filter):
        assert found.name not in MARKUP_FILTERS, f"{template}:{found.lineno}: | {found.name}"
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Getattr):
            assert call.node.attr not in ("md", "plain", "inline"), \
                f"{template}:{call.lineno}: {call.node.attr}()"
    for name in tree.find_all(nodes.Name):
        assert name.name != "text", f"{template}:{name.lineno}: the model's text, not the tree"


def test_the_text_filters_take_nodes_never_markup(urban_heat):
    env = render.language_view(urban_heat, "en", TEMPLATES).env
    assert not MARKUP_FILTERS & set(env.filters)
    nodes_ = urban_heat.texts["en"].front.keywords[0]
    assert env.from_string("{{ k | html }}|{{ k | plain }}").render(k=nodes_) == \
        "urban heat island|urban heat island"
    for name in ("html", "plain"):
        with pytest.raises(TypeError, match=f"the '{name}' filter takes a piece of the "
                                            f"resolved tree"):
            env.from_string(f"{{{{ 'urban *heat*' | {name} }}}}").render()
