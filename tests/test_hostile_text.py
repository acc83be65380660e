"""Hostile strings in the text fields: on the page they are text and nothing else.

Hypothesis types strings made of markup, CSS, URL schemes, quotes, backslashes, character
references and control characters into the title, an author's name, an affiliation and the
journal's name (which the running header carries in a CSS string). Then either the checks
refuse the string (a control character, however written) or: the HTML's DOM, parsed by an
HTML5 parser, holds exactly that text in the expected elements and no element, attribute or
link more than the same document with harmless text; the stylesheet, parsed as WeasyPrint
parses it, holds the journal's name as one string; and the PDF's link annotations are those
of the harmless document.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
import tinycss2
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from tinyhtml5 import parse

from songngu import pdfengine, pipeline, render, write
from songngu.errors import ContentError
from songngu.limits import control_character
from songngu.project import Project

BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base"
FRAGMENTS = ["<script>alert(1)</script>", "</style>", "<img src=x onerror=alert(1)>", '"',
             "'", "\\", '"; } body { display: none } x { content: "', "\\A", "\\0", "&amp;",
             "&#12;", "&#x1EC5;", "&lt;b&gt;", "javascript:alert(1)", "file:///etc/passwd",
             "[x](javascript:alert(1))", "url(http://127.0.0.1:9/x)", "@import 'x';", "\u2028",
             "\t", "\n", "ễ", "Nguyễn", "—", "{", "}", "*", "_", "`", "<!--", "-->", "]]>", "%",
             "#"]
CONTROLS = ["\f", "\r", "\x00", "\x1d", "\x1e", "\x1f", "\x7f", "\x85", "\x9c", "\x1b",
            "&#12;", "&#x1D;", "&#0;", "&#127;", "\u202e", "&#x202D;"]
"""Characters no text may carry, typed or as references: one of them goes into one field of
some examples, which the checks must then refuse."""
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F)) + "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ"
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(PRINTABLE, max_size=6)),
                   min_size=1, max_size=6).map(lambda parts: "X " + "".join(parts) + " Y")
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _markdown_literal(text: str) -> str:
    """Markup that shows ``text`` as it is: every ASCII punctuation mark escaped."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _visible(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _document(folder: Path, title: str, author: str, affiliation: str, journal: str) -> None:
    shutil.copytree(BASE, folder)
    shared = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    shared["journal"]["name"] = journal
    shared["doi"] = "10.1234/test.1"
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=False),
                                          encoding="utf-8")
    text = yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))
    text["title"] = _markdown_literal(title)
    text["authors"]["an"] = author
    text["affiliations"]["uni"] = affiliation
    (folder / "en.yaml").write_text(yaml.safe_dump(text, allow_unicode=False), encoding="utf-8")


def _project(folder: Path) -> Project:
    return Project(folder.parent, ROOT / "templates", ROOT / "fonts", folder.parent / "out")


def _render(folder: Path) -> tuple[str, str]:
    """The page a browser gets, and the CSS its PDF adds (running header and footer)."""
    project = _project(folder)
    checked = pipeline.check_document(folder, False, project)
    resolved = pipeline.resolve_document(checked)
    return (render.render_html(resolved, "en", project.templates),
            render.print_stylesheet(resolved, "en", project.templates))


def _links(html: str) -> list[tuple[str, str, str]]:
    """Every element's tag with each URL-bearing attribute, from an HTML5 parse."""
    tree = parse(html)
    return sorted((element.tag.rpartition("}")[2], name, value)
                  for element in tree.iter() if isinstance(element.tag, str)
                  for name, value in element.attrib.items()
                  if name in ("href", "src", "action", "formaction", "srcset", "data"))


def _elements(html: str) -> list[str]:
    return sorted(element.tag for element in parse(html).iter() if isinstance(element.tag, str))


def _pdf_uris(html: str, css: str, folder: Path, target: Path) -> list[str]:
    pdfengine.render_pdf(html, write.Assets(ROOT / "fonts", folder), print_css=css).write(target)
    uris = []
    for page in PdfReader(target).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                action = action.get_object()
                assert action.get("/S") in ("/URI", "/GoTo", None), action
                if "/URI" in action:
                    uris.append(str(action["/URI"]))
    return sorted(uris)


