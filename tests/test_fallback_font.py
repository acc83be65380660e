"""Scripts the main serif lacks: the CJK fallback and the shipped Noto faces (Thai, Lao, Khmer,
Myanmar, Arabic, Devanagari) declared with unicode-range count as drawable, each is loaded and
embedded only for a document that has some of its characters, and when the CJK fallback is not
installed the message says how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import pdftotext, run_build
from pypdf import PdfReader

from songngu import fontfiles, glyphs, write
from songngu.errors import Problems
from songngu.load import load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "journal"
FONTS = ROOT / "fonts"


def _check(text: str) -> list[str]:
    problems = Problems()
    loaded = load_yaml_text(f"title: {text}\n", Path("en.yaml"), problems)
    glyphs.check_glyphs([loaded], glyphs.template_fonts(TEMPLATE, FONTS), problems)
    return [str(p) for p in problems.items]


@pytest.mark.skipif(not fontfiles.SYSTEM_FONTS["NotoSerifCJK-Regular.ttc"].is_file(),
                    reason="fonts-noto-cjk is not installed")
def test_japanese_chinese_korean_and_the_non_breaking_hyphen_are_drawable():
    assert _check("日本語教育 中文 한국어 e\u2011learning") == []


def test_a_character_no_font_has_is_still_refused():
    found = _check("a snowman \u2603")
    assert len(found) == 1 and "U+2603 SNOWMAN" in found[0]


def test_without_the_fallback_installed_the_message_says_how_to_install_it(monkeypatch,
                                                                           tmp_path):
    monkeypatch.setattr(fontfiles, "SYSTEM_FONTS", {
        name: tmp_path / name for name in fontfiles.SYSTEM_FONTS})
    found = _check("日本語")
    assert len(found) == 1
    assert found[0].startswith("en.yaml:1: expected characters the fonts can draw, found "
                               "'日' (U+65E5 CJK UNIFIED IDEOGRAPH-65E5)")
    assert "which need NotoSerifCJK-Regular.ttc: install it (apt-get " \
           "install fonts-noto-cjk) or copy it into the fonts folder" in found[0]
    # Text the main serif draws needs no fallback at all.
    assert _check("Tiếng Việt") == []


@pytest.mark.skipif(not fontfiles.SYSTEM_FONTS["NotoSerifCJK-Regular.ttc"].is_file(),
                    reason="fonts-noto-cjk is not installed")
def test_only_a_fallback_some_character_needs_is_given_to_the_page(tmp_path):
    """WeasyPrint copies every font a page declares (Noto Serif CJK: 50 MB) before layout: a
    page without Japanese, Chinese or Korean does not load it."""
    fonts = glyphs.template_fonts(TEMPLATE, FONTS)

    def used(text: str) -> set[str]:
        problems = Problems()
        loaded = load_yaml_text(f"title: {text}\n", Path("en.yaml"), problems)
        return glyphs.check_glyphs([loaded], fonts, problems)

    assert used("Nhiệt độ đô thị, 12 km") == set()
    assert used("日本語教育") == {"NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"}
    cjk = "fonts/NotoSerifCJK-Regular.ttc"
    assert write.Assets(FONTS, tmp_path, fallbacks=()).resolve(cjk) is None
    assert write.Assets(FONTS, tmp_path, fallbacks=(
        "NotoSerifCJK-Regular.ttc",)).resolve(cjk) == fontfiles.SYSTEM_FONTS[cjk[6:]]
    assert write.Assets(FONTS, tmp_path).resolve(cjk) == fontfiles.SYSTEM_FONTS[cjk[6:]]
    assert write.Assets(FONTS, tmp_path, fallbacks=()).resolve(
        "fonts/LiberationSerif-Regular.ttf") == FONTS / "LiberationSerif-Regular.ttf"


def test_a_fallback_font_is_read_only_for_a_character_of_its_ranges(monkeypatch):
    """Reading the CJK fallback's character map takes a noticeable time on every build: a
    document whose characters the main font draws never reads it."""
    read: list[str] = []
    real = glyphs._character_map

    def recording(path, mtime_ns):
        read.append(Path(path).name)
        return real(path, mtime_ns)

    monkeypatch.setattr(glyphs, "_character_map", recording)
    assert _check("Tiếng Việt — “quoted”, 1–2 €") == []
    assert read and not [name for name in read if "CJK" in name]
    if fontfiles.SYSTEM_FONTS["NotoSerifCJK-Regular.ttc"].is_file():
        assert _check("日本語") == []
        assert [name for name in read if "CJK" in name]


def test_a_template_stylesheet_edited_in_one_process_is_read_again(tmp_path):
    """An issue checks each article against the same template, whose stylesheets are parsed
    once; an edit of one (watch mode) is seen at the next check."""
    import shutil

    from songngu.errors import SetupError

    template = tmp_path / "journal"
    shutil.copytree(TEMPLATE, template)
    found = glyphs.template_fonts(template, FONTS)
    assert found == glyphs.template_fonts(template, FONTS)
    sheet = template / "fonts.css"
    sheet.write_text(sheet.read_text(encoding="utf-8") + '\n@font-face { font-family: X; '
                     'src: url("fonts/Missing-Regular.ttf") }\n', encoding="utf-8")
    with pytest.raises(SetupError, match=r"Missing-Regular\.ttf"):
        glyphs.template_fonts(template, FONTS)


SCRIPTS = {  # the shipped faces' family, and a place name in the script
    "Thai": "กรุงเทพมหานคร", "Lao": "ວຽງຈັນ", "Khmer": "ភ្នំពេញ", "Myanmar": "ရန်ကုန်",
    "Arabic": "القاهرة", "Devanagari": "दिल्ली"}


def test_the_regions_scripts_print_each_in_its_own_font_and_only_where_needed(tmp_path):
    """A paragraph naming places in Thai, Lao, Khmer, Myanmar, Arabic and Hindi builds; each
    script is embedded in the PDF as a subset of its own font, and the page copied beside the
    HTML takes those fonts along. A page in Latin script loads none of them."""
    folder = tmp_path / "content" / "places"
    base = ROOT / "tests" / "fixtures" / "invalid" / "_base"
    folder.mkdir(parents=True)
    for source in base.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    names = ", ".join(f"{place} ({script})" for script, place in SCRIPTS.items())
    for lang, lead in (("en", "The capitals"), ("vi", "Các thủ đô")):
        text = yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
        text["sections"][0]["blocks"].append({"p": f"{lead}: {names}."})
        (folder / f"{lang}.yaml").write_text(yaml.safe_dump(text, allow_unicode=True),
                                             encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--lang", "en", "--content", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pdf = out / "en" / "places.pdf"
    embedded = {str(font["/BaseFont"]).partition("+")[2] for page in PdfReader(pdf).pages
                for font in page["/Resources"]["/Font"].values()}
    assert {f"Journal-{script}" for script in SCRIPTS} <= embedded, embedded
    text = pdftotext(pdf)
    # Read back whole where pdftotext keeps the cluster together (it puts spaces inside some
    # Thai, Khmer and Myanmar clusters, which the fonts draw joined).
    for place in ("ວຽງຈັນ", "दिल्ली", "القاهرة"):
        assert place in text, place
    copied = sorted(p.name for p in (out / "en" / "fonts").iterdir())
    assert "NotoSerifThai-Regular.ttf" in copied and "NotoNaskhArabic-Bold.ttf" in copied

    latin = tmp_path / "latin"
    result = run_build("--lang", "en", "--content", str(base), "--out", str(latin))
    assert result.returncode == 0, result.stderr
    embedded = {str(font["/BaseFont"]).partition("+")[2]
                for page in PdfReader(latin / "en" / "_base.pdf").pages
                for font in page["/Resources"]["/Font"].values()}
    assert embedded <= {"Journal-Serif", "Journal-Serif-Bold", "Journal-Serif-Italic"}, embedded
    assert not [p for p in (latin / "en" / "fonts").iterdir() if p.name.startswith("Noto")]
    assert write.Assets(FONTS, tmp_path, fallbacks=(), optional=(
        "NotoSerifThai-Regular.ttf",)).resolve("fonts/NotoSerifThai-Regular.ttf") is None
