"""Documents the tool had not seen, and the flaws their builds showed.

``tests/fixtures/unseen/`` holds three sample articles of shapes the gallery lacks:
``brick-note`` (one author, a wide table of ten numeric columns, seven footnotes, references
with DOIs), ``delta-review`` (nine authors in nine institutions, two corresponding authors,
lists, quotations, equations, cross-references of every kind, a figure of two parts, an
appendix whose table takes its first column from document.yaml) and ``stele-survey`` (an
English text much shorter than its Vietnamese, long web addresses, stacked diacritics in the
title, a 44-row table with grouped headers over a page break, Chinese characters). Each test
reads back what a reader sees, with pdftotext, pdfplumber or lxml; each build is made once
for the module and holds only what its tests read.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT, pdftotext, run_build, shared_build

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
DELTA = UNSEEN / "delta-review"


@pytest.fixture(scope="module")
def delta_vi(tmp_path_factory) -> Path:
    """The Vietnamese PDF of the review, built with --strict."""
    out = shared_build(tmp_path_factory, "unseen-delta-vi", "--lang", "vi", "--no-html",
                       "--strict", "--content", str(DELTA)).out
    return out / "vi" / "delta-review.pdf"


# --------------------------------------------------------------------------- the documents

@pytest.mark.parametrize("name", ["brick-note", "delta-review", "stele-survey"])
def test_each_unseen_document_checks_clean_with_strict(name):
    result = run_build("check", "--strict", "--content", str(UNSEEN / name))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 warning(s), no errors" in result.stdout


# --------------------------------------------------------------------------- tables

def test_a_row_label_given_once_in_document_yaml_is_printed(delta_vi):
    """The stations table gives each station's name once, in document.yaml, and each
    language its branch (``[~, Sông Hậu]``): the ``~`` took the cell away, printing '–'."""
    lines = pdftotext(delta_vi, "-layout").splitlines()
    for station, branch in (("Đại Ngãi", "Sông Hậu"), ("Vàm Kênh", "Sông Vàm Cỏ"),
                            ("Chợ Lách", "Sông Hàm Luông")):
        assert any(re.match(rf"\s*{station}\s+{branch}\s+\d", line) for line in lines), \
            (station, [line for line in lines if branch in line])


def test_a_text_cell_that_document_yaml_also_leaves_empty_prints_the_empty_mark(tmp_path):
    """``~`` in both places is an empty cell, as before."""
    doc = tmp_path / "delta-review"
    shutil.copytree(DELTA, doc)
    data = doc / "document.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("[Cà Mau, ~,", "[~, ~,"),
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--lang", "en", "--no-pdf", "--content", str(doc), "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "en" / "delta-review.html").read_text(encoding="utf-8")
    assert '<th scope="row" class="align-left words">–</th>' \
        '<td class="align-left words">Ganh Hao River' in html


def test_a_row_with_too_few_text_cells_says_how_to_leave_one_to_document_yaml(tmp_path):
    doc = tmp_path / "delta-review"
    shutil.copytree(DELTA, doc)
    en = doc / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("- [~, Hau River]", "- Hau River", 1),
                  encoding="utf-8")
    result = run_build("check", "--content", str(doc))
    assert result.returncode == 1
    line = next(n for n, text in enumerate(en.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip() == "- Hau River")
    assert (f"{en}:{line}: table 'stations', row 1: expected 2 text cells (one for each text "
            f"column, ~ where document.yaml gives the cell), found text 'Hau River'") \
        in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- page 1

def _line_of(words: list[dict], text: str) -> tuple[float, float]:
    """(top, bottom) of the first word that starts with ``text``."""
    word = next(w for w in words if w["text"].startswith(text))
    return word["top"], word["bottom"]


def test_corresponding_authors_leave_no_blank_lines_above_the_affiliations(delta_vi):
    """Each corresponding author's note floats to the foot of page 1; the paragraph that
    held it took a line of its own all the same, so two such authors opened a gap of two
    blank lines between the names and the affiliations."""
    with pdfplumber.open(delta_vi) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        text = page.extract_text()
    _, names_bottom = _line_of(words, "Brown")       # the last author
    affiliation_top, _ = _line_of(words, "Môi")      # "¹Khoa Môi trường …", the first affiliation
    assert affiliation_top - names_bottom < 6, (names_bottom, affiliation_top)
    assert text.count("Tác giả liên hệ. Email:") == 2  # both notes still at the foot of page 1


# --------------------------------------------------------------------------- references

def test_no_reference_is_broken_after_its_first_word(delta_vi):
    """"[2] T." alone on a line, "T. Nguyễn và V. T. Trần, …" on the next: WeasyPrint broke
    the entry's inline wrapper after its first word when the first line ended in a word that
    did not fit."""
    last = pdftotext(delta_vi, "-layout", "-f", "5", "-l", "5")
    entries = [line for line in last.splitlines() if re.match(r"\s*\[\d+\]", line)]
    assert len(entries) == 7, last
    for line in entries:
        assert len(line.split()) >= 4, entries
    assert re.search(r"\[2\]\s+T\. T\. Nguyễn và V\. T\. Trần, “Đánh giá", last)


# --------------------------------------------------------------------------- parity

def test_a_vietnamese_month_written_in_words_states_its_number():
    """"tháng Hai" is February as surely as "tháng 2": the farmer's quotation of the review
    was reported as stating no numbers against the English "February" and "June"."""
    from songngu.inline import parse_inline
    from songngu.parity import numbers_in

    def numbers(text: str, lang: str) -> list[int]:
        return sorted(int(n) for n in numbers_in(parse_inline(text), lang).elements())

    assert numbers("When the water turns salty in February, and in June", "en") == [2, 6]
    assert numbers("Tháng Hai nước mặn, tới tháng Sáu mưa xuống", "vi") == [2, 6]
    assert numbers("từ tháng Mười Hai đến tháng Giêng", "vi") == [1, 12]
    assert numbers("bao tháng năm chờ đợi", "vi") == []   # "months and years", no month


# --------------------------------------------------------------------------- web addresses

STELE = UNSEEN / "stele-survey"
RUBBINGS = ("https://lib.example.org/collections/han-nom-stelae/bac-ninh/rubbings/view/item/"
            "00001245/page/0017/highlight/khuyen-hoc-tuong-truyen-1697")


@pytest.fixture(scope="module")
def stele(tmp_path_factory) -> Path:
    """The survey's English PDF and HTML and its Vietnamese HTML."""
    out = shared_build(tmp_path_factory, "unseen-stele-en", "--lang", "en", "--strict",
                       "--content", str(STELE)).out
    vi = shared_build(tmp_path_factory, "unseen-stele-vi", "--lang", "vi", "--no-pdf",
                      "--strict", "--content", str(STELE)).out
    shutil.copy(vi / "vi" / "stele-survey.html", out / "stele-survey.vi.html")
    return out


