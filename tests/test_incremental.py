"""Nothing changed, nothing rebuilt; anything changed, rebuilt: builds run as a user runs them.

Most cases build the HTML only (``--no-pdf``): what decides a rebuild is the same for every
output, and the PDF cases are built where the PDF itself matters (a no-op must not even import
WeasyPrint; ``--force`` lays the PDF out again).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, pdftotext, run_build

SHORT = ROOT / "content" / "pagination-note"
"""A two-page shipped document, for the cases where what is built does not matter."""


class Workspace:
    """A private copy of a document (the sample unless told), the templates and fonts, with an
    output folder."""

    def __init__(self, root: Path, source: Path = SAMPLE):
        self.root = root
        self.doc = root / "content" / source.name
        self.templates = root / "templates"
        self.fonts = root / "fonts"
        self.out = root / "out"
        shutil.copytree(source, self.doc)
        shutil.copytree(ROOT / "templates", self.templates)
        shutil.copytree(ROOT / "fonts", self.fonts)

    def args(self, *extra: str) -> list[str]:
        return ["--content", str(self.root / "content"), "--templates", str(self.templates),
                "--fonts", str(self.fonts), "--out", str(self.out), *extra]

    def build(self, *extra: str) -> subprocess.CompletedProcess:
        result = run_build(*self.args(*extra))
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def output(self, lang: str, kind: str) -> Path:
        return self.out / lang / f"{self.doc.name}.{kind}"

    def stamp(self, lang: str, kind: str) -> int:
        return self.output(lang, kind).stat().st_mtime_ns

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path)


def _rebuilt(result: subprocess.CompletedProcess, ws: Workspace, lang: str, kind: str) -> bool:
    return f"wrote {ws.output(lang, kind)}" in result.stdout


def test_unchanged_inputs_skip_without_weasyprint_and_force_rebuilds(tmp_path):
    ws = Workspace(tmp_path, SHORT)
    first = ws.build("--lang", "vi")
    assert _rebuilt(first, ws, "vi", "pdf") and _rebuilt(first, ws, "vi", "html")
    before = {kind: ws.stamp("vi", kind) for kind in ("pdf", "html")}

    # The no-op build, in a process that then tells whether WeasyPrint was ever imported.
    probe = ("import sys\nfrom songngu.cli import main\nstatus = main(sys.argv[1:])\n"
             "print('weasyprint imported:', 'weasyprint' in sys.modules)\nsys.exit(status)\n")
    again = subprocess.run([sys.executable, "-c", probe, *ws.args("--lang", "vi")], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"up to date: {ws.output('vi', 'html')}, {ws.output('vi', 'pdf')}" in again.stdout
    assert "nothing to do" in again.stdout
    assert "weasyprint imported: False" in again.stdout
    assert "wrote" not in again.stdout
    assert {kind: ws.stamp("vi", kind) for kind in ("pdf", "html")} == before

    forced = ws.build("--lang", "vi", "--force")
    assert _rebuilt(forced, ws, "vi", "pdf") and _rebuilt(forced, ws, "vi", "html")
    assert all(ws.stamp("vi", kind) > before[kind] for kind in ("pdf", "html"))


def test_a_body_edit_rebuilds_only_that_language(ws):
    ws.build("--lang", "all", "--no-pdf")
    vi_before = ws.stamp("vi", "html")
    ws.edit(ws.doc / "en.yaml", "The ASEAN–Japan relationship links",
            "Newly added sentence. The ASEAN–Japan relationship links")
    result = ws.build("--lang", "all", "--no-pdf")
    assert _rebuilt(result, ws, "en", "html")
    assert not _rebuilt(result, ws, "vi", "html")
    assert f"up to date: {ws.output('vi', 'html')}" in result.stdout
    assert ws.stamp("vi", "html") == vi_before
    assert "Newly added sentence." in ws.output("en", "html").read_text(encoding="utf-8")


def test_a_title_edit_rebuilds_every_language_whose_page_one_shows_it(ws):
    ws.build("--lang", "all", "--no-pdf")
    ws.edit(ws.doc / "en.yaml", "title: ASEAN", "title: Revised ASEAN")
    result = ws.build("--lang", "all", "--no-pdf")
    assert _rebuilt(result, ws, "en", "html") and _rebuilt(result, ws, "vi", "html")
    assert "Revised ASEAN" in ws.output("vi", "html").read_text(encoding="utf-8")


def _change_document(ws):
    ws.edit(ws.doc / "document.yaml", "doi: 10.34238/tnu-jst.4151", "doi: 10.34238/tnu-jst.4152")
    return 'href="https://doi.org/10.34238/tnu-jst.4152"'


def _change_references(ws):
    ws.edit(ws.doc / "references.yaml", "title: China - ASEAN - Japan Relations",
            "title: China - ASEAN - Japan Ties")
    return "China - ASEAN - Japan Ties"


def _change_template(ws):
    ws.edit(ws.templates / "journal" / "article.html.j2", '<meta charset="utf-8">',
            '<meta charset="utf-8">\n<meta name="x-edited" content="template">')
    return 'content="template"'


def _change_stylesheet(ws):
    with (ws.templates / "journal" / "journal.css").open("a", encoding="utf-8") as css:
        css.write("\n.x-edited-stylesheet { color: black; }\n")
    return ".x-edited-stylesheet"


def _change_catalog(ws):
    ws.edit(ws.templates / "journal" / "locales" / "vi" / "LC_MESSAGES" / "messages.po",
            'msgstr "TỪ KHÓA"', 'msgstr "TỪ KHOÁ CHÍNH"')
    return "TỪ KHOÁ CHÍNH"


def _change_font(ws):
    # Another face of the same family: still a font that draws every character.
    shutil.copyfile(ws.fonts / "LiberationSerif-Bold.ttf",
                    ws.fonts / "LiberationSerif-Regular.ttf")
    return None


@pytest.mark.parametrize("change", [_change_document, _change_references, _change_template,
                                    _change_stylesheet, _change_catalog, _change_font],
                         ids=lambda change: change.__name__.removeprefix("_change_"))
def test_every_kind_of_input_change_rebuilds(ws, change):
    ws.build("--lang", "vi", "--no-pdf")
    assert "up to date" in ws.build("--lang", "vi", "--no-pdf").stdout
    before = ws.stamp("vi", "html")
    shown = change(ws)
    result = ws.build("--lang", "vi", "--no-pdf")
    assert _rebuilt(result, ws, "vi", "html"), result.stdout
    assert ws.stamp("vi", "html") > before
    if shown:
        assert shown in ws.output("vi", "html").read_text(encoding="utf-8")
    else:
        assert (ws.out / "vi" / "fonts" / "LiberationSerif-Regular.ttf").read_bytes() == \
            (ws.fonts / "LiberationSerif-Bold.ttf").read_bytes()
    assert "up to date" in ws.build("--lang", "vi", "--no-pdf").stdout


@pytest.mark.parametrize("option", [["--strict"], ["--pdf-variant", "pdf/a-3b"]],
                         ids=["strict", "pdf-variant"])
def test_a_different_option_rebuilds(ws, option):
    ws.build("--lang", "vi", "--no-pdf")
    assert _rebuilt(ws.build("--lang", "vi", "--no-pdf", *option), ws, "vi", "html")
    assert "up to date" in ws.build("--lang", "vi", "--no-pdf", *option).stdout
    assert _rebuilt(ws.build("--lang", "vi", "--no-pdf"), ws, "vi", "html")


def test_a_new_version_of_the_tool_rebuilds(ws):
    ws.build("--lang", "vi", "--no-pdf")
    upgraded = ("import sys, songngu\nsongngu.__version__ = '99.0.0'\n"
                "from songngu.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", upgraded,
                             *ws.args("--lang", "vi", "--no-pdf")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert _rebuilt(result, ws, "vi", "html")


def test_a_deleted_output_is_built_again(ws):
    ws.build("--lang", "vi", "--no-pdf")
    ws.output("vi", "html").unlink()
    assert _rebuilt(ws.build("--lang", "vi", "--no-pdf"), ws, "vi", "html")
    assert ws.output("vi", "html").is_file()


def test_a_failed_build_keeps_the_outputs_and_the_next_one_rebuilds(ws):
    ws.build("--lang", "vi", "--no-pdf")
    good = ws.output("vi", "html").read_bytes()
    vi = ws.doc / "vi.yaml"
    text = vi.read_text(encoding="utf-8")
    vi.write_text(text + "\ntitle: [unclosed\n", encoding="utf-8")
    broken = run_build(*ws.args("--lang", "vi", "--no-pdf"))
    assert broken.returncode == 1
    assert "vi.yaml" in broken.stderr and "YAML syntax error" in broken.stderr
    assert ws.output("vi", "html").read_bytes() == good
    vi.write_text(text.replace("title: Quan hệ", "title: Bàn về quan hệ", 1), encoding="utf-8")
    fixed = ws.build("--lang", "vi", "--no-pdf")
    assert _rebuilt(fixed, ws, "vi", "html")
    assert "Bàn về quan hệ" in ws.output("vi", "html").read_text(encoding="utf-8")


def test_several_outputs_show_overall_progress_and_each_ones_time(ws):
    result = ws.build("--lang", "all", "--no-pdf", "--jobs", "2")
    lines = result.stdout.splitlines()
    for lang in ("en", "vi"):
        page = ws.output(lang, "html")
        started = [line for line in lines if line.endswith(f"writing the page {page} …")]
        done = [line for line in lines if f"wrote {page} (" in line]
        assert len(started) == 1 and len(done) == 1, result.stdout
        assert started[0][:5] == done[0][:5] and started[0][:5] in ("[1/2]", "[2/2]")
        assert done[0].endswith(" s)")
    assert sum(line.startswith("checked ") for line in lines) == 1  # shared stages: once


def test_a_pdf_reports_its_pages_and_time_and_needs_one_layout(ws):
    result = ws.build("--lang", "en")
    pdf = ws.output("en", "pdf")
    line = next(line for line in result.stdout.splitlines() if f"wrote {pdf}" in line)
    text = pdftotext(pdf, "-layout")
    pages = text.count("\f")
    assert f"({pages} pages, 100–{99 + pages}, " in line
    # The first build has no earlier page count to go by, yet the header has the last page.
    assert f"226(03): 100 - {99 + pages}" in text.split("\f")[0]


def test_outputs_that_were_never_built_are_built_while_others_are_kept(ws):
    ws.build("--lang", "vi", "--no-pdf")
    result = ws.build("--lang", "all", "--no-pdf")
    assert f"up to date: {ws.output('vi', 'html')}" in result.stdout
    assert _rebuilt(result, ws, "en", "html")
    assert os.path.exists(ws.output("en", "html"))
