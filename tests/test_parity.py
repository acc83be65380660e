"""The two languages of a document say the same thing: drifts planted in a copy are found.

Each planted drift is reported once with both files and lines: what a block or a named text
says differently at the Vietnamese translation, naming its English source; what differs in the
structure (sections, keywords, tables) at the English side. The copies here have no sync
records, so that the findings are those of parity alone (tests/test_sync.py plants drifts in
a tracked copy). The shipped sample reports nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, run_build

from songngu import pipeline
from songngu.errors import display_path
from songngu.inline import parse_inline
from songngu.parity import numbers_in
from songngu.project import Project

BLOCK_START = re.compile(r"^\s*- (p|heading|quote|list|ordered|table|figure):|^\s*- id:|"
                         r"^(  )?[\w-]+:")
BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    """The line of the block (or section, or top-level field) in which ``needle`` stands;
    a needle ending in a line break matches the end of a line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines) if needle in line + "\n"]
    assert len(found) == 1, needle
    for i in range(found[0], -1, -1):
        if BLOCK_START.match(lines[i]):
            return i + 1
    raise AssertionError(needle)


def _parity(folder: Path) -> list:
    (folder / "sync.yaml").unlink(missing_ok=True)
    checked = pipeline.check_document(folder)
    return checked.problems.items


def _assert_one_finding(folder: Path, en_needle: str, vi_needle: str, message: str,
                        at: str = "vi") -> None:
    found = _parity(folder)
    assert len(found) == 1, [str(p) for p in found]
    en, vi = folder / "en.yaml", folder / "vi.yaml"
    here, there = (vi, en) if at == "vi" else (en, vi)
    here_needle, there_needle = (vi_needle, en_needle) if at == "vi" else (en_needle, vi_needle)
    finding = found[0]
    assert (finding.file, finding.line) == (display_path(here), _line_of(here, here_needle))
    assert finding.severity == "warning"
    assert finding.message == f"parity: {message} (counterpart: {display_path(there)}:" \
                              f"{_line_of(there, there_needle)})"


def test_the_shipped_sample_reports_no_finding():
    project = Project(ROOT / "content", ROOT / "templates", ROOT / "fonts",
                               ROOT / "build")
    checked = pipeline.check_document(SAMPLE, strict=True, project=project)
    pipeline.resolve_document(checked, strict=True)
    assert [str(p) for p in checked.problems.items] == []


