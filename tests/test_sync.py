"""Stale translations: a block changed in one language after the last sync leaves its
counterpart stale until a translator marks it in sync with ``python build.py sync``."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import yaml

from conftest import ROOT, SAMPLE, run_build

from songngu import pipeline, sync

BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base"
SETUP = ("--templates", str(ROOT / "templates"), "--fonts", str(ROOT / "fonts"))


def _article(tmp_path: Path, languages: tuple[str, ...] = ("en", "vi")) -> Path:
    """The small base document in ``content/article``, every block marked in sync."""
    folder = tmp_path / "content" / "article"
    shutil.copytree(BASE, folder)
    if "fr" in languages:
        shutil.copyfile(folder / "en.yaml", folder / "fr.yaml")
        _edit(folder / "document.yaml", "languages: [en, vi]",
              f"languages: [{', '.join(languages)}]")
    marked = _run(tmp_path, "sync", "--all")
    assert marked.returncode == 0, marked.stderr
    return folder


def _run(tmp_path: Path, *args: str):
    return run_build(*args, "--content", "content/article", *SETUP, cwd=tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _status(result) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]


def test_the_shipped_sample_is_fully_in_sync():
    result = run_build("check", "--content", "content/asean-japan")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    checked = pipeline.check_document(SAMPLE)
    total = len(checked.translation.states)
    assert total > 80
    assert _status(result) == [
        f"{lang}: {total} blocks, {total} in sync, 0 stale, 0 missing, 0 changed since the "
        f"last sync" for lang in ("en", "vi")]
    records = yaml.safe_load((SAMPLE / "sync.yaml").read_text(encoding="utf-8"))
    assert list(records) == list(checked.translation.states)
    assert "introduction/1" in records and "abstract" in records and "tables/trade/note" in records


def test_a_change_in_one_language_makes_the_other_stale_until_marked(tmp_path):
    folder = _article(tmp_path)
    before = (folder / "sync.yaml").read_text(encoding="utf-8")
    _edit(folder / "vi.yaml", "Hai khu vực, một thị trường.",
          "Hai khu vực, chung một thị trường.")
    result = _run(tmp_path, "check")
    assert result.returncode == 0
    en, vi = _line(folder / "en.yaml", "- p: Two regions"), _line(folder / "vi.yaml", "- p: Hai")
    assert result.stderr.splitlines() == [
        f"content/article/en.yaml:{en}: warning: stale translation: block 1 (paragraph) of "
        f"section 'background' was changed in vi (content/article/vi.yaml:{vi}) since the "
        f"languages were last marked in sync; update it, then run: python build.py sync "
        f"--lang en --block background/1"]
    assert _status(result) == [
        "en: 13 blocks, 12 in sync, 1 stale, 0 missing, 0 changed since the last sync",
        "vi: 13 blocks, 12 in sync, 0 stale, 0 missing, 1 changed since the last sync"]
    assert _run(tmp_path, "check", "--strict").returncode == 1

    marked = _run(tmp_path, "sync", "--lang", "en", "--block", "background/1")
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout.startswith("marked 1 block of en in sync")
    after = _run(tmp_path, "check")
    assert after.stderr == ""
    assert _status(after)[0] == \
        "en: 13 blocks, 13 in sync, 0 stale, 0 missing, 0 changed since the last sync"
    changed = [(a, b) for a, b in zip(before.splitlines(), (folder / "sync.yaml").read_text(
        encoding="utf-8").splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("background/1: {en: ")


def test_a_changed_title_makes_the_translated_title_stale(tmp_path):
    folder = _article(tmp_path)
    _edit(folder / "en.yaml", "title: Trade between two regions", "title: Trade of two regions")
    result = _run(tmp_path, "check")
    assert result.stderr.splitlines() == [
        "content/article/vi.yaml:1: warning: stale translation: the title was changed in en "
        "(content/article/en.yaml:1) since the languages were last marked in sync; update it, "
        "then run: python build.py sync --lang vi --block title"]


def test_reflowing_a_paragraph_changes_nothing(tmp_path):
    folder = _article(tmp_path)
    _edit(folder / "en.yaml",
          "          In 2000 trade reached 129.5 billion USD [@lee2007, p. 12],",
          "          In 2000 trade reached\n          129.5 billion USD   [@lee2007, p. 12],")
    result = _run(tmp_path, "check")
    assert result.stderr == ""
    assert "0 stale" in _status(result)[1]


def test_a_translation_updated_but_not_marked_is_reported_once(tmp_path):
    folder = _article(tmp_path)
    _edit(folder / "en.yaml", "Two regions, one market.", "Two regions, one market, one plan.")
    _edit(folder / "vi.yaml", "Hai khu vực, một thị trường.",
          "Hai khu vực, một thị trường, một kế hoạch.")
    result = _run(tmp_path, "check")
    en, vi = _line(folder / "en.yaml", "- p: Two regions"), _line(folder / "vi.yaml", "- p: Hai")
    assert result.stderr.splitlines() == [
        f"content/article/en.yaml:{en}: warning: not marked in sync: block 1 (paragraph) of "
        f"section 'background' changed in every language since the last sync (counterpart: "
        f"content/article/vi.yaml:{vi}); once the languages agree, run: python build.py sync "
        f"--block background/1"]
    assert _run(tmp_path, "sync", "--lang", "vi", "--block", "background/1").returncode == 0
    assert _run(tmp_path, "check").stderr == ""


def test_new_and_missing_blocks_are_counted(tmp_path):
    folder = _article(tmp_path)
    _edit(folder / "en.yaml", "          - p: Two regions, one market.",
          "          - p: Two regions, one market.\n          - p: A new paragraph.")
    _edit(folder / "vi.yaml", "          - p: Hai khu vực, một thị trường.",
          "          - p: Hai khu vực, một thị trường.\n"
          "          - p: Một đoạn mới.")
    result = _run(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "not marked in sync: block 2 (paragraph) of section 'background' is new" \
        in result.stderr
    assert _status(result) == [
        "en: 14 blocks, 13 in sync, 0 stale, 0 missing, 1 changed since the last sync",
        "vi: 14 blocks, 13 in sync, 0 stale, 0 missing, 1 changed since the last sync"]
    _edit(folder / "vi.yaml", "\n          - p: Một đoạn mới.", "")
    result = _run(tmp_path, "check")
    assert _status(result) == [
        "en: 14 blocks, 13 in sync, 0 stale, 0 missing, 1 changed since the last sync",
        "vi: 14 blocks, 13 in sync, 0 stale, 1 missing, 0 changed since the last sync"]
    assert "parity: section 'background' has blocks p p in en but p in vi" in result.stderr


def test_a_third_language_that_did_not_follow_stays_stale(tmp_path):
    folder = _article(tmp_path, ("en", "vi", "fr"))
    _edit(folder / "en.yaml", "Two regions, one market.", "Two regions, a single market.")
    result = _run(tmp_path, "check")
    assert [line.split(" ", 1)[0] for line in result.stderr.splitlines()] == [
        f"content/article/vi.yaml:{_line(folder / 'vi.yaml', '- p: Hai')}:",
        f"content/article/fr.yaml:{_line(folder / 'fr.yaml', '- p: Two')}:"]
    _edit(folder / "vi.yaml", "Hai khu vực, một thị trường.",
          "Hai khu vực, một thị trường duy nhất.")
    assert _run(tmp_path, "sync", "--lang", "vi", "--block", "background/1").returncode == 0
    records = yaml.safe_load((folder / "sync.yaml").read_text(encoding="utf-8"))
    assert records["background/1"]["stale"] == ["fr"]
    result = _run(tmp_path, "check")
    assert [line.strip() for line in _status(result)] == [
        "en: 13 blocks, 13 in sync, 0 stale, 0 missing, 0 changed since the last sync",
        "vi: 13 blocks, 13 in sync, 0 stale, 0 missing, 0 changed since the last sync",
        "fr: 13 blocks, 12 in sync, 1 stale, 0 missing, 0 changed since the last sync"]
    assert "fr.yaml" in result.stderr and "has not followed a change made in another" \
        in result.stderr
    _edit(folder / "fr.yaml", "Two regions, one market.", "Deux régions, un marché unique.")
    assert _run(tmp_path, "sync", "--lang", "fr", "--block", "background/1").returncode == 0
    result = _run(tmp_path, "check")
    assert result.stderr == ""
    assert "stale" not in (folder / "sync.yaml").read_text(encoding="utf-8").split("\n", 3)[3]


def test_a_document_without_records_is_not_tracked_until_synced(tmp_path):
    shutil.copytree(BASE, tmp_path / "content" / "article")
    result = _run(tmp_path, "check")
    assert result.stderr == ""
    assert _status(result) == [
        f"{lang}: 13 blocks, not tracked yet (start with: python build.py sync --all)"
        for lang in ("en", "vi")]
    marked = _run(tmp_path, "sync", "--all")
    assert marked.stdout.splitlines() == [
        "marked 13 blocks of every language in sync: wrote content/article/sync.yaml"]
    text = (tmp_path / "content" / "article" / "sync.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Translation sync records")
    assert yaml.safe_load(text)["title"] == {
        "en": sync.fingerprint("Trade between two regions"),
        "vi": sync.fingerprint("Thương mại giữa hai khu vực")}


def test_marking_an_unknown_block_is_one_line_with_a_suggestion(tmp_path):
    folder = _article(tmp_path)
    before = (folder / "sync.yaml").read_bytes()
    result = _run(tmp_path, "sync", "--lang", "vi", "--block", "backgruond/1")
    assert result.returncode == 2
    assert result.stderr == "error: sync: content/article has no block 'backgruond/1' in vi " \
                            "(did you mean background/1, background/title?)\n"
    missing = _run(tmp_path, "sync", "--lang", "vi")
    assert missing.stderr == "error: sync: say which blocks to mark in sync: --block " \
                             "SECTION/N (repeatable) or --all\n"
    assert (folder / "sync.yaml").read_bytes() == before


def test_marking_refuses_content_with_errors(tmp_path):
    folder = _article(tmp_path)
    before = (folder / "sync.yaml").read_bytes()
    _edit(folder / "vi.yaml", "abstract: >-", "abstarct: >-")
    result = _run(tmp_path, "sync", "--all")
    assert result.returncode == 1
    assert "vi.yaml:6: unknown key 'abstarct' (did you mean 'abstract'?)" in result.stderr
    assert (folder / "sync.yaml").read_bytes() == before


def test_decomposed_text_stays_in_sync(tmp_path):
    folder = _article(tmp_path)
    vi = folder / "vi.yaml"
    vi.write_text(unicodedata.normalize("NFD", vi.read_text(encoding="utf-8")), encoding="utf-8")
    result = _run(tmp_path, "check")
    assert result.stderr == ""
    assert _status(result)[1] == \
        "vi: 13 blocks, 13 in sync, 0 stale, 0 missing, 0 changed since the last sync"