def test_an_address_in_angle_brackets_is_a_link_without_its_brackets(stele):
    """``<https://…>`` (CommonMark's autolink) printed as typed, brackets and all."""
    from lxml import html as lxml_html

    page = lxml_html.parse(str(stele / "en" / "stele-survey.html")).getroot()
    links = [a for a in page.iter("a") if a.get("href") == RUBBINGS]
    assert len(links) == 1 and links[0].text_content() == RUBBINGS
    text = re.sub(r"\s+", " ", page.text_content())
    assert "<https://" not in text and f"are at {RUBBINGS}." in text


def test_a_long_address_in_english_text_is_never_hyphenated(stele):
    """English is hyphenated, an address never: "…/high‐" / "light/…" was printed."""
    text = pdftotext(stele / "en" / "stele-survey.pdf")
    start = text.index("are at ")
    passage = text[start:start + 400]
    assert "\u2010" not in passage and "-\n" not in passage.replace("/\n", ""), passage
    assert RUBBINGS in passage.replace("\n", ""), passage
    assert "<https" not in passage


def test_an_address_typed_bare_breaks_only_after_its_separators(stele):
    from lxml import html as lxml_html

    page = lxml_html.parse(str(stele / "stele-survey.vi.html")).getroot()
    [url] = [span for span in page.iter("span") if span.get("class") == "url"]
    assert url.text_content() == RUBBINGS  # the full stop after it stays outside
    assert not any(span.get("class") == "nobreak" for span in url.iter("span"))
    pieces = lxml_html.tostring(url, encoding="unicode").split("<wbr>")
    assert len(pieces) > 10 and all(re.search(r"[/.\-_?&=#]$", re.sub(r"<[^>]+>", "", p))
                                    for p in pieces[:-1]), pieces


# --------------------------------------------------------------------------- units

BRICK = UNSEEN / "brick-note"


@pytest.fixture(scope="module")
def brick_vi(tmp_path_factory) -> Path:
    out = shared_build(tmp_path_factory, "unseen-brick-vi", "--lang", "vi", "--strict",
                       "--content", str(BRICK)).out
    return out / "vi" / "brick-note.pdf"


def test_a_compound_unit_stays_on_one_line(brick_vi):
    """"Hệ số dẫn nhiệt (W/" / "m·K)" in the table's header, and "0,651 W" held together
    with "/m·K" free to go to the next line: a unit is one word."""
    with pdfplumber.open(brick_vi) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert "(W/m·K)" in words, [w for w in words if "W/" in w or "m·K" in w]
    assert not any(w.endswith("W/") for w in words)
    html = (brick_vi.parent / "brick-note.html").read_text(encoding="utf-8")
    assert '<span class="nobreak">0,651 W/m·K</span>' in html
    assert '(<span class="nobreak">W/m·K</span>)' in html


@pytest.mark.parametrize("text, kept", [
    ("dòng điện −8 A khi sạc", "−8 A"), ("nhỏ hơn 1,2 K và", "1,2 K"),
    ("a 3.7 V cell", "3.7 V"), ("12 mΩ each", "12 mΩ"), ("at 50 Hz", "50 Hz"),
    ("101 kPa", "101 kPa"), ("a 5 kN load", "5 kN"), ("2.5 Ah pack", "2.5 Ah"),
    ("20 mL", "20 mL"), ("8 GB", "8 GB"), ("30 min", "30 min"), ("1,5 mol/L", "1,5 mol/L")])