def test_check_of_the_shipped_sample_prints_no_warning():
    result = run_build("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "content/asean-japan: 0 warning(s), no errors" in result.stdout


DRIFTS = {
    "a number": (
        "vi", "173,1 tỷ USD lên 214,4 tỷ USD", "173,1 tỷ USD lên 241,4 tỷ USD",
        "214.4 billion USD. ASEAN", "173,1 tỷ USD lên 241,4",
        "block 4 (paragraph) of section 'economy' states different numbers: only in en: "
        "214.4; only in vi: 241.4"),
    "a pinpoint": (
        "vi", "14,324 tỷ USD [@pham1997, p. 111]", "14,324 tỷ USD [@pham1997, p. 112]",
        "[@pham1997, p. 111]", "[@pham1997, p. 112]",
        "block 2 (paragraph) of section 'late-twentieth-century' cites differently: only in "
        "en: [@pham1997, page 111]; only in vi: [@pham1997, page 112]"),
    "a dropped citation": (
        "vi", "Vũ Văn Hà [@vu2007] đã", "Vũ Văn Hà đã",
        "Vu Van Ha [@vu2007]", "Vũ Văn Hà đã",
        "block 1 (paragraph) of section 'introduction' cites differently: only in en: "
        "[@vu2007]; only in vi: nothing"),
    "a cross-reference": (
        "vi", "[@sec:economy] phân tích", "[@sec:culture-education] phân tích",
        "[@sec:economy] examines", "[@sec:culture-education] phân tích",
        "block 1 (paragraph) of section 'situation' cites differently: only in en: "
        "section:economy; only in vi: section:culture-education"),
    "a block of another kind": (
        "vi", "              - heading: Thương mại\n", "              - p: Thương mại\n",
        "- heading: Trade", "- p: Thương mại",
        "block 2 (subheading) of section 'economy' is a subheading in en but a paragraph in "
        "vi"),
    "the keywords count": (
        "vi", "  - Thế kỉ XXI\n", "  - Thế kỉ XXI\n  - Hợp tác\n",
        "keywords:", "keywords:", "5 keywords in en, 6 in vi"),
    "a table note": (
        "vi", "2013 [@le2017, pp. 22-23]", "2014 [@le2017, pp. 22-23]",
        "  trade:\n", "  trade:\n",
        "the note of table 'trade' states different numbers: only in en: 2013; only in vi: 2014"),
    "the title": (
        "vi", "title: Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI",
        "title: Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XX",
        "title: ASEAN–Japan relations in the first",
        "title: Quan hệ ASEAN – Nhật Bản hai",
        "the title states different numbers: only in en: 21; only in vi: 20"),
}


@pytest.mark.parametrize("drift", DRIFTS)
def test_each_planted_drift_is_reported_with_both_locations(sample_copy, drift):
    lang, old, new, en_needle, vi_needle, message = DRIFTS[drift]
    _replace(sample_copy / f"{lang}.yaml", old, new)
    _assert_one_finding(sample_copy, en_needle, vi_needle, message,
                        "en" if "keywords in" in message else "vi")


def test_sections_in_another_order_are_reported_where_they_part(sample_copy):
    vi = sample_copy / "vi.yaml"
    lines = vi.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("          - id: impacts\n")
    middle = lines.index("          - id: prospects\n")
    end = lines.index("  - id: conclusion\n")
    lines[start:end] = lines[middle:end] + lines[start:middle]
    vi.write_text("".join(lines), encoding="utf-8")
    _assert_one_finding(
        sample_copy, "- id: impacts\n", "- id: prospects\n",
        "sections of section 'impacts-prospects' differ from section 1 on: en has impacts, "
        "prospects; vi has prospects, impacts", at="en")


def _base_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "article"
    shutil.copytree(BASE, folder)
    return folder


def test_lists_of_different_length_are_reported(tmp_path):
    folder = _base_copy(tmp_path)
    _replace(folder / "en.yaml", "          - p: Two regions, one market.",
             "          - list: [Goods, Services, Capital]")
    _replace(folder / "vi.yaml", "          - p: Hai khu vực, một thị trường.",
             "          - list: [Hàng hóa, Dịch vụ]")
    _assert_one_finding(folder, "Goods, Services", "Hàng hóa, Dịch vụ",
                        "block 1 (list) of section 'background' has 3 items in en, 2 in vi")


def test_a_table_captioned_in_one_language_only_is_reported(tmp_path):
    folder = _base_copy(tmp_path)
    document = folder / "document.yaml"
    document.write_text(document.read_text(encoding="utf-8") + (
        "  fdi:\n    columns: [{kind: year}, {kind: number}]\n    rows: [[2011, 9]]\n"),
        encoding="utf-8")
    _replace(folder / "en.yaml", "\nsections:\n",
             "\n  fdi:\n    caption: Investment\n    columns: [Year, FDI]\nsections:\n")
    found = _parity(folder)
    en, vi = folder / "en.yaml", folder / "vi.yaml"
    assert [str(p) for p in found] == [
        f"{display_path(en)}:{_line_of(en, 'caption: Investment')}: warning: parity: table "
        f"'fdi' has a caption in en but none in vi (counterpart: {display_path(vi)}:"
        f"{_line_of(vi, 'tables:')})"]


def test_parity_findings_are_warnings_and_errors_with_strict(tmp_path, sample_copy):
    _replace(sample_copy / "vi.yaml", "173,1 tỷ USD lên 214,4 tỷ USD",
             "173,1 tỷ USD lên 241,4 tỷ USD")
    content = str(sample_copy.parent)
    lenient = run_build("check", "--content", content)
    strict = run_build("check", "--content", content, "--strict")
    line = _line_of(sample_copy / "vi.yaml", "173,1 tỷ USD lên 241,4")
    assert lenient.returncode == 0
    assert f"vi.yaml:{line}: warning: not marked in sync: block 4 (paragraph) of section " \
           f"'economy' was edited in vi" in lenient.stderr
    assert "states different numbers: only in en: 214.4; only in vi: 241.4" in lenient.stderr
    assert strict.returncode == 1
    assert f"vi.yaml:{line}: not marked in sync: block 4 (paragraph)" in strict.stderr
    assert "warning" not in strict.stderr
    assert strict.stderr.endswith("1 error: nothing was written\n")


@pytest.mark.parametrize("en, vi", [
    ("214.4 billion USD", "214,4 tỷ USD"),
    ("19.8%", "19,8%"),
    ("14,324.5 and 6,000", "14.324,5 và 6.000"),
    ("in March 1977", "vào tháng 3 năm 1977"),
    ("on January 14, 2002", "ngày 14 tháng 1 năm 2002"),
    ("on January 14, 2002", "ngày 14/1/2002"),
    ("the 21^st^ century", "thế kỉ XXI"),
    ("the 10th meeting", "lần thứ 10"),
    ("the 1990s", "những năm 1990"),
    ("Covid-19 and ASEAN+3", "Covid-19 và ASEAN+3"),
    ("the twentieth century [@pham1997, p. 111]", "thế kỉ trước [@pham1997, tr. 111]"),
])
def test_locale_formatting_is_undone_before_numbers_are_compared(en, vi):
    assert numbers_in(parse_inline(en), "en") == numbers_in(parse_inline(vi), "vi")


@pytest.mark.parametrize("en, vi", [
    ("214.4 billion USD", "241,4 tỷ USD"),
    ("6,000 students", "6,000 sinh viên"),
    ("the 20^th^ century", "thế kỉ XXI"),
    ("in March 1977", "vào tháng 4 năm 1977"),
])
def test_numbers_that_differ_are_told_apart(en, vi):
    assert numbers_in(parse_inline(en), "en") != numbers_in(parse_inline(vi), "vi")


# Without sync records, blocks are paired by what they carry (kind, citations, numbers,
# cross-references, length): inserting, deleting or moving one block reports that block alone.

def _vi_block(text: str, starts: str) -> tuple[int, int]:
    """The span of the Vietnamese paragraph that starts with ``starts``."""
    begin = text.index(f"              - p: >-\n                  {starts}")
    return begin, text.index("              - ", begin + 10)


def test_a_paragraph_added_to_the_source_is_the_one_missing(sample_copy):
    _replace(sample_copy / "en.yaml", "              - heading: Trade\n",
             "              - p: A paragraph about trade in services since 2019.\n"
             "              - heading: Trade\n")
    found = _parity(sample_copy)
    en, vi = sample_copy / "en.yaml", sample_copy / "vi.yaml"
    assert [str(p) for p in found] == [
        f"{display_path(vi)}:{_line_of(vi, '- heading: Thương mại')}: warning: missing "
        f"translation: block 2 (paragraph) of section 'economy' (en: {display_path(en)}:"
        f"{_line_of(en, 'A paragraph about trade in services')}) has no counterpart in vi; "
        f"translate it before the block at this line"]


def test_a_paragraph_deleted_from_the_translation_is_the_one_missing(sample_copy):
    vi = sample_copy / "vi.yaml"
    text = vi.read_text(encoding="utf-8")
    begin, end = _vi_block(text, "Năm 2000, kim ngạch")
    vi.write_text(text[:begin] + text[end:], encoding="utf-8")
    found = _parity(sample_copy)
    en = sample_copy / "en.yaml"
    assert len(found) == 1
    assert found[0].message.startswith(
        f"missing translation: block 3 (paragraph) of section 'economy' (en: "
        f"{display_path(en)}:{_line_of(en, 'In 2000, trade between ASEAN')})")


def test_a_paragraph_moved_in_the_translation_is_the_one_reported(sample_copy):
    vi = sample_copy / "vi.yaml"
    text = vi.read_text(encoding="utf-8")
    begin, end = _vi_block(text, "Năm 2000, kim ngạch")
    block, text = text[begin:end], text[:begin] + text[end:]
    after = _vi_block(text, "Giai đoạn 2007 – 2008")[1] if "Giai đoạn 2007 – 2008" in text \
        else text.index("              - ", text.index("              - p: >-", begin) + 10)
    vi.write_text(text[:after] + block + text[after:], encoding="utf-8")
    found = _parity(sample_copy)
    en = sample_copy / "en.yaml"
    assert [(p.file, p.line) for p in found] == [
        (display_path(vi), _line_of(vi, "Năm 2000, kim ngạch"))]
    assert found[0].message == (
        f"moved: block 3 (paragraph) of section 'economy' stands in another place in vi than "
        f"in en ({display_path(en)}:{_line_of(en, 'In 2000, trade between ASEAN')}): move it "
        f"so that the blocks follow the same order")
