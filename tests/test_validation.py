"""Bad input is caught before rendering, said once with its place, and never costs an output.

Each folder of ``fixtures/invalid`` holds the files of ``fixtures/invalid/_base`` (a small valid
document) that it breaks, and ``expected.txt``: what ``python build.py check`` prints, word for
word. The document is copied to ``content/article`` of a fresh folder and checked from there,
so the messages name ``content/article/<file>:<line>``.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, pdftotext, run_build

from songngu.errors import Problems
from songngu.glyphs import FontSet, check_glyphs, template_fonts
from songngu.load import load_yaml_text

INVALID = ROOT / "tests" / "fixtures" / "invalid"
BASE = INVALID / "_base"
FIXTURES = sorted(p.name for p in INVALID.iterdir() if p.is_dir() and p.name != "_base")
SETUP = ("--templates", str(ROOT / "templates"), "--fonts", str(ROOT / "fonts"))


def _document(tmp_path: Path, fixture: str | None = None) -> Path:
    """The base document, with the fixture's files in place of its own, in content/article."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(BASE, folder)
    for file in (INVALID / fixture).iterdir() if fixture else ():
        if file.name != "expected.txt":
            shutil.copyfile(file, folder / file.name)
    return folder


def _check(tmp_path: Path, *args: str):
    return run_build("check", "--content", "content/article", *SETUP, *args, cwd=tmp_path)


def test_there_is_a_fixture_for_at_least_15_classes_of_bad_input():
    assert len(FIXTURES) >= 15
    for name in FIXTURES:
        assert (INVALID / name / "expected.txt").is_file(), name


