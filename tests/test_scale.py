"""A generated large document builds (a small one here: the benchmark builds ~200 pages)."""

from __future__ import annotations

import re
import sys

from conftest import ROOT, pdftotext, run_build
from pypdf import PdfReader

sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
from make_large import make_large


def test_a_document_of_repeated_sections_builds_in_both_languages(tmp_path):
    folder = make_large(tmp_path / "content" / "large", copies=2)
    result = run_build("--lang", "all", "--content", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no parity finding: the copies agree in both languages
    for lang in ("en", "vi"):
        pdf = tmp_path / "out" / lang / "large.pdf"
        pages = len(PdfReader(pdf).pages)
        assert pages > 12  # the sample's length
        text = pdftotext(pdf)
        assert f"226(03): 100 - {99 + pages}" in text
        # The second copy's sections are numbered on from the first's (the sample has 4).
        assert re.search(r"^8\. ", text, re.M), "no section 8"
