"""Translation tracking: blocks are known by their content, the source language is the one
translated from, and each drift planted in a copy of the sample is reported once, at the
translation's line, naming the source's line, with what changed in the source word by word."""

from __future__ import annotations

import io
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from conftest import ROOT, SAMPLE

from songngu import cli, pipeline, sync
from songngu.untranslated import reads_as, untranslated
from songngu.worddiff import colour, word_diff

BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base"
SETUP = ["--templates", str(ROOT / "templates"), "--fonts", str(ROOT / "fonts")]
ECONOMY_EN = "At the ASEAN–Japan Summit in Phnom Penh"
ECONOMY_VI = "Tại Hội nghị Cấp cao ASEAN – Nhật Bản ở Phnom Penh"


def run(capsys, *args: str) -> tuple[int, list[str], str]:
    """``python build.py ARGS`` in-process: exit status, warning lines, standard output."""
    code = cli.main([*args, *SETUP])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


def check(capsys, content: str = "content") -> list[str]:
    code, err, _ = run(capsys, "check", "--content", content)
    assert code == 0, err
    return err


def status(capsys, content: str = "content") -> list[str]:
    _code, _, out = run(capsys, "check", "--content", content)
    return [line.strip() for line in out.splitlines() if line.startswith("  ")]


@pytest.fixture
def article(tmp_path, monkeypatch, capsys) -> Path:
    """The small base document in ``content/article``, every block marked in sync."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(BASE, folder)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "sync", "--all")[0] == 0
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line(path: Path, needle: str) -> int:
    """The line of the block in which ``needle`` stands."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, text in enumerate(lines) if needle in text + "\n"]
    assert len(found) == 1, needle
    for i in range(found[0], -1, -1):
        if re.match(r"^\s*- (p|heading|quote|list|ordered|table|figure|id):", lines[i]):
            return i + 1
    raise AssertionError(needle)


def where(folder: Path, lang: str, needle: str) -> str:
    return f"content/{folder.name}/{lang}.yaml:{line(folder / f'{lang}.yaml', needle)}"


# --------------------------------------------------------------------------- the sample