@pytest.fixture(scope="module")
def harmless(tmp_path_factory):
    """The same document with plain text: the links and elements any page may have."""
    folder = tmp_path_factory.mktemp("harmless") / "doc"
    _document(folder, "X plain Y", "X plain Y", "X plain Y", "X plain Y")
    html, css = _render(folder)
    return {"links": _links(html), "elements": _elements(html),
            "uris": _pdf_uris(html, css, folder, folder.parent / "plain.pdf")}


def _find(tree, tag: str, cls: str):
    return next(element for element in tree.iter()
                if isinstance(element.tag, str) and element.tag.endswith("}" + tag)
                and cls in (element.get("class") or "").split())


def _text(element) -> str:
    return "".join(element.itertext())


def _running_head(css: str) -> str:
    """The journal's name as WeasyPrint's CSS parser reads it from the running header."""
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page" or \
                any(t.type != "whitespace" for t in rule.prelude or []):
            continue
        for inner in tinycss2.parse_rule_list(rule.content, skip_whitespace=True):
            if inner.type == "at-rule" and inner.lower_at_keyword == "top-center":
                for declaration in tinycss2.parse_declaration_list(inner.content):
                    if declaration.type == "declaration" and declaration.name == "content":
                        strings = [t.value for t in declaration.value if t.type == "string"]
                        return strings[0]
    raise AssertionError("no running header")


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(title=HOSTILE, author=HOSTILE, affiliation=HOSTILE, journal=HOSTILE,
       control=st.one_of(st.none(), st.tuples(st.integers(0, 3), st.sampled_from(CONTROLS))))
def test_hostile_text_is_text_in_the_html_the_css_and_the_pdf(harmless, title, author,
                                                               affiliation, journal, control):
    if control is not None:
        fields = [title, author, affiliation, journal]
        fields[control[0]] = fields[control[0]].replace(" Y", control[1] + " Y")
        title, author, affiliation, journal = fields
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "doc"
        _document(folder, title, author, affiliation, journal)
        controls = [s for s in (title, author, affiliation, journal) if control_character(s)]
        try:
            html, css = _render(folder)
        except ContentError as exc:
            assert controls, exc
            assert any("control character" in p.message for p in exc.problems), exc
            # Nothing else is blamed, but where a refused value is then missing.
            refused = {(p.file, p.line) for p in exc.problems if "control character" in p.message}
            assert all((p.file, p.line) in refused for p in exc.problems
                       if p.severity == "error"), [str(p) for p in exc.problems]
            return
        assert not controls, "a control character got through"
        tree = parse(html)
        assert _visible(_text(_find(tree, "h1", "title"))) == _visible(title)
        assert _visible(_text(_find(tree, "p", "authors"))).startswith(_visible(author))
        assert _visible(_text(_find(tree, "p", "affiliation"))) == _visible(affiliation)
        assert _running_head(css).startswith(unicodedata.normalize("NFC", journal))
        assert _links(html) == harmless["links"]
        assert _elements(html) == harmless["elements"]
        assert _pdf_uris(html, css, folder, Path(tmp) / "page.pdf") == harmless["uris"]


@pytest.mark.parametrize("text", ["Invoice \u202egnp.exe\u202c", "Invoice &#x202E;gnp.exe"])
def test_a_direction_override_is_refused_for_what_it_does(text):
    """A right-to-left override shows "Invoice \u202egnp.exe" as "Invoice exe.png"; the
    isolates that right-to-left words in a line may need are allowed."""
    from songngu.limits import control_problem

    assert "U+202E" in (control_problem(text) or "") or "&#x202E;" in (control_problem(text) or "")
    assert control_problem("Cairo (\u2067القاهرة\u2069)") is None



@pytest.mark.parametrize("text, said", [
    ("&#99999999999999999999;", "'&#99999999999999999999;' (no character has that number)"),
    ("&#" + "9" * 6000 + ";", "(no character has that number)"),
    ("&#xD800;", "'&#xD800;' (no character has that number)"),
    ("&#0000000000012;", "'&#0000000000012;' (a control character)")])
def test_a_character_reference_is_quoted_whole_and_named_for_what_it_is(text, said):
    found = control_character(text)
    assert found is not None and found.endswith(said), found
