"""What planning remembers of its inputs by their stamps (songngu.incremental.remembered): read
once while a file keeps its stamp, read again as soon as anything about it changes, even its
bytes alone behind a modification time set back by hand; kept for the next build."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from songngu import incremental
from songngu.project import BuildOptions


@pytest.fixture
def memo(monkeypatch):
    """An empty memo; files count as settled at once (no two-second wait in a test)."""
    monkeypatch.setattr(incremental, "_MEMO", {})
    monkeypatch.setattr(incremental, "SETTLED_NS", 0)
    return incremental._MEMO


def _reads(path: Path):
    calls = []

    def read():
        calls.append(1)
        return path.read_text(encoding="utf-8")
    return calls, read


def test_a_file_is_read_once_while_its_stamp_holds(tmp_path, memo):
    path = tmp_path / "en.yaml"
    path.write_text("title: One\n", encoding="utf-8")
    calls, read = _reads(path)
    assert incremental.remembered("title", path, read) == "title: One\n"
    assert incremental.remembered("title", path, read) == "title: One\n"
    assert len(calls) == 1


def test_new_bytes_behind_an_old_modification_time_are_read_again(tmp_path, memo):
    path = tmp_path / "en.yaml"
    path.write_text("title: One\n", encoding="utf-8")
    before = path.stat()
    calls, read = _reads(path)
    incremental.remembered("title", path, read)
    time.sleep(0.05)  # past a tick of the file system's clock, as the memo's settling time is
    path.write_text("title: Two\n", encoding="utf-8")  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    assert incremental.remembered("title", path, read) == "title: Two\n"
    assert len(calls) == 2


def test_a_file_changed_a_moment_ago_is_not_remembered(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "_MEMO", {})
    monkeypatch.setattr(incremental, "SETTLED_NS", 10**15)  # "a moment": however slow the run
    path = tmp_path / "en.yaml"
    path.write_text("title: One\n", encoding="utf-8")  # its stamp could still hide a change
    calls, read = _reads(path)
    incremental.remembered("title", path, read)
    incremental.remembered("title", path, read)
    assert len(calls) == 2


def test_the_memo_is_kept_for_the_next_build(tmp_path, memo, monkeypatch):
    path = tmp_path / "en.yaml"
    path.write_text("title: One\n", encoding="utf-8")
    calls, read = _reads(path)
    incremental.remembered("title", path, read)
    incremental.save_memo(tmp_path / "out")
    monkeypatch.setattr(incremental, "_MEMO", {})  # a new process
    incremental.load_memo(tmp_path / "out")
    assert incremental.remembered("title", path, read) == "title: One\n"
    assert len(calls) == 1


def test_keys_follow_the_bytes_of_a_document_whatever_its_stamp_says(tmp_path, memo):
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "document.yaml").write_text("languages: [en, vi]\n", encoding="utf-8")
    for lang in ("en", "vi"):
        (folder / f"{lang}.yaml").write_text("title: A\nsections: []\n", encoding="utf-8")
    templates, fonts = tmp_path / "templates", tmp_path / "fonts"
    templates.mkdir()
    fonts.mkdir()

    def key(output: str) -> str:
        return incremental.language_keys(folder, ["en", "vi"], [output], templates, fonts,
                                         tmp_path / "out", BuildOptions())[output]

    en, vi = key("en"), key("vi")
    assert (key("en"), key("vi")) == (en, vi)
    path = folder / "vi.yaml"
    before = path.stat()
    time.sleep(0.05)  # past a tick of the file system's clock
    path.write_text("title: B\nsections: []\n", encoding="utf-8")  # vi's title block
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert key("en") != en and key("vi") != vi  # page 1 of en shows vi's title too
