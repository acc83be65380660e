"""Resolving gives a format-neutral document: a tree of typed blocks, nodes and numbers, no
markup of any output.

Resolve leaves the model as it was, reads no file (a mistake's line comes from the lines the
loader kept), and every output (the HTML page, JATS, plain text) is a writer of its tree;
text typed alike in two places is two pieces of the tree.
"""

from __future__ import annotations

import copy
import dataclasses
import gettext
import os
import sys
from pathlib import Path

import pytest

from songngu import doctree, html_inline, jats, pipeline, render, resolve
from songngu.csl_locale import CSL_DIR
from songngu.errors import ContentError, Problems, SetupError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "content").iterdir() if (p / "document.yaml").is_file())

SHARED = """\
# A sample article written for the tests.
languages: [en, vi]
journal: {name: Test Journal}
authors:
  - {id: a}
references: references.yaml
"""
EN = """\
title: "Trade in the 21^st^ century"
authors: {a: Ann Example}
abstract: "A *sample* abstract [@r1]."
keywords: ["The 21^st^ century", "trade"]
sections:
  - id: intro
    title: Introduction
    blocks:
      - p: >-
          A first line,
          then a citation of two sources [@r1; @r2] and a third [@r3],
          a note^[With its own citation [@r2].] and [@sec:method].
  - id: method
    title: Method with H~2~O
    blocks:
      - p: "Three in a row [@r1; @r2; @r3], R² = 0.89, and $x^2$."
"""
VI = """\
title: "Thương mại thế kỉ XXI"
authors: {a: Ann Example}
abstract: "Bản tóm tắt *mẫu* [@r1]."
keywords: ["Thế kỉ XXI", "thương mại"]
sections:
  - id: intro
    title: Mở đầu
    blocks:
      - p: >-
          Dòng đầu,
          rồi trích dẫn hai nguồn [@r1; @r2] và nguồn thứ ba [@r3],
          một chú thích^[Có trích dẫn riêng [@r2].] và [@sec:method].
  - id: method
    title: Phương pháp với H~2~O
    blocks:
      - p: "Ba nguồn liền nhau [@r1; @r2; @r3], R² = 0.89, và $x^2$."
"""
REFERENCES = """\
- id: r1
  type: book
  author: [{family: Vũ, given: Văn Hà}]
  title: "A book about <b>bold</b> & other things"
  publisher: Some Press
  issued: 2007
- id: r2
  type: webpage
  title: A page
  URL: https://example.org/a?b=1&c=2
  issued: 2012
- id: r3
  type: article-journal
  author: [{family: Lê, given: Thị}]
  title: An article
  container-title: A Journal
  DOI: 10.1234/abc.5
  issued: 2017
"""


def write_doc(folder: Path, en: str = EN, vi: str = VI) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("document.yaml", SHARED), ("en.yaml", en), ("vi.yaml", vi),
                       ("references.yaml", REFERENCES)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def checked(tmp_path):
    return pipeline.check_document(write_doc(tmp_path / "doc"))