def test_the_shipped_sample_is_fully_in_sync(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert check(capsys, "content/asean-japan") == []
    checked = pipeline.check_document(SAMPLE)
    total = len(checked.translation.states)
    assert total > 80
    assert status(capsys, "content/asean-japan") == [
        f"en: the source, {total} blocks",
        f"vi: {total} blocks, {total} in sync, 0 stale, 0 missing, 0 changed since the last "
        f"sync, 0 untranslated"]
    records = yaml.safe_load((SAMPLE / "sync.yaml").read_text(encoding="utf-8"))
    assert list(records) == list(checked.translation.states)
    # The source text as last marked in sync, readable in a diff; fingerprints of the rest.
    assert records["economy/1"]["en"].startswith("At the ASEAN–Japan Summit in Phnom Penh")
    assert re.fullmatch(r"[0-9a-f]{12}", records["economy/1"]["vi"])


@pytest.mark.parametrize("document", ["urban-heat", "rainfall-note", "japanese-teaching"])
def test_every_gallery_document_is_fully_in_sync(monkeypatch, capsys, document):
    monkeypatch.chdir(ROOT)
    assert check(capsys, f"content/{document}") == []
    source, translation = status(capsys, f"content/{document}")
    total = int(re.search(r"the source, (\d+) blocks", source).group(1))
    assert translation.endswith(f"{total} blocks, {total} in sync, 0 stale, 0 missing, "
                                f"0 changed since the last sync, 0 untranslated")


# --------------------------------------------------------------------------- planted drifts

DRIFTS = {
    # name: (edits as (lang, old, new), the vi needle, the en needle, message pattern)
    "a paragraph inserted in the source": (
        [("en", "              - heading: Trade\n",
          "              - p: A paragraph added to the source after the translation.\n"
          "              - heading: Trade\n")],
        "              - heading: Thương mại", "A paragraph added to the source",
        r"missing translation: block 2 \(paragraph\) of section 'economy' \(en: {en}\) has no "
        r"counterpart in vi; translate it before the block at this line"),
    "a paragraph deleted from the translation": (
        [("vi", "              - heading: Thương mại\n", "")],
        "Năm 2000, kim ngạch thương mại", "              - heading: Trade",
        r"missing translation: block 2 \(subheading\) of section 'economy' \(en: {en}\) has no "
        r"counterpart in vi; translate it before the block at this line"),
    "a paragraph deleted from the source": (
        [("en", "              - heading: Trade\n", "")],
        "              - heading: Thương mại", "In 2000, trade between ASEAN",
        r"not in the source: block 2 \(subheading\) of section 'economy' of vi has no "
        r"counterpart in en \({en}\): remove it, or restore its source there"),
    "a paragraph edited in the source after sync": (
        [("en", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")],
        ECONOMY_VI, "At the ASEAN–Japan Summit in Phnom Penh on 5",
        r"stale translation: block 1 \(paragraph\) of section 'economy' was changed in en "
        r"\({en}\) since it was last marked in sync: … Summit in Phnom Penh "
        r"\[-in-\]\{\+on 5\+\} November 2002, the two …; states different numbers: only in "
        r"en: 5; only in vi: nothing; update it, then run: python build.py sync --lang vi "
        r"--block economy/1"),
    "a translation-only edit": (
        [("vi", "Phnom Penh tháng 11 năm 2002", "Phnom Penh vào tháng 11 năm 2002")],
        ECONOMY_VI, ECONOMY_EN,
        r"not marked in sync: block 1 \(paragraph\) of section 'economy' was edited in vi "
        r"since it was last marked in sync, its source \({en}\) was not; once the translation "
        r"is right, run: python build.py sync --lang vi --block economy/1"),
    "a number changed in the translation": (
        [("vi", "173,1 tỷ USD lên 214,4 tỷ USD", "173,1 tỷ USD lên 241,4 tỷ USD")],
        "173,1 tỷ USD lên 241,4", "214.4 billion USD. ASEAN",
        r"not marked in sync: block 4 \(paragraph\) of section 'economy' was edited in vi .*; "
        r"states different numbers: only in en: 214.4; only in vi: 241.4; .*--block economy/4"),
    "a citation dropped from the translation": (
        [("vi", "Vũ Văn Hà [@vu2007] đã", "Vũ Văn Hà đã")],
        "Vũ Văn Hà đã", "Vu Van Ha [@vu2007]",
        r"not marked in sync: block 1 \(paragraph\) of section 'introduction' .*; cites "
        r"differently: only in en: \[@vu2007\]; only in vi: nothing; .*--block "
        r"introduction/1"),
    "English pasted into the translation": (
        [],  # see _paste_english
        "Phnom Penh in November 2002, the two sides", ECONOMY_EN,
        r"not marked in sync: block 1 \(paragraph\) of section 'economy' was edited in vi .*; "
        r"looks untranslated: its text is the same as in en; once the translation .*"),
}


def _paste_english(folder: Path) -> None:
    en = (folder / "en.yaml").read_text(encoding="utf-8")
    vi = (folder / "vi.yaml").read_text(encoding="utf-8")
    english = en[en.index(" " * 18 + ECONOMY_EN):en.index("              - heading: Trade")]
    start = vi.index(" " * 18 + ECONOMY_VI)
    (folder / "vi.yaml").write_text(
        vi[:start] + english + vi[vi.index("              - heading: Thương mại"):],
        encoding="utf-8")


@pytest.mark.parametrize("drift", DRIFTS)
def test_each_planted_drift_is_reported_once_at_both_lines(sample, capsys, drift):
    edits, vi_needle, en_needle, pattern = DRIFTS[drift]
    if drift.startswith("English"):
        _paste_english(sample)
    else:
        for lang, old, new in edits:
            edit(sample / f"{lang}.yaml", old, new)
    found = check(capsys)
    assert len(found) == 1, found
    at, _, message = found[0].partition(": warning: ")
    assert at == where(sample, "vi", vi_needle)
    assert re.fullmatch(pattern.replace("{en}", re.escape(where(sample, "en", en_needle))),
                        message), message


def test_a_moved_paragraph_is_reported_once_and_nothing_else_moves(sample, capsys):
    en = sample / "en.yaml"
    lines = en.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("              - p: >-\n", lines.index("            title: Economic "
                                                                "relations\n"))
    end = lines.index("              - heading: Trade\n")
    moved = lines[start:end]
    del lines[start:end]
    after = lines.index("              - heading: Trade\n") + 1
    after += 1 + next(i for i, text in enumerate(lines[after + 1:]) if not text.startswith(
        " " * 18))
    lines[after:after] = moved
    en.write_text("".join(lines), encoding="utf-8")
    found = check(capsys)
    assert found == [
        f"{where(sample, 'vi', ECONOMY_VI)}: warning: moved: block 3 (paragraph) of section "
        f"'economy' stands in another place in vi than in en ({where(sample, 'en', ECONOMY_EN)})"
        f": move it so that the blocks follow the same order"]


def test_inserting_a_paragraph_leaves_the_others_in_sync(sample, capsys):
    """The position keys of the blocks after it shift; their records follow the content."""
    edit(sample / "en.yaml", "              - heading: Trade\n",
         "              - p: A paragraph added to the source.\n              - heading: Trade\n")
    lines = status(capsys)
    assert re.fullmatch(r"vi: (\d+) blocks, (\d+) in sync, 0 stale, 1 missing, 0 changed "
                        r"since the last sync, 0 untranslated", lines[1])
    edit(sample / "vi.yaml", "              - heading: Thương mại\n",
         "              - p: Một đoạn văn được thêm vào bản gốc.\n"
         "              - heading: Thương mại\n")
    assert run(capsys, "sync", "--lang", "vi")[2].startswith("marked 1 block of vi in sync")
    assert check(capsys) == []
    records = yaml.safe_load((sample / "sync.yaml").read_text(encoding="utf-8"))
    assert records["economy/2"]["en"] == "A paragraph added to the source."
    assert records["economy/3"]["en"] == "Trade"


def test_editing_the_translation_never_makes_the_source_stale(sample, capsys):
    edit(sample / "vi.yaml", "Phnom Penh tháng 11 năm 2002", "Phnom Penh ngày 5 tháng 11 năm 2002")
    found = check(capsys)
    assert len(found) == 1 and "/vi.yaml:" in found[0] and "stale" not in found[0]
    assert "en.yaml" not in found[0].split(":")[0]


def test_the_translators_round_updates_marks_and_clears(sample, capsys):
    """The source changes; the translator follows; ``sync --lang vi`` marks what was done."""
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    edit(sample / "en.yaml", "129 billion USD. In", "129.5 billion USD. In")
    assert len(check(capsys)) == 2
    edit(sample / "vi.yaml", "Phnom Penh tháng 11 năm 2002", "Phnom Penh ngày 5 tháng 11 năm 2002")
    found = check(capsys)
    assert len(found) == 2
    assert "was updated in vi after its source changed" in found[0]
    assert "[-in-]{+on 5+}" in found[0]
    code, _, out = run(capsys, "sync", "--lang", "vi")
    assert code == 0 and out.startswith("marked 1 block of vi in sync")
    found = check(capsys)
    assert len(found) == 1 and found[0].startswith(where(sample, "vi", "Năm 2000, kim ngạch"))
    assert "[-129-]{+129.5+}" in found[0]


def test_source_language_can_be_named(sample, capsys):
    edit(sample / "document.yaml", "languages: [en, vi]\n",
         "languages: [en, vi]\nsource_language: vi\n")
    shutil.copyfile(SAMPLE / "sync.yaml", sample / "sync.yaml")
    (sample / "sync.yaml").unlink()
    assert run(capsys, "sync", "--all")[0] == 0
    records = yaml.safe_load((sample / "sync.yaml").read_text(encoding="utf-8"))
    assert records["title"]["vi"].startswith("Quan hệ ASEAN")
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    found = check(capsys)
    assert len(found) == 1 and found[0].startswith(where(sample, "en", ECONOMY_EN))
    assert "edited in en since it was last marked in sync" in found[0]
    code, err, _ = run(capsys, "sync", "--lang", "vi", "--block", "economy/1")
    assert code == 2 and "vi is the source language" in err[0]


def test_an_unknown_source_language_is_an_error(sample, capsys):
    edit(sample / "document.yaml", "languages: [en, vi]\n",
         "languages: [en, vi]\nsource_language: fr\n")
    code, err, _ = run(capsys, "check")
    assert code == 1
    assert err[0] == "content/asean-japan/document.yaml:4: source_language: expected one of " \
                     "the languages (en, vi), found 'fr'"


# --------------------------------------------------------------------------- block ids

def test_block_ids_pair_blocks_and_name_them(article, capsys):
    en, vi = article / "en.yaml", article / "vi.yaml"
    edit(en, "          - p: Two regions, one market.",
         "          - p: Two regions, one market.\n            id: market")
    edit(vi, "          - p: Hai khu vực, một thị trường.",
         "          - id: market\n            p: Hai khu vực, một thị trường.")
    assert check(capsys) == []  # giving a block an id does not change what it says
    code, _, out = run(capsys, "sync", "--lang", "vi", "--block", "market")
    assert code == 0 and out.startswith("marked 1 block of vi in sync")
    assert "background/market:" in (article / "sync.yaml").read_text(encoding="utf-8")
    edit(en, "Two regions, one market.", "Two regions, one single market.")
    found = check(capsys)
    assert len(found) == 1 and found[0].endswith("--block background/market")
    edit(en, "Two regions, one single market.", "Two regions, one market.")
    # The id, not the position, pairs the blocks: a paragraph put before it changes nothing.
    edit(en, "          - p: Two regions, one market.",
         "          - p: An added first paragraph.\n          - p: Two regions, one market.")
    found = check(capsys)
    assert len(found) == 1 and found[0].startswith(
        f"{where(article, 'vi', 'Hai khu vực')}: warning: missing translation: block 1 "
        f"(paragraph) of section 'background'")


def test_a_field_of_the_front_matter_missing_in_a_translation_is_named(article, capsys):
    """The status counts it missing; the check says which, at the translation's first line
    (the field has no place of its own there)."""
    en, vi = article / "en.yaml", article / "vi.yaml"
    edit(en, "keywords: [Trade, Asia]\n", "keywords: [Trade, Asia]\njournal: Sample Journal\n")
    edit(vi, "keywords: [Thương mại, Châu Á]\n",
         "keywords: [Thương mại, Châu Á]\njournal: Tạp chí Mẫu\n")
    assert run(capsys, "sync", "--all")[0] == 0
    edit(vi, "journal: Tạp chí Mẫu\n", "")
    found = [line for line in check(capsys) if "journal" in line]
    assert len(found) == 1 and found[0].startswith(
        "content/article/vi.yaml:1: warning: missing translation: the journal's name (en: "
        "content/article/en.yaml:9)") and found[0].endswith("translate it in vi.yaml"), found


@pytest.mark.parametrize("value, message", [
    ("'3'", "expected a block id that is a name such as 'trade-growth', found '3' (numbers "
            "and 'title' name positions and titles)"),
    ("Market", "expected an id of lowercase letters, digits, '-' or '_', found 'Market'"),
])
def test_a_bad_block_id_is_an_error_with_its_line(article, capsys, value, message):
    edit(article / "en.yaml", "          - p: Two regions, one market.",
         f"          - p: Two regions, one market.\n            id: {value}")
    code, err, _ = run(capsys, "check")
    assert code == 1
    at = (article / "en.yaml").read_text(encoding="utf-8").splitlines().index(
        f"            id: {value}") + 1
    assert err[0] == f"content/article/en.yaml:{at}: section " \
                     f"'background', block 1: {message}"


# --------------------------------------------------------------------------- marking

def test_sync_asks_which_blocks(article, capsys):
    before = (article / "sync.yaml").read_bytes()
    code, err, _ = run(capsys, "sync")
    assert code == 2
    assert err == ["error: sync: say which blocks to mark in sync: --lang LANG (the blocks "
                   "updated in LANG), --block KEY (repeatable) or --all"]
    code, err, _ = run(capsys, "sync", "--lang", "vi", "--block", "backgruond/1")
    assert code == 2
    assert err == ["error: sync: content/article has no block 'backgruond/1' in vi (did you "
                   "mean 'background/1', 'background/title'?)"]
    assert (article / "sync.yaml").read_bytes() == before


def test_review_walks_through_each_block_and_asks(article, capsys, monkeypatch):
    en = article / "en.yaml"
    edit(en, "Two regions, one market.", "Two regions, one single market.")
    edit(en, "title: Trade between two regions", "title: Trade between the two regions")
    monkeypatch.setattr(sys, "stdin", io.StringIO("maybe\nn\ny\n"))
    code, _, out = run(capsys, "sync", "--lang", "vi", "--review")
    assert code == 0
    assert "[1/2] title: the title (stale in vi)" in out
    assert "change in en: Trade between {+the+} two regions" in out
    assert "please answer y, n or q" in out
    assert "[2/2] background/1: block 1 (paragraph) of section 'background'" in out
    assert "change in en: Two regions, one {+single+} market." in out
    assert out.rstrip().endswith("marked 1 block of vi in sync: wrote content/article/sync.yaml")
    found = check(capsys)
    assert len(found) == 1 and "the title was changed in en" in found[0]


def test_suggested_commands_name_the_document_when_there_are_several(article, capsys):
    shutil.copytree(article, article.parent / "second")
    edit(article / "en.yaml", "Two regions, one market.", "Two regions, one single market.")
    found = check(capsys)
    assert len(found) == 1
    assert found[0].endswith("run: python build.py sync --content content/article --lang vi "
                             "--block background/1")


def test_records_of_the_first_format_still_work_and_are_upgraded(article, capsys):
    records = yaml.safe_load((article / "sync.yaml").read_text(encoding="utf-8"))
    checked = pipeline.check_document(article)
    old = {key: {lang: sync._legacy("\n".join(["p", text])) if key.startswith("background/")
                 else sync._legacy(text) for lang, text in (
                     ("en", entry["en"]),
                     ("vi", checked.doc.texts["vi"].sections[0].sections[0].blocks[0].text
                      if key == "background/1" else None)) if text is not None}
           for key, entry in records.items() if key == "background/1"}
    (article / "sync.yaml").write_text(yaml.safe_dump(old), encoding="utf-8")
    assert status(capsys)[1].startswith("vi: 13 blocks, 1 in sync, 0 stale, 0 missing, 12 "
                                        "changed")
    assert run(capsys, "sync", "--all")[0] == 0
    assert yaml.safe_load((article / "sync.yaml").read_text(encoding="utf-8"))[
        "background/1"]["en"] == "Two regions, one market."


def test_reflowing_or_decomposing_text_changes_nothing(article, capsys):
    edit(article / "en.yaml",
         "          In 2000 trade reached 129.5 billion USD [@lee2007, p. 12],",
         "          In 2000 trade reached\n          129.5 billion USD   [@lee2007, p. 12],")
    vi = article / "vi.yaml"
    vi.write_text(unicodedata.normalize("NFD", vi.read_text(encoding="utf-8")), encoding="utf-8")
    assert check(capsys) == []


def test_a_document_without_records_is_not_tracked_until_synced(tmp_path, monkeypatch, capsys):
    shutil.copytree(BASE, tmp_path / "content" / "article")
    monkeypatch.chdir(tmp_path)
    assert check(capsys) == []
    assert status(capsys)[1] == "vi: 13 blocks, 0 missing, 0 untranslated, not tracked yet " \
                                "(start with: python build.py sync --all)"
    _code, _, out = run(capsys, "sync", "--all")
    assert out.splitlines() == [
        "marked 13 blocks of every language in sync: wrote content/article/sync.yaml"]


def test_marking_refuses_content_with_errors(article, capsys):
    before = (article / "sync.yaml").read_bytes()
    edit(article / "vi.yaml", "abstract: >-", "abstarct: >-")
    code, err, _ = run(capsys, "sync", "--all")
    assert code == 1
    assert "content/article/vi.yaml:6: unknown key 'abstarct' (did you mean 'abstract'?)" in err
    assert (article / "sync.yaml").read_bytes() == before


FRENCH = {
    "Thương mại giữa hai khu vực": "Le commerce entre les deux régions",
    "Nguyễn Văn An": "Nguyen Van An", "Trường Đại học Sư phạm": "École normale supérieure",
    "Thương mại giữa hai khu vực tăng lên 129,5 tỷ USD vào năm 2000.":
        "Le commerce entre les deux régions a atteint 129,5 milliards USD en 2000.",
    "[Thương mại, Châu Á]": "[Commerce, Asie]",
    "Thương mại theo năm (tỷ USD)": "Commerce par année (milliards USD)",
    "[Năm, Thương mại]": "[Année, Commerce]", "Nguồn:": "Source :",
    "Giới thiệu": "Introduction", "Bối cảnh": "Contexte",
    "Năm 2000, thương mại đạt 129,5 tỷ USD [@lee2007, p. 12],\n          như [@tbl:trade] cho "
    "thấy.": "En 2000, le commerce a atteint 129,5 milliards USD [@lee2007, p. 12],\n"
             "          comme le montre [@tbl:trade].",
    "Hai khu vực, một thị trường.": "Deux régions, un marché.",
}


def test_a_third_language_that_did_not_follow_stays_stale(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "content" / "article"
    shutil.copytree(BASE, folder)
    french = (folder / "vi.yaml").read_text(encoding="utf-8")
    for vi, fr in sorted(FRENCH.items(), key=lambda item: -len(item[0])):
        assert vi in french, vi
        french = french.replace(vi, fr)
    (folder / "fr.yaml").write_text(french, encoding="utf-8")
    edit(folder / "document.yaml", "languages: [en, vi]", "languages: [en, vi, fr]")
    monkeypatch.chdir(tmp_path)
    # Marking blocks in sync needs no label catalog; building, hence check, does.
    assert run(capsys, "sync", "--all")[0] == 0
    code, err, _ = run(capsys, "check", "--content", "content")
    assert code == 1 and "language 'fr' has no label catalog" in err[0], err
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    with (templates / "journal/locales/messages.pot").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    po = templates / "journal/locales/fr/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(sys.modules[__name__], "SETUP",
                        ["--templates", str(templates), "--fonts", str(ROOT / "fonts")])
    assert check(capsys) == []
    edit(folder / "en.yaml", "Two regions, one market.", "Two regions, a single market.")
    edit(folder / "vi.yaml", "Hai khu vực, một thị trường.", "Hai khu vực, một thị trường chung.")
    assert run(capsys, "sync", "--lang", "vi")[0] == 0
    found = check(capsys)
    assert len(found) == 1 and found[0].startswith(where(folder, "fr", "Deux régions"))
    assert "stale translation" in found[0] and "[-one-]{+a single+}" in found[0]
    records = yaml.safe_load((folder / "sync.yaml").read_text(encoding="utf-8"))
    assert records["background/1"]["behind"] == {"fr": "Two regions, one market."}
    edit(folder / "fr.yaml", "Deux régions, un marché.", "Deux régions, un marché unique.")
    assert run(capsys, "sync", "--lang", "fr")[0] == 0
    assert check(capsys) == []
    assert "behind" not in (folder / "sync.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers

def test_word_diff_shows_the_change_with_a_little_context():
    old = "one two three four five six seven eight nine ten in November 2002 the end"
    new = "one two three four five six seven eight nine ten on 5 November 2002 the end"
    assert word_diff(old, new) == "… seven eight nine ten [-in-]{+on 5+} November 2002 the end"
    assert word_diff("a b", "a b") == ""
    assert colour("x [-in-]{+on+} y") == "x \x1b[31m\x1b[9min\x1b[0m\x1b[32mon\x1b[0m y"


@pytest.mark.parametrize("text, lang", [
    ("Quan hệ ASEAN – Nhật Bản là một trong những mối quan hệ lâu đời nhất", "vi"),
    ("Quan he ASEAN va Nhat Ban la mot trong nhung moi quan he cua khu vuc", None),
    ("ASEAN–Japan relations are among the longest-standing in the region", "en"),
    ("Vũ Văn Hà [@vu2007] clarified the nature of the three actors", "en"),
    ("ASEAN Japan", None),
])
def test_reads_as(text, lang):
    assert reads_as(text) == lang


def test_untranslated_heuristic():
    english = "The two sides adopted the Joint Declaration in 2002."
    assert untranslated(english, english, "en", "vi") == "its text is the same as in en"
    assert untranslated(english, "Both sides adopted the declaration in 2002.", "en", "vi") == \
        "it reads as English, not Vietnamese"
    assert untranslated(english, "Hai bên đã thông qua Tuyên bố chung năm 2002.", "en",
                        "vi") is None
    assert untranslated("ASEAN – Japan", "ASEAN – Japan", "en", "vi") is None
    assert untranslated("Hai bên đã thông qua Tuyên bố chung.",
                        "Hai bên đã thông qua Tuyên bố chung.", "vi", "en") is not None


def test_a_terminal_sees_the_diff_in_colour(sample, capsys, monkeypatch):
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["check", *SETUP]) == 0
    assert "Phnom Penh \x1b[31m\x1b[9min\x1b[0m\x1b[32mon 5\x1b[0m November" in terminal.getvalue()


def test_records_of_another_source_language_are_set_aside_with_a_warning(sample, capsys):
    edit(sample / "document.yaml", "languages: [en, vi]\n",
         "languages: [en, vi]\nsource_language: vi\n")
    found = check(capsys)
    assert found == ["content/asean-japan/sync.yaml:1: warning: the sync records keep the "
                     "text of another source language than vi, the one of document.yaml (was "
                     "source_language changed?): the translations are not tracked until: "
                     "python build.py sync --all"]
    assert run(capsys, "sync", "--all")[0] == 0
    assert check(capsys) == []


GALLERY_EN = "For each scene we split the pixels into an urban set $U$ and a rural"
GALLERY_VI = "Với mỗi cảnh ảnh, chúng tôi chia các điểm ảnh thành tập đô thị $U$"


@pytest.mark.parametrize("drift, edits, pattern", [
    ("a footnote removed from the translation",
     [("vi", "của hai tập[^landsat]:", "của hai tập:")],
     r"not marked in sync: block 2 \(paragraph\) of section 'method' was edited in vi .*; "
     r"has 1 footnote in en, 0 in vi; .*--block method/2"),
    ("a paragraph edited in the source after sync",
     [("en", "take the intensity as the difference", "take the intensity as the mean difference")],
     r"stale translation: block 2 \(paragraph\) of section 'method' was changed in en "
     r"\({en}\) since it was last marked in sync: .*\{\+mean\+\}.*"),
])
def test_drifts_planted_in_a_gallery_article_are_reported_once_at_both_lines(
        tmp_path, monkeypatch, capsys, drift, edits, pattern):
    folder = tmp_path / "content" / "urban-heat"
    shutil.copytree(ROOT / "content" / "urban-heat", folder)
    monkeypatch.chdir(tmp_path)
    for lang, old, new in edits:
        edit(folder / f"{lang}.yaml", old, new)
    found = check(capsys, "content/urban-heat")
    assert len(found) == 1, found
    at, _, message = found[0].partition(": warning: ")
    assert at == where(folder, "vi", GALLERY_VI)
    assert re.fullmatch(pattern.replace("{en}", re.escape(where(folder, "en", GALLERY_EN))),
                        message), message
