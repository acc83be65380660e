"""Languages are configuration: a third language needs a content file and a catalog, no code."""

from __future__ import annotations

import re
import shutil

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import ROOT, pdftotext, run_build

FRENCH = {
    "ARTICLE INFO": "INFORMATIONS", "ABSTRACT": "RÉSUMÉ", "KEYWORDS": "MOTS-CLÉS",
    "Received:": "Reçu :", "Revised:": "Révisé :", "Published:": "Publié :",
    "REFERENCES": "RÉFÉRENCES", "Table %(num)s.": "Tableau %(num)s.",
    "Table %(num)s": "Tableau %(num)s",
}


def test_a_third_language_needs_only_a_content_file_and_a_catalog(sample_copy, tmp_path):
    document = sample_copy / "document.yaml"
    document.write_text(document.read_text(encoding="utf-8")
                        .replace("languages: [en, vi]", "languages: [en, vi, fr]"),
                        encoding="utf-8")
    shutil.copy(sample_copy / "en.yaml", sample_copy / "fr.yaml")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    with (templates / "journal/locales/messages.pot").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    for message in catalog:
        if message.id in FRENCH:
            message.string = FRENCH[message.id]
    po = templates / "journal/locales/fr/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as fh:
        write_po(fh, catalog)

    out = tmp_path / "out"
    result = run_build("--lang", "fr", "--content", str(sample_copy), "--templates",
                       str(templates), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = re.sub(r"\s+", " ", pdftotext(out / "fr" / "asean-japan.pdf"))
    for label in ("INFORMATIONS", "RÉSUMÉ", "MOTS-CLÉS", "Reçu : 11/3/2021", "RÉFÉRENCES",
                  "Tableau 1.", "Tableau 2."):
        assert label in text, label
    assert "214,4" in text  # French decimal comma from Babel, with no code for French
    html = (out / "fr" / "asean-japan.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert 'hreflang="vi"' in html and 'hreflang="en"' in html


# --------------------------------------------------------------------------- no language in code

NOT_LANGUAGES = {"am", "an", "as", "at", "be", "he", "id", "is", "it", "me", "my", "no", "or",
                 "so", "to", "we"}
"""Babel knows these as language codes, but in a template they are English words or names
(``kind == "id"``), not languages."""
_LANG_ATTRIBUTE = re.compile(r"""\b(?:xml:lang|hreflang|lang)\s*=\s*["']([A-Za-z_-]+)["']""")


def _is_language(value: object) -> bool:
    from babel import localedata

    if isinstance(value, (list, tuple)):
        return any(_is_language(v) for v in value)
    return (isinstance(value, str) and value not in NOT_LANGUAGES
            and re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value) is not None
            and localedata.exists(value.replace("-", "_")))


def _constant_language(node) -> bool:
    from jinja2 import nodes

    if isinstance(node, nodes.Const):
        return _is_language(node.value)
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return any(_constant_language(item) for item in node.items)
    return False


def _about_a_language(node) -> bool:
    """Whether an expression reads a language: ``lang``, ``t.lang``, ``doc.languages[0]``,
    ``lang|lower``, …"""
    from jinja2 import nodes

    within = [node, *node.find_all(nodes.Node)]  # find_all leaves the node itself out
    names = [n.name for n in within if isinstance(n, nodes.Name)] + \
        [n.attr for n in within if isinstance(n, nodes.Getattr)]
    return any("lang" in name.lower() for name in names)


def language_conditions(source: str) -> list[str]:
    """Where a template decides by language, or names one: comparisons and tests against a
    language code (``lang == "vi"``, ``"vi" in doc.languages``, ``t.lang is sameas "en"``),
    any equality test of a language (``lang != primary``), ``lang.startswith(…)``, a language
    code as a key (``labels["vi"]``) and a language written into the markup (``lang="vi"``).
    What a template may do is pass languages through: ``lang="{{ t.lang }}"``,
    ``labels[x]``, ``for x in languages``."""
    from jinja2 import Environment, nodes

    tree = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do",
                                   "jinja2.ext.loopcontrols"]).parse(source)
    found = []
    for node in tree.find_all((nodes.Compare, nodes.Test, nodes.Call, nodes.Getitem,
                               nodes.TemplateData)):
        where = f"line {node.lineno}"
        if isinstance(node, nodes.Compare):
            operands = [node.expr] + [op.expr for op in node.ops]
            if any(_constant_language(o) for o in operands):
                found.append(f"{where}: compared with a language code")
            elif any(op.op in ("eq", "ne") for op in node.ops) and \
                    any(_about_a_language(o) for o in operands):
                found.append(f"{where}: a language tested for equality")
        elif isinstance(node, nodes.Test):
            equality = node.name in ("eq", "ne", "equalto", "sameas", "==", "!=")
            if any(_constant_language(a) for a in node.args) or \
                    (equality and _about_a_language(node.node)):
                found.append(f"{where}: a language tested with 'is {node.name}'")
        elif isinstance(node, nodes.Call):
            method = node.node
            if isinstance(method, nodes.Getattr) and \
                    method.attr in ("startswith", "endswith", "index", "find") and \
                    (_about_a_language(method.node)
                     or any(_constant_language(a) for a in node.args)):
                found.append(f"{where}: a language tested with .{method.attr}()")
        elif isinstance(node, nodes.Getitem):
            if _constant_language(node.arg):
                found.append(f"{where}: a language code as a key")
        else:
            for match in _LANG_ATTRIBUTE.finditer(node.data):
                if _is_language(match[1]):
                    found.append(f"{where}: {match[0]} written into the markup")
    return found


@pytest.mark.parametrize("snippet", [
    '{% if lang == "vi" %}x{% endif %}',
    "{% if lang != 'en' %}x{% endif %}",
    '{% if "vi" == t.lang %}x{% endif %}',
    "{% if lang|lower == 'vi' %}x{% endif %}",
    '{% if lang in ("vi", "en") %}x{% endif %}',
    "{% if 'vi' in doc.languages %}x{% endif %}",
    "{% if doc.languages[0] != primary %}x{% endif %}",
    '{{ "x" if t.lang is sameas "vi" }}',
    "{{ 'x' if lang is eq(other) }}",
    "{% if lang.startswith('vi') %}x{% endif %}",
    '{{ labels["vi"].title }}',
    '{% set vietnamese = lang == "vi" %}',
    '<p lang="vi">{{ text }}</p>',
    "<a hreflang='en' href='../en/x.html'>English</a>",
])
def test_a_language_condition_is_found(snippet):
    assert language_conditions(snippet), snippet


@pytest.mark.parametrize("snippet", [
    '<html lang="{{ lang }}">',
    "{% for x in languages if x in e.titles %}{{ labels[x].volume }}{% endfor %}",
    '{% if tag.lang %} lang="{{ tag.lang }}"{% endif %}',
    "{{ e.authors.get(lang) or e.authors[e.languages[0]] }}",
    "{% if (e.id, x) in built %}x{% endif %}",
    '{% if part.kind == "table" %}x{% endif %}{{ author["id"] }}',
    '{{ _("ABSTRACT") }}<td lang="{{ t.lang }}">',
])
def test_language_neutral_template_code_is_not_a_language_condition(snippet):
    assert language_conditions(snippet) == [], snippet


def test_templates_hold_no_language_conditions():
    templates = sorted((ROOT / "templates").rglob("*.j2"))
    assert len(templates) >= 5
    for template in templates:
        assert language_conditions(template.read_text(encoding="utf-8")) == [], template