def test_the_base_document_is_valid_so_each_fixture_fails_for_its_own_reason(tmp_path):
    _document(tmp_path)
    result = _check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_mistake_is_reported_word_for_word_with_file_and_line(tmp_path, fixture):
    _document(tmp_path, fixture)
    result = _check(tmp_path)
    expected = (INVALID / fixture / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fixture", ["problems-in-three-files", "undrawable-character"])
def test_a_build_reports_the_same_problems_and_writes_nothing(tmp_path, fixture):
    _document(tmp_path, fixture)
    result = run_build("--content", "content/article", *SETUP, "--out", "out", cwd=tmp_path)
    expected = (INVALID / fixture / "expected.txt").read_text(encoding="utf-8")
    assert result.returncode == 1
    assert result.stderr == expected
    assert not (tmp_path / "out").exists()


def test_a_date_written_in_quotes_is_the_same_date(tmp_path):
    """YAML reads ``'2021-03-31'`` as text: it names the date all the same (a tool writing
    YAML quotes it), and the page prints it; text that is no date is still refused."""
    folder = _document(tmp_path)
    shared = folder / "document.yaml"
    shared.write_text(shared.read_text(encoding="utf-8").replace(
        "published: 2021-03-31", "published: '2021-03-31'"), encoding="utf-8")
    result = run_build("--lang", "en", "--no-pdf", "--content", "content/article", *SETUP,
                       "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "31/3/2021" in (tmp_path / "out" / "en" / "article.html").read_text(encoding="utf-8")
    shared.write_text(shared.read_text(encoding="utf-8").replace(
        "'2021-03-31'", "'2021-03-32'"), encoding="utf-8")
    assert "'published' must be a date written YYYY-MM-DD, found text '2021-03-32' (day is " \
           "out of range for month)" in _check(tmp_path).stderr


def test_messages_not_tracebacks_unless_debug(tmp_path):
    _document(tmp_path, "unknown-key")
    plain = _check(tmp_path)
    debug = _check(tmp_path, "--debug")
    message = "content/article/en.yaml:6: unknown key 'abstarct' (did you mean 'abstract'?)"
    assert plain.stderr.splitlines() == [message, "1 error: nothing was written"]
    assert debug.returncode == 1
    assert debug.stderr.splitlines()[0] == message
    assert "Traceback (most recent call last):" in debug.stderr
    assert "songngu/pipeline.py" in debug.stderr and "ContentError" in debug.stderr


# --------------------------------------------------------------------------- fonts

def _fonts(*maps: set[int]) -> FontSet:
    return FontSet(tuple(Path(f"Face-{i}.ttf") for i in range(len(maps))),
                   tuple(frozenset(m) for m in maps))


def test_a_precomposed_letter_draws_from_its_parts_and_a_mark_needs_its_glyph():
    parts = {ord(c) for c in "abdeinqtx "} | {0x0302, 0x0301}
    fonts = _fonts(parts)
    assert fonts.lacking("ế") == []  # U+1EBF = e + U+0302 + U+0301
    assert fonts.lacking("\u0303") == [Path("Face-0.ttf")]  # q̃ stays q + U+0303 after NFC
    assert fonts.lacking("\u200b") == []  # laid out without a glyph
    problems = Problems()
    loaded = load_yaml_text("title: x\nabstract: >-\n  q\u0303 and ế\n", Path("vi.yaml"),
                            problems)
    check_glyphs([loaded], fonts, problems)
    assert [str(p) for p in problems.items] == [
        "vi.yaml:3: expected characters the shipped fonts can draw, found '\u0303' (U+0303 "
        "COMBINING TILDE), which none of them has: replace it, or add a font that has it to "
        "the fonts folder (README: Fonts)"]


def test_a_character_one_face_lacks_names_that_face():
    problems = Problems()
    loaded = load_yaml_text("title: Bold ☃\n", Path("en.yaml"), problems)
    check_glyphs([loaded], _fonts({ord(c) for c in "Bold ☃"}, {ord(c) for c in "Bold "}),
                 problems)
    assert [str(p) for p in problems.items] == [
        "en.yaml:1: expected characters the shipped fonts can draw, found '☃' (U+2603 "
        "SNOWMAN), which Face-1.ttf lacks: replace it, or add a font that has it to the fonts "
        "folder (README: Fonts)"]


def test_the_shipped_fonts_draw_every_vietnamese_letter():
    fonts = template_fonts(ROOT / "templates" / "journal", ROOT / "fonts")
    assert [p.name for p in fonts.files] == [
        "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf", "LiberationSerif-BoldItalic.ttf"]
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    for letter in letters + letters.upper():
        for tone in tones:
            composed = unicodedata.normalize("NFC", letter + tone)
            assert all(fonts.lacking(c) == [] for c in composed), composed


# --------------------------------------------------------------------------- Unicode NFC

def test_decomposed_text_is_composed_when_loaded():
    composed = "Quan hệ ASEAN – Nhật Bản, thế kỉ XXI, Việt Nam"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    loaded = load_yaml_text(f"title: {decomposed}\n{decomposed}: x\n", Path("vi.yaml"),
                            Problems())
    assert loaded.data == {"title": composed, composed: "x"}


def test_decomposed_input_renders_and_extracts_exactly_like_composed(tmp_path, sample_build):
    """The sample's Vietnamese file decomposed (NFD) builds to the very PDF text and HTML of
    the shipped, composed one (``sample_build``)."""
    decomposed = tmp_path / "nfd"
    shutil.copytree(SAMPLE, decomposed / "content" / SAMPLE.name)
    vi = decomposed / "content" / SAMPLE.name / "vi.yaml"
    text = vi.read_text(encoding="utf-8")
    vi.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    assert vi.read_bytes() != (SAMPLE / "vi.yaml").read_bytes()
    result = run_build("--lang", "vi", "--content", str(decomposed / "content"), "--out",
                       str(decomposed / "out"))
    assert result.returncode == 0, result.stderr
    outputs = [sample_build / "vi" / f"{SAMPLE.name}.pdf",
               decomposed / "out" / "vi" / f"{SAMPLE.name}.pdf"]
    nfc_text, nfd_text = (pdftotext(pdf) for pdf in outputs)
    assert "Quan hệ ASEAN – Nhật Bản" in nfc_text
    assert nfd_text == nfc_text
    html = [pdf.with_suffix(".html").read_text(encoding="utf-8") for pdf in outputs]
    assert html[1] == html[0]


# --------------------------------------------------------------------------- nothing lost

def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_failed_build_leaves_the_last_good_outputs_untouched(tmp_path, sample_copy,
                                                               sample_build):
    out = tmp_path / "out"
    shutil.copytree(sample_build, out)  # the last good outputs
    before = _files(out)
    assert len(before["vi/asean-japan.pdf"]) > 10_000 and "vi/asean-japan.html" in before

    vi = sample_copy / "vi.yaml"
    vi.write_text(vi.read_text(encoding="utf-8").replace("title: Quan hệ", "title: [Quan hệ",
                                                         1), encoding="utf-8")
    second = run_build("--lang", "vi", "--content", str(sample_copy.parent), "--out", str(out))
    assert second.returncode == 1
    assert "vi.yaml:2: YAML syntax error: the list opened here with '['" in second.stderr
    assert "for text that starts with '[', put the whole text in quotation marks" \
        in second.stderr
    assert _files(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def test_a_build_that_fails_while_rendering_leaves_the_last_good_outputs(tmp_path,
                                                                        sample_build):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "out"
    shutil.copytree(sample_build, out)  # the last good outputs, PDFs among them
    before = _files(out)
    article = templates / "journal" / "article.html.j2"
    article.write_text(article.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    failed = run_build("--lang", "vi", "--templates", str(templates), "--out", str(out))
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    assert _files(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def _one_line_error(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_an_output_folder_that_cannot_be_written_is_one_line_that_says_what_to_do(tmp_path):
    # A path below a regular file cannot be created, not even by root (as in CI).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    out = blocker / "build"
    line = _one_line_error(run_build("--lang", "vi", "--out", str(out)))
    assert line == f"error: cannot write to {out}: Not a directory; choose another " \
                   f"output folder with --out"
    assert blocker.read_text() == "a file, not a folder"


@pytest.mark.parametrize("folder, missing, expected", [
    ("templates", "journal/article.html.j2",
     "error: template 'journal' not found: expected {folder}/journal/article.html.j2 (set "
     "'template:' in document.yaml to a folder of {folder})"),
    ("fonts", "LiberationSerif-Bold.ttf",
     "error: font LiberationSerif-Bold.ttf (loaded by templates/journal/fonts.css) is missing "
     "from {folder}: restore it, or pass --fonts with the folder that holds it"),
])
def test_a_missing_template_or_font_is_one_line_that_says_what_to_do(tmp_path, folder,
                                                                       missing, expected):
    copy = tmp_path / folder
    shutil.copytree(ROOT / folder, copy)
    (copy / missing).unlink()
    line = _one_line_error(run_build("--lang", "vi", f"--{folder}", str(copy), "--out",
                                     str(tmp_path / "out")))
    assert line == expected.format(folder=copy)
    assert not (tmp_path / "out").exists()


def test_a_content_folder_that_does_not_exist_is_one_line_that_says_what_to_do(tmp_path):
    missing = tmp_path / "no-such-content"
    line = _one_line_error(run_build("--content", str(missing), "--out", str(tmp_path / "out")))
    assert line == f"error: content folder {missing} does not exist: run from the project " \
                   f"folder or pass --content PATH"



@pytest.mark.parametrize("value", ['"Two regions\\a, one market."', '"Two regions &#x1b;"',
                                   '"' + "x" * 10 + '\\u202e"'])
def test_a_refused_text_is_one_error_not_also_a_missing_one(tmp_path, value):
    """The loader says why it refused a value; the checks that find it missing afterwards
    say nothing more ("expected text, found nothing" was a second, untrue error)."""
    folder = tmp_path / "doc"
    shutil.copytree(BASE, folder)
    en = folder / "en.yaml"
    text = en.read_text(encoding="utf-8")
    assert text.count("- p: Two regions, one market.") == 1
    en.write_text(text.replace("- p: Two regions, one market.", f"- p: {value}"),
                  encoding="utf-8")
    result = run_build("check", "--content", str(folder))
    errors = [line for line in result.stderr.splitlines()
              if ".yaml:" in line and ": warning:" not in line]
    assert result.returncode == 1 and len(errors) == 1, result.stderr
    assert "control character" in errors[0] or "direction control" in errors[0], errors


def test_nesting_too_deep_is_said_at_the_line_that_goes_deepest(tmp_path):
    """The YAML parser runs out of stack and tells no place: the message points at the line
    where the nesting is."""
    from songngu.load import load_yaml

    path = tmp_path / "en.yaml"
    path.write_text("title: x\nsections:\n  - id: a\n    blocks:\n      - p: "
                    + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    problems = Problems()
    assert load_yaml(path, problems) is None
    assert [(p.line, p.message) for p in problems.items] == [
        (5, "expected at most a few hundred levels of nesting, found more")]