def test_a_number_stays_with_its_si_unit(text, kept):
    from songngu import breaks

    assert f'<span class="nobreak">{kept}</span>' in str(breaks.text_html(text))


def test_a_number_before_a_word_is_left_free():
    from songngu import breaks

    assert "nobreak" not in str(breaks.text_html("5 Apples and 3 Kings"))


def test_a_reference_number_never_stays_behind_on_the_page_before_its_entry(brick_vi):
    """With the number floated beside its entry, "[5]" stood alone at the foot of page 2 and
    its entry began page 3: an entry is kept whole."""
    for number, page in enumerate(pdftotext(brick_vi, "-layout").split("\f"), 1):
        assert not re.search(r"^\s*\[\d+\]\s*$", page, re.M), (number, page)
    text = pdftotext(brick_vi, "-layout")
    assert re.search(r"\[5\]\s+A\. Muthadhi, R\. Anitha", text)


# --------------------------------------------------------------------------- parallel handout

@pytest.fixture(scope="module")
def delta_parallel(tmp_path_factory) -> Path:
    """The review's English–Vietnamese handout, built with --strict: the layout report of
    every page is empty, or the build fails."""
    out = shared_build(tmp_path_factory, "unseen-delta-parallel", "--lang", "en+vi",
                       "--handout", "--strict", "--content", str(DELTA)).out
    return out / "en+vi" / "delta-review.handout.pdf"


def _page_with(pdf, path: Path, text: str):
    """The first page pdfplumber reads ``text`` on, among those pdftotext finds it on (which
    reads a page's text much faster)."""
    pages = pdftotext(path).split("\f")
    return next(pdf.pages[i] for i, page in enumerate(pages)
                if text in page and text in (pdf.pages[i].extract_text() or ""))


def test_display_equations_stay_in_their_language_column(delta_parallel):
    """Drawn at their own size, the equations ran into the other column ("(1)" of the English
    over the Vietnamese text) and off the page."""
    with pdfplumber.open(delta_parallel) as pdf:
        page = _page_with(pdf, delta_parallel, "convergence")
        middle = page.width / 2
        numbers = [w for w in page.extract_words() if w["text"] in ("(1)", "(2)")]
        curves = page.curves            # the formulas are drawn as paths
        assert len(curves) > 20 and len(numbers) >= 4
        for box in (*curves, *numbers):
            assert not box["x0"] < middle < box["x1"], box
            assert box["x1"] < page.width - 20, box


def test_a_table_whose_words_come_from_the_language_files_spans_both_columns(delta_parallel):
    """The studies table's row labels and methods are in en.yaml and vi.yaml; the width
    estimate read them from document.yaml ('~', one character), so the table was set in a
    column it could not fit: each language's table now spans the page, one below the other."""
    with pdfplumber.open(delta_parallel) as pdf:
        page = _page_with(pdf, delta_parallel, "The reviewed studies")
        words = page.extract_words()
    english = next(w for w in words if w["text"] == "Threshold")
    vietnamese = next(w for w in words if w["text"] == "Ngưỡng")
    assert english["x0"] > page.width / 2 and vietnamese["x0"] > page.width / 2
    assert vietnamese["top"] > english["top"] + 50


# --------------------------------------------------------------------------- a third language

def test_check_reports_a_language_without_a_label_catalog(tmp_path):
    """``languages: [en, vi, fr]`` with fr.yaml written but no French catalog: check said
    "no errors", and the build then stopped on it."""
    doc = tmp_path / "brick-note"
    shutil.copytree(BRICK, doc)
    data = doc / "document.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace(
        "languages: [en, vi]", "languages: [en, vi, fr]"), encoding="utf-8")
    shutil.copy(doc / "en.yaml", doc / "fr.yaml")
    result = run_build("check", "--content", str(doc))
    assert result.returncode == 1, result.stdout + result.stderr
    line = data.read_text(encoding="utf-8").splitlines().index("languages: [en, vi, fr]") + 1
    assert (f"{data}:{line}: language 'fr' has no label catalog (Table, REFERENCES, … in fr): "
            f"create templates/journal/locales/fr/LC_MESSAGES/messages.po with pybabel init"
            ) in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the starter

def test_new_given_a_path_says_how_to_create_the_document_elsewhere(tmp_path):
    """``new /tmp/x`` was refused with no word of ``--content``, the option that does it."""
    result = run_build("new", str(tmp_path / "note"))
    assert result.returncode == 2  # a setup error, as before
    assert (f"found '{tmp_path / 'note'}'; to create it in another folder: python build.py "
            f"new note --content {tmp_path}") in result.stderr
    assert not (tmp_path / "note").exists()
    result = run_build("new", "note", "--content", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "note" / "document.yaml").is_file()