def strings(value, seen=None):
    """Every string held by a tree of nodes and entries."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key, seen)
            yield from strings(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings(getattr(value, field.name), seen)


def tree_strings(resolved: resolve.Resolved):
    for tree in resolved.texts.values():
        yield from strings(tree.front)
        yield from strings(tree.sections)
        yield from strings(tree.numbers)
        yield from strings(tree.references)
        yield from strings(tree.notes)


@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_the_samples_resolve_to_nodes_without_any_markup(folder):
    resolved = pipeline.resolve_document(pipeline.check_document(folder))
    found = list(tree_strings(resolved))
    assert found
    assert [s for s in found if "<" in s or "&lt;" in s or "&amp;" in s] == []
    for tree in resolved.texts.values():
        for nodes in tree.pieces():
            for node in doctree.walk(nodes):
                assert isinstance(node, doctree.NODE_TYPES)


def test_text_stays_as_typed_and_citations_are_nodes(checked):
    resolved = pipeline.resolve_document(checked)
    en = resolved.texts["en"]
    entry = en.references[0]
    # The record's "<b>" and "&" are text for every output to escape in its own way.
    assert "A book about <b>bold</b> & other things" in doctree.plain(entry.printed)
    assert entry.label == "[1]" and entry.number == 1
    web = en.references[1]
    assert [n.href for n in doctree.walk(web.printed) if isinstance(n, doctree.Link)] == \
        ["https://example.org/a?b=1&c=2"]
    paragraph = en.sections[0].blocks[0].nodes
    citations = [n for n in paragraph if isinstance(n, doctree.Citation)]
    assert [[(c.key, c.number) for c in n.items] for n in citations] == \
        [[("r1", 1), ("r2", 2)], [("r3", 3)]]
    assert [n.keys for n in doctree.walk(citations[0].children)
            if isinstance(n, doctree.CiteRef)] == [("r1",), ("r2",)]
    xref = next(n for n in paragraph if isinstance(n, doctree.CrossRef))
    assert (xref.kind, xref.target, xref.number) == ("section", "method", "2")
    note = next(n for n in paragraph if isinstance(n, doctree.Note))
    assert note.number == "1" and not note.repeat
    assert any(isinstance(n, doctree.Citation) for n in note.children)
    assert en.notes == [note]
    # Three consecutive numbers print as one run: its first and its last item.
    run = next(n for n in doctree.walk(en.sections[1].blocks[0].nodes)
               if isinstance(n, doctree.CiteRef))
    assert run.keys == ("r1", "r2", "r3")
    assert doctree.plain(run.children) == "[1]" and doctree.plain(run.last) == "[3]"
    assert doctree.plain_line(en.front.keywords[0]) == "The 21st century"


def test_every_output_writes_the_same_nodes(checked, tmp_path):
    resolved = pipeline.resolve_document(checked)
    en = resolved.texts["en"]
    html = html_inline.inline_html(en.sections[1].blocks[0].nodes, gettext.NullTranslations())
    assert '<a href="#ref-r1">[1]</a>–<a href="#ref-r3">[3]</a>' in html
    assert '<span class="nobreak">R² = 0.89,</span>' in html
    entries = render.reference_list(en)
    assert "A book about &lt;b&gt;bold&lt;/b&gt; &amp; other things" in entries[0][1]
    assert 'href="https://example.org/a?b=1&amp;c=2"' in entries[1][1]
    page = render.render_html(resolved, "en", ROOT / "templates")
    assert '<meta name="keywords" content="The 21st century, trade">' in page
    assert "<title>Trade in the 21st century</title>" in page
    xml = jats.article_xml(resolved, ROOT / "templates", resolve_pages(resolved)).decode()
    assert '<xref ref-type="bibr" rid="ref-1 ref-2 ref-3">[1]–[3]</xref>' in xml
    assert html_inline.node_types_without_writer() == []
    assert jats.node_types_without_writer() == []


def resolve_pages(resolved):
    from songngu.pagecount import Pages
    return Pages(resolved.doc.first_page)


def test_resolve_leaves_the_model_as_it_was(checked):
    doc_before = copy.deepcopy(checked.doc)
    references_before = copy.deepcopy(checked.references)
    resolved = resolve.resolve(checked.doc, checked.references, Problems())
    assert checked.doc == doc_before
    assert checked.references == references_before
    # The numbers are the resolved tree's.
    assert [s.number for s in resolved.texts["en"].sections] == ["1", "2"]
    assert resolved.texts["vi"].numbers["section:method"] == "2"
    again = resolve.resolve(checked.doc, checked.references, Problems())
    assert again.doc == resolved.doc
    assert again.texts["en"].front == resolved.texts["en"].front
    assert again.texts["en"].sections == resolved.texts["en"].sections


_WATCHED: list[tuple[str, list[str]]] = []
"""(folder, the files opened inside it) while a test watches a folder."""


def _audit(event: str, args: tuple) -> None:
    # Python raises the "open" audit event for every file it opens (open(), Path.read_text,
    # os.open), whichever module asks.
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        for folder, opened in _WATCHED:
            if path.startswith(folder):
                opened.append(path)


@pytest.fixture
def no_file_reads(tmp_path):
    """The files of the content folder (``tmp_path``) opened while the test runs."""
    if not any(hook is _audit for hook in _HOOKED):
        sys.addaudithook(_audit)
        _HOOKED.append(_audit)
    opened: list[str] = []
    _WATCHED.append((str(tmp_path), opened))
    yield opened
    _WATCHED.remove((str(tmp_path), opened))


_HOOKED: list = []


def test_resolve_reads_no_file(tmp_path, no_file_reads):
    folder = write_doc(tmp_path / "doc")
    # The document's own style, a file of its folder: read while checking, not again.
    (folder / "house.csl").write_bytes((CSL_DIR / "ieee.csl").read_bytes())
    (folder / "document.yaml").write_text(SHARED + "style: house.csl\n", encoding="utf-8")
    checked = pipeline.check_document(folder)
    assert any(path.endswith("en.yaml") for path in no_file_reads)  # the watch works
    # lxml opens files below Python's notice: a style read again would now fail to parse.
    stamp = (folder / "house.csl").stat().st_mtime_ns
    (folder / "house.csl").write_text("not a style", encoding="utf-8")
    os.utime(folder / "house.csl", ns=(stamp, stamp))
    no_file_reads.clear()
    resolved = resolve.resolve(checked.doc, checked.references, Problems())
    assert resolved.texts["en"].references  # formatted, still without reading
    assert no_file_reads == []


def test_a_style_file_is_read_again_once_changed(tmp_path):
    folder = write_doc(tmp_path / "doc")
    style = folder / "house.csl"
    style.write_bytes((CSL_DIR / "ieee.csl").read_bytes())
    (folder / "document.yaml").write_text(SHARED + "style: house.csl\n", encoding="utf-8")
    checked = pipeline.check_document(folder)
    style.write_text("not a style", encoding="utf-8")
    os.utime(style, ns=(0, 0))
    with pytest.raises(SetupError, match=r"house\.csl"):
        resolve.resolve(checked.doc, checked.references, Problems())


def test_a_mistake_is_found_on_its_line_without_reading_the_file(tmp_path, no_file_reads):
    en = EN.replace("and a third [@r3],", "and a third [@r9],")
    folder = write_doc(tmp_path / "doc", en=en)
    checked = pipeline.check_document(folder)
    no_file_reads.clear()
    problems = Problems()
    resolve.resolve(checked.doc, checked.references, problems)
    assert no_file_reads == []
    expected = next(n for n, line in enumerate(en.splitlines(), 1) if "and a third" in line)
    errors = [(p.line, p.message) for p in problems.errors]
    assert errors and errors[0][0] == expected
    assert "unknown citation 'r9'" in errors[0][1]


def test_a_build_with_an_unknown_citation_still_stops(tmp_path):
    folder = write_doc(tmp_path / "doc", en=EN.replace("[@r3],", "[@r9],"))
    with pytest.raises(ContentError):
        pipeline.resolve_document(pipeline.check_document(folder))


def test_resolve_and_its_tree_import_no_output_format():
    """What resolving runs knows no output: no HTML library, no citeproc HTML formatter."""
    import ast

    banned = {"html", "markupsafe", "citeproc.formatter", "lxml.html", "jinja2"}
    for module in ("resolve", "doctree", "cite_format", "inline", "locators", "csl_json",
                   "references", "bibtex"):
        tree = ast.parse((ROOT / "songngu" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {f"{node.module}.{alias.name}" if node.module else alias.name
                     for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                     for alias in node.names}
        imported |= {node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not {name for name in imported
                    if any(name == b or name.startswith(b + ".") for b in banned)}, module

