"""Languages are configuration: a third language needs a content file and a catalog, no code."""

from __future__ import annotations

import re
import shutil

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


def test_templates_hold_no_language_conditions():
    for template in (ROOT / "templates").rglob("*.j2"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"lang\s*==", source), template
