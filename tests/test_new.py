"""From nothing to one's own article: ``new``, edit, ``check``, build, as a new user would.

Every step goes through :func:`songngu.cli.main` in a fresh working folder that has no
templates or fonts of its own: songngu's own (package data, or the checkout's) are used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import pdftotext

from songngu.cli import main


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_new_writes_a_commented_document_in_every_language_that_checks_clean(here, capsys):
    status, out, err = run(capsys, "new", "myarticle")
    assert status == 0, err
    folder = here / "content" / "myarticle"
    assert sorted(p.name for p in folder.iterdir()) == [
        "document.yaml", "en.yaml", "references.yaml", "sync.yaml", "vi.yaml"]
    assert "python build.py check" in out and "--lang en" in out
    for name, kind in (("document.yaml", "document"), ("en.yaml", "text"),
                       ("vi.yaml", "text"), ("references.yaml", "references")):
        text = (folder / name).read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../.schemas/{kind}.schema.json"
        assert (folder / ".." / ".schemas" / f"{kind}.schema.json").is_file()
        assert text.count("\n#") >= 2  # commented for the person who fills it in
    en = yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))
    vi = yaml.safe_load((folder / "vi.yaml").read_text(encoding="utf-8"))
    assert len(en["sections"]) == len(vi["sections"]) == 2
    assert "starting template" in en["abstract"]
    assert "bản mẫu khởi đầu" in vi["abstract"]
    assert vi["title"] == "Tiêu đề bài báo của bạn"
    assert any("[@nguyen2024]" in str(block) for block in en["sections"][0]["blocks"])
    assert {"table": "results"} in en["sections"][0]["blocks"]
    status, out, err = run(capsys, "check", "--content", "content/myarticle")
    assert (status, err) == (0, "")
    assert "0 warning(s), no errors" in out
    assert "15 in sync, 0 stale" in out


def test_the_new_document_builds_in_both_languages(here, capsys):
    run(capsys, "new", "myarticle")
    status, _out, err = run(capsys, "--content", "content/myarticle", "--out", "out")
    assert (status, err) == (0, "")
    en = pdftotext(here / "out" / "en" / "myarticle.pdf")
    vi = pdftotext(here / "out" / "vi" / "myarticle.pdf")
    for text in (en, vi):  # page 1 carries both title blocks
        assert "THE TITLE OF YOUR ARTICLE" in text and "TIÊU ĐỀ BÀI BÁO CỦA BẠN" in text
    assert "1,240" in en and "45.5%" in en and "Table 1" in en and "[1]" in en
    assert "1.240" in vi and "45,5%" in vi and "Bảng 1" in vi and "TÀI LIỆU THAM KHẢO" in vi
    assert "Writing a bilingual journal article" in vi


def test_languages_set_the_order_of_the_title_blocks(here, capsys):
    status, _, err = run(capsys, "new", "bai-bao", "--languages", "vi,en")
    assert status == 0, err
    shared = (here / "content" / "bai-bao" / "document.yaml").read_text(encoding="utf-8")
    assert re.search(r"^languages: \[vi, en\]", shared, re.M)
    status, out, err = run(capsys, "check", "--content", "content/bai-bao")
    assert status == 0 and "vi: the source" in out, (out, err)
    status, _, err = run(capsys, "--content", "content/bai-bao", "--out", "out", "--no-pdf")
    assert (status, err) == (0, "")
    # Each page opens with its own language's title block, the other one after it.
    for lang, own, other in (("vi", "Tiêu đề bài báo của bạn", "The title of your article"),
                             ("en", "The title of your article", "Tiêu đề bài báo của bạn")):
        page = (here / "out" / lang / "bai-bao.html").read_text(encoding="utf-8")
        page = page[page.index("<body"):]
        assert page.index(own) < page.index(other)


def test_one_language_is_enough(here, capsys):
    assert run(capsys, "new", "only-vi", "--languages", "vi")[0] == 0
    assert not (here / "content" / "only-vi" / "en.yaml").exists()
    status, _, err = run(capsys, "check", "--content", "content/only-vi")
    assert (status, err) == (0, "")


def test_new_never_overwrites(here, capsys):
    run(capsys, "new", "myarticle")
    mine = here / "content" / "myarticle" / "en.yaml"
    mine.write_text("title: my own work\n", encoding="utf-8")
    status, _out, err = run(capsys, "new", "myarticle")
    assert status == 2
    assert err == ("error: new: content/myarticle already exists; nothing was written "
                   "(choose another name, or delete the folder first)\n")
    assert mine.read_text(encoding="utf-8") == "title: my own work\n"


@pytest.mark.parametrize("args, message", [
    (["new", "My Article"], "error: new: expected a name of lowercase letters, digits, '-' or "
                            "'_' (it names the folder and the outputs), found 'My Article'\n"),
    (["new", "a", "--languages", "en,fr"],
     "error: new: songngu has starter text in en, vi; found 'fr' (start in those, then add a "
     "language as the README says under 'Labels and languages')\n"),
    (["new", "a", "--languages", "en,en"], "error: new: --languages en,en lists a language "
                                           "twice\n"),
])
def test_new_refuses_what_it_cannot_write_and_writes_nothing(here, capsys, args, message):
    status, _, err = run(capsys, *args)
    assert (status, err) == (2, message)
    assert not (here / "content" / "a").exists() and not (here / "content" / "My Article").exists()


def test_new_inside_a_document_is_refused(here, capsys):
    run(capsys, "new", "a")
    status, _, err = run(capsys, "new", "b", "--content", "content/a")
    assert (status, err) == (2, "error: new: content/a is a document, not a content folder; "
                                "nothing was written (give the folder that holds the documents: "
                                "--content content)\n")
    assert not (here / "content" / "a" / "b").exists()


def test_edit_check_build_the_new_article(here, capsys):
    """The user's loop: edit the text of both languages, check, mark in sync, build."""
    run(capsys, "new", "myarticle")
    folder = here / "content" / "myarticle"
    for name, old, new in (("en.yaml", "The title of your article", "Rice farming in Thai Nguyen"),
                           ("vi.yaml", "Tiêu đề bài báo của bạn", "Nghề trồng lúa ở Thái Nguyên")):
        file = folder / name
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    status, _out, err = run(capsys, "check", "--content", "content/myarticle")
    assert status == 0
    assert err == ("content/myarticle/vi.yaml:8: warning: not marked in sync: the title was "
                   "updated in vi after its source changed in en (content/myarticle/en.yaml:8): "
                   "[-The title of your article-]{+Rice farming in Thai Nguyen+}; once the "
                   "translation is right, run: python build.py sync --lang vi --block title\n")
    assert run(capsys, "sync", "--all", "--content", "content/myarticle")[0] == 0
    status, _out, err = run(capsys, "check", "--content", "content/myarticle")
    assert (status, err) == (0, "")
    status, _out, err = run(capsys, "--lang", "vi", "--content", "content/myarticle",
                           "--out", "out")
    assert (status, err) == (0, "")
    assert "NGHỀ TRỒNG LÚA Ở THÁI NGUYÊN" in pdftotext(here / "out" / "vi" / "myarticle.pdf")
