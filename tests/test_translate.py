"""Translators' tools: the PO file a translation is exported to, read back by gettext's own
msgfmt and by Babel, and imported into the language file without disturbing anything else;
and the translation status page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import ROOT
from lxml import html as lxml_html

from songngu import cli

SETUP = ["--templates", str(ROOT / "templates"), "--fonts", str(ROOT / "fonts")]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([*args, *SETUP])
    out, err = capsys.readouterr()
    return code, out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def export(capsys, *args: str) -> Path:
    code, out, err = run(capsys, "translate", "export", "--lang", "vi", *args)
    assert code == 0, err
    return Path(out.split(":")[0].removeprefix("wrote "))


def catalog(po: Path):
    with po.open("rb") as handle:
        return read_po(handle)


def save(po: Path, messages) -> None:
    with po.open("wb") as handle:
        write_po(handle, messages, include_previous=True)


def msgfmt_check(po: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                          capture_output=True, text=True)


def test_export_writes_one_entry_per_block_that_msgfmt_accepts(sample, capsys):
    po = export(capsys)
    assert po == Path("build/asean-japan.vi.po")
    checked = msgfmt_check(po)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    messages = {m.context: m for m in catalog(po) if m.id}
    assert len(messages) == 82  # 84 units, less the two placed tables
    title = messages["title"]
    assert title.id.startswith("ASEAN–Japan relations in the first two decades")
    assert title.string.startswith("Quan hệ ASEAN – Nhật Bản")
    first = messages["economy/1"]
    assert first.locations == [("content/asean-japan/en.yaml", 302),
                               ("content/asean-japan/vi.yaml", 293)]
    assert not first.fuzzy and "economy/3" in messages
    assert messages["keywords"].string.split("\n")[0] == "Quan hệ"
    assert str(catalog(po).locale) == "vi"


def test_a_stale_block_is_fuzzy_with_the_previous_source(sample, capsys):
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    po = export(capsys, "-o", "vi.po")
    assert po == Path("vi.po")
    text = po.read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgctxt "economy/1"\n#| msgid ""\n#| "At the ASEAN–Japan Summit in ' \
           'Phnom Penh in November 2002, the two sides "\n#| "adopted the Joint' in text
    assert text.count("#| msgid") == 1
    assert msgfmt_check(po).returncode == 0
    message = next(m for m in catalog(po) if m.context == "economy/1")
    assert message.fuzzy and "Phnom Penh on 5 November 2002" in message.id
    others = [m for m in catalog(po) if m.id and m.fuzzy]
    assert len(others) == 1


def test_export_then_import_with_no_change_leaves_the_files_byte_identical(sample, capsys):
    before = {name: (sample / name).read_bytes() for name in ("vi.yaml", "sync.yaml")}
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    po = export(capsys)
    code, out, err = run(capsys, "translate", "import", str(po))
    assert code == 0, err
    assert out == "read build/asean-japan.vi.po: 0 translation(s) written into " \
                  "content/asean-japan/vi.yaml, 0 block(s) marked in sync\n"
    assert {name: (sample / name).read_bytes() for name in before} == before


def test_an_imported_translation_replaces_that_block_alone_and_is_marked(sample, capsys):
    vi = sample / "vi.yaml"
    before = vi.read_text(encoding="utf-8").splitlines()
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    po = export(capsys)
    messages = catalog(po)
    for message in messages:
        if message.context == "economy/1":  # what a translator does in Poedit
            message.string = message.string.replace("Phnom Penh tháng 11 năm 2002",
                                                    "Phnom Penh ngày 5 tháng 11 năm 2002")
            message.flags.discard("fuzzy")
        if message.context == "background-list" or message.context == "keywords":
            message.string = message.string.replace("Thế kỉ XXI", "Thế kỷ XXI")
    save(po, messages)
    code, out, err = run(capsys, "translate", "import", str(po))
    assert code == 0, err
    assert out.startswith("read build/asean-japan.vi.po: 2 translation(s) written into "
                          "content/asean-japan/vi.yaml, 2 block(s) marked in sync")
    after = vi.read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after)
    start = before.index("            title: Quan hệ kinh tế")
    assert changed[0] == before.index("  - Thế kỉ XXI")
    assert all(start < i < start + 24 for i in changed[1:]), changed
    assert "Phnom Penh ngày 5 tháng 11" in after[changed[1]]
    assert max(len(line) for line in after) <= max(len(line) for line in before)
    code, out, err = run(capsys, "check")
    assert err == ""
    assert "vi: 84 blocks, 84 in sync" in out


def test_a_missing_block_translated_in_po_is_inserted_in_place(sample, capsys):
    edit(sample / "en.yaml", "              - heading: Trade\n",
         "              - p: A paragraph added to the source.\n              - heading: Trade\n")
    po = export(capsys)
    messages = catalog(po)
    new = next(m for m in messages if m.context == "economy/2")
    assert new.string == ""
    new.string = "Một đoạn văn được thêm vào bản gốc."
    save(po, messages)
    code, _, err = run(capsys, "translate", "import", str(po))
    assert code == 0, err
    text = (sample / "vi.yaml").read_text(encoding="utf-8")
    assert "hội lớn hơn cho khu vực.\n              - p: Một đoạn văn được thêm vào bản " \
           "gốc.\n              - heading: Thương mại\n" in text
    assert run(capsys, "check")[2] == ""


def test_import_refuses_what_it_cannot_use(sample, capsys, tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid "unclosed\n', encoding="utf-8")
    code, _, err = run(capsys, "translate", "import", str(bad))
    assert code == 2 and err.startswith(f"error: translate import: {bad} is not a readable PO")
    code, _, err = run(capsys, "translate", "export", "--lang", "en")
    assert code == 2 and "en is the source language" in err
    with pytest.raises(SystemExit):
        cli.main(["translate"])
    assert "the following arguments are required: action" in capsys.readouterr().err


def test_the_status_page_lists_each_state_with_the_diff(sample, capsys):
    edit(sample / "en.yaml", "Phnom Penh in November 2002", "Phnom Penh on 5 November 2002")
    edit(sample / "vi.yaml", "              - heading: Thương mại\n", "")
    edit(sample / "vi.yaml", "Vũ Văn Hà [@vu2007] đã", "Vũ Văn Hà đã")
    code, out, err = run(capsys, "check", "--report", "translation.html")
    assert code == 0, err
    assert "wrote translation.html" in out
    page = lxml_html.fromstring(Path("translation.html").read_text(encoding="utf-8"))
    summary = [" ".join(td.text_content().split())
               for td in page.xpath("//table[@class='summary']//td")]
    assert summary[:6] == ["asean-japan", "vi", "81", "1", "1", "1"]
    rows = {row.get("id"): row for row in page.xpath("//tr[@id]")}
    stale = rows["asean-japan-vi-economy/1"]
    assert stale.get("class") == "stale"
    assert stale.xpath(".//del")[0].text == "in" and stale.xpath(".//ins")[0].text == "on 5"
    assert rows["asean-japan-vi-economy/2"].get("class") == "missing"
    assert rows["asean-japan-vi-introduction/1"].get("class") == "changed"
    assert "[@vu2007]" in rows["asean-japan-vi-introduction/1"].text_content()


def test_a_translation_that_cannot_be_placed_is_skipped_with_the_reason(sample, capsys):
    before = (sample / "vi.yaml").read_bytes()
    po = export(capsys)
    messages = catalog(po)
    for message in messages:
        if message.context == "tables/trade/columns":
            message.string = "Năm\nTổng"
    save(po, messages)
    code, out, err = run(capsys, "translate", "import", str(po))
    assert code == 0
    assert err == f"{po}: skipped tables/trade/columns: expected 5 column headers, one per " \
                  f"line, found 2\n"
    assert out.startswith(f"read {po}: 0 translation(s) written")
    assert (sample / "vi.yaml").read_bytes() == before
